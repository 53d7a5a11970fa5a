// What a build writes for each program and for the project: the function
// zips (cached by content, so an unchanged program is never zipped again),
// the optional combined programs layer, dist/README and the summary.
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cachePath, hashText, placeFromCache, storeInCache } from './build-cache.ts';
import type { CompileResult } from './compile.ts';
import { MetadataError, programMetadata } from './metadata.ts';
import type { ProgramSpec } from './programs.ts';
import type { LambdaRuntime } from './config-schema.ts';
import type { LambdaArch, LinkStrategy } from './toolchain.ts';
import { LAMBDA_DIRECT_UPLOAD_LIMIT } from './upload-limits.ts';
import { writeDeterministicZip, writeZipOf } from './zip.ts';

/** Lambda's limits: direct zip upload (upload-limits.ts), and function plus all layers unzipped. */
export const LAMBDA_ZIP_LIMIT = LAMBDA_DIRECT_UPLOAD_LIMIT;
export const LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024;

export const fmtMb = (n: number): string => `${(n / 1024 / 1024).toFixed(2)} MB`;

export interface ProgramResult {
  name: string;
  group: string;
  source: string;
  /** The executable in the build's programs folder. */
  binary?: string;
  sizeBytes?: number;
  /** The function's code zip (`functions/<name>.zip`). */
  zip?: string;
  zipBytes?: number;
  unzippedBytes?: number;
  linking: string;
  /** The Lambda runtime its function is deployed on, hence which runtime layer it gets. */
  lambdaRuntime: LambdaRuntime;
  compileMs?: number;
  cached: boolean;
  error?: string;
  /** The cache entry (for the ELF-check marker). */
  cachedBinary?: string;
}

export interface LayerResult {
  name: string;
  zip: string;
  zippedBytes: number;
  unzippedBytes: number;
}

interface Places {
  linking: LinkStrategy;
  cacheDir: string;
  programsLayerDir: string;
  functionsDir: string;
}

/** Writes a compiled program's metadata and its function zip; turns a metadata error into a failed program. */
export async function finishProgram(spec: ProgramSpec, r: CompileResult, at: Places): Promise<ProgramResult> {
  const base = { name: spec.name, group: spec.group, source: spec.source, linking: at.linking, lambdaRuntime: spec.runtime, compileMs: r.compileMs };
  if (!r.ok) return { ...base, cached: false, error: r.messages };
  let metadata: string;
  try {
    metadata = `${JSON.stringify(programMetadata(spec))}\n`;
  } catch (err) {
    if (!(err instanceof MetadataError)) throw err;
    return { ...base, cached: false, error: err.message };
  }
  const metaFile = join(at.programsLayerDir, 'cobolambda', 'programs', `${spec.name}.json`);
  writeFileSync(metaFile, metadata);
  const cachedZip = cachePath(at.cacheDir, 'zips', `${spec.name}-${r.key}-${hashText(metadata)}.zip`);
  if (!existsSync(cachedZip)) {
    mkdirSync(join(at.cacheDir, 'zips'), { recursive: true });
    const tmp = `${cachedZip}.${process.pid}.tmp`;
    await writeZipOf(
      [
        { path: r.binary, layerPath: `bin/${spec.name}` },
        { path: metaFile, layerPath: `cobolambda/programs/${spec.name}.json` },
      ],
      tmp,
    );
    storeInCache(tmp, cachedZip);
  }
  const zip = join(at.functionsDir, `${spec.name}.zip`);
  placeFromCache(cachedZip, zip);
  const sizeBytes = statSync(r.binary).size;
  return {
    ...base,
    cached: r.cached,
    binary: r.binary,
    sizeBytes,
    zip,
    zipBytes: statSync(zip).size,
    unzippedBytes: sizeBytes + Buffer.byteLength(metadata),
    cachedBinary: r.cachedBinary,
  };
}

const elfMarker = (p: ProgramResult): string => `${p.cachedBinary}.elf-ok`;

/** Whether the program's cached executable has not yet passed the provided.al2023 check. */
export function needsElfCheck(p: ProgramResult): boolean {
  return !p.cachedBinary || !existsSync(elfMarker(p));
}

export function markElfChecked(p: ProgramResult): void {
  if (p.cachedBinary) writeFileSync(elfMarker(p), '');
}

/** The combined programs layer, or why there is none: it must fit with the runtime layer in 250 MB. */
export async function writeProgramsLayer(dir: string, zip: string, runtimeUnzipped: number): Promise<{ layer?: LayerResult; error?: string }> {
  const z = await writeDeterministicZip(dir, zip);
  const total = z.unzippedBytes + runtimeUnzipped;
  if (total > LAMBDA_UNZIPPED_LIMIT) {
    return {
      error:
        `the programs layer would unzip to ${fmtMb(z.unzippedBytes)} (${fmtMb(total)} with the runtime layer, zipped ${fmtMb(z.zippedBytes)}), ` +
        `over Lambda's ${fmtMb(LAMBDA_UNZIPPED_LIMIT)} for a function and its layers: ` +
        `not written. Deploy uses functions/<name>.zip, one per function; for a layer, build fewer programs (--only NAME,...)`,
    };
  }
  return { layer: { name: 'programs', zip, zippedBytes: z.zippedBytes, unzippedBytes: z.unzippedBytes } };
}

