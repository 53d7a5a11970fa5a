// Generates an estate of COBOL programs the way a shop has them: a few at the
// top of cobol/, most in group sub-folders, a mix of sizes (a handful of
// paragraphs to over a thousand lines), some COPYing their group's or the
// shared copybooks, some CALLing a subprogram from their group's lib/. Every
// program prints one line the generator knows in advance, so a test can check
// any of them through the bridge. Deterministic: the same count and seed give
// the same files.
//
//   npx tsx bench/estate.ts DIR [--programs 1000] [--seed 1]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

export const GROUPS = ['accounts', 'billing', 'claims', 'ledger', 'payroll', 'policy', 'reports'];

export interface EstateProgram {
  name: string;
  /** '' for cobol/ itself, else the sub-folder. */
  group: string;
  /** Path relative to the estate's folder. */
  file: string;
  size: 'small' | 'medium' | 'large';
  copybook?: string;
  subprogram?: string;
  /** What the program prints (one line) for any input. */
  expected: string;
}

export interface Estate {
  dir: string;
  programs: EstateProgram[];
}

/** A small deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const line = (text: string): string => `       ${text}\n`;

function paragraphs(count: number, random: () => number): { text: string; total: number } {
  let text = '';
  let total = 0;
  for (let i = 1; i <= count; i++) {
    const a = 1 + Math.floor(random() * 900);
    const b = 1 + Math.floor(random() * 9);
    text += line(`PARA-${i}.`);
    text += line(`    MOVE ${a} TO WS-WORK`);
    text += line(`    MULTIPLY ${b} BY WS-WORK`);
    text += line(`    IF WS-WORK > 1000`);
    text += line(`        SUBTRACT 1000 FROM WS-WORK`);
    text += line(`    END-IF`);
    text += line(`    ADD WS-WORK TO WS-TOTAL.`);
    const w = a * b;
    total += w > 1000 ? w - 1000 : w;
  }
  return { text, total };
}

function program(p: EstateProgram, paras: number, random: () => number, copyValue: number, subAdd: number): string {
  const { text, total } = paragraphs(paras, random);
  const id = p.name.toUpperCase();
  let out = line('IDENTIFICATION DIVISION.') + line(`PROGRAM-ID. ${id}.`) + line('DATA DIVISION.') + line('WORKING-STORAGE SECTION.');
  if (p.copybook) out += line(`COPY ${p.copybook}.`);
  out += line('01 WS-INPUT PIC X(80).') + line('01 WS-WORK PIC 9(9) VALUE 0.') + line('01 WS-TOTAL PIC 9(12) VALUE 0.');
  out += line('PROCEDURE DIVISION.') + line('MAIN-PARA.') + line('    ACCEPT WS-INPUT');
  for (let i = 1; i <= paras; i++) out += line(`    PERFORM PARA-${i}`);
  if (p.copybook) out += line('    ADD GROUP-BASE TO WS-TOTAL');
  if (p.subprogram) out += line(`    CALL "${p.subprogram.toUpperCase()}" USING WS-TOTAL`);
  out += line(`    DISPLAY "${id} " WS-TOTAL`);
  out += line('    STOP RUN.');
  out += text;
  const sum = total + (p.copybook ? copyValue : 0) + (p.subprogram ? subAdd : 0);
  p.expected = `${id} ${String(sum).padStart(12, '0')}`;
  return out;
}

function subprogramSource(name: string, add: number): string {
  return (
    line('IDENTIFICATION DIVISION.') +
    line(`PROGRAM-ID. ${name.toUpperCase()}.`) +
    line('DATA DIVISION.') +
    line('LINKAGE SECTION.') +
    line('01 LK-TOTAL PIC 9(12).') +
    line('PROCEDURE DIVISION USING LK-TOTAL.') +
    line(`    ADD ${add} TO LK-TOTAL`) +
    line('    GOBACK.')
  );
}

/** Writes `count` programs into `dir` (which should be empty) and returns what each prints. */
export function generateEstate(dir: string, count: number, seed = 1): Estate {
  const random = prng(seed);
  const programs: EstateProgram[] = [];
  const settings: Record<string, { subprograms: string[] }> = {};
  mkdirSync(join(dir, 'copybooks'), { recursive: true });
  writeFileSync(join(dir, 'copybooks', 'shared.cpy'), line('01 GROUP-BASE PIC 9(6) VALUE 7.'));
  for (const g of GROUPS) {
    mkdirSync(join(dir, g, 'copybooks'), { recursive: true });
    mkdirSync(join(dir, g, 'lib'), { recursive: true });
    // The group's copybook shadows the shared one of the same name for its programs.
    writeFileSync(join(dir, g, 'copybooks', `${g}rec.cpy`), line(`01 GROUP-BASE PIC 9(6) VALUE ${100 + GROUPS.indexOf(g)}.`));
    writeFileSync(join(dir, g, 'lib', `${g.slice(0, 4)}sub.cbl`), subprogramSource(`${g.slice(0, 4)}sub`, 1000 + GROUPS.indexOf(g)));
  }
  for (let i = 1; i <= count; i++) {
    const r = random();
    // One in eight at the top of cobol/, the rest spread over the groups.
    const group = r < 0.125 ? '' : GROUPS[Math.floor(random() * GROUPS.length)]!;
    const name = `${group ? group.slice(0, 4) : 'top'}${String(i).padStart(4, '0')}`;
    const s = random();
    const size = s < 0.7 ? 'small' : s < 0.95 ? 'medium' : 'large';
    const paras = size === 'small' ? 2 + Math.floor(random() * 6) : size === 'medium' ? 40 + Math.floor(random() * 60) : 250 + Math.floor(random() * 150);
    const c = random();
    const copybook = c < 0.3 ? (group ? `${group}rec` : 'shared') : undefined;
    const subprogram = group && random() < 0.2 ? `${group.slice(0, 4)}sub` : undefined;
    const file = group ? `${group}/${name}.cbl` : `${name}.cbl`;
    const p: EstateProgram = { name, group, file, size, copybook, subprogram, expected: '' };
    const copyValue = group ? 100 + GROUPS.indexOf(group) : 7;
    const subAdd = group ? 1000 + GROUPS.indexOf(group) : 0;
    writeFileSync(join(dir, file), program(p, paras, random, copyValue, subAdd));
    if (subprogram) settings[name] = { subprograms: [`${group}/lib/${subprogram}.cbl`] };
    programs.push(p);
  }
  writeFileSync(join(dir, 'cobolambda.json'), `${JSON.stringify({ programs: settings }, null, 2)}\n`);
  return { dir, programs };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { programs: { type: 'string', default: '1000' }, seed: { type: 'string', default: '1' } },
  });
  if (positionals.length !== 1) {
    process.stderr.write('usage: npx tsx bench/estate.ts DIR [--programs 1000] [--seed 1]\n');
    process.exit(2);
  }
  const estate = generateEstate(positionals[0]!, Number(values.programs), Number(values.seed));
  const by = (k: 'size' | 'group') => {
    const counts = new Map<string, number>();
    for (const p of estate.programs) counts.set(p[k] || '.', (counts.get(p[k] || '.') ?? 0) + 1);
    return [...counts].map(([g, n]) => `${g} ${n}`).join(', ');
  };
  process.stdout.write(`${estate.programs.length} programs in ${estate.dir}: ${by('size')}; groups: ${by('group')}\n`);
}
