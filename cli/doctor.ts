// Makes sure the machine has what cobolambda needs, installing Debian packages
// when it may (root or passwordless sudo) and saying exactly what to install when not.
import { execFileSync, spawnSync } from 'node:child_process';

import { APT_PACKAGES as DEBIAN_PACKAGES } from '../layer/toolchain.ts';

function missingPackages(packages: string[]): string[] {
  return packages.filter((pkg) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
    return r.status !== 0 || !r.stdout.includes('install ok installed');
  });
}

function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
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
