import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCopybook, encodeRecord, decodeRecord, RecordDataError, numberToDecimal } from '../runtime/src/codecs/copybook/index.ts';
import { recordCodec } from '../runtime/src/codecs/record.ts';
import { isDiagnostic } from '../runtime/src/codecs/codec.ts';
import type { Diagnostic } from '../runtime/src/diagnostic.ts';
import { TEST_COBOL_DIR, tempDir } from './support/cobc.ts';

const COPYBOOKS = join(TEST_COBOL_DIR, 'copybooks');
const cpy = (file: string) => parseCopybook(readFileSync(join(COPYBOOKS, file), 'utf8'), { fileName: file });

const CUSTOMER = parseCopybook(
  `       01  CUSTOMER.
           05  CUST-NAME       PIC X(5).
           05  CUST-CODE       PIC A(3).
           05  QTY             PIC 9(3).
           05  BALANCE         PIC S9(5)V99 COMP-3.
           05  RATE            PIC V99.
           05  HUNDREDS        PIC 9(2)PP.
           05  STATUS-CODE     PIC X VALUE 'A'.
           05  ACCOUNTS OCCURS 3.
               10  ACCT-NO     PIC 9(4).
               10  ACCT-BAL    PIC S9(3)V99.
           05  BIG             PIC S9(17)V9 COMP-3.
`,
  { fileName: 'customer.cpy' },
);

function problems(value: unknown, options = {}): string[] {
  try {
    encodeRecord(CUSTOMER, value, options);
  } catch (err) {
    expect(err).toBeInstanceOf(RecordDataError);
    return (err as RecordDataError).problems.map((p) => `${p.path}: ${p.problem}`);
  }
  return [];
}

describe('encoding errors name the field path and the problem', () => {
  it.each([
    [{ custName: 'TOOLONG' }, 'custName: string of 7 bytes is longer than the 5 of PIC X(5)'],
    [{ custName: 'ééé' }, 'custName: string of 6 bytes is longer than the 5 of PIC X(5)'],
    [{ custName: 12 }, 'custName: expected a string, got number 12'],
    [{ custCode: 'A1' }, 'custCode: PIC A(3) takes letters and spaces only, got "A1"'],
    [{ qty: 1000 }, 'qty: 1000 has too many digits: PIC 9(3) allows 3 before the decimal point'],
    [{ qty: -1 }, 'qty: -1 is negative but PIC 9(3) has no sign (S)'],
    [{ qty: 1.5 }, 'qty: 1.5 has decimals but PIC 9(3) holds whole numbers only'],
    [{ qty: 'abc' }, 'qty: not a number: "abc"'],
    [{ qty: '1e3' }, 'qty: not a number: "1e3"'],
    [{ qty: true }, 'qty: expected a number (or a decimal string), got boolean true'],
    [{ balance: 12.345 }, 'balance: 12.345 has too many decimals: 3, PIC S9(5)V99 allows 2'],
    [{ balance: '123456' }, 'balance: 123456 has too many digits: PIC S9(5)V99 allows 5 before the decimal point'],
    [{ rate: 1 }, 'rate: 1 is too large for PIC V99'],
    [{ hundreds: 150 }, 'hundreds: 150 is not a multiple of 100 as PIC 9(2)PP requires'],
    [{ accounts: [{}, {}, { acctBal: 1000 }] }, 'accounts[2].acctBal: 1000 has too many digits: PIC S9(3)V99 allows 3 before the decimal point'],
    [{ accounts: [{}, {}, {}, {}] }, 'accounts: has 4 elements, OCCURS allows at most 3'],
    [{ accounts: {} }, 'accounts: expected an array (OCCURS 3), got an object'],
    [{ accounts: [5] }, 'accounts[0]: expected an object, got number 5'],
    [{ nickname: 'x' }, 'nickname: unknown field (not in the copybook)'],
    [{ accounts: [{ acctNumber: 1 }] }, 'accounts[0].acctNumber: unknown field (not in the copybook)'],
    [{ big: 1e300 }, `big: ${numberToDecimal(1e300)} has too many digits: PIC S9(17)V9 allows 17 before the decimal point`],
  ])('%j → %s', (value, message) => {
    expect(problems(value)).toEqual([message]);
  });

  it('reports every problem of a record, not just the first', () => {
    expect(problems({ qty: -1, custName: 'TOOLONG', extra: 1 })).toHaveLength(3);
  });

  it('ignores unknown fields and truncates strings when configured', () => {
    const buf = encodeRecord(CUSTOMER, { nickname: 'x', custName: 'TOOLONGé' }, { onUnknownField: 'ignore', truncateStrings: true });
    expect(buf.subarray(0, 5).toString()).toBe('TOOLO');
  });

  it('does not split a UTF-8 character when truncating', () => {
    const buf = encodeRecord(CUSTOMER, { custName: 'ABCDé' }, { truncateStrings: true });
    expect(buf.subarray(0, 5).toString('latin1')).toBe('ABCD ');
  });
});

