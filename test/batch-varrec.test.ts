// Batch mode with variable-length records (OCCURS DEPENDING ON in the FD),
// cobc as the oracle: test/cobol/batchvar/vargen.cbl writes the input records
// natively in each COB_VARSEQ_FORMAT, varbatch.cbl run natively gives the output
// bytes, and the function must read and write exactly those. Stored datasets come
// as IBM RDW (EBCDIC) or GnuCOBOL framing; every bad header is refused by record.
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBatchPrograms, startBatchRuntime, type BatchRuntime } from './support/batch.ts';
import { errorBody } from './support/runtime-harness.ts';
import { startS3Server, type S3Server } from './support/s3-server.ts';
import { tempDir } from './support/cobc.ts';
import { discoverPrograms } from '../layer/programs.ts';
import { programMetadata } from '../layer/metadata.ts';
import { encodeRecord, parseCopybook } from '../runtime/src/codecs/copybook/index.ts';
import { frameRecords } from '../runtime/src/codecs/record-framing.ts';
import type { InvocationOutcome } from '../dev/runtime-api-server.ts';
import { Transcoder } from '../runtime/src/codecs/batch/transcode.ts';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';

const SRC = join(import.meta.dirname, 'cobol/batchvar');
const project = tempDir('batchvar');
const native = tempDir('batchvar-native');
let bin: string;
let s3: S3Server;
let ebcdicRuntime: BatchRuntime;

const config = {
  programs: {
    // The program's framing as stored: a file the program (or cobc on a build machine) wrote.
    varbatch: {
      mode: 'batch',
      files: {
        VARIN: { direction: 'input', copybook: 'varin.cpy', recordFormat: 'gnucobol' },
        VAROUT: { direction: 'output', copybook: 'varout.cpy' },
        VARECHO: { direction: 'output', format: 'bytes' },
      },
    },
    // RECORD VARYING with a PIC X copybook: no OCCURS DEPENDING ON to give inline records their length.
    varecho: {
      mode: 'batch',
      files: {
        VARIN: { direction: 'input', copybook: 'varin.cpy' },
        VAROUT: { direction: 'output', format: 'bytes' },
        VARECHO: { direction: 'output', copybook: 'echo.cpy', recordFormat: 'gnucobol' },
      },
    },
    // A mainframe VB dataset: EBCDIC, each record after its RDW (the default framing).
    varebcdic: {
      mode: 'batch',
      files: {
        VARIN: { direction: 'input', copybook: 'varin.cpy', encoding: 'cp037' },
        VAROUT: { direction: 'output', copybook: 'varout.cpy', encoding: 'cp037' },
        VARECHO: { direction: 'output', format: 'bytes' },
      },
    },
  },
};

beforeAll(async () => {
  for (const f of ['varin.cpy', 'varout.cpy', 'varbatch.cbl']) copyFileSync(join(SRC, f), join(project, f));
  for (const copy of ['varebcdic', 'varecho']) copyFileSync(join(SRC, 'varbatch.cbl'), join(project, `${copy}.cbl`));
  writeFileSync(join(project, 'echo.cpy'), '       01  ECHO-REC PIC X(76).\n');
  writeFileSync(join(project, 'cobolambda.json'), JSON.stringify(config));
  for (const name of ['vargen', 'varbatch']) execFileSync('cobc', ['-x', '-I', SRC, '-o', join(native, name), join(SRC, `${name}.cbl`)]);
  [bin, s3] = await Promise.all([buildBatchPrograms(project, ['varbatch', 'varebcdic', 'varecho']), startS3Server(['vb-out'])]);
  ebcdicRuntime = await startBatchRuntime(bin, 'varebcdic', { ...s3.env, COB_VARSEQ_FORMAT: '1' });
}, 240_000);

afterAll(async () => {
  await ebcdicRuntime?.stop();
  await s3?.close();
});

/** vargen's records, then varbatch over them, natively with DD_ variables: cobc's own bytes. */
function nativeRun(format: number): { input: Buffer; output: Buffer; echo: Buffer } {
  const file = (n: string) => join(native, `${n}-${format}.dat`);
  const env = { ...process.env, COB_VARSEQ_FORMAT: String(format), DD_VARIN: file('in'), DD_VAROUT: file('out'), DD_VARECHO: file('echo') };
  execFileSync(join(native, 'vargen'), { env });
  execFileSync(join(native, 'varbatch'), { env });
  return { input: readFileSync(file('in')), output: readFileSync(file('out')), echo: readFileSync(file('echo')) };
}

