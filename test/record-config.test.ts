// The record-mode copybook settings of cobolambda.json, as build, dev and deploy
// read them: {"copybook", "replacing", "record"} for input and output, and the
// source format cobc reads the copybook in (its flags and the program's own
// >>SOURCE directive before the COPY). The program is compiled by cobc with the
// same settings and reports its record lengths: the metadata must agree.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverPrograms, ProgramDiscoveryError, type ProgramSettings } from '../layer/programs.ts';
import { programMetadata, MetadataError } from '../layer/metadata.ts';
import { TEST_COBOL_DIR, tempDir } from './support/cobc.ts';

const ESTATES = join(TEST_COBOL_DIR, 'copybooks', 'estates');

function project(settings: ProgramSettings, source: string, copybooks: string[]): string {
  const dir = tempDir('record-config');
  mkdirSync(join(dir, 'copybooks'));
  for (const c of copybooks) copyFileSync(join(ESTATES, c), join(dir, 'copybooks', c));
  writeFileSync(join(dir, 'trn.cbl'), source);
  writeFileSync(join(dir, 'cobolambda.json'), JSON.stringify({ programs: { trn: settings } }));
  return dir;
}

const PROGRAM = `       IDENTIFICATION DIVISION.
       PROGRAM-ID. TRN.
       DATA DIVISION.
       WORKING-STORAGE SECTION.
       COPY tagcust REPLACING ==:TAG:== BY ==CUST==.
       COPY trnrpt.
       PROCEDURE DIVISION.
           DISPLAY FUNCTION BYTE-LENGTH(CUST-ADDRESS-REC) "|"
                   FUNCTION BYTE-LENGTH(REPORT-DETAIL)
           STOP RUN.
`;

/** What the program compiled by cobc with the spec's flags prints. */
function runWithCobc(dir: string, flags: string[] = []): string {
  const exe = join(dir, 'trn');
  execFileSync('cobc', ['-x', ...flags, '-I', join(dir, 'copybooks'), '-o', exe, join(dir, 'trn.cbl')], { stdio: ['ignore', 'pipe', 'pipe'] });
  return execFileSync(exe).toString().trim();
}

