// Batch mode through the real bootstrap: the payroll sample with inline and
// EBCDIC files, RETURN-CODE limits, every bad input, and the work directory
// removed whatever happened (success, error, timeout, crash).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './support/cobc.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBatchPrograms, startBatchRuntime, type BatchRuntime } from './support/batch.ts';
import { errorBody } from './support/runtime-harness.ts';
import type { InvocationOutcome } from '../dev/runtime-api-server.ts';

const ROOT = join(import.meta.dirname, '..');
let payroll: BatchRuntime;
let rc: BatchRuntime;
let bin: string;
let testBin: string;

beforeAll(async () => {
  bin = await buildBatchPrograms(join(ROOT, 'cobol'), ['paybatch']);
  testBin = await buildBatchPrograms(join(ROOT, 'test/cobol/batch'), ['rcbatch', 'hangbatch', 'crashbatch', 'idxbatch']);
  payroll = await startBatchRuntime(bin, 'paybatch');
  rc = await startBatchRuntime(testBin, 'rcbatch');
}, 240_000);

afterAll(async () => {
  await payroll?.stop();
  await rc?.stop();
});

function body(outcome: InvocationOutcome): any {
  if (outcome.kind !== 'response') throw new Error(`expected a response, got ${outcome.kind}: ${outcome.body.toString()}`);
  return JSON.parse(outcome.body.toString());
}

const ada = { emId: 'E00001', emName: 'Ada Lovelace', emDept: 'R&D', emPayRate: 25.5, emHours: 42.5, emStatus: 'A' };
const grace = { emId: 'E00002', emName: 'Grace Hopper', emDept: 'OPS', emPayRate: 30, emHours: 0, emStatus: 'L' };
const broken = { emId: 'E00003', emName: 'Bad Status', emDept: 'OPS', emPayRate: 10, emHours: 10, emStatus: 'X' };