function body(outcome: InvocationOutcome): any {
  if (outcome.kind !== 'response') throw new Error(`expected a response, got ${outcome.kind}: ${outcome.body.toString()}`);
  return JSON.parse(outcome.body.toString());
}

// vargen's records, as JSON through varin.cpy.
const records = [
  { viId: 'A00001', viName: 'NO ITEMS', viTxn: [] },
  { viId: 'B00002', viName: 'ONE ITEM', viTxn: [{ viAmt: 12.5, viQty: 3 }] },
  { viId: 'C00003', viName: 'Three {x}', viTxn: [{ viAmt: -99999.99, viQty: 2 }, { viAmt: 0.01, viQty: -999 }, { viAmt: 100, viQty: 0 }] },
];
// What varbatch makes of them: amount × quantity per entry, and the total.
const results = [
  { voId: 'A00001', voName: 'NO ITEMS', voTotal: 0, voCnt: 0, voTxn: [] },
  { voId: 'B00002', voName: 'ONE ITEM', voTotal: 37.5, voCnt: 1, voTxn: [{ voAmt: 37.5, voQty: 3 }] },
  { voId: 'C00003', voName: 'Three {x}', voTotal: -200009.97, voCnt: 3, voTxn: [{ voAmt: -199999.98, voQty: 2 }, { voAmt: -9.99, voQty: -999 }, { voAmt: 0, voQty: 0 }] },
];
const outLayout = parseCopybook(readFileSync(join(SRC, 'varout.cpy'), 'latin1'), { fileName: 'varout.cpy' });

describe('the build reads from cobc which files are variable-length', () => {
  const spec = () => discoverPrograms(project).find((s) => s.name === 'varbatch')!;

  it('per DD name (ASSIGN TO a word), with the FD record sizes and the stored framing', () => {
    const files = programMetadata(spec()).batch!.files;
    expect(files.map((f) => [f.ddName, f.variable])).toEqual([
      ['VARIN', { minLength: 20, maxLength: 76, recordFormat: 'gnucobol' }],
      ['VAROUT', { minLength: 29, maxLength: 101, recordFormat: 'rdw' }],
      ['VARECHO', undefined],
    ]);
  });

  it('takes RECORD VARYING without OCCURS DEPENDING ON too (a PIC X copybook of the largest record)', () => {
    const base = spec();
    const files = programMetadata({ ...base, batch: { ...base.batch!, files: { ...base.batch!.files, VARECHO: { direction: 'output', copybook: 'echo.cpy' } } } }).batch!.files;
    expect(files.find((f) => f.ddName === 'VARECHO')!.variable).toEqual({ minLength: 20, maxLength: 76, recordFormat: 'rdw' });
  });

  it('refuses a copybook whose record sizes are not the FD\'s, and recordFormat on a fixed-length file', () => {
    const base = spec();
    expect(() => programMetadata({ ...base, batch: { ...base.batch!, files: { ...base.batch!.files, VARIN: { direction: 'input', copybook: 'varout.cpy' } } } })).toThrow(
      'the file IN-FILE (ASSIGN TO "VARIN") holds records of 20 to 76 bytes, but the file VARIN copybook',
    );
    const payroll = discoverPrograms(join(import.meta.dirname, '..', 'cobol')).find((s) => s.name === 'paybatch')!;
    const payout = { ...payroll.batch!.files.PAYOUT!, copybook: 'empmast.cpy' };
    expect(() => programMetadata({ ...payroll, batch: { ...payroll.batch!, files: { ...payroll.batch!.files, PAYOUT: payout } } })).toThrow(
      'the file PAY-FILE (ASSIGN TO "PAYOUT") holds records of',
    );
    const empin = { ...payroll.batch!.files.EMPIN!, recordFormat: 'rdw' as const };
    expect(() => programMetadata({ ...payroll, batch: { ...payroll.batch!, files: { ...payroll.batch!.files, EMPIN: empin } } })).toThrow(
      "files.EMPIN.recordFormat: the program's file EMP-FILE has fixed-length records; recordFormat frames variable-length ones",
    );
  });
});

