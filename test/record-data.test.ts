// Record mode never changes data (issue 12, codec side), with cobc as the oracle:
// a COBOL program MOVEs the values and WRITEs the record; the bridge's JSON must
// decode those bytes, and encoding that JSON must give them back.
import { describe, expect, it } from 'vitest';
import { parseCopybook, encodeRecord, decodeRecord, type RecordLayout } from '../runtime/src/codecs/copybook/index.ts';
import { applyRecordSettings, type RecordSettings } from '../runtime/src/codecs/copybook/record-settings.ts';
import { recordCodec } from '../runtime/src/codecs/record.ts';
import { isDiagnostic } from '../runtime/src/codecs/codec.ts';
import type { Diagnostic } from '../runtime/src/diagnostic.ts';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { frameRecords } from '../runtime/src/codecs/record-framing.ts';
import { stdioFiles } from '../layer/record-files.ts';
import { tempDir } from './support/cobc.ts';
import { cobcRecords, runWithFiles, stdioProgram, problemsOf } from './support/record-oracle.ts';

const dir = tempDir('record-data');

function layoutOf(name: string, copybook: string, settings: RecordSettings = {}): RecordLayout {
  const parsed = parseCopybook(copybook, { fileName: `${name}.cpy` });
  return applyRecordSettings([parsed], settings, `programs.${name}`)[0]!;
}

/** cobc's bytes for each group of statements, the bridge's JSON for them, and the bytes that JSON encodes to. */
function oracle(name: string, copybook: string, groups: string[][], settings: RecordSettings = {}) {
  const layout = layoutOf(name, copybook, settings);
  const records = cobcRecords(dir, name, copybook, layout.name, layout.length, groups);
  return { layout, records, json: records.map((r) => decodeRecord(layout, r)) };
}

/** What the build learns from cobc about a program's stdin and stdout files. */
function filesOf(source: string) {
  return stdioFiles({ source, copybookDirs: [dirname(source)], cobcFlags: [] });
}

function encodeEvent(layout: RecordLayout, eventText: string): Buffer | Diagnostic {
  return recordCodec(layout, layout).encodeInput(Buffer.from(eventText));
}

describe('numbers arrive exactly, however many digits', () => {
  const copybook = `       01  AMOUNTS.
           05  A17      PIC 9(17).
           05  S17V2    PIC S9(17)V99.
           05  N18      PIC 9(18).
           05  S31V6    PIC S9(31)V9(6).
           05  P18      PIC S9(18) COMP-3.
           05  B18      PIC S9(18) COMP.
           05  SMALL    PIC S9(5)V99.
`;
  const { layout, records, json } = oracle('bignum', copybook, [
    [
      'MOVE 12345678901234567 TO A17',
      'MOVE -12345678901234567.89 TO S17V2',
      'MOVE 999999999999999999 TO N18',
      'MOVE -1234567890123456789012345678901.123456 TO S31V6',
      'MOVE -999999999999999999 TO P18',
      'MOVE 123456789012345678 TO B18',
      'MOVE -12.5 TO SMALL',
    ],
  ]);
  const expected = {
    a17: '12345678901234567',
    s17v2: '-12345678901234567.89',
    n18: '999999999999999999',
    s31v6: '-1234567890123456789012345678901.123456',
    p18: '-999999999999999999',
    b18: '123456789012345678',
    small: -12.5,
  };

  it('decodes what cobc wrote to decimal strings past 15 digits, JSON numbers up to 15', () => {
    expect(json[0]).toEqual(expected);
    expect(encodeRecord(layout, json[0]).toString('hex')).toBe(records[0]!.toString('hex'));
  });

  it('takes the same values as JSON numbers in the event text, not through doubles', () => {
    const text = `{"a17":12345678901234567,"s17v2":-12345678901234567.89,"n18":999999999999999999,"s31v6":-1234567890123456789012345678901.123456,"p18":-999999999999999999,"b18":123456789012345678,"small":-12.5}`;
    const stdin = encodeEvent(layout, text);
    expect(isDiagnostic(stdin) ? stdin.errorMessage : stdin.toString('hex')).toBe(records[0]!.toString('hex'));
  });

  it('takes exponent forms and decimal strings exactly too', () => {
    const stdin = encodeEvent(layout, `{"a17":"12345678901234567","s17v2":-1.234567890123456789e16,"n18":9.99999999999999999E17,"s31v6":"-1234567890123456789012345678901.123456","p18":"-999999999999999999","b18":1.23456789012345678e17,"small":"-12.50"}`);
    expect(isDiagnostic(stdin) ? stdin.errorMessage : stdin.toString('hex')).toBe(records[0]!.toString('hex'));
  });

  it('never lets a double round an exponent away', () => {
    const d = encodeEvent(layout, '{"small":1e-400,"a17":1E+400}');
    expect(isDiagnostic(d) && d.stackTrace).toEqual([
      `a17: 1${'0'.repeat(400)} has too many digits: PIC 9(17) allows 17 before the decimal point`,
      `small: 0.${'0'.repeat(399)}1 has too many decimals: 400, PIC S9(5)V99 allows 2`,
    ]);
    const ok = encodeEvent(layout, '{"small":-1.25e1}');
    expect(isDiagnostic(ok) ? ok.errorMessage : decodeRecord(layout, ok).small).toBe(-12.5);
  });

  it('names the value the caller sent when it does not fit', () => {
    const d = encodeEvent(layout, '{"n18":1999999999999999999,"s17v2":0.123456789012345678}');
    expect(isDiagnostic(d) && d.stackTrace).toEqual([
      's17v2: 0.123456789012345678 has too many decimals: 18, PIC S9(17)V99 allows 2',
      'n18: 1999999999999999999 has too many digits: PIC 9(18) allows 18 before the decimal point',
    ]);
  });
});

