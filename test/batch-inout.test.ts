// Batch mode's inout files (OPEN I-O, OPEN EXTEND): each program also runs
// natively (cobc -x, DD_<name> on a copy of the same input), and what the
// function gives back is compared with what the native run left in the file.
// S3 sources and targets go through a real S3-compatible server (s3rver).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBatchPrograms, startBatchRuntime, type BatchRuntime } from './support/batch.ts';
import { errorBody } from './support/runtime-harness.ts';
import { startS3Server, type S3Server } from './support/s3-server.ts';
import { tempDir } from './support/cobc.ts';
import type { InvocationOutcome } from '../dev/runtime-api-server.ts';

const ROOT = join(import.meta.dirname, '..');
const SOURCES = join(ROOT, 'test/cobol/batch-inout');
const work = tempDir('inout');
let s3: S3Server;
const runtimes: BatchRuntime[] = [];

const natives = new Map<string, string>();
/** A native cobc build of a test program (once per source): the oracle. */
function native(source: string): string {
  let exe = natives.get(source);
  if (!exe) {
    exe = join(work, `native-${source.replace(/\W/g, '_')}`);
    execFileSync('cobc', ['-x', '-I', join(SOURCES, 'copybooks'), '-o', exe, join(ROOT, 'test/cobol', source)]);
    natives.set(source, exe);
  }
  return exe;
}

/** Runs `exe` with DD_<dd> on a copy of `input`; the file's bytes afterwards and what it displayed. */
function runNative(exe: string, dd: string, input: Buffer): { data: Buffer; stdout: string } {
  const { files, stdout } = runNativeFiles(exe, { [dd]: input });
  return { data: files[dd]!, stdout };
}

/** The same with several files, by DD name. */
function runNativeFiles(exe: string, inputs: Record<string, Buffer>): { files: Record<string, Buffer>; stdout: string } {
  const dir = tempDir('inout-native');
  const env: Record<string, string> = {};
  for (const [dd, data] of Object.entries(inputs)) writeFileSync((env[`DD_${dd}`] = join(dir, `${dd}.dat`)), data);
  const stdout = execFileSync(exe, [], { env: { ...process.env, ...env } }).toString();
  return { files: Object.fromEntries(Object.keys(inputs).map((dd) => [dd, readFileSync(env[`DD_${dd}`]!)])), stdout };
}

/** acctupd built with its ACCTS file declared as `file`, in a folder of its own. */
async function acctupdWith(file: Record<string, unknown>): Promise<BatchRuntime> {
  const dir = tempDir('inout-variant');
  mkdirSync(join(dir, 'copybooks'));
  copyFileSync(join(SOURCES, 'acctupd.cbl'), join(dir, 'acctupd.cbl'));
  copyFileSync(join(SOURCES, 'copybooks/acct.cpy'), join(dir, 'copybooks/acct.cpy'));
  writeFileSync(join(dir, 'cobolambda.json'), JSON.stringify({ programs: { acctupd: { mode: 'batch', files: { ACCTS: { direction: 'inout', ...file } }, maxReturnCode: 4 } } }));
  return start(await buildBatchPrograms(dir, ['acctupd']), 'acctupd');
}

async function start(bin: string, handler: string): Promise<BatchRuntime> {
  const runtime = await startBatchRuntime(bin, handler, s3.env);
  runtimes.push(runtime);
  return runtime;
}

function body(outcome: InvocationOutcome): any {
  if (outcome.kind !== 'response') throw new Error(`expected a response, got ${outcome.kind}: ${outcome.body.toString()}`);
  return JSON.parse(outcome.body.toString());
}

async function object(bucket: string, key: string): Promise<Buffer> {
  const got = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await got.Body!.transformToByteArray());
}

const put = (bucket: string, key: string, data: Buffer) => s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: data }));
const b64 = (data: Buffer) => ({ base64: data.toString('base64') });

