// The one description of a program. Build, `dev` and deploy all read programs
// through `discoverPrograms`, so a program means the same thing everywhere.
import { closeSync, existsSync, lstatSync, openSync, readdirSync, readFileSync, readlinkSync, statSync, type Stats } from 'node:fs';
import { join, resolve, basename, extname } from 'node:path';
import { batchSpec, type BatchSettings, type BatchSpec } from './batch.ts';

export type IoMode = 'raw' | 'lines' | 'record' | 'http' | 'batch';

/** Per-program settings a user may put in `cobol/cobolambda.json` under `programs.<name>`. */
export interface ProgramSettings extends BatchSettings {
  /** cobc dialect, passed as `-std=<std>` (e.g. `ibm`, `mf`, `default`). */
  std?: string;
  /** Extra cobc flags, appended after cobolambda's own. */
  cobcFlags?: string[];
  /** How the event becomes stdin and stdout becomes the response. Default `raw`. */
  mode?: IoMode;
  /** record mode: input and output copybooks (file names found on the copybook path). */
  input?: string;
  output?: string;
  /** Function settings used by `dev` and deploy. */
  timeoutSeconds?: number;
  memorySizeMb?: number;
  environment?: Record<string, string>;
  /** Further COBOL sources CALLed by this program, linked into its executable. */
  subprograms?: string[];
  /** A payload to try the function with; `dev` prints it in its example commands. */
  example?: string;
}

export interface ProgramSpec {
  /** Function name and Lambda handler: the source's base name in lower case. */
  name: string;
  /** Absolute path of the main source file. */
  source: string;
  /** Absolute paths of CALLed subprogram sources linked into the same executable. */
  subprograms: string[];
  /** Folders searched for copybooks, in order. */
  copybookDirs: string[];
  std?: string;
  cobcFlags: string[];
  mode: IoMode;
  input?: string;
  output?: string;
  timeoutSeconds: number;
  memorySizeMb: number;
  environment: Record<string, string>;
  example?: string;
  /** batch mode: files by DD name, RETURN-CODE limit, S3 access. */
  batch?: BatchSpec;
}

export interface ProjectConfig {
  programs?: Record<string, ProgramSettings>;
}

export const CONFIG_FILE = 'cobolambda.json';
export const SOURCE_EXTENSIONS = ['.cbl', '.cob'];
export const DEFAULT_TIMEOUT_SECONDS = 30;
export const DEFAULT_MEMORY_MB = 256;
const IO_MODES: readonly IoMode[] = ['raw', 'lines', 'record', 'http', 'batch'];

// Lambda's handler string is free-form, but this one is also a file name under
// /opt/bin and a function name: keep to what both allow.
const PROGRAM_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const SUBPROGRAM_FILE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

export class ProgramDiscoveryError extends Error {
  override name = 'ProgramDiscoveryError';
}

export function isValidProgramName(name: string): boolean {
  return PROGRAM_NAME.test(name);
}

