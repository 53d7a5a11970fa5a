// Reading copybook text as cobc's preprocessor does: reference format, control
// characters, REPLACING with tags, the choice of an 01 record, and the errors for
// what cobc refuses too. Layouts of whole copybooks are checked against cobc in
// copybook-estates.test.ts; these are the edge cases, one at a time.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCopybook, flattenLayout, encodeRecord, CopybookError } from '../runtime/src/codecs/copybook/index.ts';
import { tempDir } from './support/cobc.ts';
import { refusal } from './support/copybook.ts';

const seq = (n: number) => String(n * 100).padStart(6, '0');
/** Fixed-format lines with sequence numbers in 1-6 and an identifier in 73-80. */
const numbered = (...lines: string[]) => lines.map((l, i) => `${seq(i + 1)}${l.padEnd(66)}CUSTREC `).join('\n');

const names = (text: string, options: Partial<Parameters<typeof parseCopybook>[1]> = {}) =>
  flattenLayout(parseCopybook(text, { fileName: 'f.cpy', ...options })).map((f) => f.field.name);

describe('fixed format unless told otherwise, as cobc reads', () => {
  const body = numbered('* CUSTOMER RECORD: the comment mentions COPY the X.', ' 01  CUST-REC.', '     05  CUST-ID   PIC X(8).', '     05  CUST-NAME PIC X(20).');

  it('a line holding only a sequence number is blank', () => {
    const lines = body.split('\n');
    const text = [lines[0], lines[1], '000250', lines[2], '000275 ', lines[3]].join('\n');
    expect(names(text)).toEqual(['CUST-ID', 'CUST-NAME']);
  });

  it('a DOS end-of-file byte (^Z) starting a line is dropped, after the text it is refused, as cobc does; CR LF ends a line', () => {
    expect(names(`${body}\n\x1a`)).toEqual(['CUST-ID', 'CUST-NAME']);
    expect(refusal(`${body.replace(/ +CUSTREC $/, '')}\x1a`).message).toMatch(/control character X'1A'/);
    expect(names(`${body.replaceAll('\n', '\r\n')}\r\n\x1a\x1a`)).toEqual(['CUST-ID', 'CUST-NAME']);
    // cobc drops a ^Z that starts a line, so the rest of the line moves one column left
    const shifted = refusal(`       01 R.\n\x1a      05 A PIC X.`);
    expect([shifted.line, shifted.clause]).toEqual([2, 'indicator area']);
  });

  it('control characters in the program text are refused, naming them; in columns 1-6 and 73- they are ignored', () => {
    const err = refusal('       01 R.\n           05 A PIC X(3).\n           05 B\x0c PIC X.');
    expect([err.line, err.clause]).toEqual([3, 'source text']);
    expect(err.message).toMatch(/control character X'0C' in the program text/);
    expect(refusal('       01 R.\n      \x0c05 A PIC X.').message).toMatch(/unexpected X'0C' in column 7/);
    expect(names(`\x0c\x01  \x7f  01 R.\n${'           05 A PIC X(3).'.padEnd(72)}\x00\x1a\x0b`)).toEqual(['A']);
  });

  it('tabs stop every 8 columns, as cobc expands them', () => {
    const layout = parseCopybook('\t01 R.\n\t    05 A\tPIC X(3).\n\t    05 B\tPIC 9(2).', { fileName: 'f.cpy' });
    expect(layout.length).toBe(5);
  });

  it('>>SOURCE FORMAT switches format for the rest of the text; other formats are refused', () => {
    const text = '       01 R.\n       >>SOURCE FORMAT IS FREE\n05 A PIC X(3). *> free now\n>>SOURCE FIXED\n           05 B PIC X.';
    expect(names(text)).toEqual(['A', 'B']);
    expect(refusal('       >>SOURCE FORMAT VARIABLE\n       01 R.').message).toMatch(/source format VARIABLE is not supported/);
  });

  it('a nested COPY is read in the format in effect where it stands', () => {
    const layout = parseCopybook('       01 R.\n       >>SOURCE FREE\nCOPY INNER.\n', {
      fileName: 'f.cpy',
      resolveCopy: () => '05 A PIC X(4). *> free, as the including text is\n',
    });
    expect(layout.length).toBe(4);
  });
});

