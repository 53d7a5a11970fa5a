// cobc is the oracle: every copybook under test/cobol/copybooks is compiled
// into a program that prints the offset and length of each named item, the
// record's length and its initial bytes; the parser's layout must agree.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCopybook, flattenLayout, encodeRecord, dialectForStd, type RecordLayout } from '../runtime/src/codecs/copybook/index.ts';
import { TEST_COBOL_DIR, tempDir } from './support/cobc.ts';
import { itemProbe, PROBE_ITEMS, recordProbe, statement } from './support/copybook.ts';

const COPYBOOKS = join(TEST_COBOL_DIR, 'copybooks');

interface Case {
  file: string;
  std?: string;
  free?: boolean;
}

const CASES: Case[] = [
  { file: 'cb01-simple.cpy' },
  { file: 'cb02-binary.cpy', std: 'default' },
  { file: 'cb02-binary.cpy', std: 'ibm' },
  { file: 'cb02-binary.cpy', std: 'mf' },
  { file: 'cb04-comp5.cpy' },
  { file: 'cb04-comp5.cpy', std: 'mf' },
  { file: 'cb05-packed.cpy' },
  { file: 'cb06-sign.cpy' },
  { file: 'cb07-occurs.cpy' },
  { file: 'cb08-odo.cpy' },
  { file: 'cb09-redefines.cpy' },
  { file: 'cb10-filler.cpy' },
  { file: 'cb11-values.cpy' },
  { file: 'cb12-edited.cpy' },
  { file: 'cb13-continuation.cpy' },
  { file: 'cb14-free.cpy', free: true },
  { file: 'cb15-no01.cpy' },
  { file: 'cb16-main.cpy' },
  { file: 'cb17-pscale.cpy' },
  { file: 'cb17-pscale.cpy', std: 'ibm' },
  { file: 'cb18-group-usage.cpy' },
  { file: 'cb19-nasty.cpy' },
  { file: 'cb20-large.cpy' },
  { file: 'cb21-justified.cpy' },
  { file: 'cb22-float.cpy' },
  { file: 'cb23-seventy-seven.cpy' },
  { file: 'cb24-alpha.cpy' },
  { file: 'cb25-odo-groups.cpy', std: 'ibm' },
];

function resolveCopy(name: string): string {
  for (const candidate of [name, `${name}.cpy`]) {
    try {
      return readFileSync(join(COPYBOOKS, candidate), 'utf8');
    } catch {
      // next
    }
  }
  throw new Error(`no copybook ${name} in ${COPYBOOKS}`);
}

export function layoutOf(c: Case): RecordLayout {
  return parseCopybook(readFileSync(join(COPYBOOKS, c.file), 'utf8'), {
    fileName: c.file,
    format: c.free ? 'free' : 'fixed',
    dialect: dialectForStd(c.std),
    resolveCopy,
  });
}

function ref(qualified: string, subscripts: number[]): string[] {
  const words = qualified.split(' ');
  return subscripts.length === 0 ? words : [...words.slice(0, -1), `${words[words.length - 1]}(${subscripts.join(' ')})`];
}

interface Probe {
  id: number;
  qualified: string;
  subscripts: number[];
}

function oracleProgram(layout: RecordLayout, c: Case, probes: Probe[], hasRecordLevel: boolean): string {
  const flat = flattenLayout(layout);
  const recordName = layout.name;
  const out: string[] = [
    '       IDENTIFICATION DIVISION.',
    '       PROGRAM-ID. ORACLE.',
    '       DATA DIVISION.',
    '       WORKING-STORAGE SECTION.',
    ...PROBE_ITEMS,
  ];
  if (!hasRecordLevel) out.push(`       01 ${recordName}.`);
  out.push(`           COPY "${c.file}".`);
  out.push('       PROCEDURE DIVISION.');
  for (const f of flat) {
    const path = f.field.occurs?.dependingOnPath;
    if (!path) continue;
    const counter = flat.find((g) => g.field.mapped && g.names.slice(-path.length).join() === g.names.slice(-path.length).join() && pathOf(flat, g) === path.join('.'))!;
    out.push(statement(['MOVE', String(f.field.occurs!.max), 'TO', ...counter.qualified.split(' ')]));
  }
  const isGroupRecord = layout.fields.length !== 1 || layout.fields[0]!.name !== recordName || layout.fields[0]!.children;
  if (isGroupRecord) {
    out.push(statement(['DISPLAY', '"INIT|"', 'WITH', 'NO', 'ADVANCING']));
    out.push(statement(['DISPLAY', recordName]));
  }
  out.push(...recordProbe(recordName, 'LEN'));
  for (const p of probes) {
    const r = ref(p.qualified, p.subscripts);
    out.push(...itemProbe(r, p.id));
  }
  out.push('           STOP RUN.');
  return `${out.join('\n')}\n`;
}

