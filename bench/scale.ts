// The estate bench (issue 16): N generated programs (bench/estate.ts) through
// every command, timed on this machine, against a plain script that runs the
// same cobc commands with the same linking on every core (the floor).
//
//   npm run bench -- --scale [--programs 1000] [--baseline-every K]     (or npx tsx bench/scale.ts ...)
//
// Prints a table and writes bench/results/scale.json. Steps: baseline script,
// cold build (empty cache), no-change build, incremental build after one
// change, `cobolambda dev` first answer with a warm cache (a real process),
// `cdk synth` (a real process, same cache), sizes, and one program's exec
// time with both linkings (the loader's cost, paid once per environment).
import { execa } from 'execa';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, loadavg, cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateEstate } from './estate.ts';
import { buildLauncher, launchPercentiles } from './launcher.ts';
import { buildProject } from '../layer/build.ts';
import { CACHE_DIR_ENV, cobcArgs } from '../layer/build-cache.ts';
import { compileProgram } from '../layer/compile.ts';
import { discoverPrograms } from '../layer/programs.ts';
import { detectToolchain, LINKING, linkSettings } from '../layer/toolchain.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const log = (line: string) => process.stderr.write(`[scale] ${line}\n`);
const seconds = (ms: number) => Number((ms / 1000).toFixed(1));
const mb = (n: number) => Number((n / 1024 / 1024).toFixed(2));

async function timed<T>(what: string, f: () => Promise<T>): Promise<[T, number]> {
  log(`${what}...`);
  const t = performance.now();
  const r = await f();
  const ms = performance.now() - t;
  log(`${what}: ${seconds(ms)} s (load ${loadavg()[0]!.toFixed(1)})`);
  return [r, ms];
}

/**
 * The same cobc commands the build runs, as one shell line per program, run by
 * xargs on every core; on every `every`-th program only when asked (a rate, to
 * compare in programs per second when the machine's time is short).
 */
async function baseline(cobolDir: string, out: string, every = 1): Promise<{ ms: number; programs: number }> {
  const tc = await detectToolchain();
  const link = await linkSettings(LINKING, tc, join(out, 'cache'));
  mkdirSync(out, { recursive: true });
  const q = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  const lines = discoverPrograms(cobolDir).filter((_, i) => i % every === 0).map((spec) =>
    ['cd', q(dirname(spec.source)), '&&', 'cobc', '-x', ...cobcArgs(spec), ...link.args, '-o', q(join(out, spec.name)), q(spec.source), ...spec.subprograms.map(q)].join(' '),
  );
  writeFileSync(join(out, 'commands.sh'), `${lines.join('\n')}\n`);
  const t = performance.now();
  await execa('sh', ['-c', `tr '\\n' '\\0' < ${q(join(out, 'commands.sh'))} | xargs -0 -P ${availableParallelism()} -n 1 sh -c`], { env: { ...link.env, LC_ALL: 'C' } });
  return { ms: performance.now() - t, programs: lines.length };
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
    s.on('error', fail);
  });
}

/** Starts `cobolambda dev` and times until `name` answers 200. */
async function devFirstAnswer(cobolDir: string, cacheDir: string, name: string, expected: string): Promise<number> {
  const port = await freePort();
  const work = mkdtempSync(join(tmpdir(), 'cobolambda-scale-dev-'));
  const t = performance.now();
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'cobolambda.mjs'), 'dev', '--cobol', cobolDir, '--port', String(port)], {
    cwd: work,
    env: { ...process.env, [CACHE_DIR_ENV]: cacheDir },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`cobolambda dev exited with ${child.exitCode}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/2015-03-31/functions/${name}/invocations`, { method: 'POST', body: '"x"' });
        const body = (await res.text()).trim();
        if (res.status === 200) {
          if (body !== expected) throw new Error(`dev answered ${body}, expected ${expected}`);
          return performance.now() - t;
        }
      } catch (err) {
        if (!(err instanceof TypeError)) throw err; // not listening yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(work, { recursive: true, force: true });
  }
}