describe('REPLACING as cobc applies it', () => {
  const tagged = ['       01  :TAG:-REC.', '           05  :TAG:-ID        PIC X(8).', '           05  WS-:TAG:-AMT    PIC 9(3).', '           05  X:TAG:Y         PIC X.'].join('\n');

  it('==:TAG:== replaces inside words, from the replacing option', () => {
    const layout = parseCopybook(tagged, { fileName: 'f.cpy', replacing: [['==:TAG:==', '==CUST=='], ['9(3)', '9(5)']] });
    expect(flattenLayout(layout).map((f) => f.field.name)).toEqual(['CUST-ID', 'WS-CUST-AMT', 'XCUSTY']);
    expect(layout.name).toBe('CUST-REC');
    expect(layout.length).toBe(14);
  });

  it('COPY ... REPLACING inside a copybook, (PFX) tags and case do not matter', () => {
    const layout = parseCopybook('       01 R.\n           COPY ADDR REPLACING ==(pfx)== BY ==HOME==.\n           COPY ADDR REPLACING ==(PFX)== BY ==WORK==.', {
      fileName: 'f.cpy',
      resolveCopy: () => '           05 (PFX)-CITY PIC X(20).\n           05 (Pfx)-ZIP PIC 9(5).',
    });
    expect(flattenLayout(layout).map((f) => f.field.jsonName)).toEqual(['homeCity', 'homeZip', 'workCity', 'workZip']);
  });

  it('whole words stay whole: ==ID== does not touch CUST-ID; LEADING and TRAILING work on whole words', () => {
    const text = '       01 R.\n           05 CUST-ID PIC X.\n           05 ID PIC X.\n           05 WS-KEY PIC X.';
    expect(names(text, { replacing: [['ID', 'IDENT']] })).toEqual(['CUST-ID', 'IDENT', 'WS-KEY']);
    const lead = parseCopybook(`       01 R.\n           COPY I REPLACING LEADING ==WS== BY ==OUT==\n                            TRAILING ==KEY== BY ==K==.`, {
      fileName: 'f.cpy',
      resolveCopy: () => '           05 WS-KEY PIC X.',
    });
    // the first rule that matches a word wins and its result is not examined again (cobc gives OUT-KEY too)
    expect(flattenLayout(lead).map((f) => f.field.name)).toEqual(['OUT-KEY']);
  });
});

describe('several 01 records', () => {
  const report = ['       01  REPORT-NAME-HEADER.', '           05  RPT-TITLE PIC X(20).', '       01  REPORT-DETAIL.', '           05  RPT-AMOUNT PIC -ZZ9.99.', '           05  RPT-ID PIC X(4).', '       01  REPORT-TOTAL REDEFINES REPORT-DETAIL.', '           05  RPT-TOTAL PIC 9(9).'].join('\n');

  it('the record option names the one to map, its own items only', () => {
    const detail = parseCopybook(report, { fileName: 'trnrpt.cpy', record: 'report-detail' });
    expect([detail.name, detail.length, detail.fields.map((f) => f.name)]).toEqual(['REPORT-DETAIL', 11, ['RPT-AMOUNT', 'RPT-ID']]);
    const total = parseCopybook(report, { fileName: 'trnrpt.cpy', record: 'REPORT-TOTAL' });
    expect([total.name, total.length]).toEqual(['REPORT-TOTAL', 9]);
    expect(encodeRecord(total, { rptTotal: 42 }).toString()).toBe('000000042');
  });

  it('only the chosen record is parsed: another may use what is not supported', () => {
    const text = `${report}\n       01  WORK-AREA.\n           05  WORK-PTR USAGE POINTER.\n           05  WORK-N PIC S9(4) COMP SYNC.`;
    expect(parseCopybook(text, { fileName: 'trnrpt.cpy', record: 'REPORT-DETAIL' }).length).toBe(11);
    expect(refusal(text, { record: 'WORK-AREA' }).message).toMatch(/USAGE POINTER is not supported/);
  });

  it('without it the error says there are several and lists them; a wrong name lists them too', () => {
    const err = refusal(report, { fileName: 'trnrpt.cpy' });
    expect(err.message).toBe(
      'trnrpt.cpy:3: 01 REPORT-DETAIL: the copybook describes 3 records (REPORT-NAME-HEADER, REPORT-DETAIL, REPORT-TOTAL); name the one to map with "record" (for example {"copybook": "trnrpt.cpy", "record": "REPORT-NAME-HEADER"})',
    );
    expect(refusal(report, { fileName: 'trnrpt.cpy', record: 'REPORT-TRAILER' }).message).toMatch(
      /no 01\/77 record named REPORT-TRAILER \(its records: REPORT-NAME-HEADER, REPORT-DETAIL, REPORT-TOTAL\)/,
    );
    expect(refusal('       05 A PIC X.', { record: 'R' }).message).toMatch(/no 01\/77 records to choose from/);
  });
});

