// Fault matrix, `dev` rows: hostile and careless HTTP clients against the real
// Invoke API, with real execution environments behind it. Each case pins the
// exact answer, then shows the server still serves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { DevServer } from '../dev/dev-server.ts';
import { InvokeApi } from '../dev/invoke-api.ts';
import { programsRunning } from './support/processes.ts';
import { TEST_COBOL_DIR, tempDir } from './support/cobc.ts';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function post(base: string, path: string, payload: Buffer | string, headers: Record<string, string> = {}): Promise<Answer> {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method: 'POST', agent: false, headers: { 'content-length': body.length, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const invokePath = (fn: string) => `/2015-03-31/functions/${fn}/invocations`;
const json = (a: Answer): Record<string, unknown> => JSON.parse(a.body.toString());

/** Sends raw bytes on a fresh connection; resolves with everything the server sent until it closed. */
function raw(port: number, bytes: string | Buffer, { timeoutMs = 10_000 } = {}): Promise<{ text: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`still open after ${timeoutMs} ms; got ${JSON.stringify(text)}`));
    }, timeoutMs);
    socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closedAfterMs: Date.now() - started });
    });
    socket.on('error', () => {});
    socket.end(bytes);
  });
}

const cobolDir = tempDir('fault-dev-cobol');
const workDir = tempDir('fault-dev-work');
const logs: string[] = [];
let server: DevServer;
let url: string;
let port: number;

async function echoServes(base = url): Promise<void> {
  const a = await post(base, invokePath('echo'), '"still here"');
  expect(a.status).toBe(200);
  expect(a.body.toString()).toBe('"still here"\n');
}

/** Programs of this server still running (bootstraps excluded). */
const runningPrograms = (): string[] => programsRunning(workDir);

beforeAll(async () => {
  for (const f of ['echo.cbl', 'fail.cbl']) copyFileSync(join(TEST_COBOL_DIR, f), join(cobolDir, f));
  writeFileSync(
    join(cobolDir, 'cobolambda.json'),
    JSON.stringify({ programs: { echo: { cobcFlags: ['-free'] }, fail: { cobcFlags: ['-free'], timeoutSeconds: 3 } } }),
  );
  server = new DevServer({ cobolDir, workDir, host: '127.0.0.1', port: 0, concurrency: 4, region: 'us-east-1', watch: false, log: (l) => logs.push(l) });
  url = await server.start();
  port = Number(new URL(url).port);
  await echoServes();
});

afterAll(async () => {
  await server?.close();
});

