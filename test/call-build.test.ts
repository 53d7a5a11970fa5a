// Call mode at build time: every LINKAGE shape that cannot be CALLed with the
// `using` copybooks is refused with a message naming the program, the item and
// the copybook; nothing is written for it.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { compileProgram } from '../layer/build.ts';
import { readCallInterface, callStubSource } from '../layer/call-driver.ts';
import { discoverPrograms, ProgramDiscoveryError } from '../layer/programs.ts';
import { programMetadata } from '../layer/metadata.ts';
import { callCodec } from '../runtime/src/codecs/call.ts';
import { tempDir } from './support/cobc.ts';

const fixed = (...lines: string[]) => lines.map((l) => `       ${l}`).join('\n') + '\n';

const AREA_20 = fixed('01  LK-AREA.', '    05  LK-CODE  PIC X(4).', '    05  LK-AMT   PIC S9(7)V99 COMP-3.', '    05  LK-REST  PIC X(11).');
const AREA_21 = fixed('01  LK-AREA.', '    05  LK-CODE  PIC X(4).', '    05  LK-AMT   PIC S9(7)V99 COMP-3.', '    05  LK-REST  PIC X(12).');

function subprogram(programId: string, linkage: string[], procedure: string): string {
  return fixed(
    'IDENTIFICATION DIVISION.',
    `PROGRAM-ID. ${programId}.`,
    'DATA DIVISION.',
    ...(linkage.length ? ['LINKAGE SECTION.', ...linkage] : []),
    procedure,
    '    GOBACK.',
  );
}

/** One program `prog.cbl` in call mode with `using`, plus copybooks; compiled as the build compiles it. */
async function build(source: string, using: string[], copybooks: Record<string, string> = { 'lkarea.cpy': AREA_20 }) {
  const dir = tempDir('call-build');
  mkdirSync(join(dir, 'copybooks'));
  writeFileSync(join(dir, 'prog.cbl'), source);
  for (const [file, text] of Object.entries(copybooks)) writeFileSync(join(dir, 'copybooks', file), text);
  writeFileSync(join(dir, 'cobolambda.json'), JSON.stringify({ programs: { prog: { mode: 'call', using } } }));
  const [spec] = discoverPrograms(dir);
  const bin = join(dir, 'bin');
  const r = await compileProgram(spec!, bin, { cacheDir: join(dir, 'cache') });
  return { ...r, source: join(dir, 'prog.cbl'), dir, built: existsSync(join(bin, 'prog')) };
}

