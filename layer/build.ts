// `cobolambda build`: compiles every program in cobol/ (in parallel, through
// the one build cache) and writes what deploy uses under dist/: the runtime
// layer and one code zip per function; a combined programs layer only when
// asked. The CLI, `dev` and the CDK bundling all build through this module.
//
// Linking (measured by bench/linking.ts and bench/scale.ts, see README
// "Linking"): programs are small dynamically linked executables; libcob and its
// libraries (ICU replaced by a stand-in) ship once, in the runtime layer's lib/.
import { execa } from 'execa';
import { chmodSync, copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleRuntime } from '../runtime/bundle.ts';
import { defaultCacheDir } from './build-cache.ts';
import { CompileQueue } from './compile-queue.ts';
import type { CompileResult } from './compile.ts';
import { checkElfFiles, formatElfProblems, listLayerFiles } from './elf.ts';
import { discoverPrograms, type ProgramSpec } from './programs.ts';
import { progressReporter } from './progress.ts';
import { assertArch, copyLibraries, detectToolchain, hostLambdaArch, LINKING, runtimeLibraries, type LambdaArch, type LinkStrategy } from './toolchain.ts';
import { contentsFingerprintFile, writeZipOf, type ZipStats } from './zip.ts';
import type { LambdaRuntime } from './config-schema.ts';
import { RUNTIME_LAYERS, runtimeLayerFiles } from './runtime-layers.ts';
import { directUploadWarnings, type ZipUpload } from './upload-limits.ts';
import {
  fmtMb,
  LAMBDA_UNZIPPED_LIMIT,
  finishProgram,
  markElfChecked,
  needsElfCheck,
  summary,
  writeDistReadme,
  writeProgramsLayer,
  type LayerResult,
  type ProgramResult,
} from './build-output.ts';

export { compileProgram, type CompileOptions, type CompileResult } from './compile.ts';
export { LAMBDA_UNZIPPED_LIMIT, LAMBDA_ZIP_LIMIT, summary as summaryTable, type LayerResult, type ProgramResult } from './build-output.ts';

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

export interface BuildOptions {
  cobolDir: string;
  outDir: string;
  arch?: LambdaArch;
  /** Program names; default all. */
  only?: string[];
  log?: (line: string) => void;
  /** How programs are linked; default LINKING. */
  linking?: LinkStrategy;
  /** The build cache; default defaultCacheDir(), the one `dev` and synth use too. */
  cacheDir?: string;
  /** Compiles at once; default one per core. */
  jobs?: number;
  /** Also write `programs-layer.zip` (every program in one layer). Default false: deploy uses the function zips. */
  programsLayer?: boolean;
  /** Where the progress line goes (redrawn when it is a terminal); default process.stderr. */
  progressStream?: NodeJS.WriteStream;
  /** How the zips reach Lambda: `direct` warns about the 50 MB direct-upload limit; `s3` (CDK assets) does not. Default `direct`. */
  upload?: ZipUpload;
}

export interface BuildResult {
  ok: boolean;
  runtimeLayerDir: string;
  /** Every program unzipped: `bin/<name>` and `cobolambda/programs/<name>.json` (the /opt of an image). */
  programsLayerDir: string;
  runtimeLayerZip: string;
  /** The runtime layer zip for each Lambda runtime: `runtime-layer.zip` (provided.al2023), `runtime-layer-nodejs.zip` (nodejs24.x, no Node). */
  runtimeLayerZips: Record<LambdaRuntime, string>;
  /** `functions/<name>.zip`: one function's code each. */
  functionsDir: string;
  /** Written only with `programsLayer`. */
  programsLayerZip: string;
  programs: ProgramResult[];
  layers: LayerResult[];
  /** Why the build is not ok (compile failures, ELF check, limits), one line each. */
  errors: string[];
  /** What the build did but you should know (a zip over the direct-upload limit). */
  warnings: string[];
}

export class BuildError extends Error {
  override name = 'BuildError';
}

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

function copyExecutable(from: string, to: string): void {
  const tmp = `${to}.${process.pid}.tmp`;
  copyFileSync(from, tmp);
  chmodSync(tmp, 0o755);
  renameSync(tmp, to);
}