// ACCT-REC as GnuCOBOL stores it natively: ASCII text, COMP-3 balance, zoned count (ASCII signs: 0x70-0x79 negative).
const nativeAcct = (id: string, name: string, packedBal: string, zonedCount: string, status: string) =>
  Buffer.concat([Buffer.from(id.padEnd(6) + name.padEnd(14), 'latin1'), Buffer.from(packedBal, 'hex'), Buffer.from(zonedCount, 'latin1'), Buffer.from(status)]);
const accounts = Buffer.concat([
  nativeAcct('A00001', 'Ada Lovelace', '000123450c', '005', 'A'), // 1234.50, 5 → 1245.00, 6
  nativeAcct('A00002', 'Closed One', '000000100c', '002', 'C'), // left as it is
  nativeAcct('A00003', 'Grace Hopper', '000000500d', '00r', 'A'), // -5.00, -2 → 5.50, -1
]);

let acctupd: BatchRuntime;
let applog: BatchRuntime;
let idxupd: BatchRuntime;

beforeAll(async () => {
  s3 = await startS3Server(['master-in', 'master-out']);
  const bin = await buildBatchPrograms(SOURCES, ['acctupd', 'applog', 'idxupd']);
  [acctupd, applog, idxupd] = await Promise.all([start(bin, 'acctupd'), start(bin, 'applog'), start(bin, 'idxupd')]);
}, 240_000);

afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.stop()));
  await s3?.close();
});

describe('OPEN I-O and REWRITE on a sequential file of fixed records', () => {
  it('inline records in, the updated records back through the copybook', async () => {
    const out = body(await acctupd.invoke(JSON.stringify({ files: { ACCTS: b64(accounts) } })));
    expect(out).toEqual({
      returnCode: 0,
      files: {
        ACCTS: [
          { acId: 'A00001', acName: 'Ada Lovelace', acBal: 1245, acCount: 6, acStatus: 'A' },
          { acId: 'A00002', acName: 'Closed One', acBal: 1, acCount: 2, acStatus: 'C' },
          { acId: 'A00003', acName: 'Grace Hopper', acBal: 5.5, acCount: -1, acStatus: 'A' },
        ],
      },
      stdout: ['UPDATED 0002'],
    });
    // The same records given as JSON come back the same way.
    expect(body(await acctupd.invoke(JSON.stringify({ files: { ACCTS: out.files.ACCTS.slice(1, 2) } }))).files.ACCTS).toEqual(out.files.ACCTS.slice(1, 2));
    expect(acctupd.workDirs()).toEqual([]);
  });

  it('as bytes, the file the function gives back is byte for byte the one cobc leaves', async () => {
    const bytes = await acctupdWith({ format: 'bytes' });
    const out = body(await bytes.invoke(JSON.stringify({ files: { ACCTS: b64(accounts) } })));
    const oracle = runNative(native('batch-inout/acctupd.cbl'), 'ACCTS', accounts);
    expect(Buffer.from(out.files.ACCTS.base64, 'base64').toString('hex')).toBe(oracle.data.toString('hex'));
    expect(oracle.data.equals(accounts)).toBe(false);
    expect(out.stdout).toEqual([oracle.stdout.trimEnd()]);
  });

  it('RETURN-CODE above maxReturnCode fails the invocation and lists the updated file in details', async () => {
    const failing = Buffer.concat([accounts, nativeAcct('A00004', 'Bad Status', '000000000c', '000', 'X')]);
    const error = errorBody(await acctupd.invoke(JSON.stringify({ files: { ACCTS: b64(failing) } }))) as ReturnType<typeof errorBody> & { details: any };
    expect(error.errorType).toBe('Function.ProgramExitError');
    expect(error.errorMessage).toBe('program acctupd ended with RETURN-CODE 8, above its maxReturnCode 4; its outputs were still written (details.files)');
    expect(error.details.returnCode).toBe(8);
    expect(error.details.files.ACCTS.map((r: { acBal: number }) => r.acBal)).toEqual([1245, 1, 5.5, 0]);
    expect(acctupd.workDirs()).toEqual([]);
  });

  it.each([
    [{}, 'files.ACCTS: no data for inout file ACCTS, in the event or in the configuration; {"files": {"ACCTS": {"empty": true}}} starts it from an empty file'],
    [{ files: { ACCTS: { to: 's3://master-out/x.dat' } } }, 'files.ACCTS: no data for inout file ACCTS'],
    [{ files: { ACCTS: { empty: false } } }, 'files.ACCTS: an empty start is {"empty": true} (with "to" at most), got {"empty":false}'],
    [{ files: { ACCTS: { base64: '', to: 'master-out/x.dat' } } }, 'files.ACCTS.to: "s3" must be an s3://bucket/key URL, got "master-out/x.dat"'],
    [
      { files: { ACCTS: { s3: 's3://master-in/x.dat', to: 's3://master-out/x.dat', from: 'x' } } },
      'files.ACCTS: expected an array of records (JSON objects), {"base64": "..."} or {"s3": "s3://bucket/key"} (an inout file may also be {"empty": true}, and add "to": "s3://bucket/key" to any of these but the array)',
    ],
    [{ files: { ACCTS: { base64: Buffer.alloc(30).toString('base64') } } }, 'file ACCTS is not valid utf-8 acct.cpy (record ACCT-REC): 30 bytes are not a whole number of 29-byte ACCT-REC records'],
  ])('refuses %j', async (event, message) => {
    const error = errorBody(await acctupd.invoke(JSON.stringify(event)));
    expect(error.errorMessage).toContain(message);
    expect(acctupd.workDirs()).toEqual([]);
  });

  it('a program whose OPEN I-O finds an empty file (started with {"empty": true}) reads nothing and gives back an empty file', async () => {
    expect(body(await acctupd.invoke(JSON.stringify({ files: { ACCTS: { empty: true } } })))).toEqual({ returnCode: 0, files: { ACCTS: [] }, stdout: ['UPDATED 0000'] });
  });
});