describe('call mode refuses what it cannot CALL, at build time', () => {
  it('a using copybook whose record length differs from the LINKAGE item (cobc says how long it is)', async () => {
    const r = await build(subprogram('LENPROG', ['COPY lkarea.'], 'PROCEDURE DIVISION USING LK-AREA.'), ['lkarea21.cpy'], { 'lkarea.cpy': AREA_20, 'lkarea21.cpy': AREA_21 });
    expect(r.ok).toBe(false);
    expect(r.built).toBe(false);
    expect(r.messages).toBe(
      `${r.source} (call mode): parameter 1 of PROGRAM-ID LENPROG, LK-AREA, is 20 bytes in the program's LINKAGE SECTION, ` +
        `but ${join(r.dir, 'copybooks', 'lkarea21.cpy')} (record LK-AREA) is 21 bytes: the program would read or write past what the event fills`,
    );
  }, 60_000);

  it('checks again when only a using copybook changes, though the program does not COPY it', async () => {
    const source = subprogram('INLINE', ['01  LK-AREA PIC X(20).'], 'PROCEDURE DIVISION USING LK-AREA.');
    const first = await build(source, ['lkarea.cpy']);
    expect(first.messages).toBe('');
    expect(first.ok).toBe(true);
    const [spec] = discoverPrograms(first.dir);
    expect((await compileProgram(spec!, join(first.dir, 'bin'), { cacheDir: join(first.dir, 'cache') })).cached).toBe(true);
    writeFileSync(join(first.dir, 'copybooks', 'lkarea.cpy'), AREA_21);
    const again = await compileProgram(spec!, join(first.dir, 'bin'), { cacheDir: join(first.dir, 'cache') });
    expect(again.ok).toBe(false);
    expect(again.messages).toContain('is 20 bytes in the program\'s LINKAGE SECTION, but');
  }, 120_000);

  it('a program with a LINKAGE SECTION but no PROCEDURE DIVISION USING', async () => {
    const r = await build(subprogram('NOUSING', ['COPY lkarea.'], 'PROCEDURE DIVISION.'), ['lkarea.cpy']);
    expect(r.ok).toBe(false);
    expect(r.messages).toBe(
      `PROGRAM-ID NOUSING (${r.source}) has a LINKAGE SECTION (LK-AREA) but no PROCEDURE DIVISION USING, so a caller cannot pass it anything: call mode needs PROCEDURE DIVISION USING <the parameters>`,
    );
  }, 60_000);

  it('a main program', async () => {
    const r = await build(fixed('IDENTIFICATION DIVISION.', 'PROGRAM-ID. HELLO.', 'PROCEDURE DIVISION.', '    DISPLAY "hello"', '    STOP RUN.'), ['lkarea.cpy']);
    expect(r.ok).toBe(false);
    expect(r.messages).toBe(
      `PROGRAM-ID HELLO (${r.source}) is a main program (no LINKAGE SECTION, no PROCEDURE DIVISION USING): call mode runs subprograms that take their data as parameters; use raw, lines or record mode for it`,
    );
  }, 60_000);

  it('a main program taking command-line arguments (PROCEDURE DIVISION CHAINING)', async () => {
    const source = fixed('IDENTIFICATION DIVISION.', 'PROGRAM-ID. CHAINER.', 'DATA DIVISION.', 'WORKING-STORAGE SECTION.', '01  ARG1 PIC X(20).', 'PROCEDURE DIVISION CHAINING ARG1.', '    STOP RUN.');
    const r = await build(source, ['lkarea.cpy']);
    expect(r.ok).toBe(false);
    expect(r.messages).toMatch(/^PROGRAM-ID CHAINER \(.*\) is a main program: PROCEDURE DIVISION CHAINING takes command-line arguments;/);
  }, 60_000);

  it('more or fewer parameters than using lists', async () => {
    const two = subprogram('TWOPARMS', ['COPY lkarea.', '01  LK-OTHER PIC X(5).'], 'PROCEDURE DIVISION USING LK-AREA LK-OTHER.');
    const fewer = await build(two, ['lkarea.cpy']);
    expect(fewer.ok).toBe(false);
    expect(fewer.messages).toBe(
      `${fewer.source} (call mode): "using" lists 1 copybook(s) (${join(fewer.dir, 'copybooks', 'lkarea.cpy')}), but PROGRAM-ID TWOPARMS has 2 parameter(s): ` +
        'PROCEDURE DIVISION USING LK-AREA LK-OTHER; list one copybook per parameter, in order',
    );
    const more = await build(subprogram('ONEPARM', ['COPY lkarea.'], 'PROCEDURE DIVISION USING LK-AREA.'), ['lkarea.cpy', 'lkarea.cpy']);
    expect(more.messages).toMatch(/"using" lists 2 copybook\(s\) .* but PROGRAM-ID ONEPARM has 1 parameter\(s\): PROCEDURE DIVISION USING LK-AREA;/);
  }, 60_000);

  it('a parameter passed BY VALUE', async () => {
    const r = await build(subprogram('BYVAL', ['COPY lkarea.', '01  LK-N PIC S9(9) COMP-5.'], 'PROCEDURE DIVISION USING LK-AREA BY VALUE LK-N.'), ['lkarea.cpy', 'lkarea.cpy']);
    expect(r.ok).toBe(false);
    expect(r.messages).toContain(`PROGRAM-ID BYVAL (${r.source}): parameter 2 (LK-N) is passed BY VALUE; call mode passes every parameter BY REFERENCE`);
  }, 60_000);

  it('a using copybook that does not exist', async () => {
    const r = await build(subprogram('NOCPY', ['COPY lkarea.'], 'PROCEDURE DIVISION USING LK-AREA.'), ['nosuch.cpy']);
    expect(r.ok).toBe(false);
    expect(r.messages).toMatch(/prog\.cbl: call mode parameter 1 \(using\) copybook nosuch\.cpy not found in /);
  }, 60_000);

  it('call mode without using, or with a using that is not copybooks, in cobolambda.json', () => {
    for (const [settings, message] of [
      [{ mode: 'call' }, 'programs.prog needs "using" in mode "call"'],
      [{ mode: 'call', using: [] }, 'programs.prog.using is []; expected at least 1 entry'],
      [{ mode: 'call', using: 'lkarea.cpy' }, 'programs.prog.using is "lkarea.cpy"; expected an array'],
      [{ mode: 'call', using: [5] }, 'programs.prog.using["0"] is 5; expected a copybook file name, or {"copybook": "name.cpy"'],
    ] as const) {
      const dir = tempDir('call-config');
      writeFileSync(join(dir, 'prog.cbl'), subprogram('P', [], 'PROCEDURE DIVISION.'));
      writeFileSync(join(dir, 'cobolambda.json'), JSON.stringify({ programs: { prog: settings } }));
      expect(() => discoverPrograms(dir)).toThrow(ProgramDiscoveryError);
      expect(() => discoverPrograms(dir)).toThrow(message);
    }
  });
});

