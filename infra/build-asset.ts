// Builds one Lambda asset of a COBOL folder into an output folder. CDK bundling
// runs this script, locally (infra/bundling.ts, `LocalCobolBundler`) or inside
// the bundling image (layer/Dockerfile), so both give the same layout:
//
//   runtime            → the runtime layer as buildProject lays it out (bootstrap,
//                        cobolambda/runtime.cjs, node/bin/node, lib/), for /opt
//   program:<name>     → bin/<name> and cobolambda/programs/<name>.json, for /var/task
//   all                → runtime/ and programs/ (both layers unzipped: the root Dockerfile's /opt)
//
// Usage: node --import tsx infra/build-asset.ts --cobol-dir DIR --out DIR
//          --build-dir DIR --part runtime|program:<name>|all --arch x86_64|arm64 [--fingerprint HASH]
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildProject, type BuildResult } from '../layer/build.ts';

const STAMP = '.cobolambda-stamp';

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
  if (part !== 'runtime' && part !== 'all' && !program) {
    fail(`--part must be "runtime", "program:<name>" or "all", not "${part}"`);
  }

  // One build serves every asset of a synth: reuse it while its inputs are unchanged.
  const stamp = join(buildDir, STAMP);
  const fresh = values.fingerprint && existsSync(stamp) && readFileSync(stamp, 'utf8') === values.fingerprint;
  let result: BuildResult | undefined;
  if (!fresh) {
    rmSync(stamp, { force: true });
    result = await buildProject({
      cobolDir,
      outDir: buildDir,
      arch,
      // Without a shared stamp (Docker: a container per asset) build only what this asset needs.
      only: values.fingerprint || !program ? undefined : [program],
      log: (line) => process.stderr.write(`${line}\n`),
    });
    if (!result.ok) {
      fail(`the build failed:\n${[failedPrograms(result), ...result.errors].filter(Boolean).join('\n') || 'see the messages above'}`);
    }
    if (values.fingerprint) writeFileSync(stamp, values.fingerprint);
  }

  mkdirSync(out, { recursive: true });
  if (part === 'all') {
    cpSync(result?.runtimeLayerDir ?? join(buildDir, 'runtime'), join(out, 'runtime'), { recursive: true });
    cpSync(result?.programsLayerDir ?? join(buildDir, 'programs'), join(out, 'programs'), { recursive: true });
    return;
  }
  if (!program) {
    const runtimeDir = result?.runtimeLayerDir ?? join(buildDir, 'runtime');
    if (!existsSync(join(runtimeDir, 'bootstrap'))) fail(`the build left no bootstrap in ${runtimeDir}`);
    cpSync(runtimeDir, out, { recursive: true, verbatimSymlinks: true });
    return;
  }
  const programsDir = result?.programsLayerDir ?? join(buildDir, 'programs');
  const binary = join(programsDir, 'bin', program);
  if (!existsSync(binary)) fail(`the build left no executable for "${program}" at ${binary}`);
  mkdirSync(join(out, 'bin'), { recursive: true });
  cpSync(binary, join(out, 'bin', program));
  const metadata = join(programsDir, 'cobolambda', 'programs', `${program}.json`);
  if (existsSync(metadata)) {
    mkdirSync(join(out, 'cobolambda', 'programs'), { recursive: true });
    cpSync(metadata, join(out, 'cobolambda', 'programs', `${program}.json`));
  }
}

main().catch((err: Error) => fail(err.stack ?? err.message));
