// Copybooks as real estates write them (sequence numbers in columns 1-6 and
// 73-80, comment banners, lines holding only a sequence number, a DOS ^Z at the
// end, CR LF and tabs, :TAG: and (PFX) tags, several 01 records, REDEFINES by
// record type, OCCURS DEPENDING ON), each COPYed by a program cobc compiles: the
// parser's layout must give every named item the offset and length cobc gives it.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCopybook, flattenLayout, dialectForStd, encodeRecord, decodeRecord, type RecordLayout } from '../runtime/src/codecs/copybook/index.ts';
import { TEST_COBOL_DIR, tempDir } from './support/cobc.ts';
import { itemProbe, PROBE_ITEMS, recordProbe, statement } from './support/copybook.ts';

const ESTATES = join(TEST_COBOL_DIR, 'copybooks', 'estates');

interface Case {
  file: string;
  std?: string;
  /** As the `replacing` setting of cobolambda.json; the program COPYs with the same REPLACING. */
  replacing?: Record<string, string>;
  /** The 01 records to check; one layout each, chosen with `record`. */
  records?: string[];
}

const CASES: Case[] = [
  { file: 'custmast.cpy' },
  { file: 'tagcust.cpy', replacing: { ':TAG:': 'CUST' } },
  { file: 'tagcust.cpy', replacing: { ':TAG:': 'SHIP-TO' } },
  { file: 'trnrpt.cpy', records: ['REPORT-NAME-HEADER', 'REPORT-DETAIL', 'REPORT-TOTALS'] },
  { file: 'exportrec.cpy', std: 'ibm' },
  { file: 'acctodo.cpy', std: 'ibm' },
  { file: 'cardxref.cpy', replacing: { '(PFX)': 'XREF' } },
  { file: 'authrec.cpy', records: ['AUTH-REQUEST', 'AUTH-RESPONSE'] },
  { file: 'contact.cpy' },
  { file: 'payroll.cpy', std: 'default' },
  { file: 'payroll.cpy', std: 'ibm' },
  { file: 'payroll.cpy', std: 'mf' },
  { file: 'loanbook.cpy', records: ['LOAN-HEADER', 'LOAN-SCHEDULE'] },
  { file: 'dosrec.cpy' },
  { file: 'freerec.cpy' },
];

const resolveCopy = (name: string): string => readFileSync(join(ESTATES, `${name.toLowerCase()}.cpy`), 'latin1');

function layoutOf(c: Case, record?: string): RecordLayout {
  return parseCopybook(readFileSync(join(ESTATES, c.file), 'latin1'), {
    fileName: c.file,
    dialect: dialectForStd(c.std),
    replacing: Object.entries(c.replacing ?? {}),
    record,
    resolveCopy,
  });
}

function copyStatement(c: Case): string {
  const replacing = Object.entries(c.replacing ?? {}).flatMap(([from, to]) => [`==${from}==`, 'BY', `==${to}==`]);
  return statement(['COPY', `"${c.file}"`, ...(replacing.length > 0 ? ['REPLACING', ...replacing] : []), '.']).replace(/ \.$/, '.');
}

interface Probe {
  qualified: string[];
  layout: RecordLayout;
  offset: number;
  length: number;
}

/** A program that prints each record's length and each named item's offset and length (first occurrences). */
function oracleProgram(c: Case, layouts: RecordLayout[]): { source: string; probes: Probe[] } {
  const probes: Probe[] = [];
  const body: string[] = [];
  for (const layout of layouts) {
    const flat = flattenLayout(layout);
    for (const f of flat) {
      if (f.field.occurs?.dependingOn) {
        body.push(statement(['MOVE', String(f.field.occurs.max), 'TO', ...f.field.occurs.dependingOn.split(' '), 'OF', layout.name]));
      }
    }
    body.push(...recordProbe(layout.name, `L|${layout.name}`));
    for (const f of flat) {
      if (f.names.length === 1) continue; // the record itself
      const subscripts = Array<number>(f.dimensions).fill(1);
      const words = f.qualified.split(' ');
      const ref = subscripts.length === 0 ? words : [...words.slice(0, -1), `${words.at(-1)}(${subscripts.join(' ')})`];
      body.push(...itemProbe(ref, probes.length));
      probes.push({ qualified: words, layout, offset: f.field.offset, length: f.field.length });
    }
  }
  const source = [
    '       IDENTIFICATION DIVISION.',
    '       PROGRAM-ID. ESTATE.',
    '       DATA DIVISION.',
    '       WORKING-STORAGE SECTION.',
    ...PROBE_ITEMS,
    copyStatement(c),
    '       PROCEDURE DIVISION.',
    ...body,
    '           STOP RUN.',
  ].join('\n');
  return { source: `${source}\n`, probes };
}

function compileAndRun(dir: string, name: string, source: string, std?: string): string {
  const program = join(dir, `${name}.cbl`);
  writeFileSync(program, source);
  const exe = join(dir, name);
  execFileSync('cobc', ['-x', `-std=${std ?? 'default'}`, '-I', ESTATES, '-o', exe, program], { stdio: ['ignore', 'pipe', 'pipe'] });
  return execFileSync(exe, { stdio: ['ignore', 'pipe', 'pipe'] }).toString('latin1');
}

