// Compiles test COBOL sources with the real cobc, once per test run and source.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TEST_COBOL_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'cobol');

/** Compiles `test/cobol/<file>` (or an absolute path) into `outDir/<name>` and returns the executable's path. */
export function compileTestProgram(source: string, outDir: string, name?: string, extraFlags: string[] = []): string {
  const file = source.startsWith('/') ? source : join(TEST_COBOL_DIR, source);
  statSync(file);
  mkdirSync(outDir, { recursive: true });
  const out = join(outDir, name ?? basename(file, extname(file)).toLowerCase());
  execFileSync('cobc', ['-x', '-free', '-o', out, file, ...extraFlags], { stdio: ['ignore', 'pipe', 'pipe'] });
  return out;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `cobolambda-${prefix}-`));
}
