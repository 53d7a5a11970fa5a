// `cdk bootstrap`, `cdk deploy` and `cdk destroy` of the app against moto_server
// (CloudFormation, S3, IAM, Lambda, Logs, SSM emulated on loopback). What this
// proves: the CLI path works end to end (cdk.json, bundling, asset publishing,
// change set) and CloudFormation accepts the template. What it cannot: moto does
// not run the functions, attach layers or return stack outputs.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { PACKAGE_ROOT, findOnPath } from '../infra/bundling.ts';

const ready = findOnPath('moto_server') !== undefined && findOnPath('cobc') !== undefined && process.platform === 'linux';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe.skipIf(!ready)('deploy to moto_server on loopback', () => {
  let moto: ChildProcess | undefined;
  let port = 0;
  const cobolDir = mkdtempSync(join(tmpdir(), 'cobolambda-moto-'));
  const out = mkdtempSync(join(tmpdir(), 'cobolambda-moto-cdkout-'));
  writeFileSync(
    join(cobolDir, 'hello.cbl'),
    `       IDENTIFICATION DIVISION.\n       PROGRAM-ID. HELLO.\n       PROCEDURE DIVISION.\n           DISPLAY "hello".\n           STOP RUN.\n`,
  );

  beforeAll(async () => {
    port = await freePort();
    moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      const up = await fetch(`http://127.0.0.1:${port}/moto-api/`).then((r) => r.ok, () => false);
      if (up) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('moto_server did not start');
  });

  afterAll(() => {
    moto?.kill('SIGTERM');
  });

  function cdk(args: string[]) {
    return spawnSync('npx', ['cdk', ...args, '-c', `cobolDir=${cobolDir}`, '-c', 'stackName=MotoTest', '-o', out], {
      cwd: PACKAGE_ROOT,
      encoding: 'utf8',
      timeout: 240_000,
      env: {
        ...process.env,
        // moto reads a template URL on "localhost" as path-style; on 127.0.0.1 it takes "127" for the bucket.
        AWS_ENDPOINT_URL: `http://localhost:${port}`,
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_REGION: 'us-east-1',
        AWS_DEFAULT_REGION: 'us-east-1',
        CDK_DISABLE_VERSION_CHECK: '1',
        CDK_DEFAULT_ACCOUNT: '',
        CDK_DEFAULT_REGION: '',
      },
    });
  }

  async function functionsThere() {
    const client = new LambdaClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    return (await client.send(new ListFunctionsCommand({}))).Functions ?? [];
  }

  it('bootstraps, deploys a function per program, and destroys', async () => {
    const boot = cdk(['bootstrap', 'aws://123456789012/us-east-1']);
    expect(boot.status, boot.stdout + boot.stderr).toBe(0);

    const deploy = cdk(['deploy', '--require-approval', 'never']);
    expect(deploy.status, deploy.stdout + deploy.stderr).toBe(0);
    expect(deploy.stdout + deploy.stderr).toMatch(/MotoTest/);
    const fns = await functionsThere();
    expect(fns.map((f) => [f.FunctionName, f.Runtime, f.Handler, f.Timeout, f.MemorySize])).toEqual([
      ['MotoTest-hello', 'provided.al2023', 'hello', 30, 256],
    ]);

    const destroy = cdk(['destroy', '--force']);
    expect(destroy.status, destroy.stdout + destroy.stderr).toBe(0);
    expect(await functionsThere()).toEqual([]);
  }, 600_000);
});
