import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCopybook, jsonName, cobolName, dialectForStd, flattenLayout } from '../runtime/src/codecs/copybook/index.ts';
import { refusal } from './support/copybook.ts';

const fixed = (...lines: string[]) => lines.map((l) => `       ${l}`).join('\n');

describe('refusals: file, line and clause', () => {
  it.each([
    ['66 RENAMES', fixed('01 R.', '   05 A PIC X.', '   05 B PIC X.', '66 C RENAMES A THRU B.'), 4, '66 RENAMES', /level 66/],
    ['SYNCHRONIZED', fixed('01 R.', '   05 A PIC S9(4) COMP SYNC.'), 2, 'SYNC', /SYNCHRONIZED is not supported/],
    ['POINTER', fixed('01 R.', '   05 A USAGE POINTER.'), 2, 'USAGE POINTER', /not supported/],
    ['COMP-6', fixed('01 R.', '   05 A PIC 9(4) COMP-6.'), 2, 'USAGE COMP-6', /not supported/],
    ['NATIONAL', fixed('01 R.', '   05 A PIC N(4) USAGE NATIONAL.'), 2, 'USAGE NATIONAL', /not supported/],
    ['unknown clause', fixed('01 R.', '   05 A PIC X FROBNICATE.'), 2, 'FROBNICATE', /unknown or unsupported clause/],
    ['two records', fixed('01 R.', '   05 A PIC X.', '01 S.', '   05 B PIC X.'), 3, '01 S', /describes 2 records \(R, S\); name the one to map with "record"/],
    ['PICTURE on a group', fixed('01 R.', '   05 G PIC X.', '      10 A PIC X.'), 3, '10 A', /G has a PICTURE/],
    ['no PICTURE', fixed('01 R.', '   05 A.', '   05 B PIC X.'), 2, '05 A', /needs a PICTURE/],
    ['bad picture', fixed('01 R.', '   05 A PIC 9X9Q.'), 2, 'PIC 9X9Q', /unsupported picture symbols/],
    ['two Vs', fixed('01 R.', '   05 A PIC 9V9V9.'), 2, 'PIC 9V9V9', /more than one V/],
    ['binary over 18 digits', fixed('01 R.', '   05 A PIC 9(19) COMP.'), 2, '05 A', /at most 18 digits/],
    ['REDEFINES not adjacent', fixed('01 R.', '   05 A PIC X(4).', '   05 B PIC X(4).', '   05 C REDEFINES A PIC X(4).'), 4, '05 C REDEFINES A', /just before it/],
    ['REDEFINES larger', fixed('01 R.', '   05 A PIC X(4).', '   05 C REDEFINES A PIC X(5).'), 3, '05 C REDEFINES A', /larger than A/],
    ['ODO not last', fixed('01 R.', '   05 N PIC 9.', '   05 T PIC X OCCURS 1 TO 5 DEPENDING ON N.', '   05 Z PIC X.'), 3, '05 T OCCURS DEPENDING ON N', /nothing may follow it/],
    ['ODO counter unknown', fixed('01 R.', '   05 T PIC X OCCURS 1 TO 5 DEPENDING ON NOPE.'), 2, '05 T OCCURS DEPENDING ON NOPE', /no item named NOPE/],
    ['ODO counter in a table', fixed('01 R.', '   05 G OCCURS 2.', '      10 N PIC 9.', '   05 T PIC X OCCURS 1 TO 5 DEPENDING ON N.'), 4, '05 T OCCURS DEPENDING ON N', /must not be inside a table/],
    ['ODO counter not numeric', fixed('01 R.', '   05 N PIC X.', '   05 T PIC X OCCURS 1 TO 5 DEPENDING ON N.'), 3, '05 T OCCURS DEPENDING ON N', /integer numeric/],
    ['ODO in ODO', fixed('01 R.', '   05 N PIC 9.', '   05 T OCCURS 2.', '      10 U PIC X OCCURS 1 TO 3 DEPENDING ON N.'), 4, '10 U', /inside another table/],
    ['TO without DEPENDING', fixed('01 R.', '   05 T PIC X OCCURS 1 TO 5.'), 2, 'OCCURS', /needs DEPENDING ON/],
    ['level nesting', fixed('01 R.', '   03 G.', '      07 A PIC X.', '      05 B PIC X.'), 4, '05 B', /no previous data item of level 05/],
    ['JSON name collision', fixed('01 R.', '   05 G.', '      10 A PIC X.', '      10 A PIC X.'), 4, '10 A', /JSON name "a" is also used by A \(line 3\)/],
    ['name with --', fixed('01 R.', '   05 A--B PIC X.'), 2, '05 A--B', /cannot derive a JSON name/],
    ['missing period', fixed('01 R.', '   05 A PIC X'), 2, 'entry', /does not end with a period/],
    ['not a level number', fixed('WORKING-STORAGE SECTION.', '01 R.'), 1, 'WORKING-STORAGE', /expected a level number/],
    ['COPY without a resolver', fixed('01 R.', '   COPY OTHER.'), 2, 'COPY', /no way to find nested copybooks/],
    ['unclosed literal', fixed('01 R.', "   05 A PIC X(3) VALUE 'AB."), 2, 'literal', /not closed/],
  ])('%s', (_label, text, line, clause, problem) => {
    const err = refusal(text as string);
    expect({ file: err.file, line: err.line, clause: err.clause }).toEqual({ file: 'bad.cpy', line, clause });
    expect(err.message).toMatch(problem as RegExp);
    expect(err.message.startsWith(`bad.cpy:${line}: ${clause}: `)).toBe(true);
  });

  it('refuses an unknown indicator in fixed format', () => {
    const err = refusal('       01 R.\n      X    05 A PIC X.', { format: 'fixed' });
    expect([err.line, err.clause]).toEqual([2, 'indicator area']);
    expect(err.message).toMatch(/unexpected "X" in column 7/);
  });

  it('names the nested copybook and a recursive COPY', () => {
    const err = refusal(fixed('01 R.', '   COPY INNER.'), { resolveCopy: () => '       05 A PIC X FROB.' });
    expect([err.file, err.line, err.clause]).toEqual(['INNER', 1, 'FROB']);
    const loop = refusal(fixed('01 R.', '   COPY A.'), { resolveCopy: () => '           COPY A.' });
    expect(loop.message).toMatch(/recursive \(A → A\)/);
  });

  it('refuses an unknown redefinesChoice', () => {
    const err = refusal(fixed('01 R.', '   05 A PIC X(4).', '   05 B REDEFINES A PIC 9(4).'), { redefinesChoice: { NOPE: 'B' } });
    expect(err.message).toMatch(/no item redefines/);
  });
});