describe('OCCURS n DEPENDING ON without TO', () => {
  it('is 0 to n', () => {
    const layout = parseCopybook('       01 R.\n           05 N PIC 9.\n           05 T PIC X(2) OCCURS 5 DEPENDING ON N.', { fileName: 'f.cpy' });
    expect(layout.fields[1]!.occurs).toMatchObject({ min: 0, max: 5 });
    expect([layout.minLength, layout.length]).toEqual([1, 11]);
    expect(encodeRecord(layout, { n: 0, t: [] }).toString()).toBe(`0${' '.repeat(10)}`);
  });
});

describe('what cobc refuses, said plainly', () => {
  it('S in an edited picture', () => {
    const err = refusal('       01 R.\n           05 A PIC S9(3).99.');
    expect([err.line, err.clause]).toEqual([2, 'PIC S9(3).99']);
    expect(err.message).toMatch(/S cannot be used in an edited picture .*\. cannot follow S.*-9\(3\)\.99.*S9\(3\)V99/);
    expect(err.message).not.toMatch(/only at the start/);
  });

  it('USAGE COMP-0', () => {
    const err = refusal('       01 R.\n           05 A PIC S9(4) COMP-0.');
    expect(err.clause).toBe('USAGE COMP-0');
    expect(err.message).toMatch(/not supported: cobc 3\.1 does not implement it either/);
  });
});

describe('cobc reads the same text the same way', () => {
  const dir = tempDir('copybook-source');
  const r = '       01 R.\n';
  const cases: Array<[string, string]> = [
    ['a sequence-number-only line', `${r}000250\n           05 A PIC X(3).\n`],
    ['^Z alone on the last line', `${r}           05 A PIC X(3).\n\x1a`],
    ['^Z right after the last text', `${r}           05 A PIC X(3).\x1a`],
    ['^Z starting a line (shifts it)', `${r}\x1a      05 A PIC X(3).\n`],
    ['form feed in a word', `${r}           05 A\x0c PIC X(3).\n`],
    ['lone CR in a word', `${r}           05 A\r PIC X(3).\n`],
    ['control characters in columns 1-6 and 73-', `\x0c\x01  \x7f  01 R.\n${'           05 A PIC X(3).'.padEnd(72)}\x00\x0b\n`],
    ['CR LF and tabs', `${r}\t    05 A\tPIC X(3).\r\n\t    05 B\tPIC 9.\r\n`],
    ['free text, no directive', '01 R.\n  05 A PIC X(3).\n'],
    ['>>SOURCE FREE from column 8', `       >>SOURCE FORMAT IS FREE\n01 R.\n  05 A PIC X(3). *> c\n`],
    ['>>SOURCE FREE in column 1', `>>SOURCE FORMAT IS FREE\n01 R.\n  05 A PIC X(3).\n`],
  ];

  it.each(cases)('%s', (_label, text) => {
    const name = `c${cases.findIndex(([, t]) => t === text)}`;
    writeFileSync(join(dir, `${name}.cpy`), text, 'latin1');
    writeFileSync(
      join(dir, `${name}.cbl`),
      `       IDENTIFICATION DIVISION.\n       PROGRAM-ID. P.\n       DATA DIVISION.\n       WORKING-STORAGE SECTION.\n       COPY ${name}.\n       PROCEDURE DIVISION.\n           DISPLAY FUNCTION BYTE-LENGTH(R)\n           STOP RUN.\n`,
    );
    let cobc: number | string;
    try {
      execFileSync('cobc', ['-x', '-I', dir, '-o', join(dir, name), join(dir, `${name}.cbl`)], { stdio: ['ignore', 'pipe', 'pipe'] });
      cobc = Number(execFileSync(join(dir, name)).toString());
    } catch {
      cobc = 'refused';
    }
    let ours: number | string;
    try {
      ours = parseCopybook(text, { fileName: `${name}.cpy` }).length;
    } catch (err) {
      expect(err).toBeInstanceOf(CopybookError);
      ours = 'refused';
    }
    expect(ours).toBe(cobc);
  });
});
