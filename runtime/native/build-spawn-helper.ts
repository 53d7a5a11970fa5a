// Builds the spawn helper (runtime/native/spawn-helper.c) with the host gcc,
// and names the sources the build links into every program as its fork server.
// The runtime layer ships it beside the bundle, as `cobolambda/spawn-helper`,
// where `program-runner.ts` looks for it. It needs glibc 2.34 symbols at most.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
export const SPAWN_HELPER_SOURCE = join(here, 'spawn-helper.c');
/** The request loop the helper and the fork server share (program-pump.h). */
const PROGRAM_PUMP_SOURCES = [join(here, 'program-pump.c'), join(here, 'program-pump.h')];
/** Linked into each program by `cobolambda build` (layer/build.ts); the header's folder is `NATIVE_INCLUDE_DIR`. */
export const FORK_SERVER_SOURCES = [join(here, 'fork-server.c'), ...PROGRAM_PUMP_SOURCES];
export const NATIVE_INCLUDE_DIR = here;
/** Where the helper sits relative to the layer root (beside `cobolambda/runtime.cjs`). */
export const SPAWN_HELPER_PATH = 'cobolambda/spawn-helper';

/** gcc flags of a build under AddressSanitizer and UndefinedBehaviorSanitizer (tests only): any finding aborts. */
export const SANITIZE_FLAGS = ['-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-fno-omit-frame-pointer', '-g'];

/** Compiles the helper to `outFile` (skipped when it is newer than its source); `sanitize` for tests. */
export async function buildSpawnHelper(outFile: string, options: { sanitize?: boolean } = {}): Promise<string> {
  const sources = [SPAWN_HELPER_SOURCE, ...PROGRAM_PUMP_SOURCES];
  const builtAt = existsSync(outFile) ? statSync(outFile).mtimeMs : -Infinity;
  if (sources.every((s) => builtAt >= statSync(s).mtimeMs)) return outFile;
  mkdirSync(dirname(outFile), { recursive: true });
  const tmp = `${outFile}.${process.pid}.tmp`;
  const flags = options.sanitize ? SANITIZE_FLAGS : ['-O2', '-s'];
  await run('gcc', [...flags, '-Wall', '-Wl,--build-id=none', '-o', tmp, ...sources.filter((s) => s.endsWith('.c'))]);
  renameSync(tmp, outFile);
  return outFile;
}

/** Builds the helper into a runtime layer folder (the one holding `bootstrap`). */
export function buildSpawnHelperInto(layerDir: string): Promise<string> {
  return buildSpawnHelper(join(layerDir, SPAWN_HELPER_PATH));
}