describe('variable-length records in each COB_VARSEQ_FORMAT, against cobc', () => {
  it.each([0, 1, 2, 3])('format %i: inline records go in with cobc\'s own headers and come back decoded from the bytes cobc writes', async (format) => {
    const cobc = nativeRun(format);
    expect(cobc.echo).toEqual(cobc.input);
    const runtime = await startBatchRuntime(bin, 'varbatch', { COB_VARSEQ_FORMAT: String(format) });
    try {
      const out = body(await runtime.invoke(JSON.stringify({ files: { VARIN: records } })));
      expect(out.returnCode).toBe(0);
      // The program wrote back what it read: the bridge's input is, byte for byte, what vargen wrote.
      expect(Buffer.from(out.files.VARECHO.base64, 'base64').toString('hex')).toBe(cobc.input.toString('hex'));
      expect(out.files.VAROUT).toEqual(results);
      // and those results are exactly cobc's output records
      expect(frameRecords(outLayout, results.map((r) => encodeRecord(outLayout, r)), 'variable', format as 0).toString('hex')).toBe(cobc.output.toString('hex'));

      // A stored file in the program's own framing (recordFormat "gnucobol") passes as it is.
      const stored = body(await runtime.invoke(JSON.stringify({ files: { VARIN: { base64: cobc.input.toString('base64') } } })));
      expect(Buffer.from(stored.files.VARECHO.base64, 'base64')).toEqual(cobc.input);
      expect(stored.files.VAROUT).toEqual(results);
      expect(runtime.workDirs()).toEqual([]);
    } finally {
      await runtime.stop();
    }
  });
});

describe('RECORD VARYING without OCCURS DEPENDING ON', () => {
  it('keeps each record\'s length through S3, and refuses inline output it could only pad', async () => {
    const cobc = nativeRun(0);
    const runtime = await startBatchRuntime(bin, 'varecho', s3.env);
    try {
      const inline = errorBody(await runtime.invoke(JSON.stringify({ files: { VARIN: records } })));
      expect(inline.errorType).toBe('Function.InvalidOutput');
      expect(inline.errorMessage).toBe('file VARECHO (echo.cpy (record ECHO-REC)): output record 1 holds 20 bytes, but ECHO-REC with its counted entries is at least 76 bytes');
      const out = body(await runtime.invoke(JSON.stringify({ files: { VARIN: records, VARECHO: { s3: 's3://vb-out/echo/{requestId}.dat' } } })));
      expect(out.files.VARECHO).toMatchObject({ bytes: cobc.echo.length, records: 3 });
      const [bucket, key] = out.files.VARECHO.s3.replace('s3://', '').split(/\/(.*)/);
      const got = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(cobc.echo);
    } finally {
      await runtime.stop();
    }
  });
});

// EBCDIC (IBM037) records after their RDW, as a VB dataset transferred in binary with RDWs.
const ebcdic = (text: string) => execFileSync('iconv', ['-f', 'ISO-8859-1', '-t', 'IBM037'], { input: Buffer.from(text, 'latin1') });
const rdw = (data: Buffer) => Buffer.concat([Buffer.from([(data.length + 4) >> 8, (data.length + 4) & 0xff, 0, 0]), data]);
const hex = (h: string) => Buffer.from(h.replace(/ /g, ''), 'hex');
const vbInput = Buffer.concat([
  rdw(Buffer.concat([ebcdic('A00001NO ITEMS    '), hex('f0f0')])),
  rdw(Buffer.concat([ebcdic('B00002ONE ITEM    '), hex('f0f1'), hex('0001250c f0f0c3')])),
  rdw(Buffer.concat([ebcdic('C00003Three {x}   '), hex('f0f3'), hex('9999999d f0f0c2  0000001c f9f9d9  0010000c f0f0c0')])),
]);
const vbOutput = Buffer.concat([
  rdw(Buffer.concat([ebcdic('A00001NO ITEMS    '), hex('f0f0f0f0f0f0f0f0c0 f0f0')])),
  rdw(Buffer.concat([ebcdic('B00002ONE ITEM    '), hex('f0f0f0f0f0f3f7f5c0 f0f1'), hex('000003750c 4ef0f0f3')])),
  rdw(Buffer.concat([ebcdic('C00003Three {x}   '), hex('f0f2f0f0f0f0f9f9d7 f0f3'), hex('019999998d 4ef0f0f2  000000999d 60f9f9f9  000000000c 4ef0f0f0')])),
]);

