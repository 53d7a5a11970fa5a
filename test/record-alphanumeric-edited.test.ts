// Alphanumeric-edited items in record mode, with cobc as the oracle: an event gives the
// item's edited form or its unedited characters, which are edited as a COBOL MOVE edits
// them; responses give the edited bytes; a value that is neither is refused by name.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCopybook, encodeRecord, decodeRecord, type RecordLayout } from '../runtime/src/codecs/copybook/index.ts';
import { applyRecordSettings } from '../runtime/src/codecs/copybook/record-settings.ts';
import { recordCodec } from '../runtime/src/codecs/record.ts';
import { isDiagnostic } from '../runtime/src/codecs/codec.ts';
import { tempDir } from './support/cobc.ts';
import { cobcRecords, problemsOf } from './support/record-oracle.ts';

const dir = tempDir('alnum-edited');

const copybook = `       01  EDITED-REC.
           05  SHORT-DATE  PIC XX/XX/XX.
           05  SPACED      PIC X(3)BX(3)BX(4).
           05  ZEROED      PIC 0X0X.
           05  LETTERS     PIC A(2)/A(2).
           05  CODES       PIC X(2)/9(2) OCCURS 3 TIMES.
           05  NUM-DATE    PIC 99/99/9999.
           05  MIXED       PIC X(2)0X(2)/X.
`;
const layout: RecordLayout = applyRecordSettings([parseCopybook(copybook, { fileName: 'edited-rec.cpy' })], {}, 'programs.edited')[0]!;

/** cobc's record after MOVE SPACES and the statements. */
const cobc = (name: string, groups: string[][]): Buffer[] => cobcRecords(dir, name, copybook, layout.name, layout.length, groups);

const field = (name: string) => layout.fields.find((f) => f.name === name)!;
const slice = (record: Buffer, name: string, index = 0) => {
  const f = field(name);
  return record.subarray(f.offset + index * f.length, f.offset + (index + 1) * f.length).toString('latin1');
};