describe('text encodings: nothing is replaced', () => {
  const copybook = `       01  TEXTS.
           05  NAME     PIC X(6).
           05  KEY-AREA PIC X(4).
           05  PACKED-KEY REDEFINES KEY-AREA PIC S9(7) COMP-3.
           05  TXT-CODE PIC A(3).
`;
  const groups = [['MOVE X"436166E92020" TO NAME', 'MOVE HIGH-VALUES TO KEY-AREA', 'MOVE "abc" TO TXT-CODE'], ['MOVE "Ada" TO NAME', 'MOVE -1234567 TO PACKED-KEY', 'MOVE "xyz" TO TXT-CODE']];

  it('utf-8 (the default) refuses bytes that are not UTF-8, naming the field', () => {
    const layout = layoutOf('texts', copybook);
    const records = cobcRecords(dir, 'texts', copybook, layout.name, layout.length, groups);
    const out = recordCodec(layout, layout).decodeOutput({ stdout: records[0]!, exitCode: 0 });
    expect(isDiagnostic(out) && out.errorType).toBe('Function.InvalidOutput');
    expect(isDiagnostic(out) && out.errorMessage).toMatch(/name: bytes 436166e92020 are not UTF-8 \(at byte 4\)/);
  });

  it('latin1 maps byte n to U+00nn, so every record round-trips', () => {
    const layout = layoutOf('texts', copybook, { encoding: 'latin1' });
    const records = cobcRecords(dir, 'texts', copybook, layout.name, layout.length, groups);
    const json = records.map((r) => decodeRecord(layout, r));
    expect(json[0]).toEqual({ name: 'Café', keyArea: 'ÿÿÿÿ', txtCode: 'abc' });
    for (const [i, r] of records.entries()) expect(encodeRecord(layout, json[i]).toString('hex')).toBe(r.toString('hex'));
    const d = encodeEvent(layout, '{"name":"5 €"}');
    expect(isDiagnostic(d) && d.stackTrace).toEqual(['name: "€" (U+20AC) is not a latin1 character']);
  });

  it('base64 carries a field\'s bytes exactly, whatever the encoding', () => {
    const layout = layoutOf('texts', copybook, { fields: { 'KEY-AREA': 'base64', NAME: 'latin1' } });
    const records = cobcRecords(dir, 'texts', copybook, layout.name, layout.length, groups);
    const json = records.map((r) => decodeRecord(layout, r));
    expect(json).toEqual([
      { name: 'Café', keyArea: '/////w==', txtCode: 'abc' },
      { name: 'Ada', keyArea: Buffer.from('1234567d', 'hex').toString('base64'), txtCode: 'xyz' },
    ]);
    for (const [i, r] of records.entries()) expect(encodeRecord(layout, json[i]).toString('hex')).toBe(r.toString('hex'));
    expect(problemsOf(() => encodeRecord(layout, { keyArea: 'AAAA' }))).toEqual(['keyArea: base64 of 3 bytes, the field has 4 (PIC X(4)): give every byte']);
    expect(problemsOf(() => encodeRecord(layout, { keyArea: 'not base64!' }))).toEqual(['keyArea: not base64: "not base64!"']);
  });

  it('utf-8 refuses a string that is not well-formed Unicode', () => {
    const layout = layoutOf('texts', copybook);
    const d = encodeEvent(layout, '{"name":"a\\ud800"}');
    expect(isDiagnostic(d) && d.stackTrace).toEqual(['name: the string is not well-formed Unicode (a lone surrogate)']);
  });

  it('refuses settings that cannot apply, naming program and key', () => {
    expect(() => layoutOf('texts', copybook, { fields: { 'PACKED-KEY': 'latin1' } })).toThrow(
      'programs.texts.fields.PACKED-KEY: PACKED-KEY is packed (S9(7)), not text: only base64 carries its bytes',
    );
    expect(() => layoutOf('texts', copybook, { fields: { NOPE: 'base64' } })).toThrow('programs.texts.fields.NOPE: no such item in texts.cpy (record TEXTS)');
  });
});

