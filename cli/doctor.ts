// Makes sure the machine has what cobolambda needs, installing Debian packages
// when it may (root or passwordless sudo) and saying exactly what to install when not;
// then prints a short checklist of what it found, the optional tools included.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

import { APT_PACKAGES as DEBIAN_PACKAGES } from '../layer/toolchain.ts';

/** Node.js versions the host tools (CLI, dev, build, tests) run on; package.json's engines says the same. */
export const SUPPORTED_NODE = '^20.19.0 || ^22.12.0 || >=24.0.0';

function missingPackages(packages: string[]): string[] {
  return packages.filter((pkg) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
    return r.status !== 0 || !r.stdout.includes('install ok installed');
  });
}

function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** The first line a tool prints for `--version`, or undefined when it is not there. */
function versionLine(command: string, args = ['--version']): string | undefined {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 20_000 });
  if (r.error || r.status !== 0) return undefined;
  return `${r.stdout}${r.stderr}`.split('\n').find((l) => l.trim() !== '')?.trim();
}

export function doctor(options: { install: boolean; log: (line: string) => void }): boolean {
  const { log } = options;
  if (!hasCommand('dpkg-query')) {
    if (hasCommand('cobc')) return true;
    log('cobolambda needs GnuCOBOL 3 (cobc) and its static libraries; this is not a Debian/Ubuntu machine, so install them with your package manager.');
    return false;
  }
  const missing = missingPackages(DEBIAN_PACKAGES);
  if (missing.length === 0) return true;
  const sudo = process.getuid?.() === 0 ? [] : hasCommand('sudo') && spawnSync('sudo', ['-n', 'true']).status === 0 ? ['sudo'] : undefined;
  if (!options.install || sudo === undefined) {
    log(`cobolambda needs these Debian packages: ${missing.join(' ')}`);
    log(`install them with: sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}`);
    return false;
  }
  log(`installing ${missing.join(' ')} with apt-get`);
  const run = (args: string[]) => {
    const [cmd, ...rest] = [...sudo, ...args];
    execFileSync(cmd!, rest, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  };
  run(['apt-get', 'update', '-qq']);
  run(['apt-get', 'install', '-y', '-qq', ...missing]);
  return missingPackages(DEBIAN_PACKAGES).length === 0;
}

export interface CheckItem {
  /** `ok`, `missing` (needed), or `optional` (not found, needed only for some things). */
  status: 'ok' | 'missing' | 'optional';
  what: string;
  detail: string;
}

function nodeSupported(version: string): boolean {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number) as [number, number];
  return (major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major >= 24;
}

/** What the machine has, as a list; nothing is installed here. */
export async function checklist(): Promise<CheckItem[]> {
  const items: CheckItem[] = [];
  const cobc = versionLine('cobc');
  items.push(cobc ? { status: 'ok', what: 'cobc', detail: cobc } : { status: 'missing', what: 'cobc', detail: 'not found: GnuCOBOL 3 (Debian: gnucobol3)' });
  if (hasCommand('dpkg-query')) {
    const missing = missingPackages(DEBIAN_PACKAGES);
    items.push(
      missing.length === 0
        ? { status: 'ok', what: 'static libraries', detail: `libcob and what it links, from ${DEBIAN_PACKAGES.length} Debian packages` }
        : { status: 'missing', what: 'static libraries', detail: `missing Debian packages: ${missing.join(' ')}` },
    );
  }
  items.push(
    nodeSupported(process.version)
      ? { status: 'ok', what: 'Node.js (host tools)', detail: `${process.version} (supported: ${SUPPORTED_NODE})` }
      : { status: 'missing', what: 'Node.js (host tools)', detail: `${process.version} is not supported: use ${SUPPORTED_NODE}` },
  );
  const { nodeBinary } = await import('../layer/build.ts');
  const { hostLambdaArch } = await import('../layer/toolchain.ts');
  const layerNode = nodeBinary(hostLambdaArch() ?? 'x86_64');
  items.push(
    existsSync(layerNode)
      ? { status: 'ok', what: 'Node.js for the runtime layer', detail: `${versionLine(layerNode) ?? 'present'} (${layerNode})` }
      : { status: 'optional', what: 'Node.js for the runtime layer', detail: 'not installed yet: the first build runs npm ci --prefix layer/node' },
  );
  const aws = versionLine('aws');
  items.push(
    aws
      ? { status: 'ok', what: 'AWS CLI', detail: aws.split(' ')[0]! }
      : { status: 'optional', what: 'AWS CLI', detail: 'not found: needed only for the printed aws commands (cobolambda invoke works without it)' },
  );
  const engine = ['docker', 'podman'].map((c) => versionLine(c)).find(Boolean);
  items.push(
    engine
      ? { status: 'ok', what: 'Docker or podman', detail: engine }
      : { status: 'optional', what: 'Docker or podman', detail: 'not found: needed only for arm64 builds on x86_64, packaging=image and Docker bundling' },
  );
  return items;
}

export function formatChecklist(items: CheckItem[]): string {
  const mark = { ok: 'ok', missing: 'MISSING', optional: '-' } as const;
  const width = Math.max(...items.map((i) => i.what.length));
  return `${items.map((i) => `  ${mark[i.status].padEnd(7)} ${i.what.padEnd(width)}  ${i.detail}`).join('\n')}\n`;
}
