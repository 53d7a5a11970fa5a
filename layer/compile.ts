// Compiling one program with cobc, through the build cache (build-cache.ts).
// The steps: `cobc -C -x` per source (C files; main() renamed so the fork server
// can take its place), `cobc -x` to link them with the fork server's objects
// (compiled once per cache), then strip. Linking is layer/toolchain.ts's LINKING.
import { execa } from 'execa';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { FORK_SERVER_SOURCES, NATIVE_INCLUDE_DIR } from '../runtime/native/build-spawn-helper.ts';
import { cachePath, cobcArgs, compileKey, defaultCacheDir, placeFromCache, storeInCache } from './build-cache.ts';
import { forkServerFingerprint, renameGeneratedMain } from './fork-server.ts';
import { CALL_DRIVER_SOURCE, callKeyParts, writeCallStub } from './call-driver.ts';
import type { ProgramSpec } from './programs.ts';
import { assertArch, detectToolchain, hostLambdaArch, LINKING, linkSettings, type LambdaArch, type LinkStrategy, type Toolchain } from './toolchain.ts';

export interface CompileOptions {
  arch?: LambdaArch;
  linking?: LinkStrategy;
  /** The build cache; default defaultCacheDir(). */
  cacheDir?: string;
}

export interface CompileResult {
  ok: boolean;
  /** The executable: `binDir/<name>`, or only the cached file when no binDir was given. */
  binary: string;
  /** The cache entry (present when ok). */
  cachedBinary: string;
  /** The cache key of the executable. */
  key: string;
  messages: string;
  cached: boolean;
  compileMs: number;
}

/** Fixed compile date written into every module (WHEN-COMPILED), for reproducible binaries. */
const FIXED_MODULE_DATE = { formatted: 'Jan 01 1980 00:00:00', date: '19800101', time: '0' };

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

const forkServerObjects = new Map<string, Promise<string[]>>();

/** The fork server's C sources compiled once per cache (cobc -c, so with cobc's own C flags). */
function forkServerObjectFiles(cacheDir: string): Promise<string[]> {
  const fp = forkServerFingerprint();
  const key = `${cacheDir}\0${fp}`;
  let objects = forkServerObjects.get(key);
  if (!objects) {
    objects = Promise.all(
      FORK_SERVER_SOURCES.filter((f) => f.endsWith('.c')).map(async (src) => {
        const out = cachePath(cacheDir, 'native', `${basename(src, '.c')}-${fp}.o`);
        if (existsSync(out)) return out;
        mkdirSync(dirname(out), { recursive: true });
        const tmp = `${out}.${process.pid}.tmp.o`;
        await execa('cobc', ['-c', '-I', NATIVE_INCLUDE_DIR, '-o', tmp, src], { env: { LC_ALL: 'C' } });
        storeInCache(tmp, out);
        return out;
      }),
    );
    objects.catch(() => forkServerObjects.delete(key));
    forkServerObjects.set(key, objects);
  }
  return objects;
}

/** What the cache key of every program shares: toolchain, fork server, linking. */
export async function keyInputs(linking: LinkStrategy, cacheDir: string): Promise<{ tc: Toolchain; link: Awaited<ReturnType<typeof linkSettings>>; inputs: Parameters<typeof compileKey>[1] }> {
  const tc = await detectToolchain();
  const link = await linkSettings(linking, tc, cacheDir);
  return { tc, link, inputs: { toolchain: tc.fingerprint, forkServer: forkServerFingerprint(), linking, linkArgs: link.args } };
}

/**
 * Compiles one program (its main source and subprograms) into the cache and,
 * when `binDir` is given, places it at `binDir/<name>`. Reuses the cached
 * executable when the sources, the copybooks they COPY, the flags, cobc and
 * the static archives are unchanged.
 */
export async function compileProgram(spec: ProgramSpec, binDir: string | undefined, options: CompileOptions = {}): Promise<CompileResult> {
  assertArch(options.arch ?? hostLambdaArch() ?? 'x86_64');
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const linking = options.linking ?? LINKING;
  const cacheDir = resolve(options.cacheDir ?? defaultCacheDir());
  const { link, inputs } = await keyInputs(linking, cacheDir);
  const key = compileKey(spec, inputs, callKeyParts(spec));
  const cachedBinary = cachePath(cacheDir, 'programs', `${spec.name}-${key}`);
  const binary = binDir ? join(resolve(binDir), spec.name) : cachedBinary;
  const done = (cached: boolean, messages: string): CompileResult => {
    if (binDir) placeFromCache(cachedBinary, binary, true);
    return { ok: true, binary, cachedBinary, key, messages, cached, compileMs: elapsed() };
  };
  const failed = (messages: string): CompileResult => ({ ok: false, binary, cachedBinary, key, messages, cached: false, compileMs: elapsed() });
  if (existsSync(cachedBinary)) return done(true, '');

  const objects = await forkServerObjectFiles(cacheDir);
  const work = join(cacheDir, 'work', `${spec.name}-${process.pid}-${key}`);
  mkdirSync(work, { recursive: true });
  const cwd = dirname(spec.source);
  const messages: string[] = [];
  // A call-mode program is a subprogram: cobc makes no main() for it; the call driver is its caller.
  const call = spec.mode === 'call';
  try {
    const cFiles: string[] = [];
    for (const [i, src] of [spec.source, ...spec.subprograms].entries()) {
      const cFile = join(work, `${i}-${basename(src, extname(src))}.c`);
      const r = await execa('cobc', ['-C', ...(i === 0 && !call ? ['-x'] : []), ...cobcArgs(spec), '-o', cFile, relative(cwd, src) || src], {
        cwd,
        reject: false,
        all: true,
        env: { LC_ALL: 'C' },
      });
      if (r.all?.trim()) messages.push(absolutizeMessages(r.all, cwd));
      if (r.exitCode !== 0) return failed(messages.join('\n') || `cobc failed on ${src}`);
      pinModuleDate(cFile);
      if (i === 0 && call) {
        const stub = await writeCallStub(spec, cobcArgs(spec), cwd, relative(cwd, src) || src, work);
        if (!stub.ok) return failed([...messages, stub.messages].join('\n'));
        cFiles.push(stub.file);
      } else if (i === 0) writeFileSync(cFile, renameGeneratedMain(readFileSync(cFile, 'utf8'), cFile));
      cFiles.push(cFile);
    }
    const out = join(work, spec.name);
    const r = await execa('cobc', ['-x', ...cobcArgs(spec), ...link.args, '-Q', '-Wl,--build-id=none', '-o', out, ...cFiles.map((f) => basename(f)), ...objects, ...(call ? [CALL_DRIVER_SOURCE] : [])], {
      cwd: work,
      reject: false,
      all: true,
      env: { ...link.env, LC_ALL: 'C' },
    });
    if (r.all?.trim()) messages.push(r.all.trim());
    if (r.exitCode !== 0) return failed(messages.join('\n') || 'link failed');
    // Debug info names the work folder; the dynamic symbols CALL needs stay.
    await execa('strip', ['--strip-unneeded', out]);
    storeInCache(out, cachedBinary);
    return done(false, messages.join('\n'));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
