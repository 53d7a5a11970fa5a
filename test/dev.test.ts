import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { request } from 'node:http';
import { InvokeCommand, LambdaClient, ListFunctionsCommand, GetFunctionCommand, LogType } from '@aws-sdk/client-lambda';
import { DevServer } from '../dev/dev-server.ts';
import { bootstrapRunning } from './support/processes.ts';
import { TEST_COBOL_DIR, tempDir } from './support/cobc.ts';
import { startDevCli } from './support/dev-cli.ts';

const run = promisify(execFile);
const AWS_ENV = { ...process.env, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_DEFAULT_REGION: 'us-east-1', AWS_REGION: 'us-east-1' };

function makeCobolDir(): string {
  const dir = tempDir('dev-cobol');
  for (const f of ['echo.cbl', 'fail.cbl', 'context.cbl']) copyFileSync(join(TEST_COBOL_DIR, f), join(dir, f));
  writeFileSync(
    join(dir, 'cobolambda.json'),
    JSON.stringify({
      programs: {
        echo: { cobcFlags: ['-free'], environment: { GREETING: 'from-config' } },
        fail: { cobcFlags: ['-free'], timeoutSeconds: 3 },
        context: { cobcFlags: ['-free'] },
      },
    }),
  );
  return dir;
}

async function aws(url: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('aws', ['lambda', ...args, '--endpoint-url', url], { env: AWS_ENV });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function rawPost(url: string, path: string, body: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: 'POST', headers: { 'content-length': body.length, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const cobolDir = makeCobolDir();
const logs: string[] = [];
let server: DevServer;
let url: string;
let sdk: LambdaClient;

beforeAll(async () => {
  server = new DevServer({
    cobolDir,
    workDir: tempDir('dev-work'),
    host: '127.0.0.1',
    port: 0,
    concurrency: 4,
    region: 'us-east-1',
    watch: true,
    log: (l) => logs.push(l),
  });
  url = await server.start();
  sdk = new LambdaClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
});

afterAll(async () => {
  sdk?.destroy();
  await server?.close();
});

describe('the AWS CLI against dev', () => {
  it('invokes with a payload and writes the response', async () => {
    const out = join(tempDir('cli-out'), 'out.json');
    const r = await aws(url, ['invoke', '--function-name', 'echo', '--payload', '{"name":"Ada"}', out]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ StatusCode: 200, ExecutedVersion: '$LATEST' });
    expect(readFileSync(out, 'utf8')).toBe('{"name":"Ada"}\n');
  });

  it('returns the log tail with START, END and REPORT', async () => {
    const out = join(tempDir('cli-out'), 'out.json');
    const r = await aws(url, ['invoke', '--function-name', 'echo', '--payload', '"tail"', '--log-type', 'Tail', out]);
    const log = Buffer.from(JSON.parse(r.stdout).LogResult, 'base64').toString();
    expect(log).toMatch(/^START RequestId: [0-9a-f-]{36} Version: \$LATEST\n/);
    expect(log).toMatch(/\nEND RequestId: [0-9a-f-]{36}\nREPORT RequestId: [0-9a-f-]{36}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB\tMax Memory Used: \d+ MB/);
  });

  it('reports a function error as Unhandled with the error body', async () => {
    const out = join(tempDir('cli-out'), 'out.json');
    const r = await aws(url, ['invoke', '--function-name', 'fail', '--payload', '"return-code"', out]);
    expect(JSON.parse(r.stdout)).toMatchObject({ StatusCode: 200, FunctionError: 'Unhandled' });
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ errorType: 'Function.ProgramExitError', errorMessage: 'program fail exited with status 3' });
  });

  it('answers ResourceNotFoundException for an unknown function', async () => {
    const r = await aws(url, ['invoke', '--function-name', 'nosuch', '--payload', '{}', join(tempDir('cli-out'), 'o')]);
    expect(r.code).toBe(255);
    expect(r.stderr).toContain('ResourceNotFoundException');
    expect(r.stderr).toContain('Function not found: arn:aws:lambda:us-east-1:123456789012:function:nosuch');
  });

  it('lists the functions', async () => {
    const r = await aws(url, ['list-functions']);
    const names = (JSON.parse(r.stdout).Functions as Array<{ FunctionName: string; Runtime: string }>).map((f) => f.FunctionName).sort();
    expect(names).toEqual(['context', 'echo', 'fail']);
  });
});

