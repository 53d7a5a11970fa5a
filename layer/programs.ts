// The one description of a program. Build, `dev` and deploy all read programs
// through `discoverPrograms`, so a program means the same thing everywhere.
import { closeSync, existsSync, lstatSync, openSync, readdirSync, readFileSync, readlinkSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { batchSpec, type BatchSettings, type BatchSpec } from './batch.ts';
import type { RecordSettings } from '../runtime/src/codecs/copybook/record-settings.ts';
import { configProblems, IO_MODES, type LambdaRuntime } from './config-schema.ts';

export type IoMode = (typeof IO_MODES)[number];

/** Per-program settings a user may put in `cobol/cobolambda.json` under `programs.<name>`. */
export interface ProgramSettings extends BatchSettings {
  /** cobc dialect, passed as `-std=<std>` (e.g. `ibm`, `mf`, `default`). */
  std?: string;
  /** Extra cobc flags, appended after cobolambda's own. */
  cobcFlags?: string[];
  /** How the event becomes stdin and stdout becomes the response. Default `raw`. */
  mode?: IoMode;
  /** record mode: input and output copybooks (file names found on the copybook path), or references with options. */
  input?: string | CopybookReference;
  output?: string | CopybookReference;
  /** call mode: one copybook per parameter of PROCEDURE DIVISION USING, in order (found as record mode finds its copybooks). */
  using?: Array<string | CopybookReference>;
  /** Function settings used by `dev` and deploy. */
  timeoutSeconds?: number;
  memorySizeMb?: number;
  environment?: Record<string, string>;
  /** Further COBOL sources CALLed by this program, linked into its executable. */
  subprograms?: string[];
  /** A payload to try the function with; `dev` prints it in its example commands. */
  example?: string;
  /** `provided.al2023` (default) or `nodejs24.x` (Lambda's Node runs the bootstrap; the layer has no Node). */
  runtime?: LambdaRuntime;
  /** record mode: how text fields are JSON strings, per-field overrides, REDEFINES chosen by a discriminator. */
  encoding?: RecordSettings['encoding'];
  fields?: RecordSettings['fields'];
  redefines?: RecordSettings['redefines'];
}

/** A record-mode copybook and how to read it. */
export interface CopybookReference {
  /** File name found on the copybook path. */
  copybook: string;
  /** Applied as `COPY copybook REPLACING ==from== BY ==to==` would be: `{":TAG:": "CUST"}`. */
  replacing?: Record<string, string>;
  /** The 01 record to map when the copybook describes several (its name after replacing). */
  record?: string;
}

export interface ProgramSpec {
  /** Function name and Lambda handler: the source's base name in lower case. */
  name: string;
  /**
   * The sub-folder of the COBOL folder the source sits in, `/`-separated
   * (`payroll/weekly`), or '' for the folder itself: the estate's own grouping,
   * which deploy turns into stacks.
   */
  group: string;
  /** Absolute path of the main source file. */
  source: string;
  /** Absolute paths of CALLed subprogram sources linked into the same executable. */
  subprograms: string[];
  /** Folders searched for copybooks, in order. */
  copybookDirs: string[];
  std?: string;
  cobcFlags: string[];
  mode: IoMode;
  input?: CopybookReference;
  output?: CopybookReference;
  /** call mode: the copybooks of the parameters, in USING order. */
  using?: CopybookReference[];
  timeoutSeconds: number;
  memorySizeMb: number;
  environment: Record<string, string>;
  example?: string;
  /** batch mode: files by DD name, RETURN-CODE limit, S3 access. */
  batch?: BatchSpec;
  runtime: LambdaRuntime;
  /** record mode: settings applied to the input and output layouts. */
  record: RecordSettings;
  /**
   * Why the program's settings in cobolambda.json are wrong, when discoverPrograms was asked
   * to keep going (`dev`): the program is then described with default settings and fails to build.
   */
  configError?: string;
}

export interface ProjectConfig {
  programs?: Record<string, ProgramSettings>;
}

export const CONFIG_FILE = 'cobolambda.json';
export const SOURCE_EXTENSIONS = ['.cbl', '.cob'];
export const DEFAULT_TIMEOUT_SECONDS = 30;
export const DEFAULT_MEMORY_MB = 256;

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

export interface DiscoveryOptions {
  /**
   * A program whose settings do not fit the schema gets `configError` (and default settings)
   * instead of stopping discovery: `dev` serves the other programs.
   */
  keepGoing?: boolean;
}

/** Sub-folders that hold copybooks and subprograms rather than programs. */
export function isGroupFolderName(name: string): boolean {
  return !NOT_GROUPS.has(name) && !name.startsWith('.') && !name.startsWith('_') && name !== 'node_modules';
}
const NOT_GROUPS = new Set(['copybooks', 'lib']);
const GROUP_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Source files of a folder and its group sub-folders, as [group, folder, file name], in a stable order. */
function sourceFiles(dir: string, group: string, problems: string[]): Array<[string, string, string]> {
  const out: Array<[string, string, string]> = [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) if (!e.isDirectory()) out.push([group, dir, e.name]);
  for (const e of entries) {
    if (!e.isDirectory() || !isGroupFolderName(e.name)) continue;
    const sub = group ? `${group}/${e.name}` : e.name;
    const inner = sourceFiles(join(dir, e.name), sub, problems);
    if (inner.some(([, , f]) => SOURCE_EXTENSIONS.includes(extname(f).toLowerCase())) && !GROUP_SEGMENT.test(e.name)) {
      problems.push(`${join(dir, e.name)}: a folder of programs is a group (and a stack name), so its name may hold only letters, digits, - and _`);
      continue;
    }
    out.push(...inner);
  }
  return out;
}

/** The copybook path of a program in `folder`: that folder and its copybooks/, then each parent's, up to the COBOL folder. */
function copybookPath(root: string, folder: string): string[] {
  const dirs: string[] = [];
  for (let d = folder; ; d = dirname(d)) {
    dirs.push(d, join(d, 'copybooks'));
    if (d === root || dirname(d) === d) break;
  }
  return dirs.filter((d) => existsSync(d));
}

/**
 * Every `.cbl`/`.cob` file in `cobolDir` is one program, and so is every one in
 * its sub-folders, which group them (see isGroupFolderName for the folders that
 * do not). Names are unique across the whole tree: each is a function name.
 */
export function discoverPrograms(cobolDir: string, options: DiscoveryOptions = {}): ProgramSpec[] {
  const dir = resolve(cobolDir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ProgramDiscoveryError(`no COBOL folder at ${dir}`);
  }
  const config = readConfig(dir);
  const configFile = join(dir, CONFIG_FILE);
  const invalid = new Map<string, string[]>();
  const settingsByName = { ...config.programs };
  const fileProblems: string[] = [];
  for (const p of configProblems(config)) {
    if (p.program === undefined || !options.keepGoing) {
      fileProblems.push(`${configFile}: ${p.message}`);
      continue;
    }
    invalid.set(p.program, [...(invalid.get(p.program) ?? []), `${configFile}: ${p.message}`]);
    // The program is described without the settings at fault, so it still builds and shows the problem.
    const { [p.key!]: _dropped, ...rest } = (settingsByName[p.program] ?? {}) as Record<string, unknown>;
    settingsByName[p.program] = (typeof settingsByName[p.program] === 'object' && settingsByName[p.program] !== null ? rest : {}) as ProgramSettings;
  }
  if (fileProblems.length > 0) throw new ProgramDiscoveryError(fileProblems.join('\n'));
  const subprogramSources = new Set(
    Object.values(settingsByName).flatMap((s) => (s.subprograms ?? []).map((p) => resolve(dir, p))),
  );

  const byName = new Map<string, string>();
  const problems: string[] = [];
  const programs: ProgramSpec[] = [];
  const copybookPaths = new Map<string, string[]>();
  for (const [group, folder, file] of sourceFiles(dir, '', problems)) {
    const source = join(folder, file);
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
    let copybookDirs = copybookPaths.get(folder);
    if (!copybookDirs) copybookPaths.set(folder, (copybookDirs = copybookPath(dir, folder)));
    let spec: ProgramSpec;
    try {
      spec = toSpec(name, group, source, settingsByName[name] ?? {}, dir, copybookDirs);
    } catch (err) {
      // A setting the schema cannot judge alone (batch files): as for schema problems, dev keeps going.
      if (!(err instanceof ProgramDiscoveryError) || !options.keepGoing) throw err;
      spec = { ...toSpec(name, group, source, {}, dir, copybookDirs), configError: err.message };
    }
    const configError = invalid.get(name);
    programs.push(configError ? { ...spec, configError: configError.join('\n') } : spec);
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
  for (const configured of Object.keys(config.programs ?? {})) {
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
  group: string,
  source: string,
  settings: ProgramSettings,
  dir: string,
  copybookDirs: string[],
): ProgramSpec {
  // Shapes and ranges are checked by the schema (config-schema.ts) before this.
  const mode = settings.mode ?? 'raw';
  const where = `${join(dir, CONFIG_FILE)}: programs.${name}`;
  const timeoutSeconds = settings.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  const memorySizeMb = settings.memorySizeMb ?? DEFAULT_MEMORY_MB;
  return {
    name,
    group,
    source,
    subprograms: (settings.subprograms ?? []).map((p) => resolve(dir, p)),
    copybookDirs,
    std: settings.std,
    cobcFlags: settings.cobcFlags ?? [],
    mode,
    input: settings.input === undefined ? undefined : copybookReference(settings.input),
    output: settings.output === undefined ? undefined : copybookReference(settings.output),
    using: settings.using?.map(copybookReference),
    timeoutSeconds,
    memorySizeMb,
    environment: settings.environment ?? {},
    example: settings.example,
    runtime: settings.runtime ?? 'provided.al2023',
    record: {
      ...(settings.encoding ? { encoding: settings.encoding } : {}),
      ...(settings.fields ? { fields: settings.fields } : {}),
      ...(settings.redefines ? { redefines: settings.redefines } : {}),
    },
    ...(mode === 'batch'
      ? { batch: batchSpec(settings, settings.environment ?? {}, (path, message) => { throw new ProgramDiscoveryError(`${where}.${path}: ${message}`); }) }
      : {}),
  };
}

function copybookReference(value: string | CopybookReference): CopybookReference {
  return typeof value === 'string' ? { copybook: value } : value;
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

/** Which programs get a Function URL (cdk.json's `functionUrls`): deploy and `dev` decide alike. */
export type FunctionUrls = 'http' | 'all' | 'none';

export function hasFunctionUrl(program: Pick<ProgramSpec, 'mode'>, setting: FunctionUrls): boolean {
  return setting === 'all' || (setting === 'http' && program.mode === 'http');
}
