// `cobolambda build`: compiles every program in cobol/ with cobc and packs the
// two Lambda layers (runtime and programs) under dist/. The CLI, `dev` and the
// CDK bundling all call buildProject / compileProgram.
//
// Linking (measured by bench/linking.ts, see README "Linking"): libcob and the
// static archives of its dependencies are linked into each executable, glibc
// stays dynamic, and ICU (only a fallback converter for libxml2) is replaced by
// a stand-in. A program then needs only libc and libm, GLIBC_2.34 at most.
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleRuntime } from '../runtime/bundle.ts';
import { checkElfFiles, formatElfProblems, listLayerFiles } from './elf.ts';
import { discoverPrograms, type ProgramSpec } from './programs.ts';
import {
  assertArch,
  copyLibraries,
  detectToolchain,
  hostLambdaArch,
  LINKING,
  linkSettings,
  runtimeLibraries,
  type LambdaArch,
  type LinkStrategy,
} from './toolchain.ts';
import { contentsFingerprintFile, writeDeterministicZip } from './zip.ts';
import { copybooksOf } from './copybooks.ts';
import { programMetadata, MetadataError } from './metadata.ts';
import { forkServerFingerprint, forkServerLinkArgs, renameGeneratedMain } from './fork-server.ts';
import { CALL_DRIVER_SOURCE, callKeyParts, writeCallStub } from './call-driver.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const NODE_PACKAGE_DIR = join(here, 'node');

/** The runtime layer's Node.js for one architecture (npm installs only the package of the machine it runs on). */
export function nodeBinary(arch: LambdaArch): string {
  return join(NODE_PACKAGE_DIR, 'node_modules', `node-linux-${arch === 'arm64' ? 'arm64' : 'x64'}`, 'bin', 'node');
}

/** The Node.js the bootstrap runs on here: the runtime layer's, as on Lambda; the host's when that package is not installed. */
export function layerNodeForHost(): string {
  const layerNode = nodeBinary(process.arch === 'arm64' ? 'arm64' : 'x86_64');
  return existsSync(layerNode) ? layerNode : process.execPath;
}

/** Lambda's limits: direct zip upload, and function plus all layers unzipped. */
export const LAMBDA_ZIP_LIMIT = 50 * 1024 * 1024;
export const LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024;

export interface BuildOptions {
  cobolDir: string;
  outDir: string;
  arch?: LambdaArch;
  /** Program names; default all. The programs layer then holds only these. */
  only?: string[];
  log?: (line: string) => void;
  /** How programs are linked; default LINKING (`static-libcob`). */
  linking?: LinkStrategy;
  /** Compile cache; default `<outDir>/.cache`. */
  cacheDir?: string;
}

export interface ProgramResult {
  name: string;
  source: string;
  binary?: string;
  sizeBytes?: number;
  linking: string;
  compileMs?: number;
  cached: boolean;
  error?: string;
}

export interface LayerResult {
  name: string;
  zip: string;
  zippedBytes: number;
  unzippedBytes: number;
}

export interface BuildResult {
  ok: boolean;
  runtimeLayerDir: string;
  programsLayerDir: string;
  runtimeLayerZip: string;
  programsLayerZip: string;
  programs: ProgramResult[];
  layers: LayerResult[];
  /** Why the build is not ok (compile failures, ELF check, limits), one line each. */
  errors: string[];
}

export class BuildError extends Error {
  override name = 'BuildError';
}

export interface CompileOptions {
  arch?: LambdaArch;
  linking?: LinkStrategy;
  /** Where compiled programs are cached; default `.cobolambda/cache` in the current folder. */
  cacheDir?: string;
  /** Called when cobc is about to run (not for a program found in the cache). */
  onCompile?: () => void;
}

export interface CompileResult {
  ok: boolean;
  binary: string;
  messages: string;
  cached: boolean;
  compileMs: number;
}


// ---------------------------------------------------------------------------
// Compiling one program

