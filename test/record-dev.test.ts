// Record mode end to end under `dev` (real build, real bootstrap, real HTTP):
// exact numbers, encodings, REDEFINES chosen by the data, OCCURS DEPENDING ON in
// the FD (variable-length records), a copybook that does not fit its FD, and a
// program with a wrong setting while the others keep serving.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevServer } from '../dev/dev-server.ts';
import { tempDir } from './support/cobc.ts';
import { stdioProgram } from './support/record-oracle.ts';

const cobolDir = tempDir('record-dev-cobol');
let server: DevServer;
let url: string;
const logs: string[] = [];

/** Sequence numbers in columns 1-6 and 73-80, as estates keep them. */
const numbered = (lines: string[]): string =>
  `${lines.map((l, i) => `${String((i + 1) * 100).padStart(6, '0')}${l.slice(6).padEnd(66)}${`ACCT${String(i + 1).padStart(4, '0')}`}`).join('\n')}\n`;

beforeAll(async () => {
  // Amounts of 18 to 37 digits; a fixed FD of the copybook's length.
  writeFileSync(
    join(cobolDir, 'bigamt.cpy'),
    numbered([
      '      * BIGAMT: ledger amounts past 15 digits',
      '       01  BIG-AMOUNTS.',
      '           05  BA-ID            PIC X(4).',
      '           05  BA-TOTAL         PIC S9(17)V99 COMP-3.',
      '           05  BA-UNITS         PIC 9(18).',
      '           05  BA-EXACT         PIC S9(31)V9(6).',
    ]),
  );
  writeFileSync(join(cobolDir, 'bigamt.cbl'), stdioProgram('BIGAMT', '           COPY bigamt.', '       01  OUT-REC PIC X(69).', '                       WRITE OUT-REC FROM BIG-AMOUNTS'));
  // An export record: a type byte chooses the layout of the data area; a packed key kept as bytes.
  writeFileSync(
    join(cobolDir, 'exprec.cpy'),
    numbered([
      '      * EXPREC: export record, one layout per record type',
      '       01  EXPORT-REC.',
      '           05  EX-TYPE          PIC X.',
      '           05  EX-DATA          PIC X(24).',
      '           05  EX-CUST REDEFINES EX-DATA.',
      '               10  CU-NAME      PIC X(20).',
      '               10  CU-KEY       PIC S9(7) COMP-3.',
      '           05  EX-ACCT REDEFINES EX-DATA.',
      '               10  AC-NUMBER    PIC 9(12).',
      '               10  AC-BALANCE   PIC S9(13)V99 COMP-3.',
      '               10  FILLER       PIC X(4).',
    ]),
  );
  writeFileSync(join(cobolDir, 'exprec.cbl'), stdioProgram('EXPREC', '       01  IN-REC PIC X(25).', '       01  OUT-REC PIC X(25).', '                       WRITE OUT-REC FROM IN-REC'));
  // OCCURS DEPENDING ON in both FDs: cobc reads and writes variable-length records.
  const odoCopybook = (prefix: string) =>
    [`       01  ${prefix}-REC.`, `           05  ${prefix}-CUST       PIC X(6).`, `           05  ${prefix}-COUNT      PIC 9(2).`, `           05  ${prefix}-TXN OCCURS 0 TO 4 TIMES DEPENDING ON ${prefix}-COUNT.`, `               10  ${prefix}-AMT    PIC S9(5)V99 COMP-3.`, `               10  ${prefix}-KIND   PIC X.`].join('\n');
  const odoBody = [
    '                       MOVE TI-CUST TO TO-CUST',
    '                       MOVE TI-COUNT TO TO-COUNT',
    '                       PERFORM VARYING WS-I FROM 1 BY 1',
    '                               UNTIL WS-I > TI-COUNT',
    '                           COMPUTE TO-AMT (WS-I) =',
    '                               TI-AMT (WS-I) * 2',
    '                           MOVE TI-KIND (WS-I) TO TO-KIND (WS-I)',
    '                       END-PERFORM',
    '                       WRITE TO-REC',
  ].join('\n');
  writeFileSync(join(cobolDir, 'txnout.cpy'), `${odoCopybook('TO')}\n`);
  writeFileSync(join(cobolDir, 'txnin.cpy'), `${odoCopybook('TI')}\n`);
  const odoSource = stdioProgram('ODOFD', '           COPY txnin.', '           COPY txnout.', odoBody);
  writeFileSync(join(cobolDir, 'odofd.cbl'), odoSource);
  writeFileSync(join(cobolDir, 'odofd3.cbl'), odoSource.replace('PROGRAM-ID. ODOFD.', 'PROGRAM-ID. ODOFD3.'));
  // The FD is 20 bytes, the copybook 69: every record would be read shifted.
  writeFileSync(join(cobolDir, 'shifted.cbl'), stdioProgram('SHIFTED', '       01  IN-REC PIC X(20).', '       01  OUT-REC PIC X(20).', '                       WRITE OUT-REC FROM IN-REC'));
  writeFileSync(join(cobolDir, 'broken.cbl'), stdioProgram('BROKEN', '       01  IN-REC PIC X(20).', '       01  OUT-REC PIC X(20).', '                       WRITE OUT-REC FROM IN-REC'));
  writeFileSync(
    join(cobolDir, 'cobolambda.json'),
    JSON.stringify({
      programs: {
        bigamt: { mode: 'record', input: 'bigamt.cpy', output: 'bigamt.cpy' },
        exprec: {
          mode: 'record',
          input: 'exprec.cpy',
          output: 'exprec.cpy',
          encoding: 'latin1',
          fields: { 'CU-KEY': 'base64' },
          redefines: { 'EX-DATA': { by: 'EX-TYPE', when: { C: 'EX-CUST', A: 'EX-ACCT' }, otherwise: 'EX-DATA' } },
        },
        odofd: { mode: 'record', input: 'txnin.cpy', output: 'txnout.cpy' },
        odofd3: { mode: 'record', input: 'txnin.cpy', output: 'txnout.cpy', environment: { COB_VARSEQ_FORMAT: '3' } },
        shifted: { mode: 'record', input: 'bigamt.cpy', output: 'bigamt.cpy' },
        broken: { mode: 'record', input: { copybook: { name: 'bigamt.cpy' } }, output: 'bigamt.cpy' },
      },
    }),
  );
  server = new DevServer({ cobolDir, workDir: tempDir('record-dev-work'), host: '127.0.0.1', port: 0, concurrency: 1, region: 'us-east-1', watch: false, log: (l) => logs.push(l) });
  url = await server.start();
  await (server as unknown as { ready?: () => Promise<void> }).ready?.();
}, 300_000);