describe('alphanumeric-edited input is edited as a MOVE edits it, or taken in its edited form', () => {
  // Each case: the COBOL MOVE, and the JSON values (unedited and edited) that must give the same bytes.
  const cases: { move: string; json: Record<string, unknown>[] }[] = [
    { move: 'MOVE "261130" TO SHORT-DATE', json: [{ shortDate: '261130' }, { shortDate: '26/11/30' }] },
    { move: 'MOVE "AB" TO SHORT-DATE', json: [{ shortDate: 'AB' }, { shortDate: 'AB/  /' }, { shortDate: 'AB/  /  ' }] },
    { move: 'MOVE SPACES TO SHORT-DATE', json: [{ shortDate: '  /  /' }] },
    { move: 'MOVE "ABCDEFGHIJ" TO SPACED', json: [{ spaced: 'ABCDEFGHIJ' }, { spaced: 'ABC DEF GHIJ' }] },
    { move: 'MOVE "ABCD" TO SPACED', json: [{ spaced: 'ABCD' }, { spaced: 'ABC D' }] },
    { move: 'MOVE "ABC" TO SPACED', json: [{ spaced: 'ABC' }] },
    { move: 'MOVE "A" TO ZEROED', json: [{ zeroed: 'A' }, { zeroed: '0A0' }] },
    { move: 'MOVE "AB" TO ZEROED', json: [{ zeroed: 'AB' }, { zeroed: '0A0B' }] },
    { move: 'MOVE "ABCD" TO LETTERS', json: [{ letters: 'ABCD' }, { letters: 'AB/CD' }] },
    { move: 'MOVE "A C" TO LETTERS', json: [{ letters: 'A C' }, { letters: 'A /C' }] },
    { move: 'MOVE "ABCDE" TO MIXED', json: [{ mixed: 'ABCDE' }, { mixed: 'AB0CD/E' }] },
    {
      move: 'MOVE "AB12" TO CODES(1) MOVE "X" TO CODES(2) MOVE "ZZ99" TO CODES(3)',
      json: [{ codes: ['AB12', 'X', 'ZZ99'] }, { codes: ['AB/12', 'X /', 'ZZ/99'] }],
    },
  ];
  const records = cobc('alnumed', cases.map((c) => c.move.split(/ (?=MOVE )/)));

  it('encodes both forms of every value to the bytes cobc MOVEs, and decodes them to the edited form', () => {
    expect(slice(records[0]!, 'SHORT-DATE')).toBe('26/11/30');
    expect(slice(records[6]!, 'ZEROED')).toBe('0A0 ');
    for (const [i, c] of cases.entries()) {
      for (const value of c.json) {
        const bytes = encodeRecord(layout, value);
        expect(bytes.toString('latin1'), `${c.move} / ${JSON.stringify(value)}`).toBe(records[i]!.toString('latin1'));
        const decoded = decodeRecord(layout, bytes);
        expect(encodeRecord(layout, decoded).toString('latin1')).toBe(bytes.toString('latin1'));
      }
    }
    expect(decodeRecord(layout, records[0]!).shortDate).toBe('26/11/30');
    expect(decodeRecord(layout, records[1]!).shortDate).toBe('AB/  /');
    expect(decodeRecord(layout, records[11]!).codes).toEqual(['AB/12', 'X /', 'ZZ/99']);
  });

  it('gives a blank item for "", as MOVE SPACES to the record leaves it, and decodes it to ""', () => {
    const [blank] = cobc('alnumblank', [[]]);
    expect(encodeRecord(layout, { shortDate: '', spaced: '', zeroed: '   ', letters: '' }).toString('latin1')).toBe(blank!.toString('latin1'));
    expect(decodeRecord(layout, blank!)).toMatchObject({ shortDate: '', spaced: '', zeroed: '', letters: '', codes: ['', '', ''] });
  });

  it('refuses what fits neither form, naming field, picture and what it takes; never cuts or shifts', () => {
    expect(problemsOf(() => encodeRecord(layout, { shortDate: '20261130', spaced: 'ABCDEFGHIJK', zeroed: 'ABC' }))).toEqual([
      'shortDate: "20261130" does not fit PIC XX/XX/XX: give its edited form (8 characters, "/" at positions 3 and 6) or at most 6 characters to edit into it',
      'spaced: "ABCDEFGHIJK" does not fit PIC X(3)BX(3)BX(4): give its edited form (12 characters, " " at positions 4 and 8) or at most 10 characters to edit into it',
      'zeroed: "ABC" does not fit PIC 0X0X: give its edited form (4 characters, "0" at positions 1 and 3) or at most 2 characters to edit into it',
    ]);
    expect(problemsOf(() => encodeRecord(layout, { mixed: 'ABCDEF' }))).toEqual([
      'mixed: "ABCDEF" does not fit PIC X(2)0X(2)/X: give its edited form (7 characters, "0" at position 3 and "/" at position 6) or at most 5 characters to edit into it',
    ]);
    // The insertion characters where the picture has them read as the edited form, which must then be whole.
    expect(problemsOf(() => encodeRecord(layout, { shortDate: '26/11', zeroed: '0' }))).toEqual([
      'shortDate: "26/11" is not PIC XX/XX/XX: read as its edited form it lacks "/" at position 6; give its edited form (8 characters, "/" at positions 3 and 6) or at most 6 characters to edit into it',
      'zeroed: "0" is not PIC 0X0X: read as its edited form it lacks "0" at position 3; give its edited form (4 characters, "0" at positions 1 and 3) or at most 2 characters to edit into it',
    ]);
  });

  it('decodes bytes no MOVE to the item writes untrimmed, so an event cannot give them back changed', () => {
    // A group MOVE (here a reference modification of the record) leaves "A" where "/" belongs.
    const [odd] = cobc('alnumodd', [['MOVE "A" TO EDITED-REC(1:1)', 'MOVE "ABCDEFGH" TO EDITED-REC(9:8)']]);
    const json = decodeRecord(layout, odd!);
    expect(json).toMatchObject({ shortDate: 'A       ', spaced: 'ABCDEFGH    ' });
    expect(problemsOf(() => encodeRecord(layout, json))).toEqual([
      'shortDate: "A       " does not fit PIC XX/XX/XX: give its edited form (8 characters, "/" at positions 3 and 6) or at most 6 characters to edit into it',
      'spaced: "ABCDEFGH    " does not fit PIC X(3)BX(3)BX(4): give its edited form (12 characters, " " at positions 4 and 8) or at most 10 characters to edit into it',
    ]);
  });

  it('answers an event that does not fit with Function.InvalidEvent naming the record and the path', () => {
    const codec = recordCodec(layout, layout);
    const ok = codec.encodeInput(Buffer.from(JSON.stringify([{ shortDate: '261130' }, { codes: ['AB/12', 'CD34'] }])));
    expect(isDiagnostic(ok)).toBe(false);
    const d = codec.encodeInput(Buffer.from(JSON.stringify([{ shortDate: '261130' }, { codes: ['AB/12', 'CD345'] }])));
    if (!isDiagnostic(d)) throw new Error('expected a diagnostic');
    expect(d.errorType).toBe('Function.InvalidEvent');
    expect(d.stackTrace).toEqual([
      '[1].codes[1]: "CD345" does not fit PIC X(2)/9(2): give its edited form (5 characters, "/" at position 3) or at most 4 characters to edit into it',
    ]);
  });

  it('refuses a digit at an A position and a letter at a 9 position, which cobc would MOVE unchecked', () => {
    const [moved] = cobc('alnumclass', [['MOVE "12AB" TO LETTERS', 'MOVE "ABCD" TO CODES(1)']]);
    expect(slice(moved!, 'LETTERS')).toBe('12/AB'); // cobc does not check
    expect(problemsOf(() => encodeRecord(layout, { letters: '12AB', codes: ['ABCD'] }))).toEqual([
      'letters: PIC A(2)/A(2) takes letters and spaces at its A positions, got "1" at position 1 of "12/AB"',
      'codes[0]: PIC X(2)/9(2) takes digits and spaces at its 9 positions, got "C" at position 4 of "AB/CD"',
    ]);
  });

  it('with truncateStrings drops the unedited characters past the item, as MOVE does', () => {
    const [moved] = cobc('alnumtrunc', [['MOVE "20261130" TO SHORT-DATE', 'MOVE "ABCDEFGHIJKLM" TO SPACED']]);
    const bytes = encodeRecord(layout, { shortDate: '20261130', spaced: 'ABCDEFGHIJKLM' }, { truncateStrings: true });
    expect(bytes.toString('latin1')).toBe(moved!.toString('latin1'));
    expect(slice(bytes, 'SHORT-DATE')).toBe('20/26/11');
  });

  it('refuses an insertion character that would split a UTF-8 character', () => {
    expect(problemsOf(() => encodeRecord(layout, { shortDate: 'aé' }))).toEqual([
      'shortDate: "aé" edited into PIC XX/XX/XX splits a UTF-8 character (bytes 61c32fa9202f2020); positions are bytes',
    ]);
  });

  it('keeps 99/99/9999 numeric-edited (no X or A), as cobc does', () => {
    expect(field('NUM-DATE').kind).toBe('numeric-edited');
    expect(field('SHORT-DATE').kind).toBe('alphanumeric-edited');
  });
});