export function writeDistReadme(outDir: string, b: { programs: ProgramResult[]; layers: LayerResult[]; ok: boolean; arch: LambdaArch; linking: string }): void {
  const ok = b.programs.filter((p) => !p.error);
  const zipped = ok.reduce((n, p) => n + (p.zipBytes ?? 0), 0);
  const sizes = (name: string): string => {
    const layer = b.layers.find((l) => l.name === name);
    return layer ? `; ${fmtMb(layer.zippedBytes)} zipped, ${fmtMb(layer.unzippedBytes)} unzipped` : '';
  };
  const onNodejs = ok.filter((p) => p.lambdaRuntime === 'nodejs24.x').length;
  const text = `# What \`cobolambda build\` wrote here

${b.ok ? 'The last build succeeded' : 'The last build FAILED: the zips were removed; see its output'}: ${ok.length} of ${b.programs.length} program(s), ${b.arch}, linking ${b.linking}.

| file | what it is |
|---|---|
| \`runtime-layer.zip\` | the Lambda layer of every function on \`provided.al2023\`, the default (unpacked under \`/opt\`): \`bootstrap\`, \`cobolambda/runtime.cjs\` and \`cobolambda/spawn-helper\`, \`node/bin/node\`, and \`lib/\` (libcob and the libraries it needs, loaded by every program)${sizes('runtime')} |
| \`runtime-layer-nodejs.zip\` | the same without \`node/\` and \`bootstrap\`, for functions on Lambda's managed \`nodejs24.x\` (\`"runtime": "nodejs24.x"\`; ${onNodejs} program(s) here), which run the bundle on Lambda's own Node through \`AWS_LAMBDA_EXEC_WRAPPER=/opt/exec-wrapper\`: \`exec-wrapper\`, \`cobolambda/\`, \`lib/\`${sizes('runtime-nodejs')} |
| \`functions/<name>.zip\` | one function's code (unpacked under \`/var/task\`): \`bin/<name>\`, the program, and \`cobolambda/programs/<name>.json\`, its I/O mode and parsed copybooks. ${ok.length} zips, ${fmtMb(zipped)} in all: what a first deploy uploads, with the runtime layer |
| \`programs-layer.zip\` | only with \`--programs-layer\`: every program in one layer (\`bin/\`, \`cobolambda/programs/\`), refused when it would pass Lambda's 250 MB with the runtime layer |
| \`runtime/\`, \`programs/\` | the same, unzipped (\`programs/\` is what an image's \`/opt\` gets) |
| \`*.zip.contents-fingerprint\` | the digest of the files that went into a zip (not of the zip): an unchanged layer is not zipped again |

Zips are deterministic: the same inputs give byte-identical zips. Compiled
programs and function zips are kept in the build cache (\`.cobolambda/cache\`,
or \`$COBOLAMBDA_CACHE_DIR\`), which \`cobolambda dev\` and \`cdk synth\` share.
`;
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'README'), text);
}

/** The table of programs (a few) or their totals (many), and the layers. */
export function summary(programs: ProgramResult[], layers: LayerResult[]): string {
  const out: string[] = [];
  if (programs.length <= 40) {
    const rows: string[][] = [['program', 'size', 'zipped', 'linking', 'compile', 'status']];
    for (const p of programs) {
      rows.push([
        p.name,
        p.sizeBytes !== undefined ? fmtMb(p.sizeBytes) : '-',
        p.zipBytes !== undefined ? fmtMb(p.zipBytes) : '-',
        p.linking,
        p.cached ? 'cached' : p.compileMs !== undefined ? `${p.compileMs} ms` : '-',
        p.error ? 'FAILED' : 'ok',
      ]);
    }
    out.push(table(rows));
  } else {
    const ok = programs.filter((p) => !p.error);
    const zipped = ok.reduce((n, p) => n + (p.zipBytes ?? 0), 0);
    const size = ok.reduce((n, p) => n + (p.sizeBytes ?? 0), 0);
    const largest = [...ok].sort((a, b) => (b.sizeBytes ?? 0) - (a.sizeBytes ?? 0)).slice(0, 3);
    out.push(
      `${programs.length} programs: ${ok.length} ok (${ok.filter((p) => p.cached).length} from the cache), ${programs.length - ok.length} failed; ` +
        `executables ${fmtMb(size)}, function zips ${fmtMb(zipped)} (${fmtMb(zipped / Math.max(1, ok.length))} each on average); ` +
        `largest: ${largest.map((p) => `${p.name} ${fmtMb(p.sizeBytes ?? 0)}`).join(', ')}`,
    );
  }
  if (layers.length > 0) {
    const lrows: string[][] = [['layer', 'zipped', 'limit', 'unzipped', 'limit']];
    for (const l of layers) lrows.push([l.name, fmtMb(l.zippedBytes), pct(l.zippedBytes, LAMBDA_ZIP_LIMIT), fmtMb(l.unzippedBytes), pct(l.unzippedBytes, LAMBDA_UNZIPPED_LIMIT)]);
    out.push(table(lrows));
  }
  return out.join('\n\n');
}

function pct(n: number, limit: number): string {
  return `${((n / limit) * 100).toFixed(0)}% of ${fmtMb(limit)}${n > limit ? ' OVER' : ''}`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n');
}