describe('OPEN EXTEND on a line sequential file', () => {
  const log = Buffer.from('old lüne\nsecond\n', 'latin1');

  it('the lines given stay, the appended ones follow, as cobc appends them', async () => {
    const out = body(await applog.invoke(JSON.stringify({ files: { RUNLOG: ['old lüne', 'second'] } })));
    expect(out.files.RUNLOG).toEqual(['old lüne', 'second', 'STEP APPLOG RAN', 'CHECK OK']);
    const oracle = runNative(native('batch-inout/applog.cbl'), 'RUNLOG', log);
    // The program pads LOG-LINE with spaces; LINE SEQUENTIAL drops them when written, as the response does.
    expect(Buffer.from(out.files.RUNLOG.map((l: string) => `${l}\n`).join(''), 'latin1').toString('hex')).toBe(oracle.data.toString('hex'));
  });

  it('{"empty": true} starts the file empty: OPEN EXTEND then writes its first lines', async () => {
    const oracle = runNative(native('batch-inout/applog.cbl'), 'RUNLOG', Buffer.alloc(0));
    const out = body(await applog.invoke(JSON.stringify({ files: { RUNLOG: { empty: true } } })));
    expect(out.files.RUNLOG).toEqual(['STEP APPLOG RAN', 'CHECK OK']);
    expect(oracle.data.toString('latin1')).toBe('STEP APPLOG RAN\nCHECK OK\n');
  });
});

