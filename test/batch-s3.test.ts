// Batch files in S3, against a real S3-compatible server (s3rver) reached
// through the SDK's standard settings (AWS_ENDPOINT_URL_S3, dummy credentials).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBatchPrograms, startBatchRuntime, type BatchRuntime } from './support/batch.ts';
import { errorBody } from './support/runtime-harness.ts';
import { startS3Server, type S3Server } from './support/s3-server.ts';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { writeFileSync } from 'node:fs';
import { DevServer } from '../dev/dev-server.ts';
import { tempDir } from './support/cobc.ts';
import type { InvocationOutcome } from '../dev/runtime-api-server.ts';

const ROOT = join(import.meta.dirname, '..');
let s3: S3Server;
let payroll: BatchRuntime;
let rc: BatchRuntime;

const ebcdic = (text: string) => execFileSync('iconv', ['-f', 'ISO-8859-1', '-t', 'IBM037'], { input: Buffer.from(text, 'latin1') });
const master = (id: string, name: string, packedRate: string, zonedHours: string, status: string) =>
  Buffer.concat([ebcdic(id.padEnd(6) + name.padEnd(20) + 'FIN '), Buffer.from(packedRate, 'hex'), Buffer.from(zonedHours, 'hex'), ebcdic(status + ' ')]);

beforeAll(async () => {
  s3 = await startS3Server(['payroll-in', 'payroll-out']);
  const [bin, testBin] = await Promise.all([
    buildBatchPrograms(join(ROOT, 'cobol'), ['paybatch']),
    buildBatchPrograms(join(ROOT, 'test/cobol/batch'), ['rcbatch']),
  ]);
  payroll = await startBatchRuntime(bin, 'paybatch', s3.env);
  rc = await startBatchRuntime(testBin, 'rcbatch', s3.env);
}, 240_000);

afterAll(async () => {
  await payroll?.stop();
  await rc?.stop();
  await s3?.close();
});

async function object(bucket: string, key: string): Promise<Buffer> {
  const got = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await got.Body!.transformToByteArray());
}

function body(outcome: InvocationOutcome): any {
  if (outcome.kind !== 'response') throw new Error(`expected a response, got ${outcome.kind}: ${outcome.body.toString()}`);
  return JSON.parse(outcome.body.toString());
}

describe('batch files in S3', () => {
  it('reads an EBCDIC master from S3 and writes EBCDIC payments and report to S3, listing each object', async () => {
    const data = Buffer.concat([master('E00020', 'Ada Lovelace', '0002550c', 'f0f4f2c5', 'A'), master('E00021', 'Grace Hopper', '0003000c', 'f0f0f0c0', 'L')]);
    await s3.client.send(new PutObjectCommand({ Bucket: 'payroll-in', Key: 'master/emp.dat', Body: data }));
    const out = body(
      await payroll.invoke(
        JSON.stringify({
          files: {
            EMPIN: { s3: 's3://payroll-in/master/emp.dat' },
            PAYOUT: { s3: 's3://payroll-out/pay/{requestId}.dat' },
            PAYRPT: { s3: 's3://payroll-out/report/{requestId}.txt' },
          },
        }),
        { requestId: 'req-1' },
      ),
    );
    expect(out).toEqual({
      returnCode: 0,
      files: {
        PAYRPT: { s3: 's3://payroll-out/report/req-1.txt', bytes: expect.any(Number), records: 4 },
        PAYOUT: { s3: 's3://payroll-out/pay/req-1.dat', bytes: 24, records: 1 },
      },
    });
    // The payment record as a mainframe would store it: EBCDIC text, COMP-3 as is, zoned hours +42.5 → F0 F4 F2 C5.
    const payment = await object('payroll-out', 'pay/req-1.dat');
    expect(payment.toString('hex')).toBe(
      ebcdic('E00020FIN ').toString('hex') + '000111563c' + 'f0f4f2c5' + ebcdic('BACS ').toString('hex'),
    );
    const report = execFileSync('iconv', ['-f', 'IBM037', '-t', 'UTF-8'], { input: await object('payroll-out', 'report/req-1.txt') }).toString();
    expect(report.split('\n')[1]).toMatch(/^E00020 Ada Lovelace\s+FIN\s+42\.5\s+1,115\.63$/);
    expect(out.files.PAYRPT.bytes).toBe(report.length);
    expect(payroll.workDirs()).toEqual([]);
  });

  it('an object that does not exist is an error naming the file and the SDK error code', async () => {
    const error = errorBody(await payroll.invoke(JSON.stringify({ files: { EMPIN: { s3: 's3://payroll-in/missing.dat' } } })));
    expect(error.errorType).toBe('Function.InputFileError');
    expect(error.errorMessage).toMatch(/^file EMPIN: s3:\/\/payroll-in\/missing.dat could not be read: NoSuchKey/);
    expect(payroll.workDirs()).toEqual([]);
  });

  it('an object larger than the free space of the temporary directory is refused before anything is written', async () => {
    await s3.client.send(new PutObjectCommand({ Bucket: 'payroll-in', Key: 'big/lines.txt', Body: Buffer.alloc(3 * 1024 * 1024, '000\n') }));
    const testBin = await buildBatchPrograms(join(ROOT, 'test/cobol/batch'), ['rcbatch']);
    const small = await startBatchRuntime(testBin, 'rcbatch', s3.env, { tmpSizeBytes: 2 * 1024 * 1024 });
    try {
      const error = errorBody(await small.invoke(JSON.stringify({ files: { RCIN: { s3: 's3://payroll-in/big/lines.txt' } } })));
      expect(error.errorType).toBe('Function.InputFileTooLarge');
      expect(error.errorMessage).toMatch(/^file RCIN: s3:\/\/payroll-in\/big\/lines\.txt is 3\.0 MB, more than the 2\.0 MB free in .*; give the function more ephemeralStorageMb$/);
    } finally {
      await small.stop();
    }
  });

  it('an output bucket that does not exist is an error naming the file', async () => {
    const error = errorBody(await rc.invoke(JSON.stringify({ files: { RCIN: ['000'], RCOUT: { s3: 's3://no-such-bucket/x.txt' } } })));
    expect(error.errorType).toBe('Function.OutputFileError');
    expect(error.errorMessage).toMatch(/^file RCOUT: s3:\/\/no-such-bucket\/x.txt could not be written: NoSuchBucket/);
    expect(rc.workDirs()).toEqual([]);
  });

  it('an S3 event notification names the s3Trigger input; its key arrives URL-encoded', async () => {
    await s3.client.send(new PutObjectCommand({ Bucket: 'payroll-in', Key: 'drop/red flower!.txt', Body: '003\nfrom the trigger\n' }));
    const notification = {
      Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'payroll-in' }, object: { key: 'drop/red+flower%21.txt', size: 21 } } }],
    };
    expect(body(await rc.invoke(JSON.stringify(notification)))).toEqual({ returnCode: 3, files: { RCOUT: ['003', 'from the trigger'] }, stdout: ['RCBATCH DONE'] });
  });
});

