import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { join } from 'node:path';
import { compileTestProgram, tempDir } from './support/cobc.ts';
import { processTree } from '../dev/process-tree.ts';
import { isProgramServer, leftBehind } from './support/processes.ts';
import { errorBody, startBootstrap, type BootstrapHandle } from './support/runtime-harness.ts';

const programDir = tempDir('runtime-programs');

/** Programs of this file still running, and what they forked, wherever they were reparented. */
const leftovers = (): string[] => leftBehind(`COBOLAMBDA_PROGRAM_DIR=${programDir}`);

/** Processes running under the bootstrap, other than its long-lived program server: programs left behind. */
function childrenOf(pid: number): number[] {
  return processTree(pid)
    .slice(1)
    .filter((p) => !isProgramServer(p.pid))
    .map((p) => p.pid);
}

function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

function peakRssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)![1]);
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

beforeAll(() => {
  for (const source of ['echo.cbl', 'context.cbl', 'fail.cbl', 'nostdin.cbl']) compileTestProgram(source, programDir);
});

describe('raw mode', () => {
  let echo: BootstrapHandle;
  beforeAll(async () => {
    echo = await startBootstrap({ handler: 'echo', programDir });
  });
  afterAll(() => echo.stop());

  it('returns stdout for an event, adding the final newline ACCEPT needs', async () => {
    const out = await echo.invoke('{"name":"Ada"}');
    expect(out).toEqual({ kind: 'response', body: Buffer.from('{"name":"Ada"}\n') });
  });

  it('passes multi-line input through unchanged', async () => {
    const out = await echo.invoke('one\ntwo\nthree\n');
    expect(out.kind === 'response' && out.body.toString()).toBe('one\ntwo\nthree\n');
  });

  it('keeps an unterminated last line', async () => {
    const out = await echo.invoke('first\nlast');
    expect(out.kind === 'response' && out.body.toString()).toBe('first\nlast\n');
  });

  it('serves 1,000 sequential invocations without leaking processes or file descriptors', async () => {
    const pid = echo.process.pid!;
    await echo.invoke('warm-up');
    const fdsBefore = openFds(pid);
    for (let i = 0; i < 1000; i++) {
      const out = await echo.invoke(`n=${i}`);
      if (out.kind !== 'response' || out.body.toString() !== `n=${i}\n`) throw new Error(`invocation ${i}: ${JSON.stringify(out)}`);
    }
    expect(openFds(pid)).toBeLessThanOrEqual(fdsBefore);
    expect(childrenOf(pid)).toEqual([]);
  }, 180_000);
});

describe('context', () => {
  let ctx: BootstrapHandle;
  beforeAll(async () => {
    ctx = await startBootstrap({ handler: 'context', programDir });
  });
  afterAll(() => ctx.stop());

  it('hands the request id, deadline, trace id and function ARN to COBOL; hides the Runtime API address', async () => {
    const deadlineMs = Date.now() + 20_000;
    const arn = 'arn:aws:lambda:us-east-1:123456789012:function:context';
    const out = await ctx.invoke('', {
      requestId: 'req-123',
      deadlineMs,
      traceId: 'Root=1-5e1b4151-5ac6c58f5b5daa6532e4b3b9;Sampled=1',
      invokedFunctionArn: arn,
    });
    expect(out.kind === 'response' && out.body.toString()).toBe(
      `request=req-123\ndeadline=${deadlineMs}\ntrace=Root=1-5e1b4151-5ac6c58f5b5daa6532e4b3b9;Sampled=1\narn=${arn}\napi=\n`,
    );
  });

  it('clears the trace id when an invocation has none', async () => {
    await ctx.invoke('', { traceId: 'Root=1-aaaa' });
    const out = await ctx.invoke('');
    expect(out.kind === 'response' && out.body.toString()).toMatch(/^trace=$/m);
  });
});

