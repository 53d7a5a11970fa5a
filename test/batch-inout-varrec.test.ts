// An inout file of variable-length records: varupd OPENs it I-O and REWRITEs
// every record (a sequential REWRITE keeps each record's length). The same
// program built natively by cobc runs over the same bytes (written by vargen, a
// native program) and what it leaves in the file is the oracle for what the
// function gives back: inline, as RDW bytes, in S3, in the program's own framing.
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBatchPrograms, startBatchRuntime, type BatchRuntime } from './support/batch.ts';
import { errorBody } from './support/runtime-harness.ts';
import { startS3Server, type S3Server } from './support/s3-server.ts';
import { tempDir } from './support/cobc.ts';
import { encodeRecord, parseCopybook } from '../runtime/src/codecs/copybook/index.ts';
import { frameRecords } from '../runtime/src/codecs/record-framing.ts';
import type { InvocationOutcome } from '../dev/runtime-api-server.ts';

const SRC = join(import.meta.dirname, 'cobol/batchvar');
const project = tempDir('inout-varrec');
const native = tempDir('inout-varrec-native');
const layout = parseCopybook(readFileSync(join(SRC, 'varin.cpy'), 'latin1'), { fileName: 'varin.cpy' });
let bin: string;
let s3: S3Server;
const runtimes: BatchRuntime[] = [];

const config = {
  programs: {
    varupd: { mode: 'batch', files: { VARIO: { direction: 'inout', copybook: 'varin.cpy' } } },
    // The same program over a file a GnuCOBOL program wrote: the program's own headers, kept as they are.
    varupdgc: { mode: 'batch', files: { VARIO: { direction: 'inout', copybook: 'varin.cpy', recordFormat: 'gnucobol' } } },
  },
};

beforeAll(async () => {
  copyFileSync(join(SRC, 'varin.cpy'), join(project, 'varin.cpy'));
  for (const name of ['varupd', 'varupdgc']) copyFileSync(join(SRC, 'varupd.cbl'), join(project, `${name}.cbl`));
  writeFileSync(join(project, 'cobolambda.json'), JSON.stringify(config));
  for (const name of ['vargen', 'varupd']) execFileSync('cobc', ['-x', '-I', SRC, '-o', join(native, name), join(SRC, `${name}.cbl`)]);
  [bin, s3] = await Promise.all([buildBatchPrograms(project, ['varupd', 'varupdgc']), startS3Server(['vario-out'])]);
}, 240_000);

afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.stop()));
  await s3?.close();
});

async function start(handler: string, env: Record<string, string> = {}): Promise<BatchRuntime> {
  const runtime = await startBatchRuntime(bin, handler, { ...s3.env, ...env });
  runtimes.push(runtime);
  return runtime;
}

/** vargen's records in `format`, and the same file after native varupd updated it in place. */
function nativeRun(format: number): { before: Buffer; after: Buffer; stdout: string } {
  const file = join(native, `vario-${format}.dat`);
  const env = { ...process.env, COB_VARSEQ_FORMAT: String(format), DD_VARIN: file, DD_VARIO: file };
  execFileSync(join(native, 'vargen'), { env });
  const before = readFileSync(file);
  const stdout = execFileSync(join(native, 'varupd'), { env }).toString();
  return { before, after: readFileSync(file), stdout };
}

/** COB_VARSEQ_FORMAT 0 headers (data length, 2 zero bytes) as IBM RDWs (length counting the RDW itself). */
function format0ToRdw(data: Buffer): Buffer {
  const out = Buffer.from(data);
  for (let at = 0; at < out.length; ) {
    const length = out.readUInt16BE(at);
    out.writeUInt16BE(length + 4, at);
    at += 4 + length;
  }
  return out;
}

function body(outcome: InvocationOutcome): any {
  if (outcome.kind !== 'response') throw new Error(`expected a response, got ${outcome.kind}: ${JSON.stringify(errorBody(outcome))}`);
  return JSON.parse(outcome.body.toString());
}

