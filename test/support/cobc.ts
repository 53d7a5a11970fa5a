// Compiles test COBOL sources with the real cobc, once per test run and source.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forkServerLinkArgs, renameGeneratedMain } from '../../layer/fork-server.ts';
import { SANITIZE_FLAGS } from '../../runtime/native/build-spawn-helper.ts';

export const TEST_COBOL_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'cobol');

/**
 * Compiles `test/cobol/<file>` (or an absolute path) into `outDir/<name>` and
 * returns the executable's path. As `cobolambda build` does, the program
 * carries its fork server (layer/fork-server.ts), unless `forkServer` is
 * false: then it is a plain `cobc -x` executable. `sanitize` builds the program
 * and its fork server under AddressSanitizer and UndefinedBehaviorSanitizer.
 */
export function compileTestProgram(
  source: string,
  outDir: string,
  name?: string,
  options: { forkServer?: boolean; sanitize?: boolean } = {},
): string {
  const file = source.startsWith('/') ? source : join(TEST_COBOL_DIR, source);
  statSync(file);
  mkdirSync(outDir, { recursive: true });
  const out = join(outDir, name ?? basename(file, extname(file)).toLowerCase());
  const run = (args: string[], cwd?: string) => execFileSync('cobc', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  if (options.forkServer === false) {
    run(['-x', '-free', '-o', out, file]);
    return out;
  }
  const work = mkdtempSync(join(tmpdir(), 'cobolambda-cobc-'));
  try {
    const cFile = join(work, 'program.c');
    run(['-C', '-x', '-free', '-o', cFile, file], work);
    writeFileSync(cFile, renameGeneratedMain(readFileSync(cFile, 'utf8'), cFile));
    const sanitize = options.sanitize ? ['-A', SANITIZE_FLAGS.join(' '), '-Q', SANITIZE_FLAGS.join(' ')] : [];
    run(['-x', '-o', out, cFile, ...forkServerLinkArgs(), ...sanitize], work);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return out;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `cobolambda-${prefix}-`));
}
