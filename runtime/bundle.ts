// Bundles the runtime into one file beside the `bootstrap` script, the layout
// the runtime layer has at /opt. `dev`, the tests and the layer build all use
// this one function, so they all run the very same bundle.
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { copyFileSync, chmodSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSpawnHelperInto } from './native/build-spawn-helper.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const BOOTSTRAP_SCRIPT = join(here, 'bootstrap');
/** AWS_LAMBDA_EXEC_WRAPPER for functions on the managed Node.js runtime: it runs the same bundle on Lambda's Node. */
export const EXEC_WRAPPER_SCRIPT = join(here, 'exec-wrapper');
export const RUNTIME_ENTRY = join(here, 'src', 'main.ts');
/** Where the bundle sits relative to `bootstrap`. */
export const RUNTIME_BUNDLE_PATH = 'cobolambda/runtime.cjs';
/** execa, only loaded for COBOLAMBDA_SPAWN=execa, in a file of its own beside the bundle. */
const EXECA_BUNDLE_NAME = 'execa.mjs';
/** The S3 client (batch mode's S3 files), in a file of its own: only functions with files in S3 load it. */
const S3_BUNDLE_NAME = 'batch-s3.mjs';
const S3_ENTRY = join(here, 'src', 'codecs', 'batch', 's3.ts');

/**
 * esbuild settings every runtime bundle shares (the bench builds variants with them).
 * CommonJS, not ESM: an ES module that imports `node:http` makes Node evaluate every
 * export of it, and its lazy `WebSocket`/`EventSource` getters load undici. That and
 * the ESM loader cost about as much as Node's own start (measured: `npm run bench`).
 */
export const RUNTIME_BUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  logLevel: 'error',
  banner: { js: 'var __importMetaUrl=require("node:url").pathToFileURL(__filename).href;' },
  define: { 'import.meta.url': '__importMetaUrl' },
} as const satisfies BuildOptions;

/** Side bundles loaded with import(): ES modules, with a `require` for their CommonJS dependencies. */
const ESM_SIDE_BUNDLE = {
  ...RUNTIME_BUILD_OPTIONS,
  format: 'esm',
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  define: {},
} as const satisfies BuildOptions;

/** `import('execa')` in the runtime loads the execa bundle beside it at run time. */
const execaBesideBundle: Plugin = {
  name: 'execa-beside-bundle',
  setup(b) {
    b.onResolve({ filter: /^execa$/ }, () => ({ path: `./${EXECA_BUNDLE_NAME}`, external: true }));
    b.onResolve({ filter: /^\.\/s3\.ts$/ }, (args) => (join(args.resolveDir, args.path) === S3_ENTRY ? { path: `./${S3_BUNDLE_NAME}`, external: true } : undefined));
  },
};

export async function bundleRuntime(outDir: string): Promise<{ bootstrap: string; execWrapper: string; bundle: string }> {
  const bundle = join(outDir, RUNTIME_BUNDLE_PATH);
  mkdirSync(dirname(bundle), { recursive: true });
  await Promise.all([
    build({ entryPoints: [RUNTIME_ENTRY], outfile: bundle, plugins: [execaBesideBundle], ...RUNTIME_BUILD_OPTIONS }),
    build({ entryPoints: [S3_ENTRY], outfile: join(dirname(bundle), S3_BUNDLE_NAME), ...ESM_SIDE_BUNDLE }),
    build({ stdin: { contents: "export * from 'execa';", resolveDir: here }, outfile: join(dirname(bundle), EXECA_BUNDLE_NAME), ...ESM_SIDE_BUNDLE }),
  ]);
  // The posix_spawn helper that starts programs without forking Node (see program-runner.ts).
  await buildSpawnHelperInto(outDir);
  const bootstrap = join(outDir, 'bootstrap');
  copyFileSync(BOOTSTRAP_SCRIPT, bootstrap);
  chmodSync(bootstrap, 0o755);
  const execWrapper = join(outDir, 'exec-wrapper');
  copyFileSync(EXEC_WRAPPER_SCRIPT, execWrapper);
  chmodSync(execWrapper, 0o755);
  return { bootstrap, execWrapper, bundle };
}