describe('record-mode copybook settings', () => {
  it('{"copybook", "replacing"} and {"copybook", "record"} give the layouts cobc compiles', () => {
    const dir = project(
      {
        mode: 'record',
        input: { copybook: 'tagcust.cpy', replacing: { ':TAG:': 'CUST' } },
        output: { copybook: 'trnrpt.cpy', record: 'REPORT-DETAIL' },
      },
      PROGRAM,
      ['tagcust.cpy', 'trnrpt.cpy'],
    );
    const [spec] = discoverPrograms(dir);
    expect(spec!.input).toEqual({ copybook: 'tagcust.cpy', replacing: { ':TAG:': 'CUST' } });
    const meta = programMetadata(spec!);
    expect([meta.input!.name, meta.output!.name]).toEqual(['CUST-ADDRESS-REC', 'REPORT-DETAIL']);
    expect(meta.input!.fields.map((f) => f.jsonName)).toEqual(['custId', 'custAddrLine', 'custPostcode', 'custCountry', 'wsCustFlags']);
    const [inLength, outLength] = runWithCobc(dir).split('|').map(Number);
    expect([meta.input!.length, meta.output!.length]).toEqual([inLength, outLength]);
  });

  it('a plain string still names the copybook; tags without replacing and several 01s without "record" are refused, saying what to set', () => {
    const dir = project({ mode: 'record', input: 'tagcust.cpy', output: 'trnrpt.cpy' }, PROGRAM, ['tagcust.cpy', 'trnrpt.cpy']);
    const [spec] = discoverPrograms(dir);
    expect(() => programMetadata(spec!)).toThrow(/tagcust\.cpy:2: :TAG:-ADDRESS-REC: not a valid data name \(:TAG: looks like the tag of a tagged copybook: replace it, e\.g\. "replacing": \{":TAG:": "CUST"\}\)/);
    spec!.input = { copybook: 'tagcust.cpy', replacing: { ':TAG:': 'CUST' } };
    expect(() => programMetadata(spec!)).toThrow(MetadataError);
    expect(() => programMetadata(spec!)).toThrow(/trnrpt\.cpy:8: 01 REPORT-DETAIL: the copybook describes 3 records \(REPORT-NAME-HEADER, REPORT-DETAIL, REPORT-TOTALS\); name the one to map with "record"/);
  });

  it.each([
    [{ copybook: 5 }, /programs\.trn\.input\.copybook is 5; expected a string/],
    [{ copybook: 'a.cpy', replacng: {} }, /programs\.trn\.input\.replacng is not a setting \(known: copybook, record, replacing\)/],
    [{ copybook: 'a.cpy', replacing: { ':TAG:': 5 } }, /programs\.trn\.input\.replacing\[":TAG:"\] is 5; expected a string/],
    [{ copybook: 'a.cpy', replacing: [':TAG:'] }, /programs\.trn\.input\.replacing is \[":TAG:"\]; expected an object/],
    [{ copybook: 'a.cpy', record: 1 }, /programs\.trn\.input\.record is 1; expected a string/],
    [['a.cpy'], /programs\.trn\.input is \["a\.cpy"\]; expected a copybook file name, or \{"copybook"/],
  ])('refuses input %j clearly', (input, message) => {
    const dir = project({ mode: 'record', input: input as never, output: 'trnrpt.cpy' }, PROGRAM, []);
    expect(() => discoverPrograms(dir)).toThrow(ProgramDiscoveryError);
    expect(() => discoverPrograms(dir)).toThrow(message);
  });
});

describe('the source format of a record copybook is the one cobc reads it in', () => {
  /** A fixed-format program; with `directives`, it switches to free format around the COPY of the free copybook. */
  const freeProgram = (directives: boolean) => `       IDENTIFICATION DIVISION.
       PROGRAM-ID. TRN.
       DATA DIVISION.
       WORKING-STORAGE SECTION.
       COPY custmast.
${directives ? '       >>SOURCE FORMAT IS FREE\n' : ''}       COPY "freebody.cpy".
${directives ? '       >>SOURCE FORMAT IS FIXED\n' : ''}       PROCEDURE DIVISION.
           DISPLAY FUNCTION BYTE-LENGTH(FREE-BODY)
           STOP RUN.
`;

  function freeProject(settings: Partial<ProgramSettings>, directives: boolean): string {
    const dir = project({ mode: 'record', input: 'freebody.cpy', output: 'custmast.cpy', ...settings }, freeProgram(directives), ['custmast.cpy']);
    // No >>SOURCE line of its own: only the program's directive makes it free.
    writeFileSync(join(dir, 'copybooks', 'freebody.cpy'), '*> free format body\n01 FREE-BODY.\n  05 FREE-KEY PIC X(6). *> key\n  05 FREE-TEXT PIC X(90) VALUE "a value that runs past column seventy-two, which fixed format would cut off".\n');
    return dir;
  }

  it('fixed by default (a fixed copybook with a sequence-number-only line and a ^Z), free after the program\'s >>SOURCE FORMAT FREE', () => {
    const dir = freeProject({}, true);
    const meta = programMetadata(discoverPrograms(dir)[0]!);
    expect(meta.output!.name).toBe('CUSTOMER-MASTER');
    expect(meta.input!.length).toBe(96);
    expect(Number(runWithCobc(dir))).toBe(96);
    const noDirective = freeProject({}, false);
    expect(() => programMetadata(discoverPrograms(noDirective)[0]!)).toThrow(/freebody\.cpy:1: indicator area: .*cobc reads fixed format unless/);
  });

  it('free with -free, unless -fixed comes after it', () => {
    const free = freeProject({ output: 'freebody.cpy', cobcFlags: ['-free'] }, false);
    expect(programMetadata(discoverPrograms(free)[0]!).output!.length).toBe(96);
    const fixed = freeProject({ input: 'custmast.cpy', cobcFlags: ['-free', '-fixed'] }, false);
    expect(programMetadata(discoverPrograms(fixed)[0]!).output!.name).toBe('CUSTOMER-MASTER');
  });
});
