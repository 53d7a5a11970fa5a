// How a record-mode program's stdin and stdout files are laid out, as cobc
// decides it: the C cobc generates for the program says, for each file, where
// it is ASSIGNed, its organization and its smallest and largest record. A
// SEQUENTIAL file whose records vary (OCCURS DEPENDING ON in its FD, RECORD
// VARYING, 01s of different sizes) is read and written with a length header per
// record; a fixed one as bare records.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { ProgramSpec } from './programs.ts';

export interface StdioFile {
  /** The SELECT name. */
  select: string;
  organization: 'sequential' | 'line sequential' | 'other';
  recordMin: number;
  recordMax: number;
}

/** The files of the program's main source ASSIGNed to /dev/stdin and /dev/stdout (undefined when none is). */
export function stdioFiles(spec: Pick<ProgramSpec, 'source' | 'std' | 'copybookDirs' | 'cobcFlags'>): { stdin?: StdioFile; stdout?: StdioFile } {
  const work = mkdtempSync(join(tmpdir(), 'cobolambda-files-'));
  try {
    const cFile = join(work, 'program.c');
    const cwd = dirname(spec.source);
    const args = ['-C', '-x', ...(spec.std ? [`-std=${spec.std}`] : []), ...spec.copybookDirs.flatMap((d) => ['-I', d]), ...spec.cobcFlags, '-o', cFile, relative(cwd, spec.source) || spec.source];
    try {
      execFileSync('cobc', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    } catch {
      // The build compiles the program itself and reports its errors: a program that does not compile is not served.
      return {};
    }
    const headers = readdirSync(work).filter((f) => f.endsWith('.h')).map((f) => readFileSync(join(work, f), 'latin1')).join('\n');
    return filesAssignedTo(readFileSync(cFile, 'latin1'), headers);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Reads the file descriptions out of cobc's generated C (`h_<FILE>->assign = ...; ->record_min = n; ...`). */
export function filesAssignedTo(c: string, headers: string): { stdin?: StdioFile; stdout?: StdioFile } {
  const constants = new Map<string, string>();
  for (const m of headers.matchAll(/static const cob_field\s+(c_\d+)\s*=\s*\{\d+,\s*\(cob_u8_ptr\)"((?:[^"\\]|\\.)*)"/g)) constants.set(m[1]!, m[2]!);
  const out: { stdin?: StdioFile; stdout?: StdioFile } = {};
  for (const m of c.matchAll(/(h_\w+)->assign = \(cob_field \*\)&(c_\d+);/g)) {
    const handle = m[1]!;
    const target = constants.get(m[2]!);
    if (target !== '/dev/stdin' && target !== '/dev/stdout') continue;
    const field = (name: string): string | undefined => c.match(new RegExp(`${handle}->${name} = ([^;]+);`))?.[1];
    const organization = Number(field('organization'));
    const file: StdioFile = {
      select: (field('select_name') ?? handle).replace(/^\(const char \*\)"|"$/g, ''),
      organization: organization === 0 ? 'sequential' : organization === 1 ? 'line sequential' : 'other',
      recordMin: Number(field('record_min')),
      recordMax: Number(field('record_max')),
    };
    out[target === '/dev/stdin' ? 'stdin' : 'stdout'] = file;
  }
  return out;
}