describe('indexed and relative files updated in place (READ by key, REWRITE, WRITE, DELETE)', () => {
  it('gives back the Berkeley DB file, holding what the native run left, and the relative file byte for byte', async () => {
    const tool = native('idxtool.cbl');
    const dir = tempDir('inout-idx');
    writeFileSync(join(dir, 'load.txt'), '0001FIRST\n0002SECOND\n0003THIRD\n');
    execFileSync(tool, [], { env: { ...process.env, IDXMODE: 'LOAD', DD_LOADIN: join(dir, 'load.txt'), DD_KSDS: join(dir, 'master.dat'), DD_RRDS: join(dir, 'slots.dat') } });
    const master = readFileSync(join(dir, 'master.dat'));
    const slots = readFileSync(join(dir, 'slots.dat'));
    const list = (file: string) => execFileSync(tool, [], { env: { ...process.env, DD_KSDS: file } }).toString();

    const out = body(await idxupd.invoke(JSON.stringify({ files: { KSDS: b64(master), RRDS: b64(slots) } })));
    writeFileSync(join(dir, 'function.dat'), Buffer.from(out.files.KSDS.base64, 'base64'));
    const oracle = runNativeFiles(native('batch-inout/idxupd.cbl'), { KSDS: master, RRDS: slots });
    writeFileSync(join(dir, 'native.dat'), oracle.files.KSDS!);

    expect(out.stdout).toEqual(oracle.stdout.trimEnd().split('\n').map((l) => l.trimEnd()));
    expect(out.stdout).toEqual(['OPEN 00', 'READ 0002 00 SECOND', 'REWRITE 00', 'WRITE 00', 'DELETE 00', 'RREAD 2 00 SECOND', 'RELATIVE 00']);
    // Compared by content, not bytes: a Berkeley DB file's pages are the library's business.
    expect(list(join(dir, 'function.dat'))).toBe(list(join(dir, 'native.dat')));
    expect(list(join(dir, 'function.dat')).split('\n').map((l) => l.trimEnd())).toEqual(['0001FIRST', '0002REWRITTEN', '0009NEW KEY', '']);
    // A relative file is plain fixed slots (a length word, then the record): compared byte for byte.
    const relative = Buffer.from(out.files.RRDS.base64, 'base64');
    expect(relative.toString('hex')).toBe(oracle.files.RRDS!.toString('hex'));
    expect(relative.equals(slots)).toBe(false);
  });
});