/** The runtime layer's folder: bootstrap, the bundled runtime, Node.js and the shared libraries programs link with. */
export async function writeRuntimeLayer(dir: string, arch: LambdaArch, linking: LinkStrategy, cacheDir: string, log: (line: string) => void): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await bundleRuntime(dir);
  const node = await ensureNodeBinary(arch, log);
  mkdirSync(join(dir, 'node', 'bin'), { recursive: true });
  copyExecutable(node, join(dir, 'node', 'bin', 'node'));
  const libs = await runtimeLibraries(linking, await detectToolchain(), cacheDir);
  if (libs.length > 0) copyLibraries(libs, join(dir, 'lib'));
}

function selectPrograms(cobolDir: string, only: string[] | undefined): ProgramSpec[] {
  const specs = discoverPrograms(cobolDir);
  if (!only || only.length === 0) return specs;
  const unknown = only.filter((n) => !specs.some((s) => s.name === n));
  if (unknown.length > 0) {
    throw new BuildError(`no program named ${unknown.join(', ')} in ${resolve(cobolDir)} (have: ${specs.map((s) => s.name).join(', ') || 'none'})`);
  }
  return specs.filter((s) => only.includes(s.name));
}

/** A build names each program's lines when there are few; beyond this it prints progress only. */
const CHATTY_UP_TO = 40;

