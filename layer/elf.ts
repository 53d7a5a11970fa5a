// What a layer's ELF files need from the system, and whether provided.al2023
// gives it to them. Reads `readelf -d -V` (binutils) the way the dynamic
// loader would look at the files: NEEDED entries resolved through RUNPATH and
// the layer's lib/ (which Lambda puts on LD_LIBRARY_PATH as /opt/lib), and the
// symbol versions each file needs from each library.
import { execa } from 'execa';
import { openSync, readSync, closeSync, existsSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';

/** What AWS Lambda's provided.al2023 has: glibc 2.34. */
export const LAMBDA_GLIBC = '2.34';

/**
 * The glibc family: always taken from the system, never shipped. On Lambda
 * they come from provided.al2023's glibc 2.34.
 */
const GLIBC_FAMILY = new Set([
  'libc.so.6',
  'libm.so.6',
  'libpthread.so.0',
  'libdl.so.2',
  'librt.so.1',
  'libutil.so.1',
  'libresolv.so.2',
  'libanl.so.1',
  'ld-linux-x86-64.so.2',
  'ld-linux-aarch64.so.1',
  'linux-vdso.so.1',
]);

/**
 * Libraries outside glibc that provided.al2023 itself carries (gcc 11's
 * runtime: the Amazon Linux 2023 minimal image has libgcc and libstdc++).
 * Only the pinned Node.js binary relies on them; COBOL programs never do. The
 * cap is the newest symbol version gcc 11 defines.
 */
const BASE_IMAGE_LIBRARIES: Record<string, Array<{ prefix: string; max: string }>> = {
  'libstdc++.so.6': [
    { prefix: 'GLIBCXX_', max: '3.4.29' },
    { prefix: 'CXXABI_', max: '1.3.13' },
  ],
  'libgcc_s.so.1': [{ prefix: 'GCC_', max: '7.0.0' }],
};

export function isGlibcFamily(soname: string): boolean {
  return GLIBC_FAMILY.has(soname) || /^ld-linux.*\.so\.\d+$/.test(soname);
}

export interface ElfInfo {
  path: string;
  soname?: string;
  needed: string[];
  runpath: string[];
  /** Symbol versions needed, per library: `{ file: 'libc.so.6', version: 'GLIBC_2.34' }`. */
  versionNeeds: Array<{ file: string; version: string }>;
}

export function isElf(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(4);
    return readSync(fd, head, 0, 4, 0) === 4 && head.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  } finally {
    closeSync(fd);
  }
}

export async function readElf(path: string): Promise<ElfInfo> {
  const { stdout } = await execa('readelf', ['-d', '-V', '--wide', path], { env: { LC_ALL: 'C' } });
  return parseReadelf(path, stdout);
}

/** readelf of many files, one per core at a time (an estate's build checks a thousand programs). */
async function readElves(paths: string[]): Promise<Map<string, ElfInfo>> {
  const infos = new Map<string, ElfInfo>();
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const path = paths[next++]!;
      infos.set(path, await readElf(path));
    }
  };
  await Promise.all(Array.from({ length: Math.min(availableParallelism(), paths.length) }, worker));
  return infos;
}

export function parseReadelf(path: string, text: string): ElfInfo {
  const info: ElfInfo = { path, needed: [], runpath: [], versionNeeds: [] };
  let inNeeds = false;
  let currentFile = '';
  for (const line of text.split('\n')) {
    let m = /\((NEEDED|SONAME|RUNPATH|RPATH)\)\s+[^[]*\[(.*)\]/.exec(line);
    if (m) {
      const [, tag, value] = m as unknown as [string, string, string];
      if (tag === 'NEEDED') info.needed.push(value);
      else if (tag === 'SONAME') info.soname = value;
      else info.runpath.push(...value.split(':').filter(Boolean));
      continue;
    }
    if (/^Version needs section/.test(line)) {
      inNeeds = true;
      continue;
    }
    if (/^Version (definition|symbols) section/.test(line)) {
      inNeeds = false;
      continue;
    }
    if (!inNeeds) continue;
    m = /File:\s+(\S+)/.exec(line);
    if (m) {
      currentFile = m[1]!;
      continue;
    }
    m = /Name:\s+(\S+)/.exec(line);
    if (m && currentFile) info.versionNeeds.push({ file: currentFile, version: m[1]! });
  }
  return info;
}

/** Compares dotted versions numerically: 2.34 < 2.35, 2.4 < 2.34. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export interface LayerFile {
  /** Path on this machine. */
  path: string;
  /** Path inside the layer, i.e. under /opt on Lambda (e.g. `bin/hello`). */
  layerPath: string;
}

export interface ElfProblem {
  file: string;
  problem: string;
  fix: string;
}