describe('defaults, values and numbers', () => {
  it('fills missing fields with VALUE, spaces or zeros', () => {
    const buf = encodeRecord(CUSTOMER, {});
    const back = decodeRecord(CUSTOMER, buf);
    expect(back).toEqual({
      custName: '',
      custCode: '',
      qty: 0,
      balance: 0,
      rate: 0,
      hundreds: 0,
      statusCode: 'A',
      accounts: [{ acctNo: 0, acctBal: 0 }, { acctNo: 0, acctBal: 0 }, { acctNo: 0, acctBal: 0 }],
      big: '0',
    });
  });

  it('takes numbers as JSON numbers or decimal strings, and answers >15-digit fields as strings', () => {
    const buf = encodeRecord(CUSTOMER, { balance: '-00012.50', rate: 0.05, hundreds: 9900, big: '-12345678901234567.8', qty: '007' });
    const back = decodeRecord(CUSTOMER, buf);
    expect(back.balance).toBe(-12.5);
    expect(back.rate).toBe(0.05);
    expect(back.hundreds).toBe(9900);
    expect(back.big).toBe('-12345678901234567.8');
    expect(back.qty).toBe(7);
  });

  it('writes cobc byte forms: trailing overpunch p-y, packed C/D/F nibbles', () => {
    const layout = parseCopybook('01 R.\n 05 A PIC S9(3).\n 05 B PIC S9(3) COMP-3.\n 05 C PIC 9(3) COMP-3.\n', { fileName: 'r.cpy', format: 'free' });
    expect(encodeRecord(layout, { a: -123, b: -12, c: 12 }).toString('hex')).toBe('313273' + '012d' + '012f');
    expect(decodeRecord(layout, Buffer.from('31327b012c012f', 'hex'))).toEqual({ a: 120, b: 12, c: 12 });
    expect(decodeRecord(layout, Buffer.from('31324c012c012f', 'hex'))).toEqual({ a: -123, b: 12, c: 12 });
  });

  it('rejects invalid data in output records with the path', () => {
    const layout = parseCopybook('01 R.\n 05 A PIC 9(3).\n', { fileName: 'r.cpy', format: 'free' });
    expect(() => decodeRecord(layout, Buffer.from('1 3'))).toThrow(/^a: not valid zoned decimal data \(bytes 312033, PIC 9\(3\)\)$/);
  });
});