/** Fixed compile date written into every module (WHEN-COMPILED), for reproducible binaries. */
const FIXED_MODULE_DATE = { formatted: 'Jan 01 1980 00:00:00', date: '19800101', time: '0' };

/** cobc arguments for one source, apart from -C/-x/-o. */
function cobcArgs(spec: ProgramSpec): string[] {
  const args: string[] = [];
  if (spec.std) args.push(`-std=${spec.std}`);
  for (const dir of spec.copybookDirs) args.push('-I', dir);
  args.push(...spec.cobcFlags);
  return args;
}

function defaultCacheDir(): string {
  return resolve('.cobolambda', 'cache');
}

async function compileKey(spec: ProgramSpec, linking: LinkStrategy, fingerprint: string, linkArgs: string[]): Promise<string> {
  const h = createHash('sha256');
  h.update(JSON.stringify({ v: 2, fingerprint, forkServer: forkServerFingerprint(), linking, linkArgs, args: cobcArgs(spec), name: spec.name }));
  for (const part of callKeyParts(spec)) h.update(`\0call:${part}\0`);
  for (const src of [spec.source, ...spec.subprograms]) {
    h.update(`\0source:${basename(src)}\0`);
    h.update(readFileSync(src));
    for (const cpy of copybooksOf(src, spec.copybookDirs)) {
      h.update(`\0copy:${cpy}\0`);
      if (!cpy.startsWith('missing:')) h.update(readFileSync(cpy));
    }
  }
  return h.digest('hex').slice(0, 24);
}

/** Makes cobc's messages point at absolute paths (cobc runs in the source folder). */
function absolutizeMessages(text: string, cwd: string): string {
  return text
    .split('\n')
    .map((line) => line.replace(/^([^\s:][^:]*\.(?:cbl|cob|cpy|CBL|COB|CPY)):(\d+):/, (_, f: string, n: string) => `${resolve(cwd, f)}:${n}:`))
    .join('\n')
    .trim();
}

