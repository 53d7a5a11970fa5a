// Builds one Lambda asset of a COBOL folder into an output folder. CDK bundling
// runs this script, locally (infra/bundling.ts, `LocalCobolBundler`) or inside
// the bundling image (layer/Dockerfile), so both give the same layout
// (infra/asset-parts.ts): the runtime layer zip, a function's code zip, or all
// of it unzipped for an image. Locally the build goes through the shared build
// cache (--cache-dir), so nothing `cobolambda build` or `dev` compiled is compiled again.
//
// Usage: node --import tsx infra/build-asset.ts --cobol-dir DIR --out DIR
//          --build-dir DIR --part runtime|runtime-nodejs|program:<name>|all --arch x86_64|arm64
//          [--fingerprint HASH] [--cache-dir DIR]
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildProject, type BuildResult } from '../layer/build.ts';
import { RUNTIME_LAYER_NAMES } from '../layer/runtime-layers.ts';
import { AssetPartError, BUILD_STAMP, buildIsCurrent, copyAssetPart, runtimeLayerParts } from './asset-parts.ts';

function fail(message: string): never {
  process.stderr.write(`cobolambda: ${message}\n`);
  process.exit(1);
}

function failedPrograms(result: BuildResult): string {
  return result.programs
    .filter((p) => p.error)
    .map((p) => `${p.name} (${p.source}): ${p.error}`)
    .join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'cobol-dir': { type: 'string' },
      out: { type: 'string' },
      'build-dir': { type: 'string' },
      part: { type: 'string' },
      arch: { type: 'string' },
      fingerprint: { type: 'string' },
      'cache-dir': { type: 'string' },
    },
  });
  const cobolDir = values['cobol-dir'];
  const out = values.out;
  const buildDir = values['build-dir'];
  const part = values.part;
  const arch = values.arch;
  if (!cobolDir || !out || !buildDir || !part) fail('build-asset needs --cobol-dir, --out, --build-dir and --part');
  if (arch !== 'x86_64' && arch !== 'arm64') fail(`--arch must be x86_64 or arm64, not ${arch}`);
  const program = part.startsWith('program:') ? part.slice('program:'.length) : undefined;
  if (!(RUNTIME_LAYER_NAMES as string[]).includes(part) && part !== 'all' && !program) {
    fail(`--part must be ${runtimeLayerParts()}, "program:<name>" or "all", not "${part}"`);
  }

  // One build serves every asset of a synth: reuse it while its inputs are unchanged.
  if (!buildIsCurrent(buildDir, values.fingerprint)) {
    rmSync(join(buildDir, BUILD_STAMP), { force: true });
    const result = await buildProject({
      cobolDir,
      outDir: buildDir,
      arch,
      cacheDir: values['cache-dir'],
      // Without a shared stamp (Docker: a container per asset) build only what this asset needs.
      only: values.fingerprint || !program ? undefined : [program],
      // CDK uploads every asset through S3: the 50 MB direct-upload limit does not apply.
      upload: 's3',
      log: (line) => process.stderr.write(`${line}\n`),
    });
    if (!result.ok) {
      fail(`the build failed:\n${[failedPrograms(result), ...result.errors].filter(Boolean).join('\n') || 'see the messages above'}`);
    }
    if (values.fingerprint) writeFileSync(join(buildDir, BUILD_STAMP), values.fingerprint);
  }
  try {
    copyAssetPart(buildDir, part, out);
  } catch (err) {
    if (err instanceof AssetPartError) fail(err.message);
    throw err;
  }
}

main().catch((err: Error) => fail(err.stack ?? err.message));
