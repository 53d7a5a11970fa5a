// Call mode end to end: the shipped samples and test subprograms built as
// `cobolambda build` builds them, run by the real bootstrap over a real Runtime
// API; the bytes compared with the same subprogram CALLed by a native COBOL
// driver (cobc as the oracle); abends compared with raw mode.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { callCodec } from '../runtime/src/codecs/call.ts';
import { isDiagnostic } from '../runtime/src/codecs/codec.ts';
import type { ProgramMetadata } from '../runtime/src/codecs/index.ts';
import type { RecordLayout } from '../runtime/src/codecs/copybook/index.ts';
import { TEST_COBOL_DIR, tempDir } from './support/cobc.ts';
import { buildProgramsLayer } from './support/project.ts';
import { errorBody, startBootstrap, type BootstrapHandle } from './support/runtime-harness.ts';

const SAMPLES = join(fileURLToPath(import.meta.url), '..', '..', 'cobol');
const CALL_TESTS = join(TEST_COBOL_DIR, 'call');
const sampleSettings = JSON.parse(readFileSync(join(SAMPLES, 'cobolambda.json'), 'utf8')).programs;

/** The samples (with their settings from cobol/cobolambda.json) and the abend pair in one cobol/ folder. */
function makeProject(): string {
  const dir = tempDir('call-project');
  mkdirSync(join(dir, 'copybooks'));
  mkdirSync(join(dir, 'lib'));
  for (const f of ['acctinq.cbl', 'intcalc.cbl']) copyFileSync(join(SAMPLES, f), join(dir, f));
  for (const f of ['acctcomm.cpy', 'intreq.cpy', 'intres.cpy']) copyFileSync(join(SAMPLES, 'copybooks', f), join(dir, 'copybooks', f));
  for (const f of ['abender.cbl', 'abendraw.cbl', 'abarea.cpy']) copyFileSync(join(CALL_TESTS, f), join(dir, f));
  copyFileSync(join(CALL_TESTS, 'abender.cbl'), join(dir, 'lib', 'abender.cbl'));
  writeFileSync(
    join(dir, 'cobolambda.json'),
    JSON.stringify({
      programs: {
        acctinq: sampleSettings.acctinq,
        intcalc: sampleSettings.intcalc,
        abender: { mode: 'call', using: ['abarea.cpy'], cobcFlags: ['-debug'] },
        abendraw: { cobcFlags: ['-debug'], subprograms: ['lib/abender.cbl'] },
      },
    }),
  );
  return dir;
}

const project = makeProject();
const layerDir = tempDir('call-layer');
let binDir: string;
const bootstraps = new Map<string, BootstrapHandle>();

function metadata(name: string): ProgramMetadata {
  return JSON.parse(readFileSync(join(layerDir, 'cobolambda', 'programs', `${name}.json`), 'utf8'));
}

async function invoke(name: string, event: unknown): Promise<{ response?: unknown; error?: ReturnType<typeof errorBody> }> {
  const out = await bootstraps.get(name)!.invoke(typeof event === 'string' ? event : JSON.stringify(event));
  return out.kind === 'response' ? { response: JSON.parse(out.body.toString()) } : { error: errorBody(out) };
}

beforeAll(async () => {
  binDir = await buildProgramsLayer(project, layerDir);
  for (const name of ['acctinq', 'intcalc', 'abender', 'abendraw']) bootstraps.set(name, await startBootstrap({ handler: name, programDir: binDir }));
}, 240_000);

afterAll(async () => {
  for (const b of bootstraps.values()) await b.stop();
});

const ADA = {
  caCustomerName: 'ADA LOVELACE',
  caBalance: 2500.75,
  caInterestRate: 1.25,
  caTxnCount: 2,
  caRecentTxn: [
    { caTxnDate: 20260102, caTxnType: 'D', caTxnAmount: 500 },
    { caTxnDate: 20251215, caTxnType: 'W', caTxnAmount: 120.1 },
    ...Array.from({ length: 3 }, () => ({ caTxnDate: 0, caTxnType: '', caTxnAmount: 0 })),
  ],
};