describe('any value: the bytes cobc MOVEs, or the value as the edited form, or an error; and decode round-trips', () => {
  const items = [
    { name: 'SHORT-DATE', target: 'SHORT-DATE', json: 'shortDate', mask: 'XX/XX/XX' },
    { name: 'SPACED', target: 'SPACED', json: 'spaced', mask: 'XXXBXXXBXXXX' },
    { name: 'ZEROED', target: 'ZEROED', json: 'zeroed', mask: '0X0X' },
    { name: 'LETTERS', target: 'LETTERS', json: 'letters', mask: 'AA/AA' },
    { name: 'CODES', target: 'CODES(1)', json: 'codes', mask: 'XX/99' },
  ];
  const seed = Date.now();
  // Characters that are insertion characters, letters and digits, so values land on every path.
  const valueArb = fc.string({ unit: fc.constantFrom(...'AB01/ 9'.split('')), minLength: 1, maxLength: 14 }).filter((v) => v.trim() !== '');
  const samples = items.flatMap((item, k) => fc.sample(valueArb, { numRuns: 40, seed: seed + k }).map((value) => ({ item, value })));
  const records = cobc('alnumprop', samples.map(({ item, value }) => [`MOVE "${value}" TO ${item.target}`]));

  it(`holds for ${samples.length} random values (seed ${seed})`, () => {
    let moved = 0;
    let asEdited = 0;
    let refused = 0;
    for (const [i, { item, value }] of samples.entries()) {
      const what = `${item.name} ${JSON.stringify(value)} (seed ${seed})`;
      const json = { [item.json]: item.json === 'codes' ? [value] : value };
      const cobcImage = slice(records[i]!, item.name);
      const insertions = [...item.mask].flatMap((s, p) => ('B0/'.includes(s) ? [p] : []));
      const inserted = (p: number) => (item.mask[p] === 'B' ? ' ' : item.mask[p]);
      const problems = problemsOf(() => encodeRecord(layout, json));
      if (problems.length > 0) {
        refused++;
        const tooLong = value.length > item.mask.length - insertions.length;
        const editedPrefix = insertions.some((p) => p < value.length) && insertions.every((p) => p >= value.length || value[p] === inserted(p));
        const badClass = [...item.mask].some((s, p) => (s === 'A' && !/[A-Za-z ]/.test(cobcImage[p]!)) || (s === '9' && !/[0-9 ]/.test(cobcImage[p]!)));
        expect(tooLong || editedPrefix || badClass, `${what} refused: ${problems.join('; ')}`).toBe(true);
        continue;
      }
      const bytes = encodeRecord(layout, json);
      const image = slice(bytes, item.name);
      if (image === cobcImage) moved++;
      else {
        asEdited++;
        expect(image, what).toBe(value.padEnd(item.mask.length, ' '));
        expect(insertions.every((p) => image[p] === inserted(p)), what).toBe(true);
      }
      expect(encodeRecord(layout, decodeRecord(layout, bytes)).toString('latin1'), what).toBe(bytes.toString('latin1'));
    }
    expect(moved + asEdited + refused).toBe(samples.length);
    expect(moved, 'some values are edited as MOVE edits them').toBeGreaterThan(0);
    expect(refused, 'some values are refused').toBeGreaterThan(0);
  });
});
