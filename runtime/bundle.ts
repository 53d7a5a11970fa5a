// Bundles the runtime into one file beside the `bootstrap` script, the layout
// the runtime layer has at /opt. `dev`, the tests and the layer build all use
// this one function, so they all run the very same bundle.
import { build } from 'esbuild';
import { copyFileSync, chmodSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const BOOTSTRAP_SCRIPT = join(here, 'bootstrap');
export const RUNTIME_ENTRY = join(here, 'src', 'main.ts');
/** Where the bundle sits relative to `bootstrap`. */
export const RUNTIME_BUNDLE_PATH = 'cobolambda/runtime.mjs';

export async function bundleRuntime(outDir: string): Promise<{ bootstrap: string; bundle: string }> {
  const bundle = join(outDir, RUNTIME_BUNDLE_PATH);
  mkdirSync(dirname(bundle), { recursive: true });
  await build({
    entryPoints: [RUNTIME_ENTRY],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    legalComments: 'none',
    logLevel: 'error',
    // esm output of cjs dependencies needs a `require` in scope.
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  });
  const bootstrap = join(outDir, 'bootstrap');
  copyFileSync(BOOTSTRAP_SCRIPT, bootstrap);
  chmodSync(bootstrap, 0o755);
  return { bootstrap, bundle };
}
