// Bundling for the cobolambda constructs: turns a COBOL folder into the two
// kinds of Lambda asset, the runtime layer and one program's function code.
// Like aws-cdk-lib's NodejsFunction, it tries the local toolchain first
// (`ILocalBundling.tryBundle`) and falls back to a Docker image (layer/Dockerfile)
// when the local machine cannot make a Lambda binary, saying why. Both run the
// same script, infra/build-asset.ts, over the same `buildProject`, so they give
// the same layout. The constructs never shell out; this module does.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { delimiter, dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage, type BundlingOptions, type DockerRunOptions, type ILocalBundling } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { discoverPrograms, CONFIG_FILE, type ProgramSpec } from '../layer/programs.ts';
import { defaultCacheDir } from '../layer/build-cache.ts';
import { buildIsCurrent, copyAssetPart } from './asset-parts.ts';
import { findCopybook } from '../layer/copybooks.ts';
import type { RuntimeLayerName } from '../layer/runtime-layers.ts';
import type { CobolArchitecture, CobolBundlingOptions } from './types.ts';

/**
 * What one synth has already read and hashed. An estate of 1,000 programs
 * would otherwise rediscover the COBOL folder and rehash every copybook once
 * per function. Keyed by the app (the construct tree's root); a fresh one when
 * there is no tree at hand.
 */
export interface SynthMemo {
  programs: Map<string, ProgramSpec[]>;
  fileDigests: Map<string, string>;
  values: Map<string, string>;
}

const memos = new WeakMap<object, SynthMemo>();

export function synthMemo(root?: object): SynthMemo {
  const fresh = (): SynthMemo => ({ programs: new Map(), fileDigests: new Map(), values: new Map() });
  if (!root) return fresh();
  let memo = memos.get(root);
  if (!memo) memos.set(root, (memo = fresh()));
  return memo;
}

/** The programs of a COBOL folder, read once per synth. */
export function programsOf(cobolDir: string, memo: SynthMemo = synthMemo()): ProgramSpec[] {
  const dir = resolve(cobolDir);
  let programs = memo.programs.get(dir);
  if (!programs) memo.programs.set(dir, (programs = discoverPrograms(dir)));
  return programs;
}

function remember(memo: SynthMemo, key: string, compute: () => string): string {
  let value = memo.values.get(key);
  if (value === undefined) memo.values.set(key, (value = compute()));
  return value;
}

/** The cobolambda package root: the Docker build context of layer/Dockerfile. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const BUILD_ASSET_SCRIPT = join(PACKAGE_ROOT, 'infra', 'build-asset.ts');
export const BUNDLING_DOCKERFILE = 'layer/Dockerfile';
/** Where layer/Dockerfile puts cobolambda inside the bundling image. */
export const IMAGE_PACKAGE_ROOT = '/cobolambda';
/** Where a function's program sits in its code asset, i.e. under /var/task. */
export const FUNCTION_PROGRAM_DIR = '/var/task/bin';

/**
 * One Lambda asset: a shared runtime layer (`runtime` for provided.al2023,
 * `runtime-nodejs` for nodejs24.x: layer/runtime-layers.ts), or the code of one program's function.
 */
export type CobolAssetPart = { kind: RuntimeLayerName } | { kind: 'program'; name: string };

export function partArgument(part: CobolAssetPart): string {
  return part.kind === 'program' ? `program:${part.name}` : part.kind;
}

export function hostArchitecture(arch: string = process.arch): CobolArchitecture {
  return arch === 'arm64' ? 'arm64' : 'x86_64';
}

/** The architecture a function gets when none is given: x86_64, as Lambda's own default, whatever the host. */
export const DEFAULT_ARCHITECTURE: CobolArchitecture = 'x86_64';

export function cobolArchitecture(architecture: lambda.Architecture | undefined): CobolArchitecture {
  if (!architecture) return DEFAULT_ARCHITECTURE;
  if (architecture.name === lambda.Architecture.ARM_64.name) return 'arm64';
  if (architecture.name === lambda.Architecture.X86_64.name) return 'x86_64';
  throw new Error(`cobolambda builds for x86_64 and arm64, not ${architecture.name}`);
}

export function lambdaArchitecture(arch: CobolArchitecture): lambda.Architecture {
  return arch === 'arm64' ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64;
}