describe('paybatch, the sample batch step', () => {
  it('reads inline records and answers the report lines and the payment records', async () => {
    const out = body(await payroll.invoke(JSON.stringify({ files: { EMPIN: [ada, grace] } })));
    expect(out.returnCode).toBe(0);
    // 40 h × 25.50 + 2.5 h × 38.25 = 1020 + 95.625 → 1115.63 (ROUNDED)
    expect(out.files.PAYOUT).toEqual([{ pmEmpId: 'E00001', pmDept: 'R&D', pmGross: 1115.63, pmHours: 42.5, pmMethod: 'BACS' }]);
    expect(out.files.PAYRPT[0]).toMatch(/^EMP-ID NAME/);
    expect(out.files.PAYRPT[1]).toMatch(/^E00001 Ada Lovelace\s+R&D\s+42\.5\s+1,115\.63$/);
    expect(out.files.PAYRPT[2]).toMatch(/^E00002 Grace Hopper\s+OPS\s+0\.0\s+0\.00 ON LEAVE$/);
    expect(out.files.PAYRPT[3]).toMatch(/^READ\s+2 PAID\s+1 SKIPPED\s+0 TOTAL\s+1,115\.63$/);
    expect(payroll.workDirs()).toEqual([]);
  });

  it('inline records of an EBCDIC file carry Latin-1 text, as the program reads it from the dataset', async () => {
    const out = body(await payroll.invoke(JSON.stringify({ files: { EMPIN: [{ ...ada, emName: 'José Müller' }] } })));
    expect(out.files.PAYRPT[1]).toMatch(/^E00001 José Müller\s+R&D/);
    const error = errorBody(await payroll.invoke(JSON.stringify({ files: { EMPIN: [{ ...ada, emName: 'Ada €' }] } })));
    expect(error.errorType).toBe('Function.InvalidEvent');
    expect(error.errorMessage).toContain('files.EMPIN[0].emName');
  });

  it('an employee skipped is RETURN-CODE 4, within maxReturnCode 4: success', async () => {
    const out = body(await payroll.invoke(JSON.stringify({ files: { EMPIN: [ada, broken] } })));
    expect(out.returnCode).toBe(4);
    expect(out.files.PAYRPT[2]).toMatch(/SKIPPED$/);
    expect(out.files.PAYOUT).toHaveLength(1);
  });

  it('reads an EBCDIC (cp037) master given as bytes: text as iconv IBM037, COMP-3 as is, zoned signs C/D', async () => {
    const ebcdic = (text: string) => execFileSync('iconv', ['-f', 'ISO-8859-1', '-t', 'IBM037'], { input: Buffer.from(text, 'latin1') });
    const record = (id: string, name: string, dept: string, packedRate: string, zonedHours: string, status: string) =>
      Buffer.concat([ebcdic(id.padEnd(6) + name.padEnd(20) + dept.padEnd(4)), Buffer.from(packedRate, 'hex'), Buffer.from(zonedHours, 'hex'), ebcdic(status + ' ')]);
    const data = Buffer.concat([
      record('E00010', 'José Müller', 'FIN', '0012345c', 'f0f4f0c0', 'A'), // 123.45 × 40.0
      record('E00011', 'Negative Hours', 'FIN', '0010000c', 'f0f0f1d5', 'A'), // hours -1.5: skipped
    ]);
    expect(data.length).toBe(80);
    const out = body(await payroll.invoke(JSON.stringify({ files: { EMPIN: { base64: data.toString('base64') } } })));
    expect(out.returnCode).toBe(4);
    expect(out.files.PAYOUT).toEqual([{ pmEmpId: 'E00010', pmDept: 'FIN', pmGross: 4938, pmHours: 40, pmMethod: 'BACS' }]);
    // The program saw ISO-8859-1 text; the report comes back as text again.
    expect(out.files.PAYRPT[1]).toMatch(/^E00010 José Müller\s+FIN\s+40\.0\s+4,938\.00$/);
    expect(out.files.PAYRPT[2]).toMatch(/^E00011 Negative Hours\s+FIN\s+-\s*1\.5\s+0\.00 SKIPPED$/);
  });

  it.each([
    [{ files: { EMPLOYEES: [] } }, 'Function.InvalidEvent', 'files.EMPLOYEES: the program has no file EMPLOYEES (its files: EMPIN, PAYRPT, PAYOUT)'],
    [{}, 'Function.InvalidEvent', 'files.EMPIN: no data for input EMPIN, in the event or in the configuration'],
    [{ files: { EMPIN: [ada, { ...ada, emHours: 1000 }] } }, 'Function.InvalidEvent', 'files.EMPIN[1].emHours: 1000 has too many digits'],
    [{ files: { EMPIN: [ada], PAYOUT: [] } }, 'Function.InvalidEvent', 'files.PAYOUT: PAYOUT is an output; the event may only name its target'],
    [{ files: { EMPIN: { base64: Buffer.alloc(39, 0x40).toString('base64') } } }, 'Function.InvalidInputFile', 'file EMPIN is not valid cp037 empmast.cpy (record EMP-MASTER): 39 bytes are not a whole number of 40-byte EMP-MASTER records'],
    [{ files: { EMPIN: { base64: Buffer.alloc(40, 0x40).toString('base64') } } }, 'Function.InvalidInputFile', 'record 0: EM-HOURS (PIC S9(3)V9) at offset 34: not a zoned decimal digit (bytes 40404040)'],
    [{ files: { EMPIN: { s3: 'not-a-url' } } }, 'Function.InvalidEvent', 'files.EMPIN: "s3" must be an s3://bucket/key URL'],
    [{ payroll: true }, 'Function.InvalidEvent', 'unknown member "payroll" in the event'],
    ['not json', 'Function.InvalidEvent', 'the event is not JSON'],
  ])('refuses a bad event %j: %s', async (event, errorType, message) => {
    const error = errorBody(await payroll.invoke(typeof event === 'string' ? event : JSON.stringify(event)));
    expect(error.errorType).toBe(errorType);
    expect(error.errorMessage).toContain(message);
    expect(payroll.workDirs()).toEqual([]);
  });
});

