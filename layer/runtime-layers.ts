// The runtime layers a build writes, one per Lambda runtime a program can be
// deployed on (cobolambda.json's "runtime"): what each holds and its zip's name
// in dist/. Both come from the one runtime folder the build writes, so the
// bundle, the spawn helper and libcob are the same bytes in both.
import type { LambdaRuntime } from './config-schema.ts';
import { listLayerFiles, type LayerFile } from './elf.ts';

export interface RuntimeLayerKind {
  /** The layer's name in the build's summary, and the CDK asset part that copies its zip out of a build. */
  name: string;
  /** Its zip in the build's output folder. */
  zipName: string;
}

export const RUNTIME_LAYERS = {
  // Lambda runs /opt/bootstrap, which runs the bundle on the layer's own Node 24.
  'provided.al2023': { name: 'runtime', zipName: 'runtime-layer.zip' },
  // Lambda runs its own Node through AWS_LAMBDA_EXEC_WRAPPER=/opt/exec-wrapper: no Node, no bootstrap.
  'nodejs24.x': { name: 'runtime-nodejs', zipName: 'runtime-layer-nodejs.zip' },
} as const satisfies Record<LambdaRuntime, RuntimeLayerKind>;

export type RuntimeLayerName = (typeof RUNTIME_LAYERS)[LambdaRuntime]['name'];

export const RUNTIME_LAYER_NAMES: RuntimeLayerName[] = Object.values(RUNTIME_LAYERS).map((l) => l.name);

/**
 * The files of the runtime folder (`dir`, laid out as /opt) that go into the layer
 * for `lambdaRuntime`. The managed Node.js runtime brings its Node and never runs a
 * `bootstrap` in a layer, so its layer leaves out both.
 */
export function runtimeLayerFiles(dir: string, lambdaRuntime: LambdaRuntime): LayerFile[] {
  const files = listLayerFiles(dir);
  if (lambdaRuntime === 'provided.al2023') return files;
  return files.filter((f) => f.layerPath !== 'bootstrap' && !f.layerPath.startsWith('node/'));
}