describe('recordCodec', () => {
  const codec = () => recordCodec(CUSTOMER, CUSTOMER);
  const diag = (v: Buffer | Diagnostic): Diagnostic => {
    expect(isDiagnostic(v)).toBe(true);
    return v as Diagnostic;
  };

  it('answers Function.InvalidEvent for bad JSON and for values that do not fit, naming every path', () => {
    expect(diag(codec().encodeInput(Buffer.from('{'))).errorType).toBe('Function.InvalidEvent');
    expect(diag(codec().encodeInput(Buffer.from('"text"'))).errorMessage).toMatch(/expected a JSON object for record CUSTOMER, got string "text"/);
    const d = diag(codec().encodeInput(Buffer.from(JSON.stringify([{ qty: 1 }, { qty: -1 }, { custName: 'TOOLONG' }]))));
    expect(d.errorType).toBe('Function.InvalidEvent');
    expect(d.errorMessage).toContain('customer.cpy');
    expect(d.stackTrace).toEqual([
      '[1].qty: -1 is negative but PIC 9(3) has no sign (S)',
      '[2].custName: string of 7 bytes is longer than the 5 of PIC X(5)',
    ]);
  });

  it('answers an object for an object event and an array for an array event', () => {
    const c = codec();
    const one = c.encodeInput(Buffer.from('{"qty": 5}')) as Buffer;
    expect(one.length).toBe(CUSTOMER.length);
    expect(JSON.parse(c.decodeOutput({ stdout: one, exitCode: 0 }).toString()).qty).toBe(5);
    const many = c.encodeInput(Buffer.from('[{"qty": 5}]')) as Buffer;
    const out = JSON.parse(c.decodeOutput({ stdout: many, exitCode: 0 }).toString());
    expect(Array.isArray(out) && out[0].qty).toBe(5);
    const none = c.encodeInput(Buffer.from('[]')) as Buffer;
    expect(none.length).toBe(0);
    expect(c.decodeOutput({ stdout: none, exitCode: 0 }).toString()).toBe('[]');
  });

  it('answers Function.InvalidOutput when stdout is not whole records', () => {
    const d = diag(codec().decodeOutput({ stdout: Buffer.alloc(CUSTOMER.length + 1, 0x20), exitCode: 0 }));
    expect(d.errorType).toBe('Function.InvalidOutput');
    expect(d.errorMessage).toMatch(/not a whole number of \d+-byte CUSTOMER records/);
  });

  it('fills an OCCURS DEPENDING ON counter from the array and checks it', () => {
    const layout = cpy('cb08-odo.cpy');
    const c = recordCodec(layout, layout);
    const stdin = c.encodeInput(Buffer.from(JSON.stringify({ orderHeader: { orderNo: 'A1' }, orderLines: [{ itemCode: 'X', quantity: 2, unitPrice: 1.5 }] }))) as Buffer;
    const back = JSON.parse(c.decodeOutput({ stdout: stdin, exitCode: 0 }).toString());
    expect(back.orderHeader.lineCount).toBe(1);
    expect(back.orderLines).toEqual([{ itemCode: 'X', quantity: 2, unitPrice: 1.5 }]);
    expect(diag(c.encodeInput(Buffer.from(JSON.stringify({ orderHeader: { lineCount: 2 }, orderLines: [{}] })))).errorMessage).toContain(
      'orderHeader.lineCount: is 2 but orderLines has 1 elements',
    );
    expect(diag(c.encodeInput(Buffer.from(JSON.stringify({ orderLines: [] })))).errorMessage).toContain(
      'orderLines: needs 1 to 20 elements (OCCURS 1 TO 20 DEPENDING ON LINE-COUNT OF ORDER-HEADER), got 0',
    );
  });

  it('maps the items of a FILLER group as members of the enclosing object, as COBOL names them', () => {
    const layout = cpy('cb10-filler.cpy');
    const buf = encodeRecord(layout, { firstName: 'Ada', lastName: 'Lovelace', hiddenA: 'zz', hiddenB: 42, age: 36 });
    expect(buf.toString('latin1', 0, 25)).toBe('Ada       , Lovelace     ');
    expect(buf.toString('latin1', buf.length - 11)).toBe('zz42036----');
    expect(decodeRecord(layout, buf)).toEqual({ firstName: 'Ada', lastName: 'Lovelace', hiddenA: 'zz', hiddenB: 42, age: 36 });
    // Left out, they start as any item does; an unknown key is still refused at that level.
    expect(decodeRecord(layout, encodeRecord(layout, {}))).toMatchObject({ hiddenA: '', hiddenB: 0 });
    expect(() => encodeRecord(layout, { filler: { hiddenA: 'x' } })).toThrow(/filler: unknown field/);
    expect(() => encodeRecord(layout, { hiddenB: 'ab' })).toThrow(/hiddenB: /);
  });

  it('a FILLER group: a table of it stays unmapped, a name clash is refused, an ODO counter in it works', () => {
    const table = parseCopybook(
      `       01  REC.
           05  A               PIC X.
           05  FILLER OCCURS 2.
               10  B           PIC 9.
`,
      { fileName: 'table.cpy' },
    );
    expect(decodeRecord(table, Buffer.from('x12'))).toEqual({ a: 'x' });
    expect(() =>
      parseCopybook(
        `       01  REC.
           05  NAME            PIC X.
           05  FILLER.
               10  NAME        PIC X.
`,
        { fileName: 'clash.cpy' },
      ),
    ).toThrow(/clash\.cpy:4: .*NAME.*JSON name "name" is also used by NAME \(line 2\) in the same JSON object/);
    const odo = parseCopybook(
      `       01  REC.
           05  FILLER.
               10  CNT         PIC 9.
           05  T               PIC X OCCURS 1 TO 3 DEPENDING ON CNT.
`,
      { fileName: 'odo.cpy' },
    );
    const c = recordCodec(odo, odo);
    const stdin = c.encodeInput(Buffer.from(JSON.stringify({ t: ['p', 'q'] }))) as Buffer;
    expect(stdin.toString()).toBe('2pq ');
    expect(JSON.parse(c.decodeOutput({ stdout: stdin, exitCode: 0 }).toString())).toEqual({ cnt: 2, t: ['p', 'q'] });
  });

  it('maps the chosen REDEFINES only', () => {
    const text = readFileSync(join(COPYBOOKS, 'cb09-redefines.cpy'), 'utf8');
    const byDefault = parseCopybook(text, { fileName: 'cb09.cpy' });
    expect(Object.keys(decodeRecord(byDefault, encodeRecord(byDefault, {})))).toEqual(['kind', 'payload', 'dateText', 'endMark']);
    const chosen = parseCopybook(text, { fileName: 'cb09.cpy', redefinesChoice: { PAYLOAD: 'PAYLOAD-NUM', 'DATE-TEXT': 'DATE-PARTS' } });
    const buf = encodeRecord(chosen, { kind: 'N', payloadNum: { amount: -5.25, currCode: 'EUR' } });
    expect(decodeRecord(chosen, buf)).toEqual({ kind: 'N', payloadNum: { amount: -5.25, currCode: 'EUR' }, dateParts: { dateYyyy: 2024, dateMm: 1, dateDd: 1 }, endMark: '$' });
    expect(() => encodeRecord(chosen, { payload: 'x' })).toThrow(/payload: unknown field/);
  });
});