describe('dev faults', () => {
  it('client disconnects before the answer: the program runs to its timeout, is killed, and the warm environment is reused', async () => {
    await post(url, invokePath('fail'), '"ok"'); // a warm environment for fail
    const req = request(`${url}${invokePath('fail')}`, { method: 'POST', agent: false, headers: { 'content-length': 6 } });
    req.on('error', () => {});
    req.end('"hang"');
    await expect.poll(runningPrograms, { timeout: 3_000, interval: 50 }).toHaveLength(1);
    req.destroy();
    // The runtime stops the program at its deadline (3 s less the 0.5 s margin), nobody listening.
    await expect.poll(runningPrograms, { timeout: 5_000, interval: 100 }).toEqual([]);
    await expect.poll(() => logs.filter((l) => l.startsWith('fail END RequestId: ')).length, { timeout: 2_000 }).toBeGreaterThanOrEqual(2);
    const next = await post(url, invokePath('fail'), '"ok"', { 'x-amz-log-type': 'Tail' });
    expect(next.body.toString()).toBe('still serving\n');
    const tail = Buffer.from(String(next.headers['x-amz-log-result']), 'base64').toString();
    expect(tail).toMatch(/REPORT RequestId: [0-9a-f-]{36}\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB\tMax Memory Used: \d+ MB\n$/);
  });

  it('a client sending its headers byte by byte is cut off (408) while others are served', async () => {
    const api = new InvokeApi({ functions: () => server.pools, writeLog: () => {}, requestTimeoutMs: 3_000, headersTimeoutMs: 1_000 });
    const slowUrl = await api.listen(0, '127.0.0.1');
    try {
      const slowPort = Number(new URL(slowUrl).port);
      const started = Date.now();
      const outcome = await new Promise<{ text: string; ms: number; sent: number }>((resolve) => {
        const socket = connect(slowPort, '127.0.0.1');
        const headers = `POST ${invokePath('echo')} HTTP/1.1\r\nHost: x\r\n${'X-Slow: a\r\n'.repeat(1000)}`;
        let sent = 0;
        let text = '';
        const drip = setInterval(() => {
          if (!socket.destroyed && sent < headers.length) socket.write(headers[sent++]!);
        }, 20);
        socket.on('data', (c: Buffer) => (text += c.toString()));
        socket.on('error', () => {});
        socket.on('close', () => {
          clearInterval(drip);
          resolve({ text, ms: Date.now() - started, sent });
        });
      });
      // Meanwhile the server answered others: checked after, on the same listener.
      expect(outcome.text).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
      expect(outcome.ms).toBeGreaterThanOrEqual(1_000);
      expect(outcome.ms).toBeLessThan(4_000);
      expect(outcome.sent).toBeLessThan(300);
      await echoServes(slowUrl);
    } finally {
      await api.close();
    }
  });

  it('dev’s own listener has a headers timeout, checked every second', () => {
    const s = (server as unknown as { api: InvokeApi }).api.server;
    expect(s.headersTimeout).toBe(10_000);
    expect(s.requestTimeout).toBe(30_000);
  });

  it.each([
    ['garbage instead of a request line', 'NOT HTTP AT ALL\r\n\r\n', /^HTTP\/1\.1 400 Bad Request\r\n/],
    ['a bad Content-Length', `POST ${invokePath('echo')} HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}`, /^HTTP\/1\.1 400 Bad Request\r\n/],
    ['a broken chunked body', `POST ${invokePath('echo')} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n{}\r\n0\r\n\r\n`, /^HTTP\/1\.1 400 Bad Request\r\n/],
    ['Content-Length and Transfer-Encoding both (smuggling)', `POST ${invokePath('echo')} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`, /^HTTP\/1\.1 400 Bad Request\r\n/],
    ['headers over 16 KB', `POST ${invokePath('echo')} HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/],
    ['a NUL in the request line', `POST /2015-03-31/functions/ec\0ho/invocations HTTP/1.1\r\nHost: x\r\n\r\n`, /^HTTP\/1\.1 400 Bad Request\r\n/],
  ])('malformed HTTP (%s): a 4xx answer and the connection closed; the server serves on', async (_name, bytes, answer) => {
    const r = await raw(port, bytes);
    expect(r.text).toMatch(answer);
    await echoServes();
  });

  describe('function names that try to reach a file: 404, and nothing is read or run', () => {
    // A decoy executable where each traversal would land, relative to the program folder
    // (<work>/programs/bin): if it ever ran it would leave a marker file.
    const marker = join(workDir, 'decoy-ran');
    beforeAll(() => {
      const script = `#!/bin/sh\ntouch ${marker}\necho decoy\n`;
      for (const dir of [join(workDir, 'programs'), workDir, '/tmp']) {
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'decoy'), script);
        chmodSync(join(dir, 'decoy'), 0o755);
      }
    });

    const notFound = (name: string) => ({ status: 404, type: 'ResourceNotFoundException', message: `Function not found: ${name}` });
    it.each([
      ['..', `/2015-03-31/functions/../invocations`, { status: 404, type: 'UnknownOperationException', message: 'no such operation: POST /2015-03-31/invocations' }],
      ['%2E%2E', `/2015-03-31/functions/%2E%2E/invocations`, { status: 404, type: 'UnknownOperationException', message: 'no such operation: POST /2015-03-31/invocations' }],
      ['..%2Fdecoy', `/2015-03-31/functions/..%2Fdecoy/invocations`, notFound('../decoy')],
      ['..%2F..%2Fdecoy', `/2015-03-31/functions/..%2F..%2Fdecoy/invocations`, notFound('../../decoy')],
      ['%2Ftmp%2Fdecoy', `/2015-03-31/functions/%2Ftmp%2Fdecoy/invocations`, notFound('/tmp/decoy')],
      ['..%5Cdecoy', `/2015-03-31/functions/..%5Cdecoy/invocations`, notFound('..\\decoy')],
      ['echo%00', `/2015-03-31/functions/echo%00/invocations`, notFound('echo\0')],
      ['an unknown name', `/2015-03-31/functions/nosuch/invocations`, notFound('arn:aws:lambda:us-east-1:123456789012:function:nosuch')],
      ['%00..%2Fdecoy', `/2015-03-31/functions/%00..%2Fdecoy/invocations`, notFound('\0../decoy')],
      ['bad %-escape', `/2015-03-31/functions/%E0%A4%A/invocations`, notFound('%E0%A4%A')],
      ['a 65-character name', `/2015-03-31/functions/${'e'.repeat(65)}/invocations`, notFound('e'.repeat(65))],
      ['a 10,000-character name', `/2015-03-31/functions/${'e'.repeat(10_000)}/invocations`, notFound(`${'e'.repeat(200)}…`)],
    ])('%s → %j', async (_name, path, expected) => {
      const a = await post(url, path, '{}');
      expect(a.status).toBe(expected.status);
      expect(a.headers['x-amzn-errortype']).toBe(expected.type);
      expect(json(a)).toEqual({ Type: 'User', [expected.type === 'ResourceNotFoundException' ? 'Message' : 'message']: expected.message });
      expect(existsSync(marker)).toBe(false);
    });

    it('GetFunction with a traversal name is 404 too, and nothing ran', async () => {
      const a = await new Promise<Answer>((resolve, reject) => {
        request(`${url}/2015-03-31/functions/..%2F..%2Fdecoy`, { agent: false }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
        })
          .on('error', reject)
          .end();
      });
      expect(a.status).toBe(404);
      expect(json(a)).toEqual({ Type: 'User', Message: 'Function not found: ../../decoy' });
      expect(existsSync(marker)).toBe(false);
      await echoServes();
    });
  });

  it('a 7 MB body: 413 RequestTooLargeException, and the next invocation succeeds', async () => {
    const a = await post(url, invokePath('echo'), Buffer.alloc(7 * 1024 * 1024, 'x'));
    expect(a.status).toBe(413);
    expect(a.headers['x-amzn-errortype']).toBe('RequestTooLargeException');
    expect(json(a)).toEqual({ Type: 'User', message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation' });
    await echoServes();
  });

  it('a body that is not JSON: 400 InvalidRequestContentException, and the next invocation succeeds', async () => {
    const a = await post(url, invokePath('echo'), 'this is { not json');
    expect(a.status).toBe(400);
    expect(a.headers['x-amzn-errortype']).toBe('InvalidRequestContentException');
    expect(json(a)).toMatchObject({ Type: 'User' });
    expect(String(json(a).message)).toMatch(/^Could not parse request body into json: Unexpected token/);
    await echoServes();
  });

  it('100 concurrent clients at concurrency 4: each gets its own answer or 429, and every retry gets its own answer', async () => {
    const nonces = Array.from({ length: 100 }, (_, i) => `c${i}-${Math.random().toString(36).slice(2, 10)}`);
    const first = await Promise.all(nonces.map((n) => post(url, invokePath('echo'), JSON.stringify(n))));
    let throttled = 0;
    for (const [i, a] of first.entries()) {
      if (a.status === 429) {
        throttled++;
        expect(a.headers['x-amzn-errortype']).toBe('TooManyRequestsException');
        expect(json(a)).toEqual({ Type: 'User', message: 'Rate Exceeded.', Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' });
      } else {
        expect(a.status).toBe(200);
        expect(a.body.toString()).toBe(`"${nonces[i]}"\n`);
      }
    }
    expect(throttled).toBeGreaterThan(0);
    expect(throttled).toBeLessThanOrEqual(96);
    // Retry what was throttled until it runs: every answer still matches its request.
    const answers = await Promise.all(
      nonces.map(async (n, i) => {
        let a = first[i]!;
        while (a.status === 429) {
          await new Promise((r) => setTimeout(r, 20 + Math.random() * 50));
          a = await post(url, invokePath('echo'), JSON.stringify(n));
        }
        return a.body.toString();
      }),
    );
    expect(answers).toEqual(nonces.map((n) => `"${n}"\n`));
    expect(server.pools.get('echo')!.inFlight).toBe(0);
    await echoServes();
  }, 120_000);
});
