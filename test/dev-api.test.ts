// `dev` as AWS users expect it (issues 15 and 18): the Invoke API's error shapes
// against the SDK's own model, client contexts, Event invocations under Lambda's
// async rules, Function URLs only where deploy gives one, and hot reload after
// rename-replace edits. A real DevServer over real HTTP, with real bootstraps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import {
  InvalidRequestContentException$,
  InvokeCommand,
  LambdaClient,
  RequestTooLargeException$,
  ResourceNotFoundException,
  ResourceNotFoundException$,
  ServiceException$,
  TooManyRequestsException,
  TooManyRequestsException$,
  InvalidParameterValueException$,
  RequestTooLargeException,
} from '@aws-sdk/client-lambda';
import { DevServer } from '../dev/dev-server.ts';
import { MESSAGE_MEMBER } from '../dev/service-error.ts';
import { LineReader } from '../dev/log-lines.ts';
import { processesWithEnv } from '../dev/process-tree.ts';
import { isBootstrap } from './support/processes.ts';
import { TEST_COBOL_DIR, tempDir } from './support/cobc.ts';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function call(base: string, path: string, method: string, payload?: Buffer | string, headers: Record<string, string> = {}): Promise<Answer> {
  const body = payload === undefined ? undefined : Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, agent: false, headers: { ...(body ? { 'content-length': body.length } : {}), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const invokePath = (fn: string) => `/2015-03-31/functions/${encodeURIComponent(fn)}/invocations`;
const post = (base: string, fn: string, payload: string | Buffer, headers: Record<string, string> = {}) => call(base, invokePath(fn), 'POST', payload, headers);
const json = (a: Answer): Record<string, unknown> => JSON.parse(a.body.toString());

const cobolDir = tempDir('dev-api-cobol');
const workDir = tempDir('dev-api-work');
const logs: string[] = [];
let server: DevServer;
let url: string;
let sdk: LambdaClient;

/** Live bootstraps of this server's environments for one function. */
function bootstraps(fn: string): number[] {
  const ofFunction = new Set(processesWithEnv(`AWS_LAMBDA_FUNCTION_NAME=${fn}`));
  return processesWithEnv(`COBOLAMBDA_PROGRAM_DIR=${join(workDir, 'programs', 'bin')}`).filter((pid) => ofFunction.has(pid) && isBootstrap(pid));
}

beforeAll(async () => {
  for (const f of ['echo.cbl', 'fail.cbl', 'clientctx.cbl', 'cgienv.cbl']) copyFileSync(join(TEST_COBOL_DIR, f), join(cobolDir, f));
  writeFileSync(
    join(cobolDir, 'cobolambda.json'),
    JSON.stringify({
      programs: {
        echo: { cobcFlags: ['-free'] },
        fail: { cobcFlags: ['-free'], timeoutSeconds: 2 },
        clientctx: { cobcFlags: ['-free'] },
        cgienv: { cobcFlags: ['-free'], mode: 'http' },
      },
    }),
  );
  server = new DevServer({
    cobolDir,
    workDir,
    host: '127.0.0.1',
    port: 0,
    concurrency: 2,
    region: 'eu-west-3',
    watch: true,
    log: (l) => logs.push(l),
    events: { maxEventsPerFunction: 3, retryDelaysMs: [100, 200], maxEventAgeMs: 60_000, throttleBackoffMs: [20, 100] },
  });
  url = await server.start();
  sdk = new LambdaClient({ endpoint: url, region: 'eu-west-3', credentials: { accessKeyId: 'l', secretAccessKey: 'l' }, maxAttempts: 1 });
});

afterAll(async () => {
  sdk?.destroy();
  await server?.close();
});

describe('X-Amz-Client-Context', () => {
  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

  it('non-Latin-1 text reaches the program as the JSON sent; six such calls leave no environment busy', async () => {
    const context = '{"c":"€","custom":{"city":"東京"}}';
    const answers = await Promise.all(Array.from({ length: 6 }, () => post(url, 'clientctx', '{}', { 'x-amz-client-context': b64(context) })));
    for (const a of answers) {
      // Two at once run (concurrency 2), the others are throttled: never a 500.
      expect([200, 429]).toContain(a.status);
      if (a.status === 200) expect(a.body.toString()).toBe(`${context}\n`);
    }
    expect(server.pools.get('clientctx')!.inFlight).toBe(0);
    expect(bootstraps('clientctx').length).toBeLessThanOrEqual(2);
    for (let i = 0; i < 6; i++) {
      const a = await post(url, 'clientctx', '{}', { 'x-amz-client-context': b64(context) });
      expect(a.status).toBe(200);
      expect(a.body.toString()).toBe(`${context}\n`);
    }
    const plain = await post(url, 'echo', '"next"');
    expect(plain.body.toString()).toBe('"next"\n');
  });

  it.each([
    ['not base64', '{not base64}'],
    ['base64 of text that is not JSON', b64('not json')],
    ['base64 of a JSON array', b64('[1,2]')],
    ['base64 of bytes that are not UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('base64')],
  ])('%s: 400 InvalidRequestContentException, nothing runs', async (_name, header) => {
    const before = logs.length;
    const a = await post(url, 'echo', '{}', { 'x-amz-client-context': header });
    expect(a.status).toBe(400);
    expect(a.headers['x-amzn-errortype']).toBe('InvalidRequestContentException');
    expect(json(a)).toEqual({ Type: 'User', message: 'Client context must be a valid Base64-encoded JSON object.' });
    expect(logs.slice(before).some((l) => l.includes('START RequestId'))).toBe(false);
  });

  it('an invocation the runtime cannot be handed fails alone: the environment is given back and serves the next call', async () => {
    const pool = server.pools.get('clientctx')!;
    const failed = await pool.invoke({ requestId: 'r-bad-header', payload: Buffer.from('{}'), traceId: 'Root=1\r\nX-Injected: 1' });
    expect(failed.outcome.kind).toBe('error');
    expect(pool.inFlight).toBe(0);
    const next = await pool.invoke({ requestId: 'r-next', payload: Buffer.from('{}'), clientContext: '{"ok":true}' });
    expect(next.outcome).toMatchObject({ kind: 'response' });
    expect(next.outcome.body.toString()).toBe('{"ok":true}\n');
    expect(bootstraps('clientctx').length).toBeLessThanOrEqual(2);
  });
});

describe("error bodies as the service model has them (@aws-sdk/client-lambda's model)", () => {
  const schemas = {
    ResourceNotFoundException: ResourceNotFoundException$,
    ServiceException: ServiceException$,
    TooManyRequestsException: TooManyRequestsException$,
    RequestTooLargeException: RequestTooLargeException$,
    InvalidRequestContentException: InvalidRequestContentException$,
    InvalidParameterValueException: InvalidParameterValueException$,
  };

  it('each exception dev sends spells its message member as the model does', () => {
    for (const [type, schema] of Object.entries(schemas)) {
      const members = schema[4] as string[];
      expect(members, type).toContain(MESSAGE_MEMBER[type as keyof typeof MESSAGE_MEMBER]);
      expect(members, type).toContain('Type');
    }
  });

  it('ResourceNotFoundException: Message (capital M) names the full ARN', async () => {
    const err = await sdk.send(new InvokeCommand({ FunctionName: 'nosuch' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    // SDK v3 moves the model's Message into the standard `message` (and deletes Message), as it does for Lambda's own answers.
    expect((err as ResourceNotFoundException).message).toBe('Function not found: arn:aws:lambda:eu-west-3:123456789012:function:nosuch');
    expect((err as ResourceNotFoundException).Type).toBe('User');
    const a = await post(url, 'nosuch', '{}');
    expect(Object.keys(json(a)).sort()).toEqual(['Message', 'Type']);
    expect(Object.keys(json(a)).every((k) => (ResourceNotFoundException$[4] as string[]).includes(k))).toBe(true);
  });

  it('TooManyRequestsException: 429 with Retry-After, Reason and message', async () => {
    const hangs = [post(url, 'fail', '"hang"'), post(url, 'fail', '"hang"')];
    await expect.poll(() => server.pools.get('fail')!.inFlight, { timeout: 20_000, interval: 50 }).toBe(2);
    const a = await post(url, 'fail', '"ok"');
    expect(a.status).toBe(429);
    expect(a.headers['retry-after']).toBe('1');
    expect(json(a)).toEqual({ Type: 'User', message: 'Rate Exceeded.', Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' });
    const err = await sdk.send(new InvokeCommand({ FunctionName: 'fail', Payload: Buffer.from('"ok"') })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooManyRequestsException);
    expect((err as TooManyRequestsException).retryAfterSeconds).toBe('1');
    expect((err as TooManyRequestsException).Reason).toBe('ReservedFunctionConcurrentInvocationLimitExceeded');
    expect((err as TooManyRequestsException).message).toBe('Rate Exceeded.');
    await Promise.all(hangs);
  });

  it('RequestTooLargeException: the SDK reads message', async () => {
    const err = await sdk.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.alloc(7 * 1024 * 1024, 0x20) })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestTooLargeException);
    expect((err as RequestTooLargeException).message).toBe('Request must be smaller than 6291456 bytes for the InvokeFunction operation');
  });
});

describe('function names and ARNs', () => {
  it.each([
    ['arn:aws:lambda:eu-west-3:123456789012:function:echo'],
    ['arn:aws-cn:lambda:cn-north-1:123456789012:function:echo'],
    ['arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:echo:$LATEST'],
    ['123456789012:function:echo'],
  ])('%s resolves', async (arn) => {
    const out = await sdk.send(new InvokeCommand({ FunctionName: arn, Payload: Buffer.from('"arn"') }));
    expect(Buffer.from(out.Payload!).toString()).toBe('"arn"\n');
  });

  it('a missing function given by ARN is named by that ARN', async () => {
    const a = await post(url, 'arn:aws-cn:lambda:cn-north-1:123456789012:function:nosuch', '{}');
    expect(json(a)).toEqual({ Type: 'User', Message: 'Function not found: arn:aws-cn:lambda:cn-north-1:123456789012:function:nosuch' });
  });

  it('GET / says what dev is and lists the functions', async () => {
    const a = await call(url, '/', 'GET');
    expect(a.status).toBe(200);
    const body = json(a) as { service: string; functions: Array<{ name: string; invoke: string; functionUrl?: string }> };
    expect(body.service).toMatch(/^cobolambda dev: a local AWS Lambda/);
    expect(body.functions.map((f) => f.name).sort()).toEqual(['cgienv', 'clientctx', 'echo', 'fail']);
    expect(body.functions.find((f) => f.name === 'echo')).toMatchObject({ invoke: `POST ${url}/2015-03-31/functions/echo/invocations` });
    expect(body.functions.find((f) => f.name === 'echo')!.functionUrl).toBeUndefined();
    expect(body.functions.find((f) => f.name === 'cgienv')!.functionUrl).toBe(`${url}/fn/cgienv/`);
  });
});

describe('Function URLs only where deploy gives one (functionUrls: http by default)', () => {
  it('an http-mode function has /fn/<name>/; a raw-mode one is 404 and says why', async () => {
    const ok = await call(url, '/fn/cgienv/', 'GET');
    expect(ok.status).toBe(200);
    const raw = await call(url, '/fn/echo/', 'GET');
    expect(raw.status).toBe(404);
    expect(json(raw).Message).toBe("function echo has no Function URL: deploy gives one to http-mode programs, or as cdk.json's functionUrls says (http, all, none)");
  });
});

describe('Event invocations', () => {
  const eventLines = (id: string) => logs.filter((l) => l.includes(` Event ${id} `));

  it('take payloads up to 1 MB (and refuse more, naming the limit)', async () => {
    const big = `"${'x'.repeat(1024 * 1024 - 2)}"`;
    const a = await post(url, 'echo', big, { 'x-amz-invocation-type': 'Event' });
    expect(a.status).toBe(202);
    const id = a.headers['x-amzn-requestid'] as string;
    const over = await post(url, 'echo', `${big} `, { 'x-amz-invocation-type': 'Event' });
    expect(over.status).toBe(413);
    expect(json(over)).toEqual({ Type: 'User', message: 'Request must be smaller than 1048576 bytes for the InvokeFunction operation' });
    await server.settle();
    expect(eventLines(id)).toEqual([`echo Event ${id} succeeded`]);
  });

  it('a function error is retried twice with back-off, then dropped with a logged line', async () => {
    const a = await post(url, 'fail', '"return-code"', { 'x-amz-invocation-type': 'Event' });
    const id = a.headers['x-amzn-requestid'] as string;
    await server.settle();
    const lines = eventLines(id);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(new RegExp(`^fail Event ${id} failed \\(attempt 1\\), retried in 0\\.1 s: Function\\.ProgramExitError: `));
    expect(lines[1]).toMatch(new RegExp(`^fail Event ${id} failed \\(attempt 2\\), retried in 0\\.2 s: Function\\.ProgramExitError: `));
    expect(lines[2]).toMatch(new RegExp(`^fail Event ${id} dropped after 3 attempts: the function failed each time; last error Function\\.ProgramExitError: `));
    // Each attempt ran the program, under the event's own request id.
    expect(logs.filter((l) => l === `fail START RequestId: ${id} Version: $LATEST`)).toHaveLength(3);
  });

  it('the queue is bounded (429 with Retry-After when full); throttled events wait, then run', async () => {
    const hangs = [post(url, 'fail', '"hang"'), post(url, 'fail', '"hang"')];
    await expect.poll(() => server.pools.get('fail')!.inFlight, { timeout: 20_000, interval: 50 }).toBe(2);
    const queued = [];
    for (let i = 0; i < 3; i++) queued.push(await post(url, 'fail', '"ok"', { 'x-amz-invocation-type': 'Event' }));
    for (const q of queued) expect(q.status).toBe(202);
    const full = await post(url, 'fail', '"ok"', { 'x-amz-invocation-type': 'Event' });
    expect(full.status).toBe(429);
    expect(full.headers['retry-after']).toBe('1');
    expect(json(full)).toMatchObject({ Reason: 'FunctionInvocationRateLimitExceeded' });
    await Promise.all(hangs);
    await server.settle();
    for (const q of queued) {
      const id = q.headers['x-amzn-requestid'] as string;
      expect(eventLines(id)).toEqual([`fail Event ${id} succeeded`]);
    }
  });

  it('an event throttled past the maximum event age is dropped with a logged line', async () => {
    const aged = new DevServer({
      cobolDir,
      workDir: tempDir('dev-api-aged'),
      host: '127.0.0.1',
      port: 0,
      concurrency: 1,
      region: 'us-east-1',
      watch: false,
      log: (l) => logs.push(l),
      events: { maxEventAgeMs: 300, throttleBackoffMs: [20, 50] },
    });
    const base = await aged.start();
    try {
      const hang = post(base, 'fail', '"hang"');
      await expect.poll(() => aged.pools.get('fail')!.inFlight, { timeout: 20_000, interval: 50 }).toBe(1);
      const a = await post(base, 'fail', '"ok"', { 'x-amz-invocation-type': 'Event' });
      const id = a.headers['x-amzn-requestid'] as string;
      await expect.poll(() => eventLines(id), { timeout: 10_000, interval: 50 }).toEqual([
        `fail Event ${id} dropped: older than the maximum event age (0.3 s) after 0 attempts`,
      ]);
      await hang;
    } finally {
      await aged.close();
    }
  });
});

describe("dev's log reader", () => {
  it('keeps UTF-8 characters split across reads whole, at every split point', () => {
    const text = 'Zürich € 東京 😀\nsecond line é\n';
    const bytes = Buffer.from(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      const lines: string[] = [];
      const reader = new LineReader((l) => lines.push(l));
      reader.write(bytes.subarray(0, cut));
      reader.write(bytes.subarray(cut));
      reader.end();
      expect(lines, `cut at ${cut}`).toEqual(['Zürich € 東京 😀', 'second line é']);
    }
    const bytewise: string[] = [];
    const reader = new LineReader((l) => bytewise.push(l));
    for (const b of bytes) reader.write(Buffer.from([b]));
    reader.write(Buffer.from('no newline ü'));
    reader.end();
    expect(bytewise).toEqual(['Zürich € 東京 😀', 'second line é', 'no newline ü']);
  });
});

describe('hot reload', () => {
  async function echoOutput(): Promise<string> {
    return (await post(url, 'echo', '"x"')).body.toString();
  }
  function edit(how: 'rename' | 'in place', version: string): void {
    const src = join(cobolDir, 'echo.cbl');
    const text = readFileSync(join(TEST_COBOL_DIR, 'echo.cbl'), 'utf8').replace(
      'DISPLAY FUNCTION TRIM(WS-LINE TRAILING)',
      `DISPLAY "${version}:" FUNCTION TRIM(WS-LINE TRAILING)`,
    );
    if (how === 'rename') {
      // What sed -i and atomic-save editors do: write a new file, rename it over the old one.
      writeFileSync(`${src}.tmp`, text);
      renameSync(`${src}.tmp`, src);
    } else writeFileSync(src, text);
  }

  it('sees edits by rename, then in place, twice', async () => {
    const steps: Array<['rename' | 'in place', string]> = [
      ['rename', 'r1'],
      ['in place', 'p1'],
      ['rename', 'r2'],
      ['in place', 'p2'],
    ];
    for (const [how, version] of steps) {
      edit(how, version);
      await expect.poll(echoOutput, { timeout: 60_000, interval: 300 }).toBe(`${version}:"x"\n`);
    }
  }, 300_000);
});
