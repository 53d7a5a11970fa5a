// podman as the Docker engine of the tests, and local stand-ins for the two base
// images the Dockerfiles name, which no registry reachable here can serve:
//   node:20-bookworm-slim  → Debian 12 minbase (debootstrap) + this machine's Node.js and npm
//   lambda/provided:al2023 → Debian 12 minbase with the base image's layout and a
//                            Runtime Interface Emulator stand-in (docker/lambda-rie-standin.ts)
// The debootstrap root is made once per machine: kept as an image in podman's
// store (and as a tarball under .cobolambda/), then only `podman import`ed.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { findOnPath, PACKAGE_ROOT } from '../../infra/bundling.ts';

const HERE = join(dirname(fileURLToPath(import.meta.url)), 'docker');
export const CACHE_DIR = join(PACKAGE_ROOT, '.cobolambda', 'podman');

export const DEBIAN_IMAGE = 'localhost/cobolambda-standin/debian:bookworm-minbase';
export const TOOLCHAIN_STANDIN = 'localhost/cobolambda-standin/node:20-bookworm-slim';
export const LAMBDA_BASE_STANDIN = 'localhost/cobolambda-standin/lambda-provided:al2023';
const DEBIAN_MIRROR = process.env.COBOLAMBDA_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';

/**
 * containers.conf for these machines: no default ulimits (podman's defaults
 * cannot be set inside this VM's limits) and runc (crun fails on its cgroup
 * layout). Given to podman through CONTAINERS_CONF, so the machine's own
 * configuration is left alone and CDK's `podman` calls get it too.
 */
const CONTAINERS_CONF = `[containers]
default_ulimits = []

[engine]
runtime = "runc"
`;

export function podmanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  mkdirSync(CACHE_DIR, { recursive: true });
  const conf = join(CACHE_DIR, 'containers.conf');
  writeFileSync(conf, CONTAINERS_CONF);
  return { ...process.env, CONTAINERS_CONF: conf, ...extra };
}

export function podman(args: string[], options: { cwd?: string; timeoutMs?: number } = {}): SpawnSyncReturns<string> {
  return spawnSync('podman', args, {
    cwd: options.cwd ?? PACKAGE_ROOT,
    env: podmanEnv(),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: options.timeoutMs ?? 900_000,
  });
}

/** podman, or throws with its output: every step of the stand-ins must work. */
export function podmanOk(args: string[], options: { cwd?: string; timeoutMs?: number } = {}): string {
  const run = podman(args, options);
  if (run.error || run.status !== 0) {
    throw new Error(`podman ${args.join(' ')} failed (${run.error?.message ?? `exit ${run.status}`}):\n${run.stdout}\n${run.stderr}`);
  }
  return run.stdout;
}

/** Why the Docker-path tests cannot run here, or undefined when they can. */
export function podmanProblem(): string | undefined {
  if (process.platform !== 'linux') return `this is ${process.platform}; the tests run podman on Linux`;
  for (const tool of ['podman', 'runc', 'debootstrap']) {
    if (!findOnPath(tool, `${process.env.PATH}:/usr/sbin:/sbin`)) {
      return `${tool} is not installed (Debian: apt-get install podman runc debootstrap; .ci/run does)`;
    }
  }
  const info = podman(['info', '--format', '{{.Host.OCIRuntime.Name}}'], { timeoutMs: 60_000 });
  if (info.status !== 0) return `podman cannot run here: ${info.stderr.trim() || info.error?.message}`;
  return undefined;
}

function imageExists(name: string): boolean {
  return podman(['image', 'exists', name]).status === 0;
}

/** Debian 12 minbase, debootstrapped once per machine and imported into podman. */
export function ensureDebianImage(log: (line: string) => void): void {
  if (imageExists(DEBIAN_IMAGE)) return;
  const tarball = join(CACHE_DIR, 'debian-bookworm-minbase.tar');
  if (!existsSync(tarball)) {
    const root = mkdtempSync(join(tmpdir(), 'cobolambda-debootstrap-'));
    try {
      log(`debootstrap --variant=minbase bookworm from ${DEBIAN_MIRROR} (once per machine)`);
      const boot = spawnSync('debootstrap', ['--variant=minbase', 'bookworm', root, DEBIAN_MIRROR], {
        encoding: 'utf8',
        env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` },
        timeout: 900_000,
        maxBuffer: 64 * 1024 * 1024,
      });
      if (boot.status !== 0) throw new Error(`debootstrap failed (${boot.error?.message ?? `exit ${boot.status}`}):\n${boot.stdout.slice(-4000)}\n${boot.stderr}`);
      // Only what an image needs: no downloaded .debs, docs, man pages or translations (206 MB → 81 MB).
      for (const dir of ['var/cache/apt/archives', 'var/lib/apt/lists', 'usr/share/doc', 'usr/share/man', 'usr/share/locale']) {
        rmSync(join(root, dir), { recursive: true, force: true });
      }
      mkdirSync(join(root, 'var/cache/apt/archives/partial'), { recursive: true });
      mkdirSync(join(root, 'var/lib/apt/lists/partial'), { recursive: true });
      const partial = `${tarball}.partial-${process.pid}`;
      const tar = spawnSync('tar', ['-C', root, '--numeric-owner', '-cf', partial, '.'], { encoding: 'utf8' });
      if (tar.status !== 0) throw new Error(`tar of the debootstrap root failed: ${tar.stderr}`);
      renameSync(partial, tarball);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  log(`podman import ${tarball}`);
  podmanOk(['import', '--change', 'CMD ["/bin/bash"]', tarball, DEBIAN_IMAGE]);
}

/** The files of the two stand-ins' build contexts, under one folder. */
async function standinContext(): Promise<string> {
  const dir = join(CACHE_DIR, 'context');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // The Node.js running the tests (Debian 12's glibc, as the image's) and its npm.
  copyFileSync(process.execPath, join(dir, 'node'));
  const npmCli = realpathSync(findOnPath('npm') ?? 'npm');
  cpSync(resolve(dirname(npmCli), '..'), join(dir, 'npm'), { recursive: true, verbatimSymlinks: true });
  // The CA this machine's network needs for the npm registry (a TLS proxy), if any.
  const ca = process.env.NODE_EXTRA_CA_CERTS;
  if (ca && existsSync(ca)) copyFileSync(ca, join(dir, 'network-ca.crt'));
  else writeFileSync(join(dir, 'network-ca.crt'), '');
  for (const file of ['node.Containerfile', 'lambda-base.Containerfile', 'lambda-entrypoint.sh', 'aws-lambda-rie']) {
    copyFileSync(join(HERE, file), join(dir, file));
  }
  await build({
    entryPoints: [join(HERE, 'lambda-rie-standin.ts')],
    outfile: join(dir, 'rie.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
  });
  return dir;
}

/** Builds (or finds in podman's layer cache) both stand-ins. */
export async function ensureStandins(log: (line: string) => void): Promise<void> {
  ensureDebianImage(log);
  const context = await standinContext();
  for (const [file, tag] of [
    ['node.Containerfile', TOOLCHAIN_STANDIN],
    ['lambda-base.Containerfile', LAMBDA_BASE_STANDIN],
  ] as const) {
    log(`podman build ${tag} (stand-in)`);
    podmanOk(['build', '--build-arg', `BASE=${DEBIAN_IMAGE}`, '-f', file, '-t', tag, '.'], { cwd: context });
  }
}