export function dockerPlatform(arch: CobolArchitecture): string {
  return arch === 'arm64' ? 'linux/arm64' : 'linux/amd64';
}

/** The full path of an executable `command` on `pathEnv`, or undefined. */
export function findOnPath(command: string, pathEnv: string | undefined = process.env.PATH): string | undefined {
  for (const dir of (pathEnv ?? '').split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, command);
    try {
      if (!statSync(file).isFile()) continue;
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

export type LocalDecision = { local: true; cobc: string } | { local: false; reason: string };

export interface LocalDecisionInput {
  architecture: CobolArchitecture;
  forceDocker?: boolean;
  pathEnv?: string;
  platform?: NodeJS.Platform;
  hostArch?: string;
}

/**
 * Whether this machine can build a Lambda binary for `architecture` itself:
 * Linux (cobc elsewhere makes Mach-O or PE files), the same CPU (cobc does not
 * cross-compile) and cobc on PATH.
 */
export function localBundlingDecision(input: LocalDecisionInput): LocalDecision {
  const platform = input.platform ?? process.platform;
  const host = hostArchitecture(input.hostArch ?? process.arch);
  if (input.forceDocker) return { local: false, reason: 'bundling.forceDocker is set' };
  if (platform !== 'linux') {
    return { local: false, reason: `this is ${platform}, and Lambda needs Linux executables` };
  }
  if (host !== input.architecture) {
    return {
      local: false,
      reason: `this machine is ${host} and the function is ${input.architecture}; cobc does not cross-compile`,
    };
  }
  const cobc = findOnPath('cobc', input.pathEnv ?? process.env.PATH);
  if (!cobc) return { local: false, reason: 'cobc (GnuCOBOL) was not found on PATH' };
  return { local: true, cobc };
}

// ---------------------------------------------------------------- hashing

const COPYBOOK_EXTENSIONS = new Set(['.cpy', '.copy', '.cbk', '.inc', '']);

function filesIn(dir: string, keep: (file: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesIn(file, keep));
    else if (entry.isFile() && keep(file)) out.push(file);
  }
  return out;
}

/**
 * The files a program's executable is made from: the main source, its
 * subprograms, every copybook on its copybook path and cobolambda.json. Other
 * programs in the same folder are not included, so changing one program
 * re-deploys only that function.
 */
export function programInputFiles(spec: ProgramSpec): string[] {
  const cobolDir = dirname(spec.source);
  const copybooks = spec.copybookDirs.flatMap((dir) =>
    readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && COPYBOOK_EXTENSIONS.has(extname(e.name).toLowerCase()))
      .map((e) => join(dir, e.name)),
  );
  // A call-mode `using` copybook may sit outside the copybook path (a relative path).
  const using = (spec.using ?? []).flatMap((u) => findCopybook(u.copybook, spec.copybookDirs) ?? []);
  const config = join(cobolDir, CONFIG_FILE);
  return [spec.source, ...spec.subprograms, ...copybooks, ...using, ...(existsSync(config) ? [config] : [])];
}

/** The cobolambda files that shape what a build produces (runtime, layer build, this bundling). */
export function toolchainInputFiles(root: string = PACKAGE_ROOT): string[] {
  const ts = (f: string) => f.endsWith('.ts');
  return [
    join(root, 'runtime', 'bootstrap'),
    ...filesIn(join(root, 'runtime'), ts),
    // Linked into the programs: the fork server, and call mode's caller.
    ...filesIn(join(root, 'runtime', 'native'), (f) => f.endsWith('.c') || f.endsWith('.h')),
    ...filesIn(join(root, 'layer'), (f) => ts(f) && dirname(f) === join(root, 'layer')),
    join(root, 'layer', 'node', 'package.json'),
    join(root, 'layer', 'node', 'package-lock.json'),
    join(root, BUNDLING_DOCKERFILE),
    BUILD_ASSET_SCRIPT,
  ].filter((f) => existsSync(f));
}

/** A content hash of `files`, by path relative to `base` and bytes: the same tree hashes the same anywhere. */
export function fingerprintFiles(files: string[], base: string, salt: string, memo: SynthMemo = synthMemo()): string {
  const hash = createHash('sha256').update(salt);
  for (const file of [...new Set(files)].sort()) {
    let digest = memo.fileDigests.get(file);
    if (digest === undefined) memo.fileDigests.set(file, (digest = createHash('sha256').update(readFileSync(file)).digest('hex')));
    hash.update(`\0${relative(base, file)}\0${digest}`);
  }
  return hash.digest('hex');
}