describe('estate copybooks agree with cobc', () => {
  const dir = tempDir('copybook-estates');

  for (const [index, c] of CASES.entries()) {
    const label = `${c.file}${c.std ? ` -std=${c.std}` : ''}${c.replacing ? ` REPLACING ${JSON.stringify(c.replacing)}` : ''}`;
    describe(label, () => {
      let layouts: RecordLayout[];
      let probes: Probe[];
      let stdout: string;
      beforeAll(() => {
        layouts = (c.records ?? [undefined]).map((r) => layoutOf(c, r));
        const oracle = oracleProgram(c, layouts);
        probes = oracle.probes;
        stdout = compileAndRun(dir, `estate${index}`, oracle.source, c.std);
      });

      it('has the record lengths cobc computes', () => {
        const lengths = Object.fromEntries([...stdout.matchAll(/L\|([A-Z0-9-]+)\|(\d+)/g)].map((m) => [m[1], Number(m[2])]));
        expect(Object.fromEntries(layouts.map((l) => [l.name, l.length]))).toEqual(lengths);
        expect(Object.keys(lengths)).toHaveLength(layouts.length);
      });

      it('places every named item where cobc does', () => {
        const seen = [...stdout.matchAll(/F\|(\d+)\|(\d+)\|(\d+)/g)].map((m) => {
          const p = probes[Number(m[1])]!;
          return { item: p.qualified.join(' '), cobc: [Number(m[2]), Number(m[3])], ours: [p.offset, p.length] };
        });
        expect(seen).toHaveLength(probes.length);
        expect(probes.length).toBeGreaterThan(2);
        for (const s of seen) expect({ item: s.item, at: s.ours }).toEqual({ item: s.item, at: s.cobc });
      });
    });
  }

  it('maps tagged names as the replacement spells them', () => {
    const layout = layoutOf({ file: 'tagcust.cpy', replacing: { ':TAG:': 'SHIP-TO' } });
    expect(layout.name).toBe('SHIP-TO-ADDRESS-REC');
    expect(flattenLayout(layout).map((f) => f.field.jsonName)).toEqual([
      'shipToId',
      'shipToAddrLine',
      'shipToPostcode',
      'shipToCountry',
      'wsShipToFlags',
      'shipToMailOk',
      'shipToPhoneOk',
    ]);
    const contact = layoutOf({ file: 'contact.cpy' });
    expect(flattenLayout(contact).map((f) => f.names.at(-1))).toContain('WORK-ZIP');
  });
});

describe('OCCURS n DEPENDING ON without TO is 0 to n, as a cobc program handles it', () => {
  it('encodes and decodes the records cobc writes for 0, 1 and 20 transactions', () => {
    const c: Case = { file: 'acctodo.cpy', std: 'ibm' };
    const layout = layoutOf(c);
    const txn = layout.fields.find((f) => f.name === 'ACCT-TXN')!;
    expect(txn.occurs).toMatchObject({ min: 0, max: 20 });
    expect(layout.minLength).toBe(19);
    const counts = [0, 1, 20];
    const moves = counts.flatMap((n) => [
      statement(['MOVE', "'AC000000042'", 'TO', 'ACCT-ID']),
      statement(['MOVE', '-1234.56', 'TO', 'ACCT-CURR-BAL']),
      statement(['MOVE', String(n), 'TO', 'ACCT-TXN-COUNT']),
      statement(['PERFORM', 'VARYING', 'I', 'FROM', '1', 'BY', '1', 'UNTIL', 'I', '>', String(n)]),
      statement(['COMPUTE', 'TXN-DATE(I)', '=', '20240100', '+', 'I']),
      statement(['MOVE', "'DB'", 'TO', 'TXN-CODE(I)']),
      statement(['COMPUTE', 'TXN-AMOUNT(I)', '=', 'I', '*', '-1.5']),
      statement(['END-PERFORM']),
      statement(['DISPLAY', `"R|${n}|"`, 'ACCOUNT-HISTORY', '"|E"']),
    ]);
    const source = [
      '       IDENTIFICATION DIVISION.',
      '       PROGRAM-ID. ODOZERO.',
      '       DATA DIVISION.',
      '       WORKING-STORAGE SECTION.',
      '       01 I PIC 9(4) COMP.',
      copyStatement(c),
      '       PROCEDURE DIVISION.',
      ...moves,
      '           STOP RUN.',
    ].join('\n');
    const stdout = Buffer.from(compileAndRun(tempDir('odo-zero'), 'odozero', `${source}\n`, c.std), 'latin1');
    for (const n of counts) {
      const start = stdout.indexOf(`R|${n}|`) + `R|${n}|`.length;
      const length = layout.minLength + txn.length * n;
      const cobol = stdout.subarray(start, start + length);
      expect(stdout.subarray(start + length, start + length + 2).toString()).toBe('|E');
      const json = {
        acctId: 'AC000000042',
        acctCurrBal: -1234.56,
        acctTxnCount: n,
        acctTxn: Array.from({ length: n }, (_, k) => ({ txnDate: 20240101 + k, txnCode: 'DB', txnAmount: -1.5 * (k + 1) })),
      };
      // On the wire a record has its tables at their maximum; what follows the counted elements is not read.
      expect(decodeRecord(layout, Buffer.concat([cobol, Buffer.alloc(layout.length - length, 0x20)]))).toEqual(json);
      expect(encodeRecord(layout, json).subarray(0, length).toString('hex')).toBe(cobol.toString('hex'));
    }
  });
});