describe('acctinq: a COMMAREA program, unchanged', () => {
  it('answers an inquiry with the COMMAREA as the program left it; its DISPLAY goes to the log', async () => {
    const { response } = await invoke('acctinq', { caFunction: 'I', caAccountId: '0000012345' });
    expect(response).toEqual({ caFunction: 'I', caAccountId: '0000012345', caAmount: 0, ...ADA, caResponseCode: '00', caResponseMessage: '' });
    expect(bootstraps.get('acctinq')!.stderr()).toContain('ACCTINQ I 0000012345 RESPONSE 00');
  });

  it('posts a withdrawal: COMP-3 balance, the newest transaction first in the OCCURS', async () => {
    const { response } = (await invoke('acctinq', { caFunction: 'W', caAccountId: '0000012345', caAmount: 100.25 })) as { response: typeof ADA & Record<string, unknown> };
    expect(response.caBalance).toBe(2400.5);
    expect(response.caTxnCount).toBe(3);
    expect(response.caRecentTxn[0]).toEqual({ caTxnDate: expect.any(Number), caTxnType: 'W', caTxnAmount: 100.25 });
    expect(String(response.caRecentTxn[0]!.caTxnDate)).toMatch(/^20\d{6}$/);
    expect(response.caRecentTxn.slice(1, 3)).toEqual(ADA.caRecentTxn.slice(0, 2));
    expect(response.caResponseCode).toBe('00');
  });

  it.each([
    [{ caFunction: 'W', caAccountId: '0000067890', caAmount: 10.11 }, '30', 'INSUFFICIENT FUNDS'],
    [{ caFunction: 'I', caAccountId: '9999999999' }, '13', 'ACCOUNT NOT FOUND'],
    [{ caFunction: 'X', caAccountId: '0000012345' }, '22', 'FUNCTION MUST BE I, D OR W'],
    [{ caFunction: 'D', caAccountId: '0000012345', caAmount: -5 }, '21', 'AMOUNT MUST BE POSITIVE'],
  ])('%j: response code %s in the COMMAREA, RETURN-CODE 0', async (event, code, message) => {
    const { response } = (await invoke('acctinq', event)) as { response: Record<string, unknown> };
    expect(response).toMatchObject({ caResponseCode: code, caResponseMessage: message });
  });

  it('refuses an event that does not fit the COMMAREA before the program runs, naming each field', async () => {
    const before = bootstraps.get('acctinq')!.stderr().split('ACCTINQ ').length;
    const { error } = await invoke('acctinq', { caAccountId: '00000123456', caAmount: 'lots', caRecentTxn: [{ caTxnAmount: 1.234 }], caNickname: 'x' });
    expect(error!.errorType).toBe('Function.InvalidEvent');
    expect(error!.errorMessage).toMatch(/^the event does not fit the parameters of program acctinq \(parameter 1 \(.*acctcomm\.cpy, record DFHCOMMAREA\)\): /);
    expect(error!.stackTrace).toEqual([
      'caNickname: unknown field (not in the copybook)',
      'caAccountId: string of 11 bytes is longer than the 10 of PIC X(10)',
      'caAmount: not a number: "lots"',
      'caRecentTxn[0].caTxnAmount: 1.234 has too many decimals: 3, PIC S9(9)V99 allows 2',
    ]);
    expect((await invoke('acctinq', [{}])).error).toMatchObject({ errorType: 'Function.InvalidEvent', stackTrace: ['expected a JSON object for record DFHCOMMAREA, got an array'] });
    expect((await invoke('acctinq', 'not json')).error).toMatchObject({ errorType: 'Function.InvalidEvent', errorMessage: expect.stringMatching(/^call mode: the event is not JSON/) });
    expect(bootstraps.get('acctinq')!.stderr().split('ACCTINQ ').length).toBe(before);
  });
});