function pathOf(flat: ReturnType<typeof flattenLayout>, g: ReturnType<typeof flattenLayout>[number]): string {
  // JSON path of a static field: the JSON names of its named ancestors below the record.
  const names: string[] = [];
  for (let i = 1; i <= g.names.length; i++) {
    const prefix = g.names.slice(0, i);
    const match = flat.find((h) => h.names.join('/') === prefix.join('/'));
    if (match?.field.jsonName) names.push(match.field.jsonName);
  }
  return names.join('.');
}

function setPath(obj: Record<string, unknown>, path: string[], value: unknown): void {
  let o = obj;
  for (const key of path.slice(0, -1)) o = (o[key] ??= {}) as Record<string, unknown>;
  o[path[path.length - 1]!] = value;
}

describe('copybook layouts agree with cobc', () => {
  const dir = tempDir('copybook-oracle');

  for (const [index, c] of CASES.entries()) {
    const label = `${c.file}${c.std ? ` (-std=${c.std})` : ''}`;
    describe(label, () => {
      let layout: RecordLayout;
      let probes: Probe[];
      let stdout: Buffer;
      beforeAll(() => {
        layout = layoutOf(c);
        const source = readFileSync(join(COPYBOOKS, c.file), 'utf8');
        const hasRecordLevel = /^[\s\d]*\b(0?1|77)\s+[A-Za-z]/m.test(source.split('\n').filter((l) => !/^.{6}[*\/]/.test(l)).join('\n'));
        const flat = flattenLayout(layout);
        probes = [];
        flat.forEach((f, id) => {
          const ones = Array<number>(f.dimensions).fill(1);
          probes.push({ id: probes.length, qualified: f.qualified, subscripts: ones });
          if (f.field.occurs && f.field.occurs.max >= 2) probes.push({ id: probes.length, qualified: f.qualified, subscripts: [...ones.slice(0, -1), 2] });
          void id;
        });
        const program = join(dir, `oracle${index}.cbl`);
        writeFileSync(program, oracleProgram(layout, c, probes, hasRecordLevel));
        const exe = join(dir, `oracle${index}`);
        execFileSync('cobc', ['-x', ...(c.free ? ['-free'] : []), `-std=${c.std ?? 'default'}`, '-I', COPYBOOKS, '-o', exe, program], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        stdout = execFileSync(exe, { stdio: ['ignore', 'pipe', 'pipe'] });
      });

      it('has the record length cobc computes', () => {
        const text = stdout.toString('latin1');
        const m = text.match(/LEN\|(\d+)/);
        expect(m).not.toBeNull();
        expect(layout.length).toBe(Number(m![1]));
      });

      it('places every named item where cobc does', () => {
        const text = stdout.toString('latin1');
        const flat = flattenLayout(layout);
        const byQualified = new Map(flat.map((f) => [f.qualified, f]));
        const seen = new Set<number>();
        for (const m of text.matchAll(/F\|(\d+)\|(\d+)\|(\d+)/g)) {
          const probe = probes[Number(m[1])]!;
          const f = byQualified.get(probe.qualified)!;
          const last = probe.subscripts[probe.subscripts.length - 1];
          const expectedOffset = f.field.offset + (f.field.occurs && last === 2 ? f.field.length : 0);
          expect({ item: probe.qualified, sub: probe.subscripts, offset: expectedOffset, length: f.field.length }).toEqual({
            item: probe.qualified,
            sub: probe.subscripts,
            offset: Number(m[2]),
            length: Number(m[3]),
          });
          seen.add(probe.id);
        }
        expect(seen.size).toBe(probes.length);
        expect(probes.length).toBeGreaterThan(0);
      });

      it('encodes an empty object to the bytes cobc initialises (VALUE clauses, defaults)', () => {
        const start = stdout.indexOf('INIT|');
        if (start < 0) {
          // elementary records: DISPLAY would edit them; the record is checked by the round trips instead
          expect(layout.fields).toHaveLength(1);
          return;
        }
        const cobol = Buffer.from(stdout.subarray(start + 5, start + 5 + layout.length));
        const input: Record<string, unknown> = {};
        const flat = flattenLayout(layout);
        for (const f of flat) {
          const path = f.field.occurs?.dependingOnPath;
          if (path) setPath(input, path, f.field.occurs!.max);
        }
        const ours = encodeRecord(layout, input);
        // Edited items default to spaces here; cobc initialises them to an edited zero: compare the rest.
        for (const f of flat) {
          if (f.field.kind !== 'numeric-edited' && f.field.kind !== 'alphanumeric-edited') continue;
          const count = f.field.occurs?.max ?? 1;
          for (let i = 0; i < count; i++) cobol.fill(0x20, f.field.offset + i * f.field.length, f.field.offset + (i + 1) * f.field.length);
        }
        expect(ours.toString('hex')).toBe(cobol.toString('hex'));
      });
    });
  }
});