describe('source formats', () => {
  it('ignores sequence numbers, columns 73-80 and comment lines; joins continuations', () => {
    const layout = parseCopybook(
      [
        ['000100 01  R.', 'IGNORED1'],
        ['000200*    05  X PIC X(99).', ''],
        ["000300     05  A PIC X(3) VALUE 'ABC'.", '05 B PIC X.'],
        ['000400     05  LONG-NA', ''],
        ['000500-        ME PIC 9(2).', ''],
      ]
        .map(([text, tail]) => text!.padEnd(72) + tail)
        .join('\n'),
      { fileName: 'f.cpy' },
    );
    expect(flattenLayout(layout).map((f) => f.field.name)).toEqual(['A', 'LONG-NAME']);
    expect(layout.length).toBe(5);
  });

  it('reads free format with *> comments when told, and fixed format otherwise, as cobc does', () => {
    const text = '*> comment\n01 R. *> trailing\n  05 SOME-FIELD PIC X(100) VALUE "x". *> more\n';
    const layout = parseCopybook(text, { fileName: 'f.cpy', format: 'free' });
    expect(layout.length).toBe(100);
    expect(layout.fields[0]!.jsonName).toBe('someField');
    expect(parseCopybook(`       >>SOURCE FORMAT IS FREE\n${text}`, { fileName: 'f.cpy' }).length).toBe(100);
    expect(() => parseCopybook(text, { fileName: 'f.cpy' })).toThrow(/f\.cpy:1: indicator area: unexpected "m" in column 7: cobc reads fixed format unless .*-free/);
  });

  it('applies the replacing option and :TAG: replacement inside words', () => {
    const layout = parseCopybook(fixed('01 :P:-REC.', '   05 :P:-ID PIC X(4).', '   05 AMOUNT PIC 9(3).'), {
      fileName: 'f.cpy',
      replacing: [[':P:', 'CUST'], ['==AMOUNT==', '==TOTAL-AMOUNT=='], ['9(3)', '9(5)']],
    });
    expect(layout.name).toBe('CUST-REC');
    expect(layout.fields.map((f) => f.jsonName)).toEqual(['custId', 'totalAmount']);
    expect(layout.length).toBe(9);
  });

  it('keeps 88-level values and VALUE clauses in the layout JSON', () => {
    const layout = parseCopybook(fixed('01 R.', "   05 S PIC X VALUE 'A'.", "      88 S-OK VALUE 'A' 'B'.", "      88 S-RANGE VALUE 'C' THRU 'F'."), { fileName: 'f.cpy' });
    const s = layout.fields[0]!;
    expect(s.value).toEqual({ text: 'A' });
    expect(s.values88).toEqual([
      { name: 'S-OK', jsonName: 'sOk', values: ['A', 'B'] },
      { name: 'S-RANGE', jsonName: 'sRange', values: [{ from: 'C', to: 'F' }] },
    ]);
    expect(JSON.parse(JSON.stringify(layout))).toEqual(layout);
  });
});

describe('JSON names', () => {
  it.each([
    ['CUST-ACCT-ID', 'custAcctId'],
    ['ADDR-LINE-1', 'addrLine_1'],
    ['LINE2', 'line2'],
    ['WS_TOTAL', 'ws__total'],
    ['1ST-ITEM', '1stItem'],
    ['A-B-C', 'aBC'],
  ])('%s ↔ %s', (cobol, json) => {
    expect(jsonName(cobol)).toBe(json);
    expect(cobolName(json)).toBe(cobol);
  });

  it('is reversible for every COBOL word it accepts', () => {
    const word = fc.stringMatching(/^[A-Z0-9]([A-Z0-9_]|-[A-Z0-9])*$/).filter((w) => w.length <= 30);
    fc.assert(
      fc.property(word, (w) => {
        const json = jsonName(w);
        expect(json).toBeDefined();
        expect(cobolName(json!)).toBe(w);
      }),
    );
  });
});

describe('dialects', () => {
  it.each([
    [undefined, 'default'],
    ['default', 'default'],
    ['cobol2014', 'default'],
    ['ibm', 'ibm'],
    ['ibm-strict', 'ibm'],
    ['mvs', 'ibm'],
    ['mf', 'mf'],
  ])('-std=%s has the binary sizes of %s', (std, dialect) => {
    expect(dialectForStd(std)).toBe(dialect);
  });
});