describe('intcalc: two USING parameters', () => {
  it('takes and answers an array, one object per parameter in USING order', async () => {
    const { response } = await invoke('intcalc', [{ irPrincipal: 10000, irAnnualRate: 5.25, irDays: 90, irDayBasis: 365 }, {}]);
    expect(response).toEqual([
      { irPrincipal: 10000, irAnnualRate: 5.25, irDays: 90, irDayBasis: 365 },
      { isInterest: 129.45, isMaturityAmount: 10129.45, isDailyRate: 0.00014384, isMessage: 'OK' },
    ]);
  });

  it('fields left out start from the copybook VALUEs', async () => {
    const { response } = (await invoke('intcalc', [{ irDays: 30 }, {}])) as { response: unknown[] };
    expect(response[0]).toEqual({ irPrincipal: 10000, irAnnualRate: 5.25, irDays: 30, irDayBasis: 365 });
  });

  it('refuses an event that is not one object per parameter', async () => {
    for (const event of [{ irDays: 1 }, [{}], [{}, {}, {}]]) {
      const { error } = await invoke('intcalc', event);
      expect(error!.errorType).toBe('Function.InvalidEvent');
      expect(error!.errorMessage).toMatch(/^call mode: program intcalc takes 2 parameters \(parameter 1 \(.*intreq\.cpy, record INT-REQUEST\), parameter 2 \(.*intres\.cpy, record INT-RESULT\)\): send an array of 2 objects/);
    }
    const { error } = await invoke('intcalc', [{ irDays: -1 }, { isMessage: 5 }]);
    expect(error!.stackTrace).toEqual(['[0].irDays: -1 is negative but PIC 9(4) has no sign (S)', '[1].isMessage: expected a string, got number 5']);
  });

  it('RETURN-CODE 8: Function.ProgramExitError naming the code, the parameters after the call in stackTrace', async () => {
    const { error } = await invoke('intcalc', [{ irDayBasis: 366 }, {}]);
    expect(error).toEqual({
      errorType: 'Function.ProgramExitError',
      errorMessage: 'program intcalc returned RETURN-CODE 8; stackTrace holds its parameters as they stand after the call',
      stackTrace: [
        JSON.stringify({ irPrincipal: 10000, irAnnualRate: 5.25, irDays: 90, irDayBasis: 366 }),
        JSON.stringify({ isInterest: 0, isMaturityAmount: 0, isDailyRate: 0, isMessage: 'DAY BASIS MUST BE 360 OR 365' }),
      ],
    });
  });
});

/** A COBOL main program that READs each parameter from a file, CALLs the program with them and WRITEs them back. */
function nativeDriver(programId: string, layouts: RecordLayout[]): string {
  const n = layouts.map((_, i) => i + 1);
  return [
    '       IDENTIFICATION DIVISION.',
    '       PROGRAM-ID. NATIVEDRV.',
    '       ENVIRONMENT DIVISION.',
    '       INPUT-OUTPUT SECTION.',
    '       FILE-CONTROL.',
    ...n.flatMap((i) => [
      `           SELECT P${i}-IN ASSIGN TO "p${i}.in" ORGANIZATION SEQUENTIAL.`,
      `           SELECT P${i}-OUT ASSIGN TO "p${i}.out" ORGANIZATION SEQUENTIAL.`,
    ]),
    '       DATA DIVISION.',
    '       FILE SECTION.',
    ...layouts.flatMap((l, i) => [
      `       FD  P${i + 1}-IN.`,
      `       01  P${i + 1}-IN-REC PIC X(${l.length}).`,
      `       FD  P${i + 1}-OUT.`,
      `       01  P${i + 1}-OUT-REC PIC X(${l.length}).`,
    ]),
    '       WORKING-STORAGE SECTION.',
    '       01  WS-RC PIC S9(9) SIGN LEADING SEPARATE.',
    ...layouts.map((l) => `           COPY ${basename(l.fileName, '.cpy')}.`),
    '       PROCEDURE DIVISION.',
    ...layouts.flatMap((l, i) => [
      `           OPEN INPUT P${i + 1}-IN OUTPUT P${i + 1}-OUT`,
      `           READ P${i + 1}-IN INTO ${l.name}`,
    ]),
    `           CALL "${programId}" USING ${layouts.map((l) => l.name).join(' ')}`,
    '           MOVE RETURN-CODE TO WS-RC',
    ...layouts.map((l, i) => `           WRITE P${i + 1}-OUT-REC FROM ${l.name}`),
    '           DISPLAY "RC=" WS-RC UPON SYSERR',
    '           MOVE 0 TO RETURN-CODE',
    '           STOP RUN.',
    '',
  ].join('\n');
}

