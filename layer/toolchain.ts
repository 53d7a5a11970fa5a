// The host toolchain (cobc, gcc, the static archives of libcob and its
// dependencies) and the ways a program can be linked. `bench/linking.ts`
// measures every strategy; the build uses LINKING (see README "Linking").
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, copyFileSync, renameSync } from 'node:fs';
import { arch as hostArch } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const ICU_STUB_SOURCE = join(here, 'native', 'icu-stub.c');

export type LambdaArch = 'x86_64' | 'arm64';

/**
 * - `dynamic`: plain `cobc -x`; the layer ships libcob.so.4's whole closure
 *   (ICU, libstdc++, libgcc_s...). Fails the glibc 2.34 check on Debian 12.
 * - `static`: fully static executables (glibc too), ICU included.
 * - `shared-noicu`: plain `cobc -x`; the runtime layer ships libcob's closure
 *   once in lib/, with a tiny stand-in for libicuuc (no ICU, no libstdc++).
 *   Programs are a few KB. The build's choice: with the fork server the
 *   dynamic loader runs once per execution environment, and 1,000 programs
 *   upload megabytes instead of gigabytes (README "Linking").
 * - `static-libcob`: libcob and its dependencies' static archives linked into
 *   each executable (ICU replaced by the stand-in), glibc stays dynamic: the
 *   executable needs only libc and libm, and is about 4.5 MB.
 */
export type LinkStrategy = 'dynamic' | 'static' | 'shared-noicu' | 'static-libcob';
export const LINKING: LinkStrategy = 'shared-noicu';
/** Where Lambda unpacks the runtime layer's lib/ (also on Lambda's LD_LIBRARY_PATH). */
export const LAYER_LIB_DIR = '/opt/lib';

export class ToolchainError extends Error {
  override name = 'ToolchainError';
}

export function hostLambdaArch(): LambdaArch | undefined {
  const a = hostArch();
  return a === 'x64' ? 'x86_64' : a === 'arm64' ? 'arm64' : undefined;
}

/** Refuses to cross-build: cobc here makes host binaries only. */
export function assertArch(arch: LambdaArch): void {
  const host = hostLambdaArch();
  if (arch !== host) {
    throw new ToolchainError(
      `cannot build ${arch} programs on this ${host ?? hostArch()} machine: cobc here compiles for ${host ?? hostArch()} only. ` +
        `Build ${arch} layers with the Docker bundling path (CobolFunction's bundling runs the build in an ` +
        `${arch} Amazon Linux/Debian image, e.g. \`cdk deploy\` with Docker and QEMU/binfmt for ${arch}), ` +
        `or run \`cobolambda build\` on an ${arch} machine.`,
    );
  }
}

export interface Toolchain {
  cobcVersion: string;
  multiarch: string;
  libDir: string;
  /** ICU symbol suffix libxml2 was built against, e.g. `_72`. */
  icuSuffix: string;
  /** Fingerprint of everything that changes the bytes of a linked program. */
  fingerprint: string;
}

let cached: Promise<Toolchain> | undefined;

export function detectToolchain(): Promise<Toolchain> {
  cached ??= detect();
  return cached;
}

const ARCHIVES = ['libcob.a', 'libgmp.a', 'libdb-5.3.a', 'libncursesw.a', 'libtinfo.a', 'libxml2.a', 'liblzma.a', 'libz.a'];
const ARCHIVE_PACKAGES: Record<string, string> = {
  'libcob.a': 'libcob4-dev',
  'libgmp.a': 'libgmp-dev',
  'libdb-5.3.a': 'libdb5.3-dev',
  'libncursesw.a': 'libncurses-dev',
  'libtinfo.a': 'libncurses-dev',
  'libxml2.a': 'libxml2-dev',
  'liblzma.a': 'liblzma-dev',
  'libz.a': 'zlib1g-dev',
};
export const APT_PACKAGES = ['gnucobol3', 'libcob4-dev', 'libgmp-dev', 'libdb5.3-dev', 'libncurses-dev', 'libxml2-dev', 'liblzma-dev', 'zlib1g-dev', 'binutils', 'gcc'];

async function detect(): Promise<Toolchain> {
  let cobcVersion: string;
  try {
    cobcVersion = (await execa('cobc', ['--version'])).stdout.split('\n')[0]!.trim();
  } catch {
    throw new ToolchainError(`cobc not found: install GnuCOBOL 3 (apt-get install -y ${APT_PACKAGES.join(' ')})`);
  }
  const multiarch = (await execa('gcc', ['-dumpmachine'])).stdout.trim();
  const libDir = `/usr/lib/${multiarch}`;
  const missing = ARCHIVES.filter((a) => !existsSync(join(libDir, a)));
  if (missing.length > 0) {
    const pkgs = [...new Set(missing.map((m) => ARCHIVE_PACKAGES[m]))].join(' ');
    throw new ToolchainError(`static archives missing from ${libDir}: ${missing.join(', ')} (apt-get install -y ${pkgs})`);
  }
  const { stdout } = await execa('nm', ['-u', join(libDir, 'libxml2.a')], { reject: false });
  const icuSuffix = /ucnv_open(_\d+)/.exec(stdout)?.[1] ?? '_72';
  const h = createHash('sha256').update(cobcVersion).update(multiarch).update(icuSuffix);
  for (const a of ARCHIVES) {
    const st = statSync(join(libDir, a));
    h.update(`${a}:${st.size}:${st.mtimeMs}`);
  }
  h.update(readFileSync(ICU_STUB_SOURCE));
  return { cobcVersion, multiarch, libDir, icuSuffix, fingerprint: h.digest('hex').slice(0, 16) };
}

