// What turns a cobc program into one that can also serve as its own fork
// server (runtime/native/fork-server.c): cobc's generated main() is renamed
// and the fork server's main() is linked in its place. The build and the
// test helper that compiles test programs both use it.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { FORK_SERVER_SOURCES, NATIVE_INCLUDE_DIR } from '../runtime/native/build-spawn-helper.ts';

const GENERATED_MAIN = /^main \(int argc, char \*\*argv\)$/m;

/** The C cobc generated for a program's main source (`cobc -C -x`), with its main() renamed. */
export function renameGeneratedMain(cText: string, cFile: string): string {
  if (!GENERATED_MAIN.test(cText)) {
    throw new Error(`${cFile}: cobc's generated main() was not found, so the fork server cannot be linked (has cobc's output changed?)`);
  }
  return cText.replace(GENERATED_MAIN, 'cobolambda_program_main (int argc, char **argv)');
}

/** Extra cobc arguments for the link step: the fork server's C files and their header's folder. */
export function forkServerLinkArgs(): string[] {
  return ['-I', NATIVE_INCLUDE_DIR, ...FORK_SERVER_SOURCES.filter((f) => f.endsWith('.c'))];
}

let fingerprint: string | undefined;

/** Changes when the fork server's sources do, so cached programs are relinked (read once per process). */
export function forkServerFingerprint(): string {
  if (fingerprint === undefined) {
    const h = createHash('sha256');
    for (const f of FORK_SERVER_SOURCES) h.update(readFileSync(f));
    fingerprint = h.digest('hex').slice(0, 16);
  }
  return fingerprint;
}