describe('stdin/stdout framing with a real program', () => {
  const dir = tempDir('record-framing');
  const exe = join(dir, 'framing');
  execFileSync('cobc', ['-x', '-I', COPYBOOKS, '-o', exe, join(COPYBOOKS, 'framing.cbl')], { stdio: ['ignore', 'pipe', 'pipe'] });
  const input = cpy('framing-in.cpy');
  const output = cpy('framing-out.cpy');
  // Values whose binary and packed forms hold 0x0A (newline) and 0x0D bytes.
  const event = [
    { acctId: 'A\nB', balance: 10.1, deposit: 0.0, counter: 10 },
    { acctId: 'C', balance: -0.1, deposit: 0.1, counter: 2570 },
    { acctId: 'D', balance: 1000.11, deposit: 13.13, counter: 0x0a0d0a0d },
  ];
  const expected = [
    // DOUBLED is PIC S9(18): more than 15 digits, so always a decimal string.
    { acctId: 'A\nB', newBalance: 10.1, doubled: '20', resultCode: 'OK' },
    { acctId: 'C', newBalance: 0, doubled: '5140', resultCode: 'OK' },
    { acctId: 'D', newBalance: 1013.24, doubled: String(0x0a0d0a0d * 2), resultCode: 'OK' },
  ];

  it('has the record lengths framing.cbl declares', () => {
    expect([input.length, output.length]).toEqual([19, 22]);
  });

  it('reads and writes fixed-length records holding newline bytes when fd 0 and 1 are files', () => {
    const codec = recordCodec(input, output);
    const stdin = codec.encodeInput(Buffer.from(JSON.stringify(event))) as Buffer;
    expect(stdin.includes(0x0a)).toBe(true);
    writeFileSync(join(dir, 'in'), stdin);
    const inFd = openSync(join(dir, 'in'), 'r');
    const outFd = openSync(join(dir, 'out'), 'w');
    const run = spawnSync(exe, { stdio: [inFd, outFd, 'pipe'] });
    closeSync(inFd);
    closeSync(outFd);
    expect(run.status).toBe(0);
    expect(run.stderr.toString()).toContain('processed A');
    const stdout = readFileSync(join(dir, 'out'));
    expect(stdout.length).toBe(3 * output.length);
    expect(JSON.parse(codec.decodeOutput({ stdout, exitCode: 0 }).toString())).toEqual(expected);
  });

  it('works through shell pipes too', () => {
    const codec = recordCodec(input, output);
    const stdin = codec.encodeInput(Buffer.from(JSON.stringify(event))) as Buffer;
    const stdout = execFileSync('sh', ['-c', `cat | "${exe}" | cat`], { input: stdin, stdio: ['pipe', 'pipe', 'ignore'] });
    expect(JSON.parse(codec.decodeOutput({ stdout, exitCode: 0 }).toString())).toEqual(expected);
  });

  it("fails on Node's default 'pipe' stdio (socket pairs cannot be opened as /dev/stdin): the runner must hand record-mode programs files or real pipes", () => {
    const run = spawnSync(exe, { input: Buffer.alloc(0) });
    expect(run.status).toBe(1);
    expect(run.stderr.toString()).toMatch(/status = 30\) for file (IN|OUT)-FILE/);
  });
});