afterAll(async () => {
  await server?.close();
});

async function invoke(fn: string, payload: string): Promise<{ error?: string; body: string }> {
  const res = await fetch(`${url}/2015-03-31/functions/${fn}/invocations`, { method: 'POST', body: payload });
  return { error: res.headers.get('x-amz-function-error') ?? undefined, body: await res.text() };
}

describe('record mode under dev', () => {
  it('carries 18- to 37-digit numbers sent as JSON numbers exactly', async () => {
    const out = await invoke('bigamt', '{"baId":"A1","baTotal":-12345678901234567.89,"baUnits":999999999999999999,"baExact":1234567890123456789012345678901.123456}');
    expect(out.error, out.body).toBeUndefined();
    expect(JSON.parse(out.body)).toEqual({ baId: 'A1', baTotal: '-12345678901234567.89', baUnits: '999999999999999999', baExact: '1234567890123456789012345678901.123456' });
  });

  it('chooses each REDEFINES by the record type and keeps every byte (latin1, base64)', async () => {
    const records = [
      { exType: 'C', exCust: { cuName: 'Zoë Ångström', cuKey: Buffer.from('1234567d', 'hex').toString('base64') } },
      { exType: 'A', exAcct: { acNumber: 42, acBalance: '-1234567890123.45' } },
      { exType: 'Z', exData: 'ÿÿ free text' },
    ];
    const out = await invoke('exprec', JSON.stringify(records));
    expect(out.error, out.body).toBeUndefined();
    expect(JSON.parse(out.body)).toEqual([records[0], { exType: 'A', exAcct: { acNumber: 42, acBalance: -1234567890123.45 } }, records[2]]);
    const derived = await invoke('exprec', JSON.stringify({ exAcct: { acNumber: 7 } }));
    expect(JSON.parse(derived.body)).toEqual({ exType: 'A', exAcct: { acNumber: 7, acBalance: 0 } });
    const wrong = await invoke('exprec', JSON.stringify({ exCust: { cuName: '€' } }));
    expect(wrong.error).toBe('Unhandled');
    expect(JSON.parse(wrong.body).stackTrace).toEqual(['exCust.cuName: "€" (U+20AC) is not a latin1 character']);
  });

  it('reads and writes the variable-length records of an FD with OCCURS DEPENDING ON, 0 to 4 entries', async () => {
    const records = [0, 1, 4].map((n) => ({ toCust: `C${n}`, tiTxn: Array.from({ length: n }, (_, i) => ({ tiAmt: i + 0.5, tiKind: 'D' })) }));
    const event = records.map((r) => ({ tiCust: r.toCust, tiTxn: r.tiTxn }));
    for (const fn of ['odofd', 'odofd3']) {
      const out = await invoke(fn, JSON.stringify(event));
      expect(out.error, `${fn}: ${out.body}`).toBeUndefined();
      expect(JSON.parse(out.body)).toEqual(records.map((r) => ({ toCust: r.toCust, toCount: r.tiTxn.length, toTxn: r.tiTxn.map((t) => ({ toAmt: t.tiAmt * 2, toKind: 'D' })) })));
    }
  });

  it('refuses at build a copybook that does not fit the FD, showing the pattern that works', async () => {
    const out = await invoke('shifted', '{}');
    expect(out.error).toBe('Unhandled');
    expect(out.body).toMatch(/the file IN-FILE \(ASSIGN TO \\"\/dev\/stdin\\"\) holds records of 20 bytes, but the input copybook .*bigamt.cpy \(record BIG-AMOUNTS\) is 69 bytes: describe the FD record with the copybook, or as PIC X\(69\)/);
  });

  it('answers a program with a wrong setting with that setting, and serves the others', async () => {
    const out = await invoke('broken', '{}');
    expect(out.error).toBe('Unhandled');
    expect(out.body).toMatch(/programs\.broken\.input\.copybook is \{\\"name\\":\\"bigamt.cpy\\"\}; expected a string/);
    expect((await invoke('bigamt', '{"baId":"ok"}')).error).toBeUndefined();
  });
});