describe('numeric-edited input is checked against the picture', () => {
  const copybook = `       01  EDITED.
           05  AMOUNT   PIC ZZ,ZZ9.99CR.
           05  STARS    PIC ***,**9.99.
           05  SIGNED-N PIC -(5)9.
           05  DOLLARS  PIC $$$,$$9.99.
           05  DATED    PIC 99/99/99.
`;
  const { layout, records, json } = oracle('edited', copybook, [
    ['MOVE -1234.5 TO AMOUNT', 'MOVE 12.34 TO STARS', 'MOVE -42 TO SIGNED-N', 'MOVE 1234.5 TO DOLLARS', 'MOVE 311224 TO DATED'],
    ['MOVE 0 TO AMOUNT', 'MOVE 0 TO STARS', 'MOVE 7 TO SIGNED-N', 'MOVE 0.5 TO DOLLARS', 'MOVE 10101 TO DATED'],
  ]);

  it('decodes the trimmed text and encodes it back at the position cobc writes it', () => {
    expect(json).toEqual([
      { amount: '1,234.50CR', stars: '*****12.34', signedN: '-42', dollars: '$1,234.50', dated: '31/12/24' },
      { amount: '0.00', stars: '******0.00', signedN: '7', dollars: '$0.50', dated: '01/01/01' },
    ]);
    for (const [i, r] of records.entries()) expect(encodeRecord(layout, json[i]).toString()).toBe(r.toString());
  });

  it('refuses text the picture cannot show', () => {
    expect(problemsOf(() => encodeRecord(layout, { amount: 'abc', signedN: '1-2', dated: '12.34' }))).toEqual([
      'amount: "abc" is not an edited number of PIC ZZ,ZZ9.99CR',
      'signedN: "1-2" is not an edited number of PIC -(5)9',
      'dated: "12.34" is not an edited number of PIC 99/99/99',
    ]);
    expect(problemsOf(() => encodeRecord(layout, { amount: '12.3' }))).toEqual(['amount: "12.3" is not an edited number of PIC ZZ,ZZ9.99CR']);
  });
});