describe('@aws-sdk/client-lambda against dev', () => {
  it('invokes, tails the log, and gets function configuration', async () => {
    const out = await sdk.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('"sdk"'), LogType: LogType.Tail }));
    expect(out.StatusCode).toBe(200);
    expect(Buffer.from(out.Payload!).toString()).toBe('"sdk"\n');
    expect(Buffer.from(out.LogResult!, 'base64').toString()).toContain('REPORT RequestId: ');
    const fn = await sdk.send(new GetFunctionCommand({ FunctionName: 'echo' }));
    expect(fn.Configuration).toMatchObject({ FunctionName: 'echo', Runtime: 'provided.al2023', Handler: 'echo', Timeout: 30, MemorySize: 256 });
    const list = await sdk.send(new ListFunctionsCommand({}));
    expect(list.Functions!.map((f) => f.FunctionName).sort()).toEqual(['context', 'echo', 'fail']);
  });

  it('reports function errors and unknown functions', async () => {
    const out = await sdk.send(new InvokeCommand({ FunctionName: 'fail', Payload: Buffer.from('"sigkill"') }));
    expect(out.FunctionError).toBe('Unhandled');
    expect(JSON.parse(Buffer.from(out.Payload!).toString()).errorType).toBe('Function.ProgramSignaled');
    await expect(sdk.send(new InvokeCommand({ FunctionName: 'nosuch' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('passes the function ARN, region and configured environment to the program', async () => {
    const out = await sdk.send(new InvokeCommand({ FunctionName: 'context', Payload: Buffer.from('{}') }));
    expect(Buffer.from(out.Payload!).toString()).toContain('arn=arn:aws:lambda:us-east-1:123456789012:function:context\n');
  });

  it('runs 20 parallel invocations at concurrency 4, each answer matched to its request', async () => {
    const client = new LambdaClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' }, maxAttempts: 20 });
    try {
      const nonces = Array.from({ length: 20 }, (_, i) => `nonce-${i}-${Math.random().toString(36).slice(2)}`);
      const answers = await Promise.all(
        nonces.map((n) => client.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from(JSON.stringify(n)) }))),
      );
      expect(answers.map((a) => Buffer.from(a.Payload!).toString())).toEqual(nonces.map((n) => `"${n}"\n`));
    } finally {
      client.destroy();
    }
  });
});

describe('Invoke API semantics', () => {
  it('answers 429 TooManyRequestsException over the concurrency limit', async () => {
    const slow = Array.from({ length: 4 }, () => rawPost(url, '/2015-03-31/functions/fail/invocations', Buffer.from('"hang"')));
    await new Promise((r) => setTimeout(r, 500));
    const extra = await rawPost(url, '/2015-03-31/functions/fail/invocations', Buffer.from('"ok"'));
    expect(extra.status).toBe(429);
    expect(extra.headers['x-amzn-errortype']).toBe('TooManyRequestsException');
    const answers = await Promise.all(slow);
    for (const a of answers) expect(JSON.parse(a.body).errorType).toBe('Function.ProgramTimeout');
  });

  it('refuses a 7 MB payload with RequestTooLargeException', async () => {
    const r = await rawPost(url, '/2015-03-31/functions/echo/invocations', Buffer.from(`"${'x'.repeat(7 * 1024 * 1024)}"`));
    expect(r.status).toBe(413);
    expect(r.headers['x-amzn-errortype']).toBe('RequestTooLargeException');
  });

  it('refuses a payload that is not JSON with InvalidRequestContentException', async () => {
    const r = await rawPost(url, '/2015-03-31/functions/echo/invocations', Buffer.from('not json'));
    expect(r.status).toBe(400);
    expect(r.headers['x-amzn-errortype']).toBe('InvalidRequestContentException');
    expect(JSON.parse(r.body).message).toMatch(/^Could not parse request body into json: /);
  });

  it('DryRun answers 204 and Event 202, and every event runs', async () => {
    const dry = await rawPost(url, '/2015-03-31/functions/echo/invocations', Buffer.from('{}'), { 'x-amz-invocation-type': 'DryRun' });
    expect(dry.status).toBe(204);
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await rawPost(url, '/2015-03-31/functions/echo/invocations', Buffer.from(`"event-${i}"`), { 'x-amz-invocation-type': 'Event' });
      expect(r.status).toBe(202);
      ids.push(r.headers['x-amzn-requestid'] as string);
    }
    await server.settle();
    for (const id of ids) expect(logs).toContain(`echo Event ${id} succeeded`);
  });

  it('a qualifier other than $LATEST is not found', async () => {
    const r = await rawPost(url, '/2015-03-31/functions/echo/invocations?Qualifier=7', Buffer.from('{}'));
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body).Message).toBe('Function not found: arn:aws:lambda:us-east-1:123456789012:function:echo:7');
  });
});