describe('inout files in S3', () => {
  it('read from one object, written to another: the source stays, the target holds what cobc leaves', async () => {
    await put('master-in', 'acct/master.dat', accounts);
    const out = body(
      await acctupd.invoke(JSON.stringify({ files: { ACCTS: { s3: 's3://master-in/acct/master.dat', to: 's3://master-out/acct/{requestId}.dat' } } }), { requestId: 'run-1' }),
    );
    expect(out.files.ACCTS).toEqual({ s3: 's3://master-out/acct/run-1.dat', bytes: accounts.length, records: 3 });
    const oracle = runNative(native('batch-inout/acctupd.cbl'), 'ACCTS', accounts);
    expect((await object('master-out', 'acct/run-1.dat')).toString('hex')).toBe(oracle.data.toString('hex'));
    expect((await object('master-in', 'acct/master.dat')).equals(accounts)).toBe(true);
  });

  it('from S3 without a target, the file comes back inline: the source is never written unless the target names it', async () => {
    await put('master-in', 'acct/inline.dat', accounts);
    const out = body(await acctupd.invoke(JSON.stringify({ files: { ACCTS: { s3: 's3://master-in/acct/inline.dat' } } })));
    expect(out.files.ACCTS.map((r: { acBal: number }) => r.acBal)).toEqual([1245, 1, 5.5]);
    expect((await object('master-in', 'acct/inline.dat')).equals(accounts)).toBe(true);
  });

  it('in place when the target is the source; after a failed step the source is kept as it was', async () => {
    await put('master-in', 'acct/inplace.dat', accounts);
    const inPlace = { s3: 's3://master-in/acct/inplace.dat', to: 's3://master-in/acct/inplace.dat' };
    expect(body(await acctupd.invoke(JSON.stringify({ files: { ACCTS: inPlace } }))).files.ACCTS).toEqual({ s3: inPlace.to, bytes: 87, records: 3 });
    const once = await object('master-in', 'acct/inplace.dat');
    expect(once.toString('hex')).toBe(runNative(native('batch-inout/acctupd.cbl'), 'ACCTS', accounts).data.toString('hex'));

    await put('master-in', 'acct/inplace.dat', Buffer.concat([once, nativeAcct('A00004', 'Bad Status', '000000000c', '000', 'X')]));
    const before = await object('master-in', 'acct/inplace.dat');
    const error = errorBody(await acctupd.invoke(JSON.stringify({ files: { ACCTS: inPlace } }))) as ReturnType<typeof errorBody> & { details: any };
    expect(error.errorMessage).toBe(
      'program acctupd ended with RETURN-CODE 8, above its maxReturnCode 4; its outputs were still written (details.files); ACCTS was not written back over s3://master-in/acct/inplace.dat, its source, so the step can run again',
    );
    expect(error.details.files.ACCTS).toEqual({ s3: 's3://master-in/acct/inplace.dat', written: false });
    expect((await object('master-in', 'acct/inplace.dat')).equals(before)).toBe(true);
    // With a target of its own the failed step's file is written, as outputs are.
    const elsewhere = errorBody(await acctupd.invoke(JSON.stringify({ files: { ACCTS: { s3: inPlace.s3, to: 's3://master-out/acct/failed.dat' } } }))) as ReturnType<typeof errorBody> & { details: any };
    expect(elsewhere.errorMessage).toBe('program acctupd ended with RETURN-CODE 8, above its maxReturnCode 4; its outputs were still written (details.files)');
    expect(elsewhere.details.files.ACCTS).toEqual({ s3: 's3://master-out/acct/failed.dat', bytes: 116, records: 4 });
    expect((await object('master-out', 'acct/failed.dat')).equals(before)).toBe(false);
  });

  it('an EBCDIC (cp037) master: configured source and target, translated both ways through the copybook', async () => {
    const ebcdic = (text: string) => execFileSync('iconv', ['-f', 'ISO-8859-1', '-t', 'IBM037'], { input: Buffer.from(text, 'latin1') });
    const acct = (id: string, name: string, packedBal: string, zonedCount: string, status: string) =>
      Buffer.concat([ebcdic(id.padEnd(6) + name.padEnd(14)), Buffer.from(packedBal, 'hex'), Buffer.from(zonedCount, 'hex'), ebcdic(status)]);
    await put('master-in', 'ebc/master.dat', Buffer.concat([acct('E00001', 'José Müller', '000123450c', 'f0f0f5', 'A'), acct('E00002', 'Negative', '000000500d', 'f0f0d2', 'A')]));
    const ebc = await acctupdWith({ copybook: 'acct.cpy', encoding: 'cp037', s3: 's3://master-in/ebc/master.dat', to: 's3://master-out/ebc/{requestId}.dat' });

    const out = body(await ebc.invoke('{}', { requestId: 'ebc-1' }));
    expect(out.files.ACCTS).toEqual({ s3: 's3://master-out/ebc/ebc-1.dat', bytes: 58, records: 2 });
    // As a mainframe stores the updated records: EBCDIC text, COMP-3 as is, zoned counts with IBM's C/D signs.
    expect((await object('master-out', 'ebc/ebc-1.dat')).toString('hex')).toBe(
      Buffer.concat([acct('E00001', 'José Müller', '000124500c', 'f0f0c6', 'A'), acct('E00002', 'Negative', '000000550c', 'f0f0d1', 'A')]).toString('hex'),
    );
    // The event's target overrides the configured one, its source still the configured one.
    const override = body(await ebc.invoke(JSON.stringify({ files: { ACCTS: { to: 's3://master-out/ebc/override.dat' } } })));
    expect(override.files.ACCTS).toEqual({ s3: 's3://master-out/ebc/override.dat', bytes: 58, records: 2 });
    expect((await object('master-out', 'ebc/override.dat')).equals(await object('master-out', 'ebc/ebc-1.dat'))).toBe(true);
    // Inline records (Latin-1 text) in, the configured target out.
    const inline = body(await ebc.invoke(JSON.stringify({ files: { ACCTS: [{ acId: 'E00003', acName: 'Zoë', acBal: -1, acCount: 0, acStatus: 'A' }] } }), { requestId: 'ebc-2' }));
    expect(inline.files.ACCTS).toEqual({ s3: 's3://master-out/ebc/ebc-2.dat', bytes: 29, records: 1 });
    expect((await object('master-out', 'ebc/ebc-2.dat')).toString('hex')).toBe(acct('E00003', 'Zoë', '000000950c', 'f0f0c1', 'A').toString('hex'));
  });
});