describe('REDEFINES chosen by a discriminator', () => {
  const copybook = `       01  EXPORT-REC.
           05  REC-TYPE        PIC X.
           05  REC-DATA        PIC X(20).
           05  CUST-DATA REDEFINES REC-DATA.
               10  CUST-NAME   PIC X(12).
               10  CUST-BAL    PIC S9(7)V99 COMP-3.
               10  FILLER      PIC X(3).
           05  ACCT-DATA REDEFINES REC-DATA.
               10  ACCT-NO     PIC 9(10).
               10  ACCT-KEY    PIC X(4).
               10  ACCT-LIMIT  PIC S9(9) COMP.
           05  REC-LINES.
               10  LINE-ENTRY OCCURS 2.
                   15  LINE-KIND    PIC 9.
                   15  LINE-VALUE   PIC X(4).
                   15  LINE-NUM REDEFINES LINE-VALUE PIC S9(7) COMP-3.
`;
  const settings: RecordSettings = {
    fields: { 'ACCT-KEY': 'base64' },
    redefines: {
      'REC-DATA': { by: 'REC-TYPE', when: { C: 'CUST-DATA', A: 'ACCT-DATA' }, otherwise: 'REC-DATA' },
      'LINE-VALUE': { by: 'LINE-KIND', when: { '1': 'LINE-VALUE', '2': 'LINE-NUM' } },
    },
  };
  const { layout, records, json } = oracle(
    'exportrec',
    copybook,
    [
      ['MOVE "C" TO REC-TYPE', 'MOVE "Ada" TO CUST-NAME', 'MOVE -1234.56 TO CUST-BAL', 'MOVE 1 TO LINE-KIND(1)', 'MOVE "ab" TO LINE-VALUE(1)', 'MOVE 2 TO LINE-KIND(2)', 'MOVE -42 TO LINE-NUM(2)'],
      ['MOVE "A" TO REC-TYPE', 'MOVE 12345 TO ACCT-NO', 'MOVE X"0012345C" TO ACCT-KEY', 'MOVE 99 TO ACCT-LIMIT', 'MOVE 2 TO LINE-KIND(1) LINE-KIND(2)', 'MOVE 7 TO LINE-NUM(1) LINE-NUM(2)'],
      ['MOVE "Z" TO REC-TYPE', 'MOVE "anything at all" TO REC-DATA', 'MOVE 1 TO LINE-KIND(1) LINE-KIND(2)'],
    ],
    settings,
  );

  it('decodes each record with the definition its discriminator picks, under that name', () => {
    expect(json).toEqual([
      { recType: 'C', custData: { custName: 'Ada', custBal: -1234.56 }, recLines: { lineEntry: [{ lineKind: 1, lineValue: 'ab' }, { lineKind: 2, lineNum: -42 }] } },
      { recType: 'A', acctData: { acctNo: 12345, acctKey: 'ABI0XA==', acctLimit: 99 }, recLines: { lineEntry: [{ lineKind: 2, lineNum: 7 }, { lineKind: 2, lineNum: 7 }] } },
      { recType: 'Z', recData: 'anything at all', recLines: { lineEntry: [{ lineKind: 1, lineValue: '' }, { lineKind: 1, lineValue: '' }] } },
    ]);
  });

  it('encodes the decoded JSON back to the same bytes', () => {
    for (const [i, r] of records.entries()) expect(encodeRecord(layout, json[i]).toString('hex')).toBe(r.toString('hex'));
  });

  it('encodes from the member sent when the discriminator is left out, writing the discriminator', () => {
    const { recType: _t, ...withoutType } = json[0]!;
    expect(encodeRecord(layout, withoutType).toString('hex')).toBe(records[0]!.toString('hex'));
  });

  it('refuses a member the discriminator does not choose, two members, and an unknown value without otherwise', () => {
    expect(problemsOf(() => encodeRecord(layout, { recType: 'A', custData: { custName: 'x' } }))).toEqual(['custData: REC-TYPE is "A", which chooses acctData, not custData']);
    expect(problemsOf(() => encodeRecord(layout, { custData: {}, acctData: {} }))).toEqual(['custData: only one of custData, acctData may be given: they redefine the same bytes']);
    expect(problemsOf(() => encodeRecord(layout, { recLines: { lineEntry: [{ lineKind: 3 }] } }))).toEqual([
      'recLines.lineEntry[0].lineValue: LINE-KIND is 3, which chooses no definition of LINE-VALUE (when: "1", "2")',
    ]);
    const bad = Buffer.from(records[0]!);
    bad[21] = 0x35; // LINE-KIND(1) = 5
    expect(problemsOf(() => decodeRecord(layout, bad))).toEqual(['recLines.lineEntry[0].lineValue: LINE-KIND is 5, which chooses no definition of LINE-VALUE (when: "1", "2")']);
  });

  it('refuses settings that do not describe a choice', () => {
    const bad = (redefines: RecordSettings['redefines']) => () => layoutOf('exportrec', copybook, { redefines });
    expect(bad({ 'REC-DATA': { by: 'REC-TYPE', when: { C: 'REC-LINES' } } })).toThrow('programs.exportrec.redefines.REC-DATA: REC-LINES is not REC-DATA or an item redefining it (REC-DATA, CUST-DATA, ACCT-DATA)');
    expect(bad({ 'REC-DATA': { by: 'CUST-NAME', when: { C: 'CUST-DATA' } } })).toThrow('programs.exportrec.redefines.REC-DATA.by: CUST-NAME lies in the area REC-DATA redefines');
    expect(bad({ 'REC-DATA': { by: 'LINE-KIND', when: { C: 'CUST-DATA' } } })).toThrow('programs.exportrec.redefines.REC-DATA.by: LINE-KIND is in a table REC-DATA is not in');
    expect(bad({ 'LINE-VALUE': { by: 'LINE-KIND', when: { X: 'LINE-NUM' } } })).toThrow('programs.exportrec.redefines.LINE-VALUE.when: "X" cannot be a value of LINE-KIND: not a number: "X"');
    expect(bad({ 'CUST-DATA': { by: 'REC-TYPE', when: { C: 'CUST-DATA' } } })).toThrow('CUST-DATA itself REDEFINES REC-DATA');
  });
});