describe('batch files in S3 under `dev`', () => {
  it('a function that uses S3 reaches the endpoint given by --s3-endpoint, with the credentials of --env-vars', async () => {
    const work = tempDir('batch-dev');
    const envVars = join(work, 'env.json');
    writeFileSync(envVars, JSON.stringify({ rcbatch: { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' } }));
    const server = new DevServer({
      cobolDir: join(ROOT, 'test/cobol/batch'),
      workDir: work,
      host: '127.0.0.1',
      port: 0,
      concurrency: 1,
      region: 'us-east-1',
      watch: false,
      envVarsFile: envVars,
      s3Endpoint: s3.endpoint,
      log: () => {},
    });
    const url = await server.start();
    const sdk = new LambdaClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' }, maxAttempts: 1 });
    try {
      await s3.client.send(new PutObjectCommand({ Bucket: 'payroll-in', Key: 'dev/in.txt', Body: '000\nvia dev\n' }));
      const event = { files: { RCIN: { s3: 's3://payroll-in/dev/in.txt' }, RCOUT: { s3: 's3://payroll-out/dev/out.txt' } } };
      const out = await sdk.send(new InvokeCommand({ FunctionName: 'rcbatch', Payload: Buffer.from(JSON.stringify(event)) }));
      expect(out.FunctionError, Buffer.from(out.Payload!).toString()).toBeUndefined();
      expect(JSON.parse(Buffer.from(out.Payload!).toString()).files.RCOUT).toEqual({ s3: 's3://payroll-out/dev/out.txt', bytes: 12, records: 2 });
      expect((await object('payroll-out', 'dev/out.txt')).toString()).toBe('000\nvia dev\n');

      // The working directory is read-only, as /var/task is on Lambda, even though dev runs as root here.
      expect(process.getuid?.()).toBe(0);
      const cwd = await sdk.send(new InvokeCommand({ FunctionName: 'cwdwrite', Payload: Buffer.from('{}') }));
      const error = JSON.parse(Buffer.from(cwd.Payload!).toString());
      expect(cwd.FunctionError).toBe('Unhandled');
      expect(error.errorType).toBe('Function.ProgramExitError');
      expect(error.errorMessage).toMatch(/libcob: .*status = 3[07].*scratch\.txt/);
    } finally {
      sdk.destroy();
      await server.close();
    }
  }, 120_000);
});