/** Pins the compile date cobc writes into the generated C (and its header comments). */
function pinModuleDate(cFile: string): void {
  const text = readFileSync(cFile, 'utf8')
    .replace(/^\/\* Generated at .*\*\/$/m, `/* Generated at           ${FIXED_MODULE_DATE.formatted} */`)
    .replace(/^\/\* Compile command .*\*\/$/m, '/* Compile command        (cobolambda) */')
    .replace(/^#define\s+COB_MODULE_FORMATTED_DATE\s.*$/m, `#define  COB_MODULE_FORMATTED_DATE\t"${FIXED_MODULE_DATE.formatted}"`)
    .replace(/^#define\s+COB_MODULE_DATE\s.*$/m, `#define  COB_MODULE_DATE\t\t${FIXED_MODULE_DATE.date}`)
    .replace(/^#define\s+COB_MODULE_TIME\s.*$/m, `#define  COB_MODULE_TIME\t\t${FIXED_MODULE_DATE.time}`);
  writeFileSync(cFile, text);
}

/**
 * Compiles one program (its main source and subprograms) into `binDir/<name>`.
 * Reuses the cached executable when the sources, the copybooks they COPY, the
 * flags, cobc and the static archives are unchanged.
 */
export async function compileProgram(spec: ProgramSpec, binDir: string, options: CompileOptions = {}): Promise<CompileResult> {
  assertArch(options.arch ?? hostLambdaArch() ?? 'x86_64');
  const started = performance.now();
  const linking = options.linking ?? LINKING;
  const cacheDir = resolve(options.cacheDir ?? defaultCacheDir());
  const tc = await detectToolchain();
  const link = await linkSettings(linking, tc, cacheDir);
  const binary = join(resolve(binDir), spec.name);
  const key = await compileKey(spec, linking, tc.fingerprint, link.args);
  const cachedBinary = join(cacheDir, 'programs', `${spec.name}-${key}`);
  mkdirSync(dirname(binary), { recursive: true });
  if (existsSync(cachedBinary)) {
    copyExecutable(cachedBinary, binary);
    return { ok: true, binary, messages: '', cached: true, compileMs: Math.round(performance.now() - started) };
  }

  options.onCompile?.();
  const work = join(cacheDir, 'work', `${spec.name}-${process.pid}-${Date.now()}`);
  mkdirSync(work, { recursive: true });
  const cwd = dirname(spec.source);
  const messages: string[] = [];
  // A call-mode program is a subprogram: cobc makes no main() for it; the call driver is its caller.
  const call = spec.mode === 'call';
  try {
    const cFiles: string[] = [];
    const sources = [spec.source, ...spec.subprograms];
    for (const [i, src] of sources.entries()) {
      const cFile = join(work, `${i}-${basename(src, extname(src))}.c`);
      const r = await execa('cobc', ['-C', ...(i === 0 && !call ? ['-x'] : []), ...cobcArgs(spec), '-o', cFile, relative(cwd, src) || src], {
        cwd,
        reject: false,
        all: true,
        env: { LC_ALL: 'C' },
      });
      if (r.all?.trim()) messages.push(absolutizeMessages(r.all, cwd));
      if (r.exitCode !== 0) {
        return { ok: false, binary, messages: messages.join('\n') || `cobc failed on ${src}`, cached: false, compileMs: Math.round(performance.now() - started) };
      }
      pinModuleDate(cFile);
      if (i === 0 && call) {
        const stub = await writeCallStub(spec, cobcArgs(spec), cwd, relative(cwd, src) || src, work);
        if (!stub.ok) return { ok: false, binary, messages: [...messages, stub.messages].join('\n'), cached: false, compileMs: Math.round(performance.now() - started) };
        cFiles.push(stub.file);
      } else if (i === 0) writeFileSync(cFile, renameGeneratedMain(readFileSync(cFile, 'utf8'), cFile));
      cFiles.push(cFile);
    }
    const out = join(work, spec.name);
    const r = await execa('cobc', ['-x', ...cobcArgs(spec), ...link.args, '-Q', '-Wl,--build-id=none', '-o', out, ...cFiles.map((f) => basename(f)), ...forkServerLinkArgs(), ...(call ? [CALL_DRIVER_SOURCE] : [])], {
      cwd: work,
      reject: false,
      all: true,
      env: { ...link.env, LC_ALL: 'C' },
    });
    if (r.all?.trim()) messages.push(r.all.trim());
    if (r.exitCode !== 0) {
      return { ok: false, binary, messages: messages.join('\n') || 'link failed', cached: false, compileMs: Math.round(performance.now() - started) };
    }
    // Debug info names the work folder; the dynamic symbols CALL needs stay.
    await execa('strip', ['--strip-unneeded', out]);
    mkdirSync(dirname(cachedBinary), { recursive: true });
    renameSync(out, cachedBinary);
    copyExecutable(cachedBinary, binary);
    return { ok: true, binary, messages: messages.join('\n'), cached: false, compileMs: Math.round(performance.now() - started) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function copyExecutable(from: string, to: string): void {
  const tmp = `${to}.${process.pid}.tmp`;
  copyFileSync(from, tmp);
  chmodSync(tmp, 0o755);
  renameSync(tmp, to);
}

// ---------------------------------------------------------------------------
// The whole project

/** Installs the pinned Node.js package for the runtime layer when it is missing. */
export async function ensureNodeBinary(arch: LambdaArch, log: (line: string) => void): Promise<string> {
  const binary = nodeBinary(arch);
  if (existsSync(binary)) return binary;
  log(`installing the runtime layer's Node.js (npm ci --prefix ${relative(process.cwd(), NODE_PACKAGE_DIR) || '.'})`);
  await execa('npm', ['ci', '--prefix', NODE_PACKAGE_DIR, '--no-audit', '--no-fund', '--ignore-scripts'], { stdio: 'pipe' });
  if (!existsSync(binary)) {
    throw new BuildError(`npm ci in ${NODE_PACKAGE_DIR} did not produce ${binary}: npm installs the Node.js of the machine it runs on, so build ${arch} on an ${arch} machine or through Docker bundling`);
  }
  return binary;
}

const fmtMb = (n: number): string => `${(n / 1024 / 1024).toFixed(2)} MB`;

export async function buildProject(options: BuildOptions): Promise<BuildResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const arch = options.arch ?? hostLambdaArch() ?? 'x86_64';
  assertArch(arch);
  const linking = options.linking ?? LINKING;
  const outDir = resolve(options.outDir);
  const cacheDir = resolve(options.cacheDir ?? join(outDir, '.cache'));
  const runtimeLayerDir = join(outDir, 'runtime');
  const programsLayerDir = join(outDir, 'programs');
  const runtimeLayerZip = join(outDir, 'runtime-layer.zip');
  const programsLayerZip = join(outDir, 'programs-layer.zip');
  const errors: string[] = [];

  let specs = discoverPrograms(options.cobolDir);
  if (options.only && options.only.length > 0) {
    const unknown = options.only.filter((n) => !specs.some((s) => s.name === n));
    if (unknown.length > 0) {
      throw new BuildError(`no program named ${unknown.join(', ')} in ${resolve(options.cobolDir)} (have: ${specs.map((s) => s.name).join(', ') || 'none'})`);
    }
    specs = specs.filter((s) => options.only!.includes(s.name));
  }
  const tc = await detectToolchain();
  log(`cobolambda build: ${specs.length} program(s) from ${resolve(options.cobolDir)} for ${arch}, ${tc.cobcVersion}, linking ${linking}`);

  // Runtime layer: bootstrap + bundled runtime, Node.js, shared libraries (if any).
  rmSync(runtimeLayerDir, { recursive: true, force: true });
  rmSync(programsLayerDir, { recursive: true, force: true });
  mkdirSync(runtimeLayerDir, { recursive: true });
  await bundleRuntime(runtimeLayerDir);
  const node = await ensureNodeBinary(arch, log);
  mkdirSync(join(runtimeLayerDir, 'node', 'bin'), { recursive: true });
  copyExecutable(node, join(runtimeLayerDir, 'node', 'bin', 'node'));
  const libs = await runtimeLibraries(linking, tc, cacheDir);
  if (libs.length > 0) copyLibraries(libs, join(runtimeLayerDir, 'lib'));

  // Programs layer.
  const binDir = join(programsLayerDir, 'bin');
  const metaDir = join(programsLayerDir, 'cobolambda', 'programs');
  mkdirSync(binDir, { recursive: true });
  mkdirSync(metaDir, { recursive: true });
  const programs: ProgramResult[] = [];
  for (const [i, spec] of specs.entries()) {
    const tag = `[${i + 1}/${specs.length}] ${spec.name}`;
    const compiling = () =>
      log(`${tag}: compiling ${relative(process.cwd(), spec.source)}${spec.subprograms.length ? ` + ${spec.subprograms.map((s) => basename(s)).join(', ')}` : ''}`);
    let r: CompileResult;
    try {
      r = await compileProgram(spec, binDir, { arch, linking, cacheDir, onCompile: compiling });
    } catch (err) {
      r = { ok: false, binary: '', messages: (err as Error).message, cached: false, compileMs: 0 };
    }
    if (r.ok) {
      try {
        writeFileSync(join(metaDir, `${spec.name}.json`), `${JSON.stringify(programMetadata(spec))}\n`);
      } catch (err) {
        if (!(err instanceof MetadataError)) throw err;
        r = { ...r, ok: false, messages: err.message };
      }
    }
    if (r.ok) {
      const sizeBytes = statSync(r.binary).size;
      programs.push({ name: spec.name, source: spec.source, binary: r.binary, sizeBytes, linking, compileMs: r.compileMs, cached: r.cached });
      log(`${tag}: ok, ${fmtMb(sizeBytes)}${r.cached ? ' (cached)' : `, ${r.compileMs} ms`}`);
      if (r.messages) log(indent(r.messages));
    } else {
      programs.push({ name: spec.name, source: spec.source, linking, compileMs: r.compileMs, cached: false, error: r.messages });
      log(`${tag}: FAILED`);
      log(indent(r.messages));
    }
  }
  const failed = programs.filter((p) => p.error);
  if (failed.length > 0) errors.push(`failed to compile: ${failed.map((p) => `${p.name} (${p.source})`).join(', ')}`);

  // Both layers unpack into /opt together: check them as one tree.
  const files = [...listLayerFiles(runtimeLayerDir), ...listLayerFiles(programsLayerDir)];
  const check = await checkElfFiles(files, ['lib']);
  if (!check.ok) {
    errors.push(`the layers would not load on provided.al2023 (glibc 2.34):\n${formatElfProblems(check.problems)}`);
  }

  const layers: LayerResult[] = [];
  if (errors.length === 0) {
    for (const [name, dir, zip] of [
      ['runtime', runtimeLayerDir, runtimeLayerZip],
      ['programs', programsLayerDir, programsLayerZip],
    ] as const) {
      const z = await writeDeterministicZip(dir, zip);
      layers.push({ name, zip, zippedBytes: z.zippedBytes, unzippedBytes: z.unzippedBytes });
      if (z.zippedBytes > LAMBDA_ZIP_LIMIT) {
        errors.push(`${name} layer zip is ${fmtMb(z.zippedBytes)}, over Lambda's ${fmtMb(LAMBDA_ZIP_LIMIT)} direct-upload limit`);
      }
    }
    const unzipped = layers.reduce((n, l) => n + l.unzippedBytes, 0);
    if (unzipped > LAMBDA_UNZIPPED_LIMIT) {
      errors.push(
        `the layers unzip to ${fmtMb(unzipped)}, over Lambda's ${fmtMb(LAMBDA_UNZIPPED_LIMIT)} limit for function plus layers: ` +
          `deploy fewer programs per function (--only), or link with 'shared-noicu' (programs of a few KB sharing one lib/)`,
      );
    }
  } else {
    // Never leave a stale zip that looks like this build's output.
    for (const zip of [runtimeLayerZip, programsLayerZip]) {
      rmSync(zip, { force: true });
      rmSync(contentsFingerprintFile(zip), { force: true });
    }
  }

  log(summaryTable(programs, layers));
  for (const e of errors) log(`error: ${e}`);
  log(errors.length === 0 ? 'build ok' : 'build FAILED');
  return { ok: errors.length === 0, runtimeLayerDir, programsLayerDir, runtimeLayerZip, programsLayerZip, programs, layers, errors };
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

export function summaryTable(programs: ProgramResult[], layers: LayerResult[]): string {
  const rows: string[][] = [['program', 'size', 'linking', 'compile', 'status']];
  for (const p of programs) {
    rows.push([
      p.name,
      p.sizeBytes !== undefined ? fmtMb(p.sizeBytes) : '-',
      p.linking,
      p.cached ? 'cached' : p.compileMs !== undefined ? `${p.compileMs} ms` : '-',
      p.error ? 'FAILED' : 'ok',
    ]);
  }
  const out = [table(rows)];
  if (layers.length > 0) {
    const lrows: string[][] = [['layer', 'zipped', 'limit', 'unzipped', 'limit']];
    for (const l of layers) {
      lrows.push([l.name, fmtMb(l.zippedBytes), pct(l.zippedBytes, LAMBDA_ZIP_LIMIT), fmtMb(l.unzippedBytes), '']);
    }
    const unzipped = layers.reduce((n, l) => n + l.unzippedBytes, 0);
    lrows.push(['total', '', '', fmtMb(unzipped), pct(unzipped, LAMBDA_UNZIPPED_LIMIT)]);
    out.push(table(lrows));
  }
  return out.join('\n\n');
}

function pct(n: number, limit: number): string {
  return `${((n / limit) * 100).toFixed(0)}% of ${fmtMb(limit)}${n > limit ? ' OVER' : ''}`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n');
}