describe('a call-mode program with subprograms', () => {
  it('CALLs a nested program and one linked through subprograms, all in one executable', async () => {
    const dir = tempDir('call-subprograms');
    mkdirSync(join(dir, 'lib'));
    writeFileSync(
      join(dir, 'outer.cbl'),
      fixed(
        'IDENTIFICATION DIVISION.',
        'PROGRAM-ID. OUTERPGM.',
        'DATA DIVISION.',
        'LINKAGE SECTION.',
        '01  LK-AREA PIC X(20).',
        'PROCEDURE DIVISION USING LK-AREA.',
        '    CALL "NESTED" USING LK-AREA',
        '    CALL "LINKED" USING LK-AREA',
        '    GOBACK.',
        'IDENTIFICATION DIVISION.',
        'PROGRAM-ID. NESTED.',
        'DATA DIVISION.',
        'LINKAGE SECTION.',
        '01  LK-X PIC X(20).',
        'PROCEDURE DIVISION USING LK-X.',
        '    MOVE "nested" TO LK-X (1:6)',
        '    GOBACK.',
        'END PROGRAM NESTED.',
        'END PROGRAM OUTERPGM.',
      ),
    );
    writeFileSync(join(dir, 'lib', 'linked.cbl'), subprogram('LINKED', ['01  LK-Y PIC X(20).'], 'PROCEDURE DIVISION USING LK-Y.\n           MOVE "linked" TO LK-Y (8:6)'));
    writeFileSync(join(dir, 'area.cpy'), fixed('01  AREA PIC X(20).'));
    writeFileSync(join(dir, 'cobolambda.json'), JSON.stringify({ programs: { outer: { mode: 'call', using: ['area.cpy'], subprograms: ['lib/linked.cbl'] } } }));
    const [spec] = discoverPrograms(dir);
    const r = await compileProgram(spec!, join(dir, 'bin'), { cacheDir: join(dir, 'cache') });
    expect(r.messages).toBe('');
    const run = spawnSync(join(dir, 'bin', 'outer'), [], { input: Buffer.from('x'.repeat(20)) });
    expect(run.status).toBe(0);
    expect(run.stdout.toString('latin1')).toBe('nestedxlinkedxxxxxxx\0\0\0\0');
  }, 120_000);

  it('takes exactly the bytes of its parameters on stdin when run by hand (a PROGRAM-ID cobc renames in C)', async () => {
    const dir = tempDir('call-by-hand');
    writeFileSync(join(dir, 'prog.cbl'), subprogram('BY-HAND', ['01  LK-AREA PIC X(5).'], 'PROCEDURE DIVISION USING LK-AREA.'));
    writeFileSync(join(dir, 'area.cpy'), fixed('01  AREA PIC X(5).'));
    writeFileSync(join(dir, 'cobolambda.json'), JSON.stringify({ programs: { prog: { mode: 'call', using: ['area.cpy'] } } }));
    const [spec] = discoverPrograms(dir);
    expect((await compileProgram(spec!, join(dir, 'bin'), { cacheDir: join(dir, 'cache') })).ok).toBe(true);
    const exact = spawnSync(join(dir, 'bin', 'prog'), [], { input: Buffer.from('abcde') });
    expect(exact.status).toBe(0);
    expect(exact.stdout.toString('latin1')).toBe('abcde\0\0\0\0');
    for (const [input, message] of [['abc', 'got 3'], ['abcdefg', 'got more than 5']] as const) {
      const run = spawnSync(join(dir, 'bin', 'prog'), [], { input: Buffer.from(input) });
      expect(run.status).toBe(64);
      expect(run.stdout.length).toBe(0);
      expect(run.stderr.toString()).toBe(`cobolambda: BY-HAND takes 5 bytes of parameters on stdin, ${message}\n`);
    }
  }, 120_000);
});