export interface ClosureEntry {
  /** Layer path of the ELF file. */
  file: string;
  /** Each NEEDED library and where it resolves: a layer path, `glibc`, or `provided.al2023`. */
  resolved: Array<{ library: string; from: string }>;
  /** The newest GLIBC_x.y this file needs. */
  maxGlibc?: string;
}

export interface ElfCheck {
  ok: boolean;
  problems: ElfProblem[];
  closure: ClosureEntry[];
}

/**
 * Checks every ELF file among `files` (layer contents from all layers that
 * will be unpacked together under /opt). `libDirs` are the layer folders on
 * LD_LIBRARY_PATH (`lib`).
 */
export async function checkElfFiles(files: LayerFile[], libDirs: string[] = ['lib']): Promise<ElfCheck> {
  const byLayerPath = new Map(files.map((f) => [f.layerPath.split(sep).join('/'), f]));
  const problems: ElfProblem[] = [];
  const closure: ClosureEntry[] = [];
  const elves = [...files].sort((a, b) => (a.layerPath < b.layerPath ? -1 : 1)).filter((f) => statSync(f.path).isFile() && isElf(f.path));
  const infos = await readElves(elves.filter((f) => !isGlibcFamily(basename(f.layerPath))).map((f) => f.path));
  for (const file of elves) {
    const layerPath = file.layerPath.split(sep).join('/');
    const name = basename(layerPath);
    if (isGlibcFamily(name)) {
      problems.push({
        file: layerPath,
        problem: `${name} is part of glibc and must not be shipped`,
        fix: 'remove it from the layer: provided.al2023 brings its own glibc 2.34',
      });
      continue;
    }
    const info = infos.get(file.path)!;
    const entry: ClosureEntry = { file: layerPath, resolved: [] };
    const searchDirs = [
      ...info.runpath.map((r) => r.replace(/^\/opt\/?/, '').replace(/\$\{?ORIGIN\}?/, dirname(layerPath))),
      ...libDirs,
    ];
    for (const lib of info.needed) {
      if (isGlibcFamily(lib)) {
        entry.resolved.push({ library: lib, from: 'glibc' });
        continue;
      }
      const found = searchDirs.map((d) => join(d, lib).split(sep).join('/')).find((p) => byLayerPath.has(p));
      if (found) {
        entry.resolved.push({ library: lib, from: found });
        continue;
      }
      if (BASE_IMAGE_LIBRARIES[lib]) {
        entry.resolved.push({ library: lib, from: 'provided.al2023' });
        continue;
      }
      problems.push({
        file: layerPath,
        problem: `needs ${lib}, which is neither in the layer's ${libDirs.join(', ')}/ nor part of glibc`,
        fix: `link ${lib} statically into the program, or ship it (and its own closure) in the runtime layer's lib/`,
      });
    }
    for (const { file: from, version } of info.versionNeeds) {
      const glibc = /^GLIBC_(\d+(?:\.\d+)*)$/.exec(version);
      if (glibc && isGlibcFamily(from)) {
        if (!entry.maxGlibc || compareVersions(glibc[1]!, entry.maxGlibc) > 0) entry.maxGlibc = glibc[1]!;
        if (compareVersions(glibc[1]!, LAMBDA_GLIBC) > 0) {
          problems.push({
            file: layerPath,
            problem: `needs ${version} from ${from}, but provided.al2023 has glibc ${LAMBDA_GLIBC}`,
            fix: `link it against older libraries (static archives, or build in an Amazon Linux 2023 image with Docker bundling); glibc itself cannot be shipped`,
          });
        }
        continue;
      }
      for (const cap of BASE_IMAGE_LIBRARIES[from] ?? []) {
        if (!version.startsWith(cap.prefix)) continue;
        const v = version.slice(cap.prefix.length);
        if (/^\d+(\.\d+)*$/.test(v) && compareVersions(v, cap.max) > 0) {
          problems.push({
            file: layerPath,
            problem: `needs ${version} from ${from}, newer than provided.al2023's (${cap.prefix}${cap.max})`,
            fix: 'link the C++ runtime statically (-static-libstdc++ -static-libgcc)',
          });
        }
      }
    }
    closure.push(entry);
  }
  return { ok: problems.length === 0, problems, closure };
}

export function formatElfProblems(problems: ElfProblem[]): string {
  return problems.map((p) => `  ${p.file}: ${p.problem}\n    what to do: ${p.fix}`).join('\n');
}

/** Every file under `dir`, as layer files with paths relative to `dir`. */
export function listLayerFiles(dir: string): LayerFile[] {
  const out: LayerFile[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) out.push({ path: p, layerPath: relative(dir, p).split(sep).join('/') });
    }
  };
  if (existsSync(dir)) walk(resolve(dir));
  return out;
}