describe('a mainframe VB dataset: EBCDIC records with RDWs', () => {
  it('is read as cobc\'s own records (COB_VARSEQ_FORMAT 1 here), field by field, and written back to S3 as RDW + EBCDIC', async () => {
    const cobc = nativeRun(1);
    const out = body(
      await ebcdicRuntime.invoke(JSON.stringify({ files: { VARIN: { base64: vbInput.toString('base64') }, VAROUT: { s3: 's3://vb-out/results/{requestId}.vb' } } })),
    );
    // The program read what vargen writes natively: RDWs became format-1 headers, text ISO-8859-1, signs GnuCOBOL's.
    expect(Buffer.from(out.files.VARECHO.base64, 'base64').toString('hex')).toBe(cobc.input.toString('hex'));
    expect(out.files.VAROUT).toMatchObject({ bytes: vbOutput.length, records: 3 });
    const [bucket, key] = out.files.VAROUT.s3.replace('s3://', '').split(/\/(.*)/);
    const got = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).toString('hex')).toBe(vbOutput.toString('hex'));
    // and inline, the same records decoded
    const inline = body(await ebcdicRuntime.invoke(JSON.stringify({ files: { VARIN: { base64: vbInput.toString('base64') } } })));
    expect(inline.files.VAROUT).toEqual(results);
  });

  it('cuts records out of a stream wherever its chunks end (S3 delivers a file in pieces)', async () => {
    const spec = discoverPrograms(project).find((p) => p.name === 'varebcdic')!;
    const varin = programMetadata(spec).batch!.files.find((f) => f.ddName === 'VARIN')!;
    const through = (chunks: Buffer[]) => buffer(Readable.from(chunks).pipe(new Transcoder(varin, 'to-native', 'ascii', 1)));
    const whole = await through([vbInput]);
    expect(whole.toString('hex')).toBe(nativeRun(1).input.toString('hex'));
    const bytes = Array.from(vbInput, (b) => Buffer.from([b]));
    expect((await through(bytes)).toString('hex')).toBe(whole.toString('hex'));
  });

  const one = (data: Buffer) => ({ files: { VARIN: { base64: data.toString('base64') } } });
  const good = rdw(Buffer.concat([ebcdic('A00001NO ITEMS    '), hex('f0f0')]));
  it.each([
    ['a length beyond the FD\'s largest record', Buffer.concat([good, hex('0051 0000'), Buffer.alloc(77, 0x40)]), 'record 1 (at byte 24): its RDW says 77 bytes, outside the file\'s 20 to 76'],
    ['a length below its smallest', hex('0017 0000'), 'record 0 (at byte 0): its RDW says 19 bytes, outside the file\'s 20 to 76'],
    ['an RDW shorter than itself', hex('0002 0000'), 'record 0 (at byte 0): its RDW says 2 bytes, less than the RDW\'s own 4'],
    ['non-zero reserved bytes (a spanned segment)', Buffer.concat([hex('0018 0100'), good.subarray(4)]), 'record 0 (at byte 0): its RDW 00180100 has non-zero bytes 3-4'],
    ['a file cut inside a header', Buffer.concat([good, hex('00')]), 'record 1 (at byte 24): the file ends after 1 bytes of its 4-byte RDW'],
    ['a file cut inside a record', good.subarray(0, 10), 'record 0 (at byte 0): the file ends after 6 of its 20 bytes'],
    ['a record ending inside a zoned field', rdw(Buffer.concat([ebcdic('A00001NO ITEMS    '), hex('f0f1 0001250c f0')])), 'record 0: VI-QTY (PIC S9(3)) at offset 24: the 25-byte record ends inside it'],
  ])('refuses %s: Function.InvalidInputFile naming the file and record', async (_, data, message) => {
    const error = errorBody(await ebcdicRuntime.invoke(JSON.stringify(one(data))));
    expect(error.errorType).toBe('Function.InvalidInputFile');
    expect(error.errorMessage).toContain('file VARIN is not valid cp037 varin.cpy (record VI-REC): ');
    expect(error.errorMessage).toContain(message);
    expect(ebcdicRuntime.workDirs()).toEqual([]);
  });

  it('refuses a GnuCOBOL-framed file whose header is not one cobc writes', async () => {
    const runtime = await startBatchRuntime(bin, 'varbatch');
    try {
      const input = nativeRun(0).input;
      const reserved = Buffer.from(input);
      reserved[3] = 1;
      const tooLong = Buffer.concat([hex('004d 0000'), Buffer.alloc(77, 0x30)]);
      for (const [data, message] of [
        [reserved, 'record 0 (at byte 0): its header 00140001 has non-zero bytes 3-4 (COB_VARSEQ_FORMAT 0 writes zeros)'],
        [tooLong, 'record 0 (at byte 0): its COB_VARSEQ_FORMAT 0 header says 77 bytes, outside the file\'s 20 to 76'],
      ] as const) {
        const error = errorBody(await runtime.invoke(JSON.stringify(one(data))));
        expect(error.errorType).toBe('Function.InvalidInputFile');
        expect(error.errorMessage).toContain(`file VARIN is not valid utf-8 varin.cpy (record VI-REC): ${message}`);
      }
    } finally {
      await runtime.stop();
    }
  });
});