/**
 * The custom asset hash of a part. It is computed from the sources, never from
 * a build, so `cdk synth` and `cdk diff` are stable without cobc or Docker and
 * a function is re-deployed exactly when its program, copybooks, settings or
 * the cobolambda toolchain change.
 */
export function assetHash(part: CobolAssetPart, cobolDir: string, arch: CobolArchitecture, memo: SynthMemo = synthMemo()): string {
  const dir = resolve(cobolDir);
  const programs = programsOf(dir, memo);
  const toolchainHash = remember(memo, 'toolchain', () => fingerprintFiles(toolchainInputFiles(), PACKAGE_ROOT, 'toolchain', memo));
  // A runtime layer holds no program: it changes with the toolchain only, so a new program never replaces it.
  const sources = part.kind === 'program' ? programInputFiles(requireProgram(programs, part.name, dir)) : [];
  return fingerprintFiles(sources, dir, `cobolambda:${partArgument(part)}:${arch}:${toolchainHash}`, memo);
}

/** A hash of everything one build of `cobolDir` reads: a stamp for reusing a local build across assets. */
export function buildFingerprint(cobolDir: string, arch: CobolArchitecture, memo: SynthMemo = synthMemo()): string {
  const dir = resolve(cobolDir);
  return remember(memo, `build\0${dir}\0${arch}`, () => {
    const files = [...programsOf(dir, memo).flatMap(programInputFiles), ...toolchainInputFiles()];
    return fingerprintFiles(files, PACKAGE_ROOT, `cobolambda-build:${arch}`, memo);
  });
}

function requireProgram(programs: ProgramSpec[], name: string, dir: string): ProgramSpec {
  const spec = programs.find((p) => p.name === name);
  if (!spec) {
    const known = programs.map((p) => p.name).join(', ') || 'none';
    throw new Error(`no program "${name}" in ${dir} (programs there: ${known})`);
  }
  return spec;
}

// ---------------------------------------------------------------- local

/** The argv of infra/build-asset.ts for one part, given where things are. */
export function buildAssetArgs(opts: {
  script: string;
  cobolDir: string;
  outDir: string;
  buildDir: string;
  part: CobolAssetPart;
  arch: CobolArchitecture;
  fingerprint?: string;
  cacheDir?: string;
}): string[] {
  return [
    '--import',
    'tsx',
    opts.script,
    '--cobol-dir',
    opts.cobolDir,
    '--out',
    opts.outDir,
    '--build-dir',
    opts.buildDir,
    '--part',
    partArgument(opts.part),
    '--arch',
    opts.arch,
    ...(opts.fingerprint ? ['--fingerprint', opts.fingerprint] : []),
    ...(opts.cacheDir ? ['--cache-dir', opts.cacheDir] : []),
  ];
}

/** Runs the build with the local cobc when the machine can, and says why when it cannot. */
export class LocalCobolBundler implements ILocalBundling {
  private readonly log: (line: string) => void;

  constructor(
    private readonly cobolDir: string,
    private readonly part: CobolAssetPart,
    private readonly arch: CobolArchitecture,
    private readonly options: CobolBundlingOptions = {},
    private readonly memo: SynthMemo = synthMemo(),
  ) {
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  }

  /** The decision, made when bundling runs (not at construction), so PATH at that moment counts. */
  decide(): LocalDecision {
    return localBundlingDecision({ architecture: this.arch, forceDocker: this.options.forceDocker });
  }