describe('the same bytes as a native COBOL caller (cobc as the oracle)', () => {
  const cases: Array<[string, string, unknown[]]> = [
    ['acctinq', 'ACCTINQ', [{ caFunction: 'I', caAccountId: '0000012345' }, { caFunction: 'I', caAccountId: '0000024680' }, { caFunction: 'W', caAccountId: '0000067890', caAmount: 99.99 }, { caFunction: 'Q' }]],
    ['intcalc', 'INTCALC', [[{}, {}], [{ irDays: 0 }, { isMessage: 'left over' }], [{ irPrincipal: -2500.5, irAnnualRate: 99.9999, irDays: 9999, irDayBasis: 360 }, {}]]],
  ];

  it.each(cases)('%s', async (name, programId, events) => {
    const layouts = metadata(name).using!;
    const work = tempDir(`native-${name}`);
    const source = name === 'acctinq' ? 'acctinq.cbl' : 'intcalc.cbl';
    writeFileSync(join(work, 'drv.cbl'), nativeDriver(programId, layouts));
    execFileSync('cobc', ['-x', '-o', join(work, 'drv'), join(work, 'drv.cbl'), join(project, source), '-I', project, '-I', join(project, 'copybooks')], { cwd: work, stdio: 'pipe' });
    const codec = callCodec(name, layouts);
    const check = async (event: unknown) => {
      const areas = codec.encodeInput(Buffer.from(JSON.stringify(event)));
      if (isDiagnostic(areas)) throw new Error(areas.errorMessage);
      let at = 0;
      layouts.forEach((l, i) => {
        writeFileSync(join(work, `p${i + 1}.in`), areas.subarray(at, at + l.length));
        at += l.length;
      });
      const native = spawnSync(join(work, 'drv'), [], { cwd: work });
      expect(native.status, native.stderr.toString()).toBe(0);
      const nativeAreas = Buffer.concat(layouts.map((_, i) => readFileSync(join(work, `p${i + 1}.out`))));
      const nativeRc = Number(/RC=([+-]\d+)/.exec(native.stderr.toString())![1]);
      // The executable the build made, given the same areas on stdin.
      const bridge = spawnSync(join(binDir, name), [], { input: areas });
      expect(bridge.status).toBe(0);
      expect(bridge.stdout.subarray(0, -4).toString('hex')).toBe(nativeAreas.toString('hex'));
      expect(bridge.stdout.readInt32BE(bridge.stdout.length - 4)).toBe(nativeRc);
      // And the answer through the bootstrap is those bytes decoded.
      const expected = codec.decodeOutput({ stdout: Buffer.concat([nativeAreas, bridge.stdout.subarray(-4)]), exitCode: 0 });
      const out = await bootstraps.get(name)!.invoke(JSON.stringify(event));
      if (isDiagnostic(expected)) expect(errorBody(out)).toEqual(expected);
      else expect(out).toEqual({ kind: 'response', body: expected });
    };
    for (const event of events) await check(event);
    if (name === 'intcalc') {
      const request = fc.record({
        irPrincipal: fc.integer({ min: -99_999_999_999_99, max: 99_999_999_999_99 }).map((c) => c / 100),
        irAnnualRate: fc.integer({ min: 0, max: 99_9999 }).map((r) => r / 10000),
        irDays: fc.integer({ min: 0, max: 9999 }),
        irDayBasis: fc.constantFrom(360, 365, 0, 999),
      });
      await fc.assert(fc.asyncProperty(request, (r) => check([r, {}])), { numRuns: 15 });
    }
  }, 120_000);
});