/** Compiles the ICU stand-in once per toolchain, as an object (`.o`) or a shared library (`.so`). */
export async function icuStub(tc: Toolchain, cacheDir: string, kind: 'object' | 'shared'): Promise<string> {
  const out = join(cacheDir, `icu-stub-${tc.fingerprint}${kind === 'object' ? '.o' : '.so'}`);
  if (existsSync(out)) return out;
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  const args =
    kind === 'object'
      ? ['-c', '-O2', '-fPIC', `-DICU_SUFFIX=${tc.icuSuffix}`, '-o', tmp, ICU_STUB_SOURCE]
      : ['-shared', '-O2', '-fPIC', `-DICU_SUFFIX=${tc.icuSuffix}`, `-Wl,-soname,libicuuc.so.${tc.icuSuffix.slice(1)}`, '-o', tmp, ICU_STUB_SOURCE];
  await execa('gcc', args);
  renameSync(tmp, out);
  return out;
}

/** Environment and extra cobc arguments that make `cobc -x` link with `strategy`. */
export async function linkSettings(
  strategy: LinkStrategy,
  tc: Toolchain,
  cacheDir: string,
): Promise<{ env: Record<string, string>; args: string[] }> {
  const a = (name: string) => join(tc.libDir, name);
  switch (strategy) {
    case 'dynamic':
      return { env: {}, args: [] };
    case 'shared-noicu':
      // The layer's lib/ first even if a function's environment replaces LD_LIBRARY_PATH.
      return { env: {}, args: ['-Q', `-Wl,-rpath,${LAYER_LIB_DIR}`] };
    case 'static':
      return {
        env: {
          COB_LIBS: [
            '-static',
            ...['libcob.a', 'libgmp.a', 'libdb-5.3.a', 'libncursesw.a', 'libtinfo.a', 'libxml2.a', 'libicui18n.a', 'libicuuc.a', 'libicudata.a', 'liblzma.a', 'libz.a'].map(a),
            '-lstdc++',
            '-lm',
            '-lpthread',
            '-ldl',
          ].join(' '),
        },
        args: [],
      };
    case 'static-libcob': {
      const stub = await icuStub(tc, cacheDir, 'object');
      return {
        env: {
          COB_LIBS: [...ARCHIVES.slice(0, 6).map(a), stub, ...ARCHIVES.slice(6).map(a), '-lm', '-lpthread', '-ldl'].join(' '),
        },
        // Unused archive members are dropped; the program's own symbols stay
        // exported (cobc links with --export-dynamic) so CALL finds subprograms.
        args: ['-Q', '-Wl,--gc-sections', '-Q', '-Wl,--as-needed'],
      };
    }
  }
}

/**
 * The shared libraries a strategy ships in the runtime layer's lib/, as
 * [source path on this machine, file name in lib/].
 */
export async function runtimeLibraries(strategy: LinkStrategy, tc: Toolchain, cacheDir: string): Promise<Array<[string, string]>> {
  if (strategy === 'static' || strategy === 'static-libcob') return [];
  // What the loader picks for libcob.so.4 on this machine, transitively.
  const { stdout } = await execa('ldd', [join(tc.libDir, 'libcob.so.4')]);
  const libs: Array<[string, string]> = [[join(tc.libDir, 'libcob.so.4'), 'libcob.so.4']];
  for (const line of stdout.split('\n')) {
    const m = /^\s*(\S+)\s+=>\s+(\/\S+)/.exec(line);
    if (!m) continue;
    const [, name, path] = m as unknown as [string, string, string];
    if (/^(libc|libm|libpthread|libdl|librt)\.so|^ld-linux/.test(name)) continue;
    if (strategy === 'shared-noicu' && /^libicu/.test(name)) continue;
    if (strategy === 'shared-noicu' && /^lib(stdc\+\+|gcc_s)\.so/.test(name)) continue;
    libs.push([path, name]);
  }
  if (strategy === 'shared-noicu') {
    libs.push([await icuStub(tc, cacheDir, 'shared'), `libicuuc.so.${tc.icuSuffix.slice(1)}`]);
  }
  return libs.sort((x, y) => (x[1] < y[1] ? -1 : 1));
}

export function copyLibraries(libs: Array<[string, string]>, libDir: string): void {
  mkdirSync(libDir, { recursive: true });
  for (const [from, name] of libs) copyFileSync(from, join(libDir, name));
}