  tryBundle(outputDir: string, _options: BundlingOptions): boolean {
    const decision = this.decide();
    const what = this.part.kind === 'program' ? `program "${this.part.name}"` : `the ${this.part.kind} layer`;
    if (!decision.local) {
      this.log(`cobolambda: bundling ${what} in Docker (${BUNDLING_DOCKERFILE}): ${decision.reason}`);
      return false;
    }
    // Assets of one synth share one build: cdk.out/.cobolambda-build-<arch>, stamped with the inputs' hash.
    // The first asset runs it (through the shared build cache); the others copy their part out of it.
    const buildDir = join(dirname(outputDir), `.cobolambda-build-${this.arch}`);
    const fingerprint = buildFingerprint(this.cobolDir, this.arch, this.memo);
    if (buildIsCurrent(buildDir, fingerprint)) {
      copyAssetPart(buildDir, partArgument(this.part), outputDir);
      return true;
    }
    const args = buildAssetArgs({
      script: BUILD_ASSET_SCRIPT,
      cobolDir: resolve(this.cobolDir),
      outDir: outputDir,
      buildDir,
      part: this.part,
      arch: this.arch,
      fingerprint,
      cacheDir: defaultCacheDir(),
    });
    const run = spawnSync(process.execPath, args, {
      cwd: PACKAGE_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    for (const line of `${run.stderr ?? ''}`.split('\n').filter(Boolean)) this.log(line);
    if (run.error) throw new Error(`cobolambda: could not run the build for ${what}: ${run.error.message}`);
    if (run.status !== 0) {
      throw new Error(`cobolambda: the build of ${what} failed (exit ${run.status}); see the messages above`);
    }
    return true;
  }

  /** What goes into the asset hash: not the machine's paths, so the hash is the same on every machine. */
  toJSON(): unknown {
    return { local: 'cobolambda', part: partArgument(this.part), arch: this.arch };
  }
}

// ---------------------------------------------------------------- Docker

/**
 * The bundling image from layer/Dockerfile, built on first use only: synth
 * never runs `docker build` unless local bundling declined.
 */
export class CobolBundlingImage extends DockerImage {
  private built?: DockerImage;

  /** `toolchainImage`: layer/Dockerfile's TOOLCHAIN_IMAGE build argument, when not its default. */
  constructor(
    readonly arch: CobolArchitecture,
    readonly toolchainImage?: string,
  ) {
    super(`cobolambda-bundling:${arch}`);
  }

  private buildArgs(): Record<string, string> {
    return this.toolchainImage ? { TOOLCHAIN_IMAGE: this.toolchainImage } : {};
  }

  /** The `docker build` this image stands for (for messages and tests). */
  buildCommand(): string[] {
    const args = Object.entries(this.buildArgs()).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]);
    return ['docker', 'build', '-f', BUNDLING_DOCKERFILE, '--platform', dockerPlatform(this.arch), ...args, PACKAGE_ROOT];
  }

  override run(options: DockerRunOptions = {}): void {
    this.built ??= DockerImage.fromBuild(PACKAGE_ROOT, {
      file: BUNDLING_DOCKERFILE,
      platform: dockerPlatform(this.arch),
      buildArgs: this.buildArgs(),
    });
    this.built.run(options);
  }
}

/** The full bundling options of one part: the Docker command and image, with local bundling first. */
export function cobolBundlingOptions(
  cobolDir: string,
  part: CobolAssetPart,
  arch: CobolArchitecture,
  options: CobolBundlingOptions = {},
  memo: SynthMemo = synthMemo(),
): BundlingOptions {
  return {
    image: options.image ?? new CobolBundlingImage(arch, options.toolchainImage),
    platform: dockerPlatform(arch),
    // `--import tsx` resolves from the working directory: cobolambda's own node_modules.
    workingDirectory: IMAGE_PACKAGE_ROOT,
    command: [
      'node',
      ...buildAssetArgs({
        script: `${IMAGE_PACKAGE_ROOT}/infra/build-asset.ts`,
        cobolDir: '/asset-input',
        outDir: '/asset-output',
        buildDir: '/tmp/cobolambda-build',
        part,
        arch,
      }),
    ],
    local: new LocalCobolBundler(cobolDir, part, arch, options, memo),
  };
}

/** The Lambda code of one part: a zip asset of the COBOL folder, bundled as above, hashed by its sources. */
export function cobolCode(
  cobolDir: string,
  part: CobolAssetPart,
  arch: CobolArchitecture,
  options: CobolBundlingOptions = {},
  memo: SynthMemo = synthMemo(),
): lambda.AssetCode {
  return lambda.Code.fromAsset(resolve(cobolDir), {
    assetHashType: AssetHashType.CUSTOM,
    assetHash: assetHash(part, cobolDir, arch, memo),
    bundling: cobolBundlingOptions(cobolDir, part, arch, options, memo),
  });
}
