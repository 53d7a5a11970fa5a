// The shipped samples, one per mode, served by `dev` exactly as `npm start` serves them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DevServer } from '../dev/dev-server.ts';
import { callExampleEvent } from '../layer/metadata.ts';
import { tempDir } from './support/cobc.ts';

const cobolDir = join(fileURLToPath(import.meta.url), '..', '..', 'cobol');
let server: DevServer;
let sdk: LambdaClient;

async function invoke(fn: string, payload: unknown): Promise<{ error?: string; body: string }> {
  const out = await sdk.send(new InvokeCommand({ FunctionName: fn, Payload: Buffer.from(JSON.stringify(payload)) }));
  return { error: out.FunctionError, body: Buffer.from(out.Payload!).toString() };
}

beforeAll(async () => {
  server = new DevServer({ cobolDir, workDir: tempDir('samples'), host: '127.0.0.1', port: 0, concurrency: 2, region: 'us-east-1', watch: false, log: () => {} });
  const url = await server.start();
  sdk = new LambdaClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' }, maxAttempts: 1 });
});

afterAll(async () => {
  sdk?.destroy();
  await server?.close();
});

describe('the samples in cobol/', () => {
  it('every sample has an example payload that succeeds', async () => {
    for (const spec of server.programs.filter((s) => s.mode !== 'http')) {
      // Call mode builds one from its copybooks, as `npm start` prints it.
      const example = spec.example ?? callExampleEvent(spec);
      expect(example, `${spec.name} has an example`).toBeDefined();
      const out = await sdk.send(new InvokeCommand({ FunctionName: spec.name, Payload: Buffer.from(example!) }));
      expect(out.FunctionError, `${spec.name}: ${Buffer.from(out.Payload!).toString()}`).toBeUndefined();
    }
  });

  it('hello (raw) greets the name in a JSON object', async () => {
    expect(await invoke('hello', { name: 'Ada' })).toEqual({ body: 'Hello, Ada!\n' });
  });

  it('loan (lines) answers its report as an array of lines', async () => {
    const { error, body } = await invoke('loan', ['10000', '6', '12']);
    expect(error).toBeUndefined();
    const lines = JSON.parse(body) as string[];
    expect(lines[0]).toBe('LOAN AMORTISATION SCHEDULE');
    expect(lines).toContainEqual(expect.stringMatching(/^Monthly payment\s+860\.66$/));
    expect(lines).toContainEqual(expect.stringMatching(/^Total interest\s+327\.96$/));
  });

  it('custbal (record) maps copybook records with COMP-3 and OCCURS to JSON and back', async () => {
    const customer = (id: string, txns: Array<[string, number]>) => ({
      custId: id,
      custName: 'Ada Lovelace',
      openingBalance: 100.5,
      txnCount: txns.length,
      txn: txns.map(([txnType, txnAmount]) => ({ txnType, txnAmount })),
    });
    const one = await invoke('custbal', customer('C0001', [['D', 50], ['W', 200.25]]));
    expect(one.error).toBeUndefined();
    expect(JSON.parse(one.body)).toEqual({ custId: 'C0001', closingBalance: -49.75, totalDeposits: 50, totalWithdrawals: 200.25, statusCode: 'OVERDRAWN' });
    // 10.10 packs to 0x01 0x01 0x0c and 2570.00 to 0x00 0x25 0x70 0x0c ... a newline byte (0x0a) must survive framing.
    const many = await invoke('custbal', [customer('C0002', [['D', 0.1]]), customer('C0003', [['D', 10.1], ['D', 10.1], ['W', 0.0]])]);
    expect(JSON.parse(many.body)).toEqual([
      { custId: 'C0002', closingBalance: 100.6, totalDeposits: 0.1, totalWithdrawals: 0, statusCode: 'OK' },
      { custId: 'C0003', closingBalance: 120.7, totalDeposits: 20.2, totalWithdrawals: 0, statusCode: 'OK' },
    ]);
  });

  it('custbal refuses an event that does not fit its copybook, naming each field', async () => {
    const { error, body } = await invoke('custbal', { custId: 'C000000001', openingBalance: 'lots', txn: [{ txnAmount: 1.234 }] });
    expect(error).toBe('Unhandled');
    const e = JSON.parse(body);
    expect(e.errorType).toBe('Function.InvalidEvent');
    expect(e.stackTrace).toEqual([
      'custId: string of 10 bytes is longer than the 8 of PIC X(8)',
      'openingBalance: not a number: "lots"',
      'txn[0].txnAmount: 1.234 has too many decimals: 3, PIC S9(7)V99 allows 2',
    ]);
  });
});
