// cobc's -ftext-column moves the right margin of fixed-format text: a copybook
// written for 80 columns of text has items past column 72 that the default margin
// drops. The layout cobolambda reads from the program's cobcFlags must be the one
// cobc compiles, with the flag and without it; and a record-mode program built
// with the flag maps JSON through the wide layout end to end.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileProgram } from '../layer/build.ts';
import { MetadataError, programMetadata } from '../layer/metadata.ts';
import { discoverPrograms, type ProgramSettings } from '../layer/programs.ts';
import { encodeRecord, flattenLayout, type RecordLayout } from '../runtime/src/codecs/copybook/index.ts';
import { tempDir } from './support/cobc.ts';
import { itemProbe, PROBE_ITEMS, recordProbe, statement } from './support/copybook.ts';
import { errorBody, startBootstrap, type BootstrapHandle } from './support/runtime-harness.ts';

/** A fixed-format line: sequence number, indicator, program text in 8-72, then `wide` in 73-80 and an identifier in 81-88. */
const line = (seq: number, text: string, wide = '', indicator = ' '): string =>
  `${String(seq).padStart(6, '0')}${indicator}${text.padEnd(65, ' ')}${wide.padEnd(8, ' ')}WIDE${String(seq).padStart(4, '0')}`;
/** Program text whose `tail` ends in column 72. */
const endingAt72 = (head: string, tail: string): string => head.padEnd(65 - tail.length, ' ') + tail;

/** Columns 73-80 add an OCCURS, finish a PICTURE and carry on continued literals: all lost at the default margin. */
const WIDE_COPYBOOK = [
  line(100, '01  WIDE-REC.'),
  line(200, '    05  W-ID         PIC X(4)', 'OCCURS 3'),
  line(300, '        .'),
  line(400, endingAt72('    05  W-AMT PIC', 'S9(5)'), 'V99'),
  line(500, '        COMP-3.'),
  line(600, endingAt72('    05  W-NOTE PIC X(90) VALUE "', 'N'.repeat(34)), 'W'.repeat(8)),
  line(700, '    "TAIL".', '', '-'),
  // A continued literal on a line that ends early is padded with spaces up to the margin, wherever that is.
  '000800     05  W-PAD PIC X(80) VALUE "PAD',
  line(900, '    "END".', '', '-'),
].join('\n');

/** A project whose program wide.cbl (here only a COPY of the copybook, rewritten by the tests) is compiled with `cobcFlags`. */
function project(cobcFlags: string[]): string {
  const dir = tempDir('text-column');
  mkdirSync(join(dir, 'copybooks'));
  writeFileSync(join(dir, 'copybooks', 'widerec.cpy'), `${WIDE_COPYBOOK}\n`);
  // A shop's own cobc configuration: the default one with wider text (cobc finds it relative to the program).
  writeFileSync(join(dir, 'wide.conf'), 'include "default.conf"\ntext-column: 80\n');
  writeFileSync(join(dir, 'bad.conf'), 'include "default.conf"\ntext-column: 300\n');
  writeFileSync(join(dir, 'wide.cbl'), '       IDENTIFICATION DIVISION.\n       PROGRAM-ID. WIDE.\n       DATA DIVISION.\n       WORKING-STORAGE SECTION.\n       COPY widerec.\n');
  const settings: ProgramSettings = { mode: 'record', input: { copybook: 'widerec.cpy' }, output: { copybook: 'widerec.cpy' }, cobcFlags };
  writeFileSync(join(dir, 'cobolambda.json'), JSON.stringify({ programs: { wide: settings } }));
  return dir;
}

/** A program that prints the record's length, initial bytes and each item's offset and length as cobc compiles them. */
function probeProgram(layout: RecordLayout): string {
  const probes = flattenLayout(layout).flatMap((f, id) => itemProbe([...f.qualified.split(' '), ...(f.dimensions ? ['(1)'] : [])], id));
  return [
    '       IDENTIFICATION DIVISION.',
    '       PROGRAM-ID. WIDE.',
    '       DATA DIVISION.',
    '       WORKING-STORAGE SECTION.',
    ...PROBE_ITEMS,
    '       COPY widerec.',
    '       PROCEDURE DIVISION.',
    ...recordProbe('WIDE-REC', 'LEN'),
    statement(['DISPLAY', '"INIT|"', 'WITH', 'NO', 'ADVANCING']),
    statement(['DISPLAY', 'WIDE-REC']),
    ...probes,
    '           STOP RUN.',
    '',
  ].join('\n');
}