export async function buildProject(options: BuildOptions): Promise<BuildResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const arch = options.arch ?? hostLambdaArch() ?? 'x86_64';
  assertArch(arch);
  const linking = options.linking ?? LINKING;
  const outDir = resolve(options.outDir);
  const cacheDir = resolve(options.cacheDir ?? defaultCacheDir());
  const runtimeLayerDir = join(outDir, 'runtime');
  const programsLayerDir = join(outDir, 'programs');
  const functionsDir = join(outDir, 'functions');
  const lambdaRuntimes = Object.keys(RUNTIME_LAYERS) as LambdaRuntime[];
  const runtimeLayerZips = Object.fromEntries(lambdaRuntimes.map((r) => [r, join(outDir, RUNTIME_LAYERS[r].zipName)])) as Record<LambdaRuntime, string>;
  const runtimeLayerZip = runtimeLayerZips['provided.al2023'];
  const programsLayerZip = join(outDir, 'programs-layer.zip');
  const errors: string[] = [];

  const specs = selectPrograms(options.cobolDir, options.only);
  const tc = await detectToolchain();
  log(`cobolambda build: ${specs.length} program(s) from ${resolve(options.cobolDir)} for ${arch}, ${tc.cobcVersion}, linking ${linking}, cache ${cacheDir}`);

  await writeRuntimeLayer(runtimeLayerDir, arch, linking, cacheDir, log);
  // Zipping Node takes seconds of zlib in libuv's threads: let it overlap the compiles.
  // Both runtime layers are written whatever the programs ask for: the one without Node is the
  // same files minus Node (a few MB, under a second), and dist/ then has the same shape for every project.
  const runtimeZips = new Map<LambdaRuntime, Promise<ZipStats>>(
    lambdaRuntimes.map((r) => {
      const zip = runtimeLayerZips[r];
      return [r, writeZipOf(runtimeLayerFiles(runtimeLayerDir, r), zip, contentsFingerprintFile(zip), cacheDir)];
    }),
  );
  const allRuntimeZips = Promise.all(runtimeZips.values());
  allRuntimeZips.catch(() => {}); // awaited below; a failure is reported there
  for (const d of [programsLayerDir, functionsDir]) rmSync(d, { recursive: true, force: true });
  const binDir = join(programsLayerDir, 'bin');
  mkdirSync(binDir, { recursive: true });
  mkdirSync(join(programsLayerDir, 'cobolambda', 'programs'), { recursive: true });
  mkdirSync(functionsDir, { recursive: true });

  const chatty = specs.length <= CHATTY_UP_TO;
  const progress = progressReporter(log, options.progressStream);
  const queue = new CompileQueue(specs, {
    arch,
    linking,
    cacheDir,
    binDir,
    jobs: options.jobs,
    onResult: (spec, r, p) => {
      if (!r.ok) progress.line(`${spec.name}: FAILED (${relative(process.cwd(), spec.source)})\n${indent(r.messages)}`);
      else if (r.messages) progress.line(`${spec.name}: ${r.cached ? 'cached' : 'compiled'}, with messages:\n${indent(r.messages)}`);
      else if (chatty && !r.cached) progress.line(`${spec.name}: compiled in ${r.compileMs} ms`);
      progress.update(p);
    },
  });
  const programs: ProgramResult[] = await Promise.all(
    specs.map(async (spec): Promise<ProgramResult> => {
      const r: CompileResult = (await queue.result(spec.name))!;
      return finishProgram(spec, r, { linking, cacheDir, programsLayerDir, functionsDir });
    }),
  );
  progress.end(queue.progress());
  const failed = programs.filter((p) => p.error);
  if (failed.length > 0) errors.push(`failed to compile: ${failed.map((p) => `${p.name} (${p.source})`).join(', ')}`);

  // The runtime layer and each function unpack together (/opt and /var/task): check them as one tree.
  // A program checked once against this toolchain is not read again.
  const runtimeFiles = listLayerFiles(runtimeLayerDir);
  const unchecked = programs.filter((p) => !p.error && needsElfCheck(p));
  const check = await checkElfFiles([...runtimeFiles, ...unchecked.map((p) => ({ path: p.binary!, layerPath: `bin/${p.name}` }))], ['lib']);
  if (!check.ok) {
    errors.push(`the layers would not load on provided.al2023 (glibc 2.34):\n${formatElfProblems(check.problems)}`);
  } else {
    for (const p of unchecked) markElfChecked(p);
  }

  const layers: LayerResult[] = [];
  if (errors.length === 0) {
    const stats = new Map<LambdaRuntime, ZipStats>();
    for (const [r, zip] of runtimeZips) {
      const z = await zip;
      stats.set(r, z);
      layers.push({ name: RUNTIME_LAYERS[r].name, zip: runtimeLayerZips[r], zippedBytes: z.zippedBytes, unzippedBytes: z.unzippedBytes });
    }
    for (const p of programs.filter((p) => !p.error)) {
      // Each function gets the runtime layer of its own Lambda runtime.
      const total = p.unzippedBytes! + stats.get(p.lambdaRuntime)!.unzippedBytes;
      if (total > LAMBDA_UNZIPPED_LIMIT) {
        errors.push(`function ${p.name} unzips to ${fmtMb(total)} with the ${RUNTIME_LAYERS[p.lambdaRuntime].name} layer, over Lambda's ${fmtMb(LAMBDA_UNZIPPED_LIMIT)}`);
      }
    }
    if (options.programsLayer) {
      const r = await writeProgramsLayer(programsLayerDir, programsLayerZip, stats.get('provided.al2023')!.unzippedBytes);
      if (r.layer) layers.push(r.layer);
      if (r.error) errors.push(r.error);
    } else {
      rmSync(programsLayerZip, { force: true });
    }
  }
  if (errors.length > 0) {
    await allRuntimeZips.catch(() => {});
    // Never leave a stale zip that looks like this build's output.
    for (const zip of [...Object.values(runtimeLayerZips), programsLayerZip]) {
      rmSync(zip, { force: true });
      rmSync(contentsFingerprintFile(zip), { force: true });
    }
    rmSync(functionsDir, { recursive: true, force: true });
  }
  writeDistReadme(outDir, { programs, layers, ok: errors.length === 0, arch, linking });

  const warnings = directUploadWarnings(
    [
      ...layers.map((l) => ({ what: `${l.name} layer`, file: l.zip, zippedBytes: l.zippedBytes })),
      ...programs.filter((p) => p.zip).map((p) => ({ what: `function ${p.name}`, file: p.zip!, zippedBytes: p.zipBytes! })),
    ],
    options.upload ?? 'direct',
  );
  log(summary(programs, layers));
  for (const w of warnings) log(`warning: ${w}`);
  for (const e of errors) log(`error: ${e}`);
  const shown = relative(process.cwd(), outDir);
  log(errors.length === 0 ? `build ok: ${shown.startsWith('..') ? outDir : shown || '.'}/README says what each file is` : 'build FAILED');
  return { ok: errors.length === 0, runtimeLayerDir, programsLayerDir, runtimeLayerZip, runtimeLayerZips, functionsDir, programsLayerZip, programs, layers, errors, warnings };
}

export function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}