describe('RETURN-CODE and the step condition', () => {
  it('RETURN-CODE up to maxReturnCode is success, with the program stdout beside the files', async () => {
    expect(body(await rc.invoke(JSON.stringify({ files: { RCIN: ['004', 'second line'] } })))).toEqual({
      returnCode: 4,
      files: { RCOUT: ['004', 'second line'] },
      stdout: ['RCBATCH DONE'],
    });
  });

  it('above it the invocation fails naming the code, and the outputs are still listed', async () => {
    const outcome = await rc.invoke(JSON.stringify({ files: { RCIN: ['008', 'kept'] } }));
    const error = errorBody(outcome) as ReturnType<typeof errorBody> & { details: unknown };
    expect(error.errorType).toBe('Function.ProgramExitError');
    expect(error.errorMessage).toBe('program rcbatch ended with RETURN-CODE 8, above its maxReturnCode 4; its outputs were still written (details.files)');
    expect(error.details).toEqual({ returnCode: 8, files: { RCOUT: ['008', 'kept'] }, stdout: ['RCBATCH DONE'] });
    expect(rc.workDirs()).toEqual([]);
  });

  it('inline outputs over the response limit are Function.ResponseSizeTooLarge, pointing at an S3 target', async () => {
    const small = await startBatchRuntime(testBin, 'rcbatch', { COBOLAMBDA_MAX_RESPONSE_BYTES: '1000' });
    try {
      const error = errorBody(await small.invoke(JSON.stringify({ files: { RCIN: Array.from({ length: 30 }, (_, i) => `000 line ${i} ${'x'.repeat(40)}`) } })));
      expect(error.errorType).toBe('Function.ResponseSizeTooLarge');
      expect(error.errorMessage).toMatch(/^file RCOUT is 1580 bytes: the inline outputs exceed Lambda's 1000-byte response; name an S3 target for it \({"files": {"RCOUT": {"s3": "s3:\/\/bucket\/key"}}}\)$/);
      expect(small.workDirs()).toEqual([]);
    } finally {
      await small.stop();
    }
  });

  it('lines with line breaks or of the wrong type are refused by index', async () => {
    const error = errorBody(await rc.invoke(JSON.stringify({ files: { RCIN: ['ok', 'a\nb', 5] } })));
    expect(error.errorMessage).toBe('file RCIN does not fit lines: files.RCIN[1]: a line may not hold a line break; files.RCIN[2]: expected a string (one line), got 5');
  });
});

describe('file organisations', () => {
  it('indexed and relative files pass as bytes: written by a native cobc program, read and written by the function, read back natively', async () => {
    const dir = tempDir('idx');
    const gen = join(dir, 'idxgen');
    execFileSync('cobc', ['-x', '-o', gen, join(ROOT, 'test/cobol/idxgen.cbl')]);
    const run = (k: string, r: string) => execFileSync(gen, [], { env: { ...process.env, DD_KSDS: k, DD_RRDS: r } }).toString();
    expect(run(join(dir, 'k.dat'), join(dir, 'r.dat'))).toBe('NEW\nRNEW\n');
    const idx = await startBatchRuntime(testBin, 'idxbatch');
    try {
      const b64 = (f: string) => ({ base64: readFileSync(join(dir, f)).toString('base64') });
      const out = body(await idx.invoke(JSON.stringify({ files: { KSDS: b64('k.dat'), RRDS: b64('r.dat') } })));
      expect(out.stdout).toEqual(['ABCDEF RELATIVE3']);
      writeFileSync(join(dir, 'kout.dat'), Buffer.from(out.files.KOUT.base64, 'base64'));
      // The function's indexed output, read by the native program: key 0001 holds the relative record.
      expect(run(join(dir, 'kout.dat'), join(dir, 'r.dat'))).toBe('FOUND RELATI\nRFOUND RELATIVE3 \n');
    } finally {
      await idx.stop();
    }
  });
});

describe('the work directory is gone whatever happened', () => {
  it('after a timeout', async () => {
    const hang = await startBatchRuntime(testBin, 'hangbatch');
    try {
      const error = errorBody(await hang.invoke('{}', { deadlineMs: Date.now() + 1500 }));
      expect(error.errorType).toBe('Function.ProgramTimeout');
      expect(hang.workDirs()).toEqual([]);
    } finally {
      await hang.stop();
    }
  });

  it('after a crash', async () => {
    const crash = await startBatchRuntime(testBin, 'crashbatch');
    try {
      const error = errorBody(await crash.invoke('{}'));
      expect(error.errorType).toBe('Function.ProgramSignaled');
      expect(crash.workDirs()).toEqual([]);
      // and the next invocation gets a fresh one, and works the same way
      expect(errorBody(await crash.invoke('{}')).errorType).toBe('Function.ProgramSignaled');
      expect(crash.workDirs()).toEqual([]);
    } finally {
      await crash.stop();
    }
  });

  it('an input larger than the free space of the temporary directory is refused before it is written', async () => {
    const small = await startBatchRuntime(testBin, 'rcbatch', {}, { tmpSizeBytes: 2 * 1024 * 1024 });
    try {
      const big = Buffer.alloc(3 * 1024 * 1024, 'x\n').toString('base64');
      const error = errorBody(await small.invoke(JSON.stringify({ files: { RCIN: { base64: big } } })));
      expect(error.errorType).toBe('Function.InputFileTooLarge');
      expect(error.errorMessage).toMatch(/^file RCIN is 3\.0 MB, more than the 2\.0 MB free in .*cobolambda-batch-\w+; give the function more ephemeralStorageMb$/);
      // the bootstrap sees its own tmpfs; what it left there is checked through the process
      expect(body(await small.invoke(JSON.stringify({ files: { RCIN: ['000'] } }))).files.RCOUT).toEqual(['000']);
    } finally {
      await small.stop();
    }
  });

  it('a DD_ variable for a declared file in the function environment is refused at init', async () => {
    const clash = await startBatchRuntime(testBin, 'rcbatch', { DD_RCIN: '/etc/passwd' });
    try {
      const init = await clash.initError;
      expect(JSON.parse(init.body.toString()).errorMessage).toContain("DD_RCIN is set in the function's environment");
    } finally {
      await clash.stop();
    }
  });
});