/** Record length, initial bytes and items as cobc compiles them with `flags`. */
function cobcView(dir: string, layout: RecordLayout, flags: string[]): { length: number; init: Buffer; items: string[] } {
  const source = join(dir, 'wide.cbl');
  writeFileSync(source, probeProgram(layout));
  const exe = join(dir, 'probe');
  execFileSync('cobc', ['-x', ...flags, '-I', join(dir, 'copybooks'), '-o', exe, source], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = execFileSync(exe, { stdio: ['ignore', 'pipe', 'pipe'] });
  const text = out.toString('latin1');
  const length = Number(text.match(/LEN\|(\d+)/)![1]);
  const start = out.indexOf('INIT|') + 5;
  const names = flattenLayout(layout).map((f) => f.qualified);
  const items = [...text.matchAll(/F\|(\d+)\|(\d+)\|(\d+)/g)].map((m) => `${names[Number(m[1])]} @${Number(m[2])} +${Number(m[3])}`);
  return { length, init: Buffer.from(out.subarray(start, start + length)), items };
}

const ourItems = (layout: RecordLayout): string[] => flattenLayout(layout).map((f) => `${f.qualified} @${f.field.offset} +${f.field.length}`);

describe('copybooks read with the text column of the cobcFlags, as cobc reads them', () => {
  const wide = [['-ftext-column=80'], ['-ftext-column', '80'], ['-std=ibm', '-ftext-column=80'], ['-conf=wide.conf'], ['-std=ibm', '-conf', 'wide.conf'], ['-ftext-column=80', '-std=mf']];
  const narrow = [[], ['-std=mf'], ['-ftext-column=72'], ['-conf=wide.conf', '-std=ibm'], ['-conf=wide.conf', '-ftext-column=72']];
  for (const flags of [...wide, ...narrow]) {
    it(`cobcFlags ${JSON.stringify(flags)}: the record length, every item's offset and length and the initial bytes are cobc's`, () => {
      const dir = project(flags);
      const [spec] = discoverPrograms(dir);
      const layout = programMetadata(spec!).input!;
      const cobc = cobcView(dir, layout, flags);
      expect(layout.length).toBe(cobc.length);
      expect(ourItems(layout)).toEqual(cobc.items);
      expect(cobc.items.length).toBe(flattenLayout(layout).length);
      expect(encodeRecord(layout, {}).toString('latin1')).toBe(cobc.init.toString('latin1'));
      // The columns past 72 matter: 3 × 4 + 4 + 90 + 80 with them, 4 + 3 + 90 + 80 without.
      expect(layout.length).toBe(wide.includes(flags) ? 186 : 177);
    });
  }

  it('a configuration cobc refuses is refused with what cobc says', () => {
    const dir = project(['-conf=bad.conf']);
    const [spec] = discoverPrograms(dir);
    expect(() => programMetadata(spec!)).toThrow(MetadataError);
    expect(() => programMetadata(spec!)).toThrow(/cobcFlags: cobc -conf=bad\.conf cannot be read for its text-column: .*bad\.conf.*text-column/s);
  });

  it('a text column cobc refuses is refused with the flag named', () => {
    for (const bad of ['-ftext-column=71', '-ftext-column=256', '-ftext-column=8O']) {
      const dir = project([bad]);
      const [spec] = discoverPrograms(dir);
      expect(() => programMetadata(spec!)).toThrow(MetadataError);
      expect(() => programMetadata(spec!)).toThrow(/-ftext-column=.* is not a column cobc accepts \(72\.\.255\)/);
      expect(() => execFileSync('cobc', ['-fsyntax-only', bad, '-I', join(dir, 'copybooks'), join(dir, 'copybooks', 'widerec.cpy')], { stdio: 'pipe' })).toThrow();
    }
  });
});

describe('a record-mode program built with -ftext-column=80, end to end', () => {
  let h: BootstrapHandle;

  beforeAll(async () => {
    const dir = project(['-ftext-column=80']);
    writeFileSync(
      join(dir, 'wide.cbl'),
      [
        '       IDENTIFICATION DIVISION.',
        '       PROGRAM-ID. WIDE.',
        '       ENVIRONMENT DIVISION.',
        '       INPUT-OUTPUT SECTION.',
        '       FILE-CONTROL.',
        '           SELECT IN-F ASSIGN TO "/dev/stdin" ORGANIZATION SEQUENTIAL.',
        '           SELECT OUT-F ASSIGN TO "/dev/stdout" ORGANIZATION SEQUENTIAL.',
        '       DATA DIVISION.',
        '       FILE SECTION.',
        '       FD  IN-F.',
        '       01  IN-RAW PIC X(186).',
        '       FD  OUT-F.',
        '       01  OUT-RAW PIC X(186).',
        '       WORKING-STORAGE SECTION.',
        '       COPY widerec.',
        '       PROCEDURE DIVISION.',
        '           OPEN INPUT IN-F OUTPUT OUT-F',
        '           READ IN-F INTO WIDE-REC',
        '           MOVE W-ID(3) TO W-ID(1)',
        '           COMPUTE W-AMT = W-AMT * 2',
        '           WRITE OUT-RAW FROM WIDE-REC',
        '           CLOSE IN-F OUT-F',
        '           STOP RUN.',
        '',
      ].join('\n'),
    );
    const [spec] = discoverPrograms(dir);
    const binDir = join(dir, 'opt', 'bin');
    const result = await compileProgram(spec!, binDir, { cacheDir: join(dir, 'cache') });
    expect(result.ok, result.messages).toBe(true);
    const metaDir = join(dir, 'opt', 'cobolambda', 'programs');
    mkdirSync(metaDir, { recursive: true });
    writeFileSync(join(metaDir, 'wide.json'), JSON.stringify(programMetadata(spec!)));
    h = await startBootstrap({ handler: 'wide', programDir: binDir });
  }, 240_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('maps the items past column 72 in and out', async () => {
    const outcome = await h.invoke(JSON.stringify({ wId: ['AAAA', 'BBBB', 'CCCC'], wAmt: 123.45, wNote: 'hello', wPad: 'pad' }));
    if (outcome.kind !== 'response') throw new Error(`expected a response: ${JSON.stringify(errorBody(outcome))}`);
    expect(JSON.parse(outcome.body.toString())).toEqual({ wId: ['CCCC', 'BBBB', 'CCCC'], wAmt: 246.9, wNote: 'hello', wPad: 'pad' });
  });
});
