// Copies one Lambda asset out of a finished build (layer/build.ts's dist
// layout), for infra/build-asset.ts and for local bundling, which reuses a
// build every asset of a synth shares instead of starting a process per asset.
//
//   runtime        → runtime-layer.zip, used by CDK as the asset as is
//   runtime-nodejs → runtime-layer-nodejs.zip (no Node: for nodejs24.x), likewise
//   program:<name> → functions/<name>.zip, likewise (bin/<name>, cobolambda/programs/<name>.json)
//   all            → runtime/ and programs/ unzipped (the root Dockerfile's /opt)
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUNTIME_LAYERS } from '../layer/runtime-layers.ts';

/** The file a build folder keeps the fingerprint of its inputs in. */
export const BUILD_STAMP = '.cobolambda-stamp';

export function buildIsCurrent(buildDir: string, fingerprint: string | undefined): boolean {
  const stamp = join(buildDir, BUILD_STAMP);
  return Boolean(fingerprint) && existsSync(stamp) && readFileSync(stamp, 'utf8') === fingerprint;
}

export class AssetPartError extends Error {
  override name = 'AssetPartError';
}

/** Copies `part` of the build in `buildDir` into `out`. */
export function copyAssetPart(buildDir: string, part: string, out: string): void {
  mkdirSync(out, { recursive: true });
  if (part === 'all') {
    cpSync(join(buildDir, 'runtime'), join(out, 'runtime'), { recursive: true });
    cpSync(join(buildDir, 'programs'), join(out, 'programs'), { recursive: true });
    return;
  }
  const program = part.startsWith('program:') ? part.slice('program:'.length) : undefined;
  const layer = Object.values(RUNTIME_LAYERS).find((l) => l.name === part);
  if (!program && !layer) throw new AssetPartError(`no asset part "${part}": it is "program:<name>", "all" or a runtime layer (${runtimeLayerParts()})`);
  const zipName = program ? `${program}.zip` : layer!.zipName;
  const zip = program ? join(buildDir, 'functions', zipName) : join(buildDir, zipName);
  if (!existsSync(zip)) throw new AssetPartError(`the build left no ${program ? `code zip for "${program}"` : `${part} layer zip`} at ${zip}`);
  // A single zip in the bundling output is the asset itself (CDK's BundlingOutput.AUTO_DISCOVER).
  cpSync(zip, join(out, zipName));
}

/** The runtime layers' asset parts, for messages. */
export function runtimeLayerParts(): string {
  return Object.values(RUNTIME_LAYERS)
    .map((l) => `"${l.name}"`)
    .join(', ');
}