/** Every `.cbl`/`.cob` file directly in `cobolDir` is one program. */
export function discoverPrograms(cobolDir: string): ProgramSpec[] {
  const dir = resolve(cobolDir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ProgramDiscoveryError(`no COBOL folder at ${dir}`);
  }
  const config = readConfig(dir);
  const settingsByName = config.programs ?? {};
  const copybookDirs = [dir, join(dir, 'copybooks')].filter((d) => existsSync(d));
  const subprogramSources = new Set(
    Object.values(settingsByName).flatMap((s) => (s.subprograms ?? []).map((p) => resolve(dir, p))),
  );

  const byName = new Map<string, string>();
  const problems: string[] = [];
  const programs: ProgramSpec[] = [];
  for (const file of readdirSync(dir).sort()) {
    const source = join(dir, file);
    if (!SOURCE_EXTENSIONS.includes(extname(file).toLowerCase())) continue;
    if (subprogramSources.has(source)) continue;
    const unreadable = unreadableFile(source);
    if (unreadable) {
      problems.push(`${source}: ${unreadable}`);
      continue;
    }
    const name = basename(file, extname(file)).toLowerCase();
    const clash = byName.get(name);
    if (clash) {
      problems.push(`two programs are named "${name}": ${clash} and ${source}`);
      continue;
    }
    byName.set(name, source);
    if (!isValidProgramName(name)) {
      problems.push(
        `${source}: "${name}" is not a valid function name (use lower-case letters, digits, - and _, at most 64)`,
      );
      continue;
    }
    programs.push(toSpec(name, source, settingsByName[name] ?? {}, dir, copybookDirs));
  }
  for (const sub of subprogramSources) {
    // cobc derives C file and symbol names from the base name: keep it to what both allow.
    if (!SUBPROGRAM_FILE.test(basename(sub))) {
      problems.push(`${join(dir, CONFIG_FILE)}: subprogram ${sub}: its file name may hold only letters, digits, '.', '-' and '_'`);
      continue;
    }
    const unreadable = unreadableFile(sub);
    if (unreadable) problems.push(`${join(dir, CONFIG_FILE)}: subprogram ${sub}: ${unreadable}`);
  }
  for (const configured of Object.keys(settingsByName)) {
    if (!byName.has(configured)) {
      problems.push(`${join(dir, CONFIG_FILE)}: settings for "${configured}", but there is no ${configured}.cbl`);
    }
  }
  if (problems.length > 0) throw new ProgramDiscoveryError(problems.join('\n'));
  return programs;
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/**
 * Why a source cannot be compiled, or undefined when it is a readable regular file.
 * Checked before anything reads it: reading a FIFO would block the build forever, and a
 * dangling symbolic link or an unreadable file would otherwise surface as a bare errno.
 */
export function unreadableFile(file: string): string | undefined {
  let link: Stats;
  try {
    link = lstatSync(file);
  } catch (err) {
    return `does not exist (${(err as NodeJS.ErrnoException).code})`;
  }
  let st: Stats;
  try {
    st = statSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return link.isSymbolicLink() ? `is a symbolic link to ${readlinkSync(file)}, which cannot be followed (${code})` : `cannot be read (${code})`;
  }
  if (!st.isFile()) return `is ${kindOf(st)}, not a source file`;
  try {
    closeSync(openSync(file, 'r'));
  } catch (err) {
    return `cannot be read (${(err as NodeJS.ErrnoException).code})`;
  }
  return undefined;
}

function toSpec(
  name: string,
  source: string,
  settings: ProgramSettings,
  dir: string,
  copybookDirs: string[],
): ProgramSpec {
  const where = `${join(dir, CONFIG_FILE)}: programs.${name}`;
  const mode = settings.mode ?? 'raw';
  if (!IO_MODES.includes(mode)) {
    throw new ProgramDiscoveryError(`${where}.mode is "${mode}"; expected one of ${IO_MODES.join(', ')}`);
  }
  if (mode === 'record' && (!settings.input || !settings.output)) {
    throw new ProgramDiscoveryError(`${where}: record mode needs "input" and "output" copybooks`);
  }
  const timeoutSeconds = settings.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 900) {
    throw new ProgramDiscoveryError(`${where}.timeoutSeconds must be a whole number from 1 to 900`);
  }
  const memorySizeMb = settings.memorySizeMb ?? DEFAULT_MEMORY_MB;
  if (!Number.isInteger(memorySizeMb) || memorySizeMb < 128 || memorySizeMb > 10240) {
    throw new ProgramDiscoveryError(`${where}.memorySizeMb must be a whole number from 128 to 10240`);
  }
  return {
    name,
    source,
    subprograms: (settings.subprograms ?? []).map((p) => resolve(dir, p)),
    copybookDirs,
    std: settings.std,
    cobcFlags: settings.cobcFlags ?? [],
    mode,
    input: settings.input,
    output: settings.output,
    timeoutSeconds,
    memorySizeMb,
    environment: settings.environment ?? {},
    example: settings.example,
    ...(mode === 'batch'
      ? { batch: batchSpec(settings, settings.environment ?? {}, (path, message) => { throw new ProgramDiscoveryError(`${where}.${path}: ${message}`); }) }
      : {}),
  };
}

function readConfig(dir: string): ProjectConfig {
  const file = join(dir, CONFIG_FILE);
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ProjectConfig;
  } catch (err) {
    throw new ProgramDiscoveryError(`${file}: not valid JSON: ${(err as Error).message}`);
  }
}