describe('record settings apply to the parameters', () => {
  it('fields as base64: any bytes through the area, a newline and 0xFF included', async () => {
    const dir = tempDir('call-settings');
    writeFileSync(join(dir, 'blob.cbl'), subprogram('BLOB', ['COPY blobarea.'], 'PROCEDURE DIVISION USING LK-AREA.\n           MOVE LK-BLOB TO LK-COPY'));
    writeFileSync(join(dir, 'blobarea.cpy'), fixed('01  LK-AREA.', '    05  LK-BLOB PIC X(4).', '    05  LK-COPY PIC X(4).'));
    writeFileSync(join(dir, 'cobolambda.json'), JSON.stringify({ programs: { blob: { mode: 'call', using: ['blobarea.cpy'], fields: { 'LK-BLOB': 'base64', 'LK-COPY': 'base64' } } } }));
    const [spec] = discoverPrograms(dir);
    expect((await compileProgram(spec!, join(dir, 'bin'), { cacheDir: join(dir, 'cache') })).ok).toBe(true);
    const codec = callCodec('blob', programMetadata(spec!).using!);
    const areas = codec.encodeInput(Buffer.from(JSON.stringify({ lkBlob: Buffer.from([0x00, 0x0a, 0xff, 0x80]).toString('base64') })));
    expect(Buffer.isBuffer(areas) && areas.subarray(0, 4).toString('hex')).toBe('000aff80');
    const run = spawnSync(join(dir, 'bin', 'blob'), [], { input: areas as Buffer });
    const answer = codec.decodeOutput({ stdout: run.stdout, exitCode: run.status! });
    expect(JSON.parse(answer.toString())).toEqual({ lkBlob: 'AAr/gA==', lkCopy: 'AAr/gA==' });
  }, 120_000);
});

describe('what cobc says a subprogram takes', () => {
  it('reads the outermost program of a source with a nested one, and its ODO table at its largest', async () => {
    const source = fixed(
      'IDENTIFICATION DIVISION.',
      'PROGRAM-ID. ACCT-OUTER.',
      'DATA DIVISION.',
      'LINKAGE SECTION.',
      '01  LK-HEAD PIC X(3).',
      '01  LK-TABLE.',
      '    05  LK-N PIC 9(2).',
      '    05  LK-ROW OCCURS 1 TO 10 DEPENDING ON LK-N PIC X(3).',
      'PROCEDURE DIVISION USING LK-HEAD LK-TABLE.',
      '    CALL "INNER" USING LK-HEAD',
      '    GOBACK.',
      'IDENTIFICATION DIVISION.',
      'PROGRAM-ID. INNER.',
      'DATA DIVISION.',
      'LINKAGE SECTION.',
      '01  LK-X PIC X(99).',
      'PROCEDURE DIVISION USING LK-X.',
      '    GOBACK.',
      'END PROGRAM INNER.',
      'END PROGRAM ACCT-OUTER.',
    );
    const dir = tempDir('call-probe');
    writeFileSync(join(dir, 'nested.cbl'), source);
    execFileSync('cobc', ['-C', '-fdump=LS', '-o', join(dir, 'nested.c'), join(dir, 'nested.cbl')], { cwd: dir });
    const iface = readCallInterface(readFileSync(join(dir, 'nested.c'), 'utf8'), 'nested.cbl');
    expect(iface).toEqual({
      programId: 'ACCT-OUTER',
      entry: 'ACCT__OUTER',
      parameters: [
        { name: 'LK-HEAD', length: 3 },
        { name: 'LK-TABLE', length: 32 },
      ],
    });
    expect(callStubSource(iface)).toContain('int cobolambda_call (unsigned char **areas) { return ACCT__OUTER (areas[0], areas[1]); }');
  }, 60_000);
});