describe('abends: the same errors as raw mode', () => {
  // abender in call mode; abendraw, a raw-mode main program CALLing the same subprogram.
  const same = (error: ReturnType<typeof errorBody>) => ({
    errorType: error.errorType,
    errorMessage: error.errorMessage.replaceAll('abendraw', 'abender').replaceAll('lib/abender.cbl', 'abender.cbl'),
    // In call mode the program's DISPLAY output is in the log, so in the stderr tail too; and its
    // caller is the C driver, where libcob's trace of statements has no line to show.
    stackTrace: error.stackTrace
      .filter((l) => !l.startsWith('abender: ') && !l.includes('Last statement of ABENDRAW'))
      .map((l) => l.replaceAll('lib/abender.cbl', 'abender.cbl')),
  });

  it.each(['subscript', 'stop-run', 'segv'])('%s', async (mode) => {
    const call = await invoke('abender', { abMode: mode });
    const raw = await invoke('abendraw', mode);
    expect(call.error, JSON.stringify(call)).toBeDefined();
    expect(same(call.error!)).toEqual(same(raw.error!));
    expect(call.error!.stackTrace).toContain(`abender: ${mode.padEnd(10)}`);
    expect((await invoke('abender', { abMode: 'fine' })).response).toEqual({ abMode: 'fine', abResult: 42, abNote: 'returned' });
  });

  it('never returns: Function.ProgramTimeout before the deadline in both modes, and the environment serves again', async () => {
    for (const [name, event] of [['abender', JSON.stringify({ abMode: 'hang' })], ['abendraw', 'hang']] as const) {
      const out = await bootstraps.get(name)!.invoke(event, { deadlineMs: Date.now() + 2_000 });
      expect(errorBody(out)).toMatchObject({ errorType: 'Function.ProgramTimeout', errorMessage: expect.stringMatching(new RegExp(`^program ${name} was stopped after [\\d.]+ seconds, before the invocation's deadline`)) });
    }
    expect((await invoke('abender', { abMode: 'fine' })).response).toMatchObject({ abResult: 42 });
  });

  it('pins what those errors are', async () => {
    expect((await invoke('abender', { abMode: 'subscript' })).error).toMatchObject({
      errorType: 'Function.ProgramExitError',
      errorMessage: expect.stringMatching(/^program abender exited with status 1: libcob: abender\.cbl:\d+: error: subscript of 'WS-TABLE' out of bounds: 0$/),
    });
    expect((await invoke('abender', { abMode: 'stop-run' })).error).toMatchObject({ errorType: 'Function.ProgramExitError', errorMessage: 'program abender exited with status 4' });
    expect((await invoke('abender', { abMode: 'segv' })).error).toMatchObject({ errorType: 'Function.ProgramSignaled', errorMessage: expect.stringMatching(/^program abender was killed by signal SIGSEGV/) });
  });

  it('divide by zero with -debug: cobc 3.1.2 raises no fatal error, so both programs go on', async () => {
    expect((await invoke('abender', { abMode: 'divide' })).response).toEqual({ abMode: 'divide', abResult: 0, abNote: 'after the division' });
    const raw = await bootstraps.get('abendraw')!.invoke('divide');
    expect(raw).toEqual({ kind: 'response', body: Buffer.from('abender: divide    \n+0000 after the division  \n') });
  });

  it('STOP RUN with status 0 inside the subprogram: raw mode succeeds, call mode says the parameters never came back', async () => {
    expect(await bootstraps.get('abendraw')!.invoke('stop-run-0')).toEqual({ kind: 'response', body: Buffer.from('abender: stop-run-0\n') });
    expect((await invoke('abender', { abMode: 'stop-run-0' })).error).toEqual({
      errorType: 'Function.ProgramExitError',
      errorMessage: 'program abender exited with status 0 without returning to its caller (a STOP RUN?), so its parameters never came back; end it with GOBACK or EXIT PROGRAM',
      stackTrace: [],
    });
  });

  it('RETURN-CODE other than 0 on GOBACK: the area in stackTrace; raw mode exits with it', async () => {
    expect((await invoke('abender', { abMode: 'rc' })).error).toEqual({
      errorType: 'Function.ProgramExitError',
      errorMessage: 'program abender returned RETURN-CODE 12; stackTrace holds its parameter as it stands after the call',
      stackTrace: [JSON.stringify({ abMode: 'rc', abResult: 0, abNote: 'returning 12' })],
    });
    expect((await invoke('abendraw', 'rc')).error).toMatchObject({ errorType: 'Function.ProgramExitError', errorMessage: 'program abendraw exited with status 12' });
  });
});