describe('execution environments', () => {
  function reportOf(log: string): string {
    return log.split('\n').find((l) => l.startsWith('REPORT'))!;
  }
  async function invokeTail(fn: string, payload: string) {
    const out = await sdk.send(new InvokeCommand({ FunctionName: fn, Payload: Buffer.from(payload), LogType: LogType.Tail }));
    return { out, body: Buffer.from(out.Payload!).toString(), log: Buffer.from(out.LogResult!, 'base64').toString() };
  }

  it('reuses a warm environment: Init Duration only on the cold start', async () => {
    await server.reload();
    const cold = await invokeTail('context', '{}');
    const warm = await invokeTail('context', '{}');
    expect(reportOf(cold.log)).toMatch(/\tInit Duration: \d+\.\d\d ms$/);
    expect(reportOf(warm.log)).not.toContain('Init Duration');
  });

  it('a bootstrap killed mid-invocation gives Runtime.ExitError, then a fresh environment', async () => {
    const pending = invokeTail('fail', '"hang"');
    await new Promise((r) => setTimeout(r, 700));
    process.kill(bootstrapRunning('fail'), 'SIGKILL');
    const { out, body } = await pending;
    expect(out.FunctionError).toBe('Unhandled');
    expect(JSON.parse(body)).toEqual({ errorType: 'Runtime.ExitError', errorMessage: 'Runtime exited with error: signal: sigkill' });
    const next = await invokeTail('fail', '"ok"');
    expect(next.body).toBe('still serving\n');
    expect(reportOf(next.log)).toContain('Init Duration');
  });

  it('enforces the function timeout when the runtime does not answer: Task timed out, environment reset', async () => {
    const pending = invokeTail('fail', '"hang"');
    await new Promise((r) => setTimeout(r, 700));
    // A stopped bootstrap cannot answer: only the server's own timeout can.
    process.kill(bootstrapRunning('fail'), 'SIGSTOP');
    const { out, body, log } = await pending;
    expect(out.FunctionError).toBe('Unhandled');
    expect(JSON.parse(body).errorMessage).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z [0-9a-f-]{36} Task timed out after 3\.00 seconds$/);
    expect(log).toContain('Task timed out after 3.00 seconds');
    const next = await invokeTail('fail', '"ok"');
    expect(next.body).toBe('still serving\n');
    expect(reportOf(next.log)).toContain('Init Duration');
  });
});

describe('hot reload', () => {
  it('recompiles a changed program, reports a broken one, and keeps other functions serving', async () => {
    const src = join(cobolDir, 'echo.cbl');
    const original = readFileSync(src, 'utf8');
    writeFileSync(src, original.replace('DISPLAY FUNCTION TRIM(WS-LINE TRAILING)', 'DISPLAY "v2:" FUNCTION TRIM(WS-LINE TRAILING)'));
    await expect.poll(async () => Buffer.from((await sdk.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('"x"') }))).Payload!).toString(), { timeout: 30_000, interval: 300 }).toBe('v2:"x"\n');

    writeFileSync(src, original.replace('STOP RUN.', 'STOP RUN'.concat('\n    THIS IS NOT COBOL.')));
    await expect.poll(async () => (await sdk.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('"x"') }))).FunctionError ?? 'none', { timeout: 30_000, interval: 300 }).toBe('Unhandled');
    const broken = await sdk.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('"x"') }));
    const error = JSON.parse(Buffer.from(broken.Payload!).toString());
    expect(error.errorType).toBe('Runtime.BuildError');
    expect(error.errorMessage).toMatch(/^function echo does not compile:\n.*echo\.cbl:\d+: error/);
    expect(logs.some((l) => l.startsWith('dev: echo does not compile'))).toBe(true);
    const other = await sdk.send(new InvokeCommand({ FunctionName: 'fail', Payload: Buffer.from('"ok"') }));
    expect(Buffer.from(other.Payload!).toString()).toBe('still serving\n');

    writeFileSync(src, original);
    await expect.poll(async () => Buffer.from((await sdk.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('"y"') }))).Payload!).toString(), { timeout: 30_000, interval: 300 }).toBe('"y"\n');
  });
});

describe('the CLI', () => {
  it('`cobolambda dev` prints the commands to try, and `cobolambda invoke` calls it', async () => {
    const dir = tempDir('cli-cobol');
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(TEST_COBOL_DIR, 'echo.cbl'), join(dir, 'echo.cbl'));
    writeFileSync(join(dir, 'cobolambda.json'), JSON.stringify({ programs: { echo: { cobcFlags: ['-free'], example: '"Ada"' } } }));
    const { dev, output } = await startDevCli(['--cobol', dir, '--port', '0']);
    const port = /function\(s\) on http:\/\/127\.0\.0\.1:(\d+) /.exec(output)![1];
    try {
      expect(output).toContain(`aws lambda invoke --endpoint-url http://127.0.0.1:${port} --function-name echo`);
      expect(output).toContain(`npx cobolambda invoke echo --payload '"Ada"' --endpoint http://127.0.0.1:${port}`);
      const { stdout } = await run(process.execPath, ['bin/cobolambda.mjs', 'invoke', 'echo', '--payload', '"Ada"', '--endpoint', `http://127.0.0.1:${port}`]);
      expect(stdout).toBe('"Ada"\n');
      const failed = await run(process.execPath, ['bin/cobolambda.mjs', 'invoke', 'nosuch', '--endpoint', `http://127.0.0.1:${port}`]).catch((e) => e);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain('Function not found: arn:aws:lambda:us-east-1:123456789012:function:nosuch');
    } finally {
      dev.kill('SIGINT');
    }
  });
});
