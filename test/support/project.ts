// Builds a cobol/ folder as `cobolambda build` builds its programs layer: every
// program compiled by compileProgram, its metadata beside it, so the real
// bootstrap runs it exactly as it runs on Lambda.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileProgram } from '../../layer/build.ts';
import { programMetadata } from '../../layer/metadata.ts';
import { discoverPrograms } from '../../layer/programs.ts';

/** Compiles every program of `cobolDir` into `<outDir>/bin` (metadata in `<outDir>/cobolambda/programs`); returns the bin folder. */
export async function buildProgramsLayer(cobolDir: string, outDir: string): Promise<string> {
  const binDir = join(outDir, 'bin');
  const metaDir = join(outDir, 'cobolambda', 'programs');
  mkdirSync(metaDir, { recursive: true });
  for (const spec of discoverPrograms(cobolDir)) {
    const r = await compileProgram(spec, binDir, { cacheDir: join(outDir, 'cache') });
    if (!r.ok) throw new Error(`${spec.name} does not build:\n${r.messages}`);
    writeFileSync(join(metaDir, `${spec.name}.json`), JSON.stringify(programMetadata(spec)));
  }
  return binDir;
}