async function synth(cobolDir: string, cacheDir: string, out: string): Promise<{ ms: number; stacks: number; maxResources: number; maxBytes: number }> {
  const t = performance.now();
  await execa('npx', ['cdk', 'synth', '-q', '-c', `cobolDir=${cobolDir}`, '-c', 'architecture=x86_64', '-o', out], {
    cwd: ROOT,
    env: { ...process.env, [CACHE_DIR_ENV]: cacheDir, CDK_DISABLE_VERSION_CHECK: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const ms = performance.now() - t;
  const templates = readdirSync(out).filter((f) => f.endsWith('.template.json'));
  let maxResources = 0;
  let maxBytes = 0;
  for (const f of templates) {
    const text = readFileSync(join(out, f), 'utf8');
    maxResources = Math.max(maxResources, Object.keys(JSON.parse(text).Resources).length);
    maxBytes = Math.max(maxBytes, Buffer.byteLength(text));
  }
  return { ms, stacks: templates.length, maxResources, maxBytes };
}

/**
 * Runs every step and records each as it finishes (`record`), so a run cut
 * short still leaves what it measured. The plain-script baseline runs last.
 */
export async function scaleBench(programs: number, record: (r: ScaleResult) => void = () => {}, baselineEvery = 1): Promise<ScaleResult> {
  const work = mkdtempSync(join(tmpdir(), 'cobolambda-scale-'));
  const cobolDir = join(work, 'cobol');
  const cacheDir = join(work, 'cache');
  const dist = join(work, 'dist');
  const estate = generateEstate(cobolDir, programs, 1);
  const r: ScaleResult = {
    when: new Date().toISOString(),
    machine: { cores: availableParallelism(), cpu: cpus()[0]?.model ?? '?', loadAtStart: loadavg()[0]!, loadAtEnd: loadavg()[0]! },
    programs,
    sizes: Object.fromEntries(['small', 'medium', 'large'].map((s) => [s, estate.programs.filter((p) => p.size === s).length])),
    seconds: {},
  };
  const step = async <T>(key: keyof ScaleResult['seconds'], what: string, f: () => Promise<T>): Promise<T> => {
    const [value, ms] = await timed(what, f);
    r.seconds[key] = seconds(ms);
    r.machine.loadAtEnd = loadavg()[0]!;
    record(r);
    return value;
  };
  log(`${programs} programs in ${cobolDir}; ${r.machine.cores} cores, load ${r.machine.loadAtStart.toFixed(1)}`);
  try {
    const cold = await step('buildCold', 'cobolambda build, empty cache', () => buildProject({ cobolDir, outDir: dist, cacheDir, log: () => {} }));
    if (!cold.ok) throw new Error(`the build failed: ${cold.errors.join('; ')}`);
    const zips = cold.programs.map((p) => p.zipBytes ?? 0);
    const sizes = cold.programs.map((p) => p.sizeBytes ?? 0);
    const runtime = cold.layers.find((l) => l.name === 'runtime')!;
    const zipTotal = zips.reduce((a, b) => a + b, 0);
    r.bytes = {
      programAverage: Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length),
      functionZipAverage: Math.round(zipTotal / zips.length),
      functionZipsTotalMb: mb(zipTotal),
      runtimeLayerZipMb: mb(runtime.zippedBytes),
      firstDeployUploadMb: mb(zipTotal + runtime.zippedBytes),
    };
    record(r);
    await step('buildNoChange', 'cobolambda build, nothing changed', () => buildProject({ cobolDir, outDir: dist, cacheDir, log: () => {} }));
    appendFileSync(join(cobolDir, estate.programs[0]!.file), '      *> changed\n');
    const incr = await step('buildOneChanged', 'cobolambda build, one program changed', () => buildProject({ cobolDir, outDir: dist, cacheDir, log: () => {} }));
    r.recompiledAfterOneChange = incr.programs.filter((p) => !p.cached).length;
    const probe = estate.programs[estate.programs.length - 1]!;
    const devMs = await step('devFirstAnswerWarm', 'cobolambda dev, warm cache: start to first answer', () => devFirstAnswer(cobolDir, cacheDir, probe.name, probe.expected));
    r.seconds.devFirstAnswerWarm = seconds(devMs);
    const base = await step('baselineCobc', `baseline: the same cobc commands from xargs -P${baselineEvery > 1 ? `, every ${baselineEvery}th program` : ''}`, () => baseline(cobolDir, join(work, 'baseline'), baselineEvery));
    r.baselinePrograms = base.programs;
    r.seconds.baselineCobc = seconds(base.ms);
    r.rates = { baselinePerSecond: Number((base.programs / (base.ms / 1000)).toFixed(2)), buildColdPerSecond: Number((programs / r.seconds.buildCold!).toFixed(2)) };
    record(r);
    const syn = await step('synth', 'cdk synth, same cache', () => synth(cobolDir, cacheDir, join(work, 'cdk.out')));
    r.synth = { stacks: syn.stacks, maxResourcesPerTemplate: syn.maxResources, maxTemplateBytes: syn.maxBytes };
    record(r);

    // The same program linked both ways, as the build links it (fork server included): size and exec time.
    const launchDir = mkdtempSync(join(work, 'launch-'));
    const launch = await buildLauncher(launchDir);
    writeFileSync(join(launchDir, 'in.txt'), 'x\n');
    const spec = discoverPrograms(cobolDir).find((s) => s.name === probe.name)!;
    r.linking = {};
    for (const linking of ['static-libcob', 'shared-noicu'] as const) {
      const c = await compileProgram(spec, join(launchDir, linking), { linking, cacheDir });
      const env: Record<string, string> = linking === 'shared-noicu' ? { LD_LIBRARY_PATH: join(dist, 'runtime', 'lib') } : {};
      await launchPercentiles(launch, 20, join(launchDir, 'in.txt'), c.binary, env);
      const t = await launchPercentiles(launch, 300, join(launchDir, 'in.txt'), c.binary, env);
      r.linking[linking] = { bytes: statSync(c.binary).size, execP50: t.p50, execP90: t.p90 };
    }
    record(r);
    return r;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export interface ScaleResult {
  when: string;
  machine: { cores: number; cpu: string; loadAtStart: number; loadAtEnd: number };
  programs: number;
  sizes: Record<string, number>;
  seconds: Partial<Record<'baselineCobc' | 'buildCold' | 'buildNoChange' | 'buildOneChanged' | 'devFirstAnswerWarm' | 'synth', number>>;
  recompiledAfterOneChange?: number;
  /** How many programs the baseline compiled (a sample when the run was short of time). */
  baselinePrograms?: number;
  rates?: { baselinePerSecond: number; buildColdPerSecond: number };
  bytes?: { programAverage: number; functionZipAverage: number; functionZipsTotalMb: number; runtimeLayerZipMb: number; firstDeployUploadMb: number };
  synth?: { stacks: number; maxResourcesPerTemplate: number; maxTemplateBytes: number };
  linking?: Record<string, { bytes: number; execP50: number; execP90: number }>;
}

export function scaleTable(r: ScaleResult): string {
  const s = r.seconds;
  const v = (x: number | undefined) => (x === undefined ? 'not measured' : String(x));
  const out = [
    `${r.programs} programs (${Object.entries(r.sizes).map(([k, n]) => `${n} ${k}`).join(', ')}); ${r.machine.cores} cores, load ${r.machine.loadAtStart.toFixed(1)} → ${r.machine.loadAtEnd.toFixed(1)}`,
    '',
    '| step | seconds |',
    '|---|---:|',
    `| plain script: the same cobc commands, \`xargs -P ${r.machine.cores}\`${r.baselinePrograms !== undefined && r.baselinePrograms !== r.programs ? ` (${r.baselinePrograms} of the programs)` : ''} | ${v(s.baselineCobc)} |`,
    `| \`cobolambda build\`, empty cache | ${v(s.buildCold)} |`,
    `| \`cobolambda build\`, nothing changed | ${v(s.buildNoChange)} |`,
    `| \`cobolambda build\`, one program changed (${r.recompiledAfterOneChange ?? '?'} recompiled) | ${v(s.buildOneChanged)} |`,
    `| \`cobolambda dev\`, warm cache: process start to first answer | ${v(s.devFirstAnswerWarm)} |`,
    `| \`cdk synth\`, same cache${r.synth ? ` (${r.synth.stacks} stacks, at most ${r.synth.maxResourcesPerTemplate} resources, ${(r.synth.maxTemplateBytes / 1000).toFixed(0)} KB per template)` : ''} | ${v(s.synth)} |`,
  ];
  if (r.rates) out.push('', `Programs per second: plain script ${r.rates.baselinePerSecond}, \`cobolambda build\` from an empty cache ${r.rates.buildColdPerSecond} (runtime layer included).`);
  if (r.bytes) {
    out.push(
      '',
      '| bytes | |',
      '|---|---:|',
      `| program, average | ${(r.bytes.programAverage / 1024).toFixed(1)} KiB |`,
      `| function zip, average | ${(r.bytes.functionZipAverage / 1024).toFixed(1)} KiB |`,
      `| all function zips | ${r.bytes.functionZipsTotalMb} MB |`,
      `| runtime layer zip (once) | ${r.bytes.runtimeLayerZipMb} MB |`,
      `| first deploy uploads | ${r.bytes.firstDeployUploadMb} MB |`,
    );
  }
  if (r.linking) {
    out.push('', '| one program linked | bytes | exec p50 ms | p90 ms |', '|---|---:|---:|---:|');
    for (const [k, l] of Object.entries(r.linking)) out.push(`| ${k} | ${l.bytes} | ${l.execP50.toFixed(2)} | ${l.execP90.toFixed(2)} |`);
  }
  return out.join('\n');
}

/** `npm run bench -- --scale [--programs N]` and `npx tsx bench/scale.ts`. */
export async function main(): Promise<void> {
  const { values } = parseArgs({ options: { programs: { type: 'string', default: '1000' }, 'baseline-every': { type: 'string', default: '1' }, scale: { type: 'boolean' } }, strict: false });
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const result = await scaleBench(Number(values.programs), (partial) => {
    writeFileSync(join(dir, 'scale.json'), `${JSON.stringify(partial, null, 2)}\n`);
    writeFileSync(join(dir, 'scale.md'), `${scaleTable(partial)}\n`);
  }, Number(values['baseline-every']));
  process.stdout.write(`${scaleTable(result)}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) await main();
