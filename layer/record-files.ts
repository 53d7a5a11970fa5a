// How a program's files are laid out, as cobc decides it (record mode's stdin
// and stdout, batch mode's files by external name): the C cobc generates for the program says, for each file, where
// it is ASSIGNed, its organization and its smallest and largest record. A
// SEQUENTIAL file whose records vary (OCCURS DEPENDING ON in its FD, RECORD
// VARYING, 01s of different sizes) is read and written with a length header per
// record; a fixed one as bare records.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { ProgramSpec } from './programs.ts';
import type { RecordLayout } from '../runtime/src/codecs/copybook/layout.ts';

export interface StdioFile {
  /** The SELECT name. */
  select: string;
  organization: 'sequential' | 'line sequential' | 'other';
  recordMin: number;
  recordMax: number;
}

export interface ProgramFile extends StdioFile {
  /** The name it is ASSIGNed to: a path, or the external name libcob looks up as DD_<name>. */
  assign: string;
}

/** Every file of the program's main source, as cobc describes it (none when it does not compile). */
export function programFiles(spec: Pick<ProgramSpec, 'source' | 'std' | 'copybookDirs' | 'cobcFlags'>): ProgramFile[] {
  const work = mkdtempSync(join(tmpdir(), 'cobolambda-files-'));
  try {
    const cFile = join(work, 'program.c');
    const cwd = dirname(spec.source);
    const args = ['-C', '-x', ...(spec.std ? [`-std=${spec.std}`] : []), ...spec.copybookDirs.flatMap((d) => ['-I', d]), ...spec.cobcFlags, '-o', cFile, relative(cwd, spec.source) || spec.source];
    try {
      execFileSync('cobc', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    } catch {
      // The build compiles the program itself and reports its errors: a program that does not compile is not served.
      return [];
    }
    const headers = readdirSync(work).filter((f) => f.endsWith('.h')).map((f) => readFileSync(join(work, f), 'latin1')).join('\n');
    return describedFiles(readFileSync(cFile, 'latin1'), headers);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The files of the program's main source ASSIGNed to /dev/stdin and /dev/stdout (undefined when none is). */
export function stdioFiles(spec: Pick<ProgramSpec, 'source' | 'std' | 'copybookDirs' | 'cobcFlags'>): { stdin?: StdioFile; stdout?: StdioFile } {
  return filesAssignedTo(programFiles(spec));
}

function filesAssignedTo(files: ProgramFile[]): { stdin?: StdioFile; stdout?: StdioFile } {
  const out: { stdin?: StdioFile; stdout?: StdioFile } = {};
  for (const { assign, ...file } of files) {
    if (assign === '/dev/stdin') out.stdin = file;
    if (assign === '/dev/stdout') out.stdout = file;
  }
  return out;
}

/**
 * Reads the file descriptions out of cobc's generated C (`h_<FILE>->assign = ...; ->record_min = n; ...`).
 * A literal ASSIGN is a constant (`&c_2`); a word (`ASSIGN TO EMPIN`, an external name) is a
 * field cobc fills with the name (`memcpy (b_27, "EMPIN", 5)`).
 */
export function describedFiles(c: string, headers: string): ProgramFile[] {
  const constants = new Map<string, string>();
  for (const m of headers.matchAll(/static const cob_field\s+(c_\d+)\s*=\s*\{\d+,\s*\(cob_u8_ptr\)"((?:[^"\\]|\\.)*)"/g)) constants.set(m[1]!, m[2]!);
  const files: ProgramFile[] = [];
  for (const m of c.matchAll(/(h_\w+)->assign = (?:\(cob_field \*\)&(c_\d+)|COB_SET_FLD\(\w+, \d+, (b_\d+),[^;]*\));/g)) {
    const handle = m[1]!;
    const assign = m[2] ? constants.get(m[2]) : c.match(new RegExp(`memcpy \\(${m[3]}, "((?:[^"\\\\]|\\\\.)*)", \\d+\\);`))?.[1];
    if (assign === undefined) continue;
    const field = (name: string): string | undefined => c.match(new RegExp(`${handle}->${name} = ([^;]+);`))?.[1];
    const organization = Number(field('organization'));
    files.push({
      assign,
      select: (field('select_name') ?? handle).replace(/^\(const char \*\)"|"$/g, ''),
      organization: organization === 0 ? 'sequential' : organization === 1 ? 'line sequential' : 'other',
      recordMin: Number(field('record_min')),
      recordMax: Number(field('record_max')),
    });
  }
  return files;
}

/**
 * Why a copybook cannot describe a file's records, if it cannot: its length is not the
 * FD's record length (every record after the first would be read shifted), or it allows
 * records shorter than the FD does.
 */
export function recordSizeMismatch(source: string, file: StdioFile, assign: string, layout: RecordLayout, role: string): string | undefined {
  const variable = file.recordMin !== file.recordMax;
  if (file.recordMax === layout.length && !(variable && file.recordMin > layout.minLength)) return undefined;
  return (
    `${source}: the file ${file.select} (ASSIGN TO "${assign}") holds records of ${variable ? `${file.recordMin} to ${file.recordMax}` : file.recordMax} bytes, ` +
    `but the ${role} copybook ${layout.fileName} (record ${layout.name}) is ${layout.minLength === layout.length ? layout.length : `${layout.minLength} to ${layout.length}`} bytes: ` +
    `describe the FD record with the copybook, or as PIC X(${layout.length}) with the copybook in WORKING-STORAGE (READ ... INTO, WRITE ... FROM)`
  );
}
