// Fault matrix, program and bootstrap rows: real COBOL programs that fail on
// purpose, run by the real bootstrap in `dev`'s execution environments, called
// over the real Invoke API. Each case pins the caller's exact answer, then shows
// the environment is still serving and nothing of the failed program is left.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { DevServer } from '../dev/dev-server.ts';
import { compileTestProgram, TEST_COBOL_DIR, tempDir } from './support/cobc.ts';
import { errorBody, startBootstrap } from './support/runtime-harness.ts';
import { bootstrapRunning, programsRunning } from './support/processes.ts';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function post(base: string, fn: string, payload: Buffer | string, headers: Record<string, string> = {}): Promise<Answer> {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}/2015-03-31/functions/${fn}/invocations`,
      { method: 'POST', headers: { 'content-length': body.length, 'x-amz-log-type': 'Tail', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const json = (a: Answer): unknown => JSON.parse(a.body.toString());
const tail = (a: Answer): string => Buffer.from(String(a.headers['x-amz-log-result']), 'base64').toString();
const report = (a: Answer): string => tail(a).split('\n').find((l) => l.startsWith('REPORT'))!;

const leftovers = (): string[] => programsRunning(workDir);

async function noLeftovers(): Promise<void> {
  await expect.poll(leftovers, { timeout: 2_000, interval: 50 }).toEqual([]);
}

const cobolDir = tempDir('fault-cobol');
const workDir = tempDir('fault-work');
const logs: string[] = [];
let server: DevServer;
let url: string;

beforeAll(async () => {
  for (const f of ['fail.cbl', 'nostdin.cbl', 'echo.cbl']) copyFileSync(join(TEST_COBOL_DIR, f), join(cobolDir, f));
  copyFileSync(join(TEST_COBOL_DIR, 'faults', 'chaos.cbl'), join(cobolDir, 'chaos.cbl'));
  writeFileSync(
    join(cobolDir, 'cobolambda.json'),
    JSON.stringify({
      programs: {
        fail: { cobcFlags: ['-free'], timeoutSeconds: 3 },
        chaos: { cobcFlags: ['-free'], timeoutSeconds: 10 },
        nostdin: { cobcFlags: ['-free'] },
        echo: { cobcFlags: ['-free'] },
      },
    }),
  );
  server = new DevServer({
    cobolDir,
    workDir,
    host: '127.0.0.1',
    port: 0,
    concurrency: 2,
    region: 'us-east-1',
    watch: false,
    log: (l) => logs.push(l),
  });
  url = await server.start();
});

afterAll(async () => {
  await server?.close();
});

/** The next invocation of `fn` succeeds in the same (warm) environment, and nothing is left running. */
async function stillServingWarm(fn: 'fail' | 'chaos'): Promise<void> {
  const next = fn === 'fail' ? await post(url, 'fail', '"ok"') : await post(url, 'chaos', '"binary"');
  expect(next.status).toBe(200);
  expect(next.headers['x-amz-function-error']).toBeUndefined();
  if (fn === 'fail') expect(next.body.toString()).toBe('still serving\n');
  else expect(next.body.length).toBe(256);
  expect(report(next)).not.toContain('Init Duration');
  await noLeftovers();
}

describe('program faults: the caller’s exact answer, then the warm environment serves again', () => {
  it('warms both functions', async () => {
    expect((await post(url, 'fail', '"ok"')).body.toString()).toBe('still serving\n');
    expect((await post(url, 'chaos', '"binary"')).body.length).toBe(256);
  });

  it('exits 1: Function.ProgramExitError, the last stderr lines as stackTrace', async () => {
    const a = await post(url, 'chaos', '"exit-1"');
    expect(a.status).toBe(200);
    expect(a.headers['x-amz-function-error']).toBe('Unhandled');
    expect(json(a)).toEqual({ errorType: 'Function.ProgramExitError', errorMessage: 'program chaos exited with status 1', stackTrace: ['exiting with 1'] });
    await stillServingWarm('chaos');
  });

  it('exits 3 via RETURN-CODE: the partial stdout is not the answer', async () => {
    const a = await post(url, 'fail', '"return-code"');
    expect(a.headers['x-amz-function-error']).toBe('Unhandled');
    expect(json(a)).toEqual({ errorType: 'Function.ProgramExitError', errorMessage: 'program fail exited with status 3', stackTrace: ['giving up with 3'] });
    await stillServingWarm('fail');
  });

  it('SIGSEGV (caught by libcob): Function.ProgramSignaled', async () => {
    const a = await post(url, 'fail', '"segv"');
    expect(a.headers['x-amz-function-error']).toBe('Unhandled');
    expect(json(a)).toEqual({
      errorType: 'Function.ProgramSignaled',
      errorMessage: 'program fail was killed by signal SIGSEGV: attempt to reference unallocated memory (signal SIGSEGV)',
      stackTrace: ['attempt to reference unallocated memory (signal SIGSEGV)'],
    });
    await stillServingWarm('fail');
  });

  it('SIGKILL: Function.ProgramSignaled', async () => {
    const a = await post(url, 'fail', '"sigkill"');
    expect(json(a)).toEqual({ errorType: 'Function.ProgramSignaled', errorMessage: 'program fail was killed by signal SIGKILL (9)', stackTrace: [] });
    await stillServingWarm('fail');
  });

  it('never ends: Function.ProgramTimeout before the 3 s deadline; the environment stays warm', async () => {
    const started = Date.now();
    const a = await post(url, 'fail', '"hang"');
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(a.headers['x-amz-function-error']).toBe('Unhandled');
    const body = json(a) as { errorType: string; errorMessage: string; stackTrace: string[] };
    expect(body.errorType).toBe('Function.ProgramTimeout');
    expect(body.errorMessage).toMatch(
      /^program fail was stopped after 2\.\d\d seconds, before the invocation's deadline; it and every process it started were killed$/,
    );
    expect(body.stackTrace).toEqual([]);
    await stillServingWarm('fail');
  });

  it('forks a child that outlives it: the answer is the program’s, the child is killed with its group', async () => {
    const a = await post(url, 'fail', '"fork-and-exit"');
    expect(a.status).toBe(200);
    expect(a.headers['x-amz-function-error']).toBeUndefined();
    expect(a.body.toString()).toBe('left a child behind\n');
    await noLeftovers();
    await stillServingWarm('fail');
  });

  it('forks a child and never ends: timeout, and neither is left running', async () => {
    const a = await post(url, 'fail', '"fork-and-hang"');
    expect((json(a) as { errorType: string }).errorType).toBe('Function.ProgramTimeout');
    await stillServingWarm('fail');
  });

  it('prints 50 MB: Function.ResponseSizeTooLarge, stopped at the 6 MB limit', async () => {
    const a = await post(url, 'chaos', '"print-50mb"');
    expect(a.headers['x-amz-function-error']).toBe('Unhandled');
    expect(json(a)).toEqual({
      errorType: 'Function.ResponseSizeTooLarge',
      errorMessage: "program chaos wrote more than 6291556 bytes to stdout, Lambda's response limit; it was stopped",
      stackTrace: [],
    });
    await stillServingWarm('chaos');
  });

  it('prints binary bytes: every byte value comes back exactly', async () => {
    const a = await post(url, 'chaos', '"binary"');
    expect(a.status).toBe(200);
    expect(a.headers['x-amz-function-error']).toBeUndefined();
    expect(a.body.equals(Buffer.from(Array.from({ length: 256 }, (_, i) => i)))).toBe(true);
    await stillServingWarm('chaos');
  });

  it('prints 10 MB to stderr: the answer is intact, the log is bounded and says exactly what it dropped', async () => {
    const before = logs.length;
    const a = await post(url, 'chaos', '"stderr-10mb"');
    expect(a.status).toBe(200);
    expect(a.body.toString()).toBe('wrote 10500000 bytes to stderr\n');
    // 2,621 lines of 100 bytes fit in 262,144; the other 102,379 lines are dropped.
    expect(tail(a)).toContain('\t[cobolambda] dropped 10237900 bytes of program stderr over the 262144-byte log limit\nEND RequestId: ');
    const chaosLines = logs.slice(before).filter((l) => l.startsWith('chaos '));
    expect(chaosLines.filter((l) => l.endsWith('e'.repeat(99)))).toHaveLength(2621);
    expect(chaosLines.length).toBeLessThan(2630);
    await stillServingWarm('chaos');
  });

  it('reads no stdin of a 5 MB event: the answer is its stdout (EPIPE is not a failure)', async () => {
    const a = await post(url, 'nostdin', JSON.stringify('a'.repeat(5 * 1024 * 1024)));
    expect(a.status).toBe(200);
    expect(a.headers['x-amz-function-error']).toBeUndefined();
    expect(a.body.toString()).toBe('did not read\n');
    const again = await post(url, 'nostdin', '{}');
    expect(again.body.toString()).toBe('did not read\n');
    expect(report(again)).not.toContain('Init Duration');
  });

  it('reads only half of a 5 MB event: the answer is its stdout', async () => {
    // A JSON array with one 1 KiB line per element: ACCEPT reads it line by line.
    const line = 'a'.repeat(1020);
    const payload = `["read-half",\n${Array.from({ length: 5120 }, () => `"${line}"`).join(',\n')}]`;
    expect(payload.length).toBe(5 * 1024 * 1024 + 13);
    const a = await post(url, 'chaos', payload);
    expect(a.headers['x-amz-function-error']).toBeUndefined();
    expect(a.body.toString()).toBe('read 2560 lines\n');
    await stillServingWarm('chaos');
  });
});

describe('bootstrap faults', () => {

  it('bootstrap killed with SIGKILL mid-invocation: Runtime.ExitError, its program is killed too, next call is a cold start', async () => {
    const pending = post(url, 'fail', '"fork-and-hang"');
    await expect.poll(() => leftovers().some((c) => c.includes('sleep 301')), { timeout: 2_000, interval: 50 }).toBe(true);
    process.kill(bootstrapRunning('fail'), 'SIGKILL');
    const a = await pending;
    expect(a.status).toBe(200);
    expect(a.headers['x-amz-function-error']).toBe('Unhandled');
    expect(json(a)).toEqual({ errorType: 'Runtime.ExitError', errorMessage: 'Runtime exited with error: signal: sigkill' });
    // The orphaned program (and the sleep it forked) must not outlive its environment.
    await noLeftovers();
    const next = await post(url, 'fail', '"ok"');
    expect(next.body.toString()).toBe('still serving\n');
    expect(report(next)).toContain('Init Duration');
  });

  const programDir = tempDir('fault-bootstrap-programs');
  beforeAll(() => {
    compileTestProgram('echo.cbl', programDir);
  });

  it('`next` answering 500 for a while (5 polls): retried with backoff, the event is answered exactly', async () => {
    const h = await startBootstrap({ handler: 'echo', programDir });
    try {
      expect(await h.invoke('before')).toEqual({ kind: 'response', body: Buffer.from('before\n') });
      await new Promise((r) => setTimeout(r, 50));
      h.api.failNextPolls(5);
      expect(await h.invoke('after 500s')).toEqual({ kind: 'response', body: Buffer.from('after 500s\n') });
      expect(await h.invoke('and again')).toEqual({ kind: 'response', body: Buffer.from('and again\n') });
      expect(h.process.exitCode).toBeNull();
    } finally {
      await h.stop();
    }
  });

  it('`next` answering 500 beyond the retry budget: the runtime exits 1 with a one-line reason', async () => {
    const h = await startBootstrap({ handler: 'echo', programDir });
    try {
      await h.invoke('before');
      h.api.failNextPolls(1_000);
      await new Promise((r) => setTimeout(r, 50));
      h.api.dropConnections();
      expect(await h.exited).toBe(1);
      expect(h.stderr().trim().split('\n').at(-1)).toMatch(
        /^cobolambda: Runtime API at 127\.0\.0\.1:\d+ unusable after 10 attempts to get the next invocation: HTTP 500: \{"errorMessage":"injected failure"/,
      );
    } finally {
      await h.stop();
    }
  }, 20_000);

  /**
   * A TCP proxy in front of the Runtime API that resets the connection carrying the first
   * POST whose request line has `marker` once `afterBytes` of it have passed: a connection reset mid-response.
   */
  async function resettingProxy(target: string, afterBytes: number, marker = '/response HTTP/1.1'): Promise<{ address: string; resets: () => number; close: () => Promise<void> }> {
    const [host, port] = target.split(':');
    let resets = 0;
    let armed = true;
    const sockets = new Set<Socket>();
    const proxy: Server = createServer((client) => {
      const upstream = connect(Number(port), host!);
      sockets.add(client).add(upstream);
      let seen = 0;
      let inResponse = false;
      client.on('data', (chunk: Buffer) => {
        if (armed && chunk.includes(marker)) inResponse = true;
        if (inResponse && armed) {
          seen += chunk.length;
          if (seen >= afterBytes) {
            armed = false;
            resets++;
            client.resetAndDestroy();
            upstream.resetAndDestroy();
            return;
          }
        }
        upstream.write(chunk);
      });
      upstream.on('data', (c: Buffer) => client.write(c));
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.on('error', () => {});
      upstream.on('error', () => {});
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const addr = proxy.address() as { port: number };
    return {
      address: `127.0.0.1:${addr.port}`,
      resets: () => resets,
      close: async () => {
        for (const s of sockets) s.destroy();
        await new Promise<void>((r) => proxy.close(() => r()));
      },
    };
  }

  it('Runtime API connection reset mid-response: the runtime posts the response again, the caller gets it exactly', async () => {
    const { RuntimeApiServer } = await import('../dev/runtime-api-server.ts');
    const api = new RuntimeApiServer();
    const target = await api.listen();
    const proxy = await resettingProxy(target, 64 * 1024);
    const h = await startBootstrap({ handler: 'echo', programDir, api, apiAddress: proxy.address });
    try {
      const big = `${'r'.repeat(1999)}\n`.repeat(1000);
      const out = await Promise.race([
        h.invoke(big, { deadlineMs: Date.now() + 20_000 }),
        new Promise<'lost'>((r) => setTimeout(() => r('lost'), 10_000)),
      ]);
      expect(proxy.resets()).toBe(1);
      expect(out).not.toBe('lost');
      expect(out !== 'lost' && out.kind).toBe('response');
      expect(out !== 'lost' && out.body.equals(Buffer.from(big))).toBe(true);
      expect(await h.invoke('next one')).toEqual({ kind: 'response', body: Buffer.from('next one\n') });
      expect(h.process.exitCode).toBeNull();
    } finally {
      await h.stop();
      await proxy.close();
    }
  }, 30_000);

  it('an error posted over a reset connection is posted again too', async () => {
    const { RuntimeApiServer } = await import('../dev/runtime-api-server.ts');
    const api = new RuntimeApiServer();
    const target = await api.listen();
    const proxy = await resettingProxy(target, 1, '/error HTTP/1.1');
    const dir = tempDir('fault-bootstrap-fail');
    compileTestProgram('fail.cbl', dir);
    const h = await startBootstrap({ handler: 'fail', programDir: dir, api, apiAddress: proxy.address });
    try {
      const out = await Promise.race([h.invoke('return-code'), new Promise<'lost'>((r) => setTimeout(() => r('lost'), 10_000))]);
      expect(proxy.resets()).toBe(1);
      expect(out).not.toBe('lost');
      expect(errorBody(out as Exclude<typeof out, 'lost'>)).toEqual({
        errorType: 'Function.ProgramExitError',
        errorMessage: 'program fail exited with status 3',
        stackTrace: ['giving up with 3'],
      });
      expect(await h.invoke('ok')).toEqual({ kind: 'response', body: Buffer.from('still serving\n') });
    } finally {
      await h.stop();
      await proxy.close();
    }
  }, 30_000);
});