describe('failures are reported and the runtime keeps serving', () => {
  let fail: BootstrapHandle;
  beforeAll(async () => {
    fail = await startBootstrap({
      handler: 'fail',
      programDir,
      env: { COBOLAMBDA_DEADLINE_MARGIN_MS: '500', AWS_LAMBDA_LOG_FORMAT: 'JSON' },
    });
  });
  afterAll(async () => {
    await fail.stop();
  });

  async function stillServing(): Promise<void> {
    const out = await fail.invoke('ok');
    expect(out.kind === 'response' && out.body.toString()).toBe('still serving\n');
  }

  it('non-zero RETURN-CODE: names the status, stackTrace has the last stderr lines', async () => {
    const out = await fail.invoke('return-code');
    expect(out.kind === 'error' && out.errorType).toBe('Function.ProgramExitError');
    const body = errorBody(out);
    expect(body.errorMessage).toBe('program fail exited with status 3');
    expect(body.stackTrace).toEqual(['giving up with 3']);
    await stillServing();
  });

  it('libcob runtime error: the message carries libcob’s line', async () => {
    const body = errorBody(await fail.invoke('missing-module'));
    expect(body.errorType).toBe('Function.ProgramExitError');
    expect(body.errorMessage).toBe("program fail exited with status 1: libcob: error: module 'NOSUCHMOD' not found");
    await stillServing();
  });

  it('SIGSEGV caught by libcob is reported as a signal', async () => {
    const out = await fail.invoke('segv');
    expect(out.kind === 'error' && out.errorType).toBe('Function.ProgramSignaled');
    expect(errorBody(out).errorMessage).toBe(
      'program fail was killed by signal SIGSEGV: attempt to reference unallocated memory (signal SIGSEGV)',
    );
    await stillServing();
  });

  it('SIGKILL is reported as a signal', async () => {
    const body = errorBody(await fail.invoke('sigkill'));
    expect(body).toMatchObject({ errorType: 'Function.ProgramSignaled', errorMessage: 'program fail was killed by signal SIGKILL (9)' });
    await stillServing();
  });

  it('a program that outlives the deadline is killed with its whole process group before the deadline', async () => {
    const deadlineMs = Date.now() + 2_500;
    const out = await fail.invoke('fork-and-hang', { deadlineMs });
    const answeredAt = Date.now();
    const body = errorBody(out);
    expect(body.errorType).toBe('Function.ProgramTimeout');
    expect(body.errorMessage).toMatch(/^program fail was stopped after \d+\.\d\d seconds, before the invocation's deadline/);
    expect(answeredAt).toBeLessThan(deadlineMs);
    await expect.poll(leftovers, { timeout: 2_000, interval: 20 }).toEqual([]);
    expect(childrenOf(fail.process.pid!)).toEqual([]);
    await stillServing();
  });

  it('a child forked by a program that exits is not left running', async () => {
    const out = await fail.invoke('fork-and-exit');
    expect(out.kind === 'response' && out.body.toString()).toBe('left a child behind\n');
    await expect.poll(leftovers, { timeout: 2_000, interval: 20 }).toEqual([]);
    await stillServing();
  });

  it('stdout over 6 MB: the program is stopped and memory stays bounded', async () => {
    const out = await fail.invoke('flood');
    expect(errorBody(out)).toMatchObject({
      errorType: 'Function.ResponseSizeTooLarge',
      errorMessage: "program fail wrote more than 6291556 bytes to stdout, Lambda's response limit; it was stopped",
    });
    expect(peakRssKb(fail.process.pid!)).toBeLessThan(200 * 1024);
    await stillServing();
  });

  it('stderr goes to the log as JSON lines with the request id, bounded, saying what it dropped', async () => {
    const before = fail.stderr().length;
    const out = await fail.invoke('flood-stderr', { requestId: 'flood-1' });
    expect(out.kind === 'response' && out.body.toString()).toBe('done\n');
    const lines = fail.stderr().slice(before).trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    expect(lines.every((l) => l.requestId === 'flood-1' && l.level === 'INFO')).toBe(true);
    expect(lines.length).toBeLessThan(300);
    expect(lines.at(-1)!.message).toMatch(/^\[cobolambda\] dropped \d+ bytes of program stderr over the 262144-byte log limit$/);
  });

  it('a program that cannot start (no execute bit) gets a clear error', async () => {
    chmodSync(join(programDir, 'fail'), 0o644);
    try {
      const body = errorBody(await fail.invoke('ok'));
      expect(body.errorType).toBe('Runtime.ProgramStartError');
      expect(body.errorMessage).toMatch(/^program fail could not start: .*EACCES/);
    } finally {
      chmodSync(join(programDir, 'fail'), 0o755);
    }
    await stillServing();
  });
});

describe('input the program does not read', () => {
  it('a 5 MB event to a program that never reads stdin does not crash the runtime (EPIPE)', async () => {
    const h = await startBootstrap({ handler: 'nostdin', programDir });
    try {
      for (let i = 0; i < 3; i++) {
        const out = await h.invoke(Buffer.alloc(5 * 1024 * 1024, 'a'));
        expect(out.kind === 'response' && out.body.toString()).toBe('did not read\n');
      }
      expect(h.process.exitCode).toBeNull();
    } finally {
      await h.stop();
    }
  });
});

describe('a program with a missing shared library', () => {
  it('passes on the loader’s message', async () => {
    const dir = tempDir('missing-lib');
    writeFileSync(join(dir, 'gone.c'), 'int gone(void) { return 0; }\n');
    writeFileSync(join(dir, 'main.c'), 'int gone(void); int main(void) { return gone(); }\n');
    execFileSync('cc', ['-shared', '-fPIC', '-o', join(dir, 'libgone.so'), join(dir, 'gone.c')]);
    execFileSync('cc', ['-o', join(dir, 'needslib'), join(dir, 'main.c'), `-L${dir}`, '-lgone']);
    const h = await startBootstrap({ handler: 'needslib', programDir: dir });
    try {
      const body = errorBody(await h.invoke('x'));
      expect(body.errorType).toBe('Runtime.ProgramStartError');
      expect(body.errorMessage).toMatch(/^program needslib could not start: .*error while loading shared libraries: libgone\.so/);
    } finally {
      await h.stop();
    }
  });
});

describe('init errors', () => {
  const cases: Array<[string, string]> = [
    ['', 'handler "" is empty: set it to a program name'],
    ['/', 'handler "/" is not a plain program name'],
    ['..', 'handler ".." is not a plain program name'],
    ['../fail', 'handler "../fail" is not a plain program name'],
    ['nosuch', 'handler "nosuch" is not an executable program'],
  ];
  it.each(cases)('handler %j is reported to /runtime/init/error and the process exits', async (handler, message) => {
    const h = await startBootstrap({ handler, programDir });
    try {
      const init = await h.initError;
      expect(init.errorType).toBe('Runtime.InvalidHandler');
      const body = JSON.parse(init.body.toString());
      expect(body.errorMessage).toBe(`${message} in ${programDir}; programs there: context, echo, fail, nostdin`);
      expect(await h.exited).toBe(1);
    } finally {
      await h.stop();
    }
  });

  it('a handler naming a file that is not executable is refused', async () => {
    const dir = tempDir('not-exec');
    writeFileSync(join(dir, 'data'), 'not a program');
    const h = await startBootstrap({ handler: 'data', programDir: dir });
    try {
      const body = JSON.parse((await h.initError).body.toString());
      expect(body.errorMessage).toBe(`handler "data" is not an executable program in ${dir}; there are no programs there`);
    } finally {
      await h.stop();
    }
  });
});

describe('Runtime API availability', () => {
  it('unreachable at start: exits non-zero with a one-line reason', async () => {
    const port = await freePort();
    const h = await startBootstrap({ handler: 'echo', programDir, apiAddress: `127.0.0.1:${port}` });
    try {
      expect(await h.exited).toBe(1);
      const lines = h.stderr().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^cobolambda: Runtime API at 127\\.0\\.0\\.1:${port} unusable after 10 attempts to get the next invocation: .*ECONNREFUSED`));
    } finally {
      await h.stop();
    }
  });

  it('an invocation without a request id is logged and dropped, not retried away, and the runtime goes on', async () => {
    // A Runtime API that hands out 12 invocations without Lambda-Runtime-Aws-Request-Id, then a good one.
    let nexts = 0;
    const posted: string[] = [];
    const api = createHttpServer((req, res) => {
      if (req.method === 'GET') {
        nexts++;
        if (nexts <= 12) res.writeHead(200, { 'lambda-runtime-deadline-ms': String(Date.now() + 10_000) }).end(`lost-${nexts}`);
        else if (nexts === 13) res.writeHead(200, { 'lambda-runtime-aws-request-id': 'good', 'lambda-runtime-deadline-ms': String(Date.now() + 10_000) }).end('good');
        return; // later nexts wait
      }
      posted.push(req.url!);
      req.resume().on('end', () => res.writeHead(202).end('{}'));
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    const h = await startBootstrap({ handler: 'echo', programDir, apiAddress: `127.0.0.1:${(api.address() as { port: number }).port}` });
    try {
      await expect.poll(() => posted, { timeout: 10_000, interval: 20 }).toEqual(['/2018-06-01/runtime/invocation/good/response']);
      const dropped = h.stderr().split('\n').filter((l) => l.includes('cannot be answered, so it is dropped'));
      expect(dropped).toHaveLength(12);
      expect(dropped[0]).toBe(
        '[cobolambda] the Runtime API handed out an invocation that cannot be answered, so it is dropped: next invocation has no Lambda-Runtime-Aws-Request-Id header (6 bytes of event)',
      );
      expect(h.process.exitCode).toBeNull();
    } finally {
      await h.stop();
      api.closeAllConnections();
      api.close();
    }
  });

  it('next answering 500 for a while is retried', async () => {
    const h = await startBootstrap({ handler: 'echo', programDir });
    try {
      await h.invoke('before');
      h.api.failNextPolls(4);
      const out = await h.invoke('after');
      expect(out.kind === 'response' && out.body.toString()).toBe('after\n');
    } finally {
      await h.stop();
    }
  });

  it('connections dropped mid-way are re-established', async () => {
    const h = await startBootstrap({ handler: 'echo', programDir });
    try {
      await h.invoke('one');
      await new Promise((r) => setTimeout(r, 50));
      h.api.dropConnections();
      const out = await h.invoke('two');
      expect(out.kind === 'response' && out.body.toString()).toBe('two\n');
    } finally {
      await h.stop();
    }
  });

  it('the API going away mid-way ends the runtime with a one-line reason', async () => {
    const h = await startBootstrap({ handler: 'echo', programDir });
    await h.invoke('one');
    await h.api.close();
    expect(await h.exited).toBe(1);
    expect(h.stderr().trim().split('\n').at(-1)).toMatch(/^cobolambda: Runtime API at 127\.0\.0\.1:\d+ unusable after 10 attempts/);
  });
});
