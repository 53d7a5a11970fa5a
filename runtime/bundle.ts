// Bundles the runtime into one file beside the `bootstrap` script, the layout
// the runtime layer has at /opt. `dev`, the tests and the layer build all use
// this one function, so they all run the very same bundle.
import { build, type BuildOptions } from 'esbuild';
import { copyFileSync, chmodSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSpawnHelperInto } from './native/build-spawn-helper.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const BOOTSTRAP_SCRIPT = join(here, 'bootstrap');
export const RUNTIME_ENTRY = join(here, 'src', 'main.ts');
/** Where the bundle sits relative to `bootstrap`. */
export const RUNTIME_BUNDLE_PATH = 'cobolambda/runtime.mjs';

/** esbuild settings every runtime bundle shares (the bench builds a variant with them). */
export const RUNTIME_BUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  logLevel: 'error',
  // esm output of cjs dependencies needs a `require` in scope.
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
} as const satisfies BuildOptions;

export async function bundleRuntime(outDir: string): Promise<{ bootstrap: string; bundle: string }> {
  const bundle = join(outDir, RUNTIME_BUNDLE_PATH);
  mkdirSync(dirname(bundle), { recursive: true });
  await build({
    entryPoints: [RUNTIME_ENTRY],
    // Code splitting keeps execa (only loaded for COBOLAMBDA_SPAWN=execa) out of the file read at cold start.
    outdir: dirname(bundle),
    entryNames: 'runtime',
    chunkNames: 'chunk-[hash]',
    outExtension: { '.js': '.mjs' },
    splitting: true,
    ...RUNTIME_BUILD_OPTIONS,
  });
  // The posix_spawn helper that starts programs without forking Node (see runtime/src/program-runner.ts).
  await buildSpawnHelperInto(outDir);
  const bootstrap = join(outDir, 'bootstrap');
  copyFileSync(BOOTSTRAP_SCRIPT, bootstrap);
  chmodSync(bootstrap, 0o755);
  return { bootstrap, bundle };
}