async function object(url: string): Promise<Buffer> {
  const [bucket, key] = url.replace('s3://', '').split(/\/(.*)/);
  const got = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await got.Body!.transformToByteArray());
}

// vargen's records, as JSON through varin.cpy: 20, 27 and 41 bytes long.
const records = [
  { viId: 'A00001', viName: 'NO ITEMS', viTxn: [] },
  { viId: 'B00002', viName: 'ONE ITEM', viTxn: [{ viAmt: 12.5, viQty: 3 }] },
  { viId: 'C00003', viName: 'Three {x}', viTxn: [{ viAmt: -99999.99, viQty: 2 }, { viAmt: 0.01, viQty: -999 }, { viAmt: 100, viQty: 0 }] },
];
/** Decoded records framed as cobc frames them in `format`. */
const framed = (decoded: object[], format: number): string => frameRecords(layout, decoded.map((r) => encodeRecord(layout, r)), 'variable', format as 0).toString('hex');

describe('OPEN I-O and REWRITE on a sequential file of variable-length records, against cobc', () => {
  it.each([0, 3])('COB_VARSEQ_FORMAT %i: inline records in, each updated record back with its own length', async (format) => {
    const cobc = nativeRun(format);
    expect(cobc.stdout.trim()).toBe('REWRITTEN 0003');
    expect(framed(records, format)).toBe(cobc.before.toString('hex'));
    expect(cobc.after.equals(cobc.before)).toBe(false);
    expect(cobc.after.length).toBe(cobc.before.length);
    const runtime = await start('varupd', { COB_VARSEQ_FORMAT: String(format) });
    const out = body(await runtime.invoke(JSON.stringify({ files: { VARIO: records } })));
    expect(out.returnCode).toBe(0);
    expect(out.stdout).toEqual([cobc.stdout.trimEnd()]);
    expect(out.files.VARIO.map((r: { viTxn: unknown[] }) => r.viTxn.length)).toEqual([0, 1, 3]);
    expect(framed(out.files.VARIO, format)).toBe(cobc.after.toString('hex'));
    expect(out.files.VARIO[2]).toEqual({ viId: 'C00003', viName: 'THREE {X}', viCnt: 3, viTxn: [{ viAmt: -50000, viQty: -2 }, { viAmt: 0.01, viQty: 999 }, { viAmt: 50, viQty: 0 }] });
    expect(runtime.workDirs()).toEqual([]);
  });

  it('RDW bytes in ({"base64"}): back inline, and to S3 as RDW bytes, byte for byte what cobc left', async () => {
    const cobc = nativeRun(0);
    const rdwBefore = format0ToRdw(cobc.before);
    const runtime = await start('varupd');
    const inline = body(await runtime.invoke(JSON.stringify({ files: { VARIO: { base64: rdwBefore.toString('base64') } } })));
    expect(framed(inline.files.VARIO, 0)).toBe(cobc.after.toString('hex'));
    const stored = body(await runtime.invoke(JSON.stringify({ files: { VARIO: { base64: rdwBefore.toString('base64'), to: 's3://vario-out/rdw/{requestId}.vb' } } })));
    expect(stored.files.VARIO).toMatchObject({ bytes: cobc.after.length, records: 3 });
    expect((await object(stored.files.VARIO.s3)).toString('hex')).toBe(format0ToRdw(cobc.after).toString('hex'));
    expect(runtime.workDirs()).toEqual([]);
  });

  it('the program\'s own framing in (recordFormat "gnucobol"): to S3 exactly the file cobc left', async () => {
    const cobc = nativeRun(0);
    const runtime = await start('varupdgc');
    const stored = body(await runtime.invoke(JSON.stringify({ files: { VARIO: { base64: cobc.before.toString('base64'), to: 's3://vario-out/gc/{requestId}.dat' } } })));
    expect((await object(stored.files.VARIO.s3)).toString('hex')).toBe(cobc.after.toString('hex'));
    const inline = body(await runtime.invoke(JSON.stringify({ files: { VARIO: { base64: cobc.before.toString('base64') } } })));
    expect(framed(inline.files.VARIO, 0)).toBe(cobc.after.toString('hex'));
  });
});
