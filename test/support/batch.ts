// Builds batch-mode programs as `cobolambda build` does (executable + metadata)
// and runs them through the real bootstrap with a private TMPDIR, so a test can
// see every work directory the runtime makes and that none is left behind.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { discoverPrograms } from '../../layer/programs.ts';
import { compileProgram } from '../../layer/build.ts';
import { programMetadata } from '../../layer/metadata.ts';
import { WORK_DIR_PREFIX } from '../../runtime/src/codecs/batch/work-dir.ts';
import { startBootstrap, type BootstrapHandle } from './runtime-harness.ts';
import { tempDir } from './cobc.ts';

/** Compiles the named programs of `cobolDir` into a programs layer; returns its bin folder. */
export async function buildBatchPrograms(cobolDir: string, names: string[]): Promise<string> {
  const out = tempDir('batch-layer');
  const bin = join(out, 'bin');
  const meta = join(out, 'cobolambda', 'programs');
  mkdirSync(meta, { recursive: true });
  for (const spec of discoverPrograms(cobolDir).filter((s) => names.includes(s.name))) {
    const r = await compileProgram(spec, bin);
    if (!r.ok) throw new Error(`${spec.name}: ${r.messages}`);
    writeFileSync(join(meta, `${spec.name}.json`), JSON.stringify(programMetadata(spec)));
  }
  return bin;
}

export interface BatchRuntime extends BootstrapHandle {
  /** The TMPDIR the runtime was given. */
  tmp: string;
  /** Work directories present there now. */
  workDirs(): string[];
}

export async function startBatchRuntime(bin: string, handler: string, env: Record<string, string> = {}, options: { tmpSizeBytes?: number } = {}): Promise<BatchRuntime> {
  const tmp = tempDir('batch-tmp');
  // A small TMPDIR: a tmpfs of that size, mounted in a mount namespace of the bootstrap's own (needs root).
  const wrap = options.tmpSizeBytes
    ? ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', `mount -t tmpfs -o size=${options.tmpSizeBytes} tmpfs "$TMPDIR" && exec "$@"`, 'sh']
    : undefined;
  const handle = await startBootstrap({ handler, programDir: bin, env: { TMPDIR: tmp, ...env }, wrap });
  return Object.assign(handle, { tmp, workDirs: () => readdirSync(tmp).filter((n) => n.startsWith(WORK_DIR_PREFIX)) });
}