describe('variable-length records of an FD with OCCURS DEPENDING ON, in every COB_VARSEQ_FORMAT', () => {
  const fd = (p: string) => `       01  ${p}-REC.
           05  ${p}-ID      PIC X(3).
           05  ${p}-CNT     PIC 9(2).
           05  ${p}-ITEM OCCURS 0 TO 5 TIMES DEPENDING ON ${p}-CNT.
               10  ${p}-AMT PIC S9(5) COMP-3.`;
  const source = stdioProgram(
    'VARECHO',
    fd('IN'),
    fd('OT'),
    [
      '                       MOVE IN-ID TO OT-ID',
      '                       MOVE IN-CNT TO OT-CNT',
      '                       PERFORM VARYING WS-I FROM 1 BY 1',
      '                               UNTIL WS-I > IN-CNT',
      '                           COMPUTE OT-AMT (WS-I) = IN-AMT (WS-I) - 1',
      '                       END-PERFORM',
      '                       WRITE OT-REC',
    ].join('\n'),
  );
  const exe = join(dir, 'varecho');
  writeFileSync(`${exe}.cbl`, source);
  execFileSync('cobc', ['-x', '-o', exe, `${exe}.cbl`], { stdio: ['ignore', 'pipe', 'pipe'] });
  const input = parseCopybook(fd('IN'), { fileName: 'in.cpy' });
  const output = parseCopybook(fd('OT'), { fileName: 'out.cpy' });
  const event = [{ inId: 'A', inItem: [] }, { inId: 'B', inItem: [{ inAmt: 10 }] }, { inId: 'C', inItem: [1, 2, 3, 4, 5].map((n) => ({ inAmt: -n })) }];
  const expected = event.map((r) => ({ otId: r.inId, otCnt: r.inItem.length, otItem: r.inItem.map((i) => ({ otAmt: i.inAmt - 1 })) }));

  it.each([0, 1, 2, 3] as const)('format %i: cobc reads the records the bridge writes, and the bridge reads (and would write) cobc\'s bytes exactly', (format) => {
    const codec = recordCodec(input, output, { inputFraming: 'variable', outputFraming: 'variable', varseqFormat: format });
    const stdin = codec.encodeInput(Buffer.from(JSON.stringify(event)));
    if (isDiagnostic(stdin)) throw new Error(stdin.errorMessage);
    const run = runWithFiles(exe, stdin, dir, { COB_VARSEQ_FORMAT: String(format) });
    expect(run.status, run.stderr).toBe(0);
    const response = codec.decodeOutput({ stdout: run.stdout, exitCode: 0 });
    if (isDiagnostic(response)) throw new Error(response.errorMessage);
    expect(JSON.parse(response.toString())).toEqual(expected);
    const records = expected.map((r) => encodeRecord(output, r));
    expect(frameRecords(output, records, 'variable', format).toString('hex')).toBe(run.stdout.toString('hex'));
  });

  it('refuses output whose header disagrees with its counter, or is cut short', () => {
    const codec = recordCodec(input, output, { outputFraming: 'variable' });
    const bad = codec.decodeOutput({ stdout: Buffer.from('0009000041424330320000000c', 'hex'), exitCode: 0 });
    expect(isDiagnostic(bad) && bad.errorMessage).toBe('output record 1 holds 9 bytes, but OT-REC with its counted entries is 11 bytes');
    const cut = codec.decodeOutput({ stdout: Buffer.from('00', 'hex'), exitCode: 0 });
    expect(isDiagnostic(cut) && cut.errorMessage).toBe('output record 1: its 4-byte length header is cut short after 1 bytes');
  });

  it('the build reads from cobc that both files are variable', () => {
    const files = filesOf(`${exe}.cbl`);
    expect(files).toEqual({
      stdin: { select: 'IN-FILE', organization: 'sequential', recordMin: 5, recordMax: 20 },
      stdout: { select: 'OUT-FILE', organization: 'sequential', recordMin: 5, recordMax: 20 },
    });
  });
});
