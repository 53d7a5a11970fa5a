// `npm run bench`: the warm and cold paths of cobolambda against the limit (the
// same COBOL program spawned by a minimal C launcher), all measured in one run.
// Latency rows are measured in interleaved rounds, so a noisy machine slows
// every row alike and the ratios stay meaningful.
//
//   npm run bench                      full run; also copies the chart to docs/
//   npm run bench -- --quick           a few iterations (CI smoke run)
//   npm run bench -- --scale [--programs 1000]   the estate bench instead (bench/scale.ts)
//   COBOLAMBDA_BENCH_QUICK=1 npm run bench
//
// Writes bench/results/latest.json and bench/results/latency.svg
// (COBOLAMBDA_BENCH_OUT=<dir> writes them elsewhere).
import { fork, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdtempSync } from 'node:fs';
import http from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { DevServer } from '../dev/dev-server.ts';
import { callExampleEvent } from '../layer/metadata.ts';
import { RuntimeApiServer } from '../dev/runtime-api-server.ts';
import { processTree, treeRssKb } from '../dev/process-tree.ts';
import { BOOTSTRAP_SCRIPT, RUNTIME_BUILD_OPTIONS, RUNTIME_BUNDLE_PATH, RUNTIME_ENTRY } from '../runtime/bundle.ts';
import { buildSpawnHelperInto } from '../runtime/native/build-spawn-helper.ts';
import { layerNodeForHost } from '../layer/build.ts';
import { MANAGED_NODE_ARGS } from '../dev/execution-environment.ts';
import type { SpawnPath } from '../runtime/src/program-runner.ts';
import type { RunnerRequest, RunnerSample } from './runner-worker.ts';
import { buildLauncher, launchSamples } from './launcher.ts';
import { measureLinking } from './linking.ts';
import { LINKING } from '../layer/toolchain.ts';
import { machineScaling, type ScalingRow } from './machine.ts';
import { latencySvg, type ChartRow } from './svg.ts';
import { mb, ms, summarize, type Summary } from './stats.ts';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, '..');
/** COBOLAMBDA_BENCH_OUT moves the results (the smoke test writes to a temporary folder). */
const RESULTS_DIR = process.env.COBOLAMBDA_BENCH_OUT || join(here, 'results');
const ECHO_SOURCE = join(ROOT, 'test', 'cobol', 'echo.cbl');
const DOCS_CHART = join(ROOT, 'docs', 'bench-latency.svg');
const SAMPLES_DIR = join(ROOT, 'cobol');
/** The Node the bootstrap runs on in the runtime layer (and under `dev`): cold start is compared with this very binary. */
const LAYER_NODE = layerNodeForHost();

const quick = process.argv.includes('--quick') || process.env.COBOLAMBDA_BENCH_QUICK === '1';
const P = quick
  ? { rounds: 2, batch: 5, throughput: 16, cold: 2, linking: 20, tree: 5, memory: 1 }
  : { rounds: 12, batch: 40, throughput: 400, cold: 15, linking: 300, tree: 50, memory: 5 };

const PAYLOAD = '"hello"';
const EXPECTED = `${PAYLOAD}\n`;
/** dev functions: the same echo program, one per spawn path of the runtime. */
const FUNCTIONS: Record<SpawnPath, string> = { 'fork-server': 'echo', native: 'echonative', node: 'echonode', execa: 'echoexeca' };
const PATHS: SpawnPath[] = ['fork-server', 'native', 'node', 'execa'];
const PATH_NOTE: Record<SpawnPath, string> = {
  'fork-server': "the program's fork server (default)",
  native: 'spawn helper (COBOLAMBDA_SPAWN=native)',
  node: 'node:child_process (COBOLAMBDA_SPAWN=node)',
  execa: 'execa (before; COBOLAMBDA_SPAWN=execa)',
};
/** Throughput is measured on the default and on the path it replaced. */
const THROUGHPUT_PATHS: SpawnPath[] = ['fork-server', 'native'];

export interface LatencyRow extends Summary {
  id: string;
  label: string;
  /** p50 of this row / p50 of the limit. */
  ratio: number;
  errors: number;
}

export interface ThroughputRow {
  id: string;
  label: string;
  /** `limit`: the C launcher, the machine's own ceiling for this program. */
  path: SpawnPath | 'limit';
  concurrency: number;
  invocations: number;
  perSecond: number;
  errors: number;
}

export interface ColdRow extends Summary {
  id: string;
  label: string;
  /** p50 / p50 of `node -e 0`. */
  ratio: number;
}

export interface MemoryRow {
  fn: string;
  mode: string;
  memorySizeMb: number;
  /** The largest Max Memory Used of the REPORT lines of a few warm invocations with the sample's example. */
  maxMemoryUsedMb: number;
}

export interface BenchResults {
  generatedAt: string;
  quick: boolean;
  machine: { cpus: number; model: string; loadavg: number[]; node: string };
  limit: LatencyRow;
  latency: LatencyRow[];
  throughput: ThroughputRow[];
  coldStart: ColdRow[];
  memory: MemoryRow[];
  linking: Array<{ strategy: string; option: string; programBytes: number; libBytes: number; maxGlibc: string; loadsOnLambda: string; p50: number; p90: number; ratio: number }>;
  levers: Array<{ id: string; label: string; value: number; unit: string }>;
  /** How CPU work and process creation scale from 1 to 2 processes on this machine. */
  machineScaling: ScalingRow[];
  goals: Array<{ goal: string; value: number; target: string; met: boolean }>;
}

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

// ---------------------------------------------------------------------------
// Setup

function makeCobolDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const programs: Record<string, unknown> = {};
  for (const path of PATHS) {
    const name = FUNCTIONS[path];
    copyFileSync(ECHO_SOURCE, join(dir, `${name}.cbl`));
    programs[name] = { cobcFlags: ['-free'], environment: { COBOLAMBDA_SPAWN: path } };
  }
  writeFileSync(join(dir, 'cobolambda.json'), JSON.stringify({ programs }, null, 2));
}

/** The runtime as the previous release bundled it: one ES module (execa split out), which made Node load undici at start. */
async function bundleBeforeEsm(outDir: string): Promise<void> {
  const bundle = join(outDir, 'cobolambda', 'runtime.mjs');
  mkdirSync(dirname(bundle), { recursive: true });
  await build({
    entryPoints: [RUNTIME_ENTRY],
    outdir: dirname(bundle),
    entryNames: 'runtime',
    chunkNames: 'chunk-[hash]',
    outExtension: { '.js': '.mjs' },
    splitting: true,
    ...RUNTIME_BUILD_OPTIONS,
    format: 'esm',
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
    define: {},
  });
  await buildSpawnHelperInto(outDir);
  const bootstrap = join(outDir, 'bootstrap');
  writeFileSync(bootstrap, readFileSync(BOOTSTRAP_SCRIPT, 'utf8').replace(RUNTIME_BUNDLE_PATH, 'cobolambda/runtime.mjs'), { mode: 0o755 });
}

// ---------------------------------------------------------------------------
// Measurements

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function invoke(url: URL, fn: string): Promise<{ ok: boolean; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = http.request(
      { agent, host: url.hostname, port: url.port, method: 'POST', path: `/2015-03-31/functions/${fn}/invocations`, headers: { 'content-length': PAYLOAD.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const ok = res.statusCode === 200 && !res.headers['x-amz-function-error'] && Buffer.concat(chunks).toString() === EXPECTED;
          resolve({ ok, ms: performance.now() - started });
        });
      },
    );
    req.on('error', () => resolve({ ok: false, ms: performance.now() - started }));
    req.end(PAYLOAD);
  });
}

/** The `runProgram` rows' own process (bench/runner-worker.ts). */
function startRunnerWorker(): { run(req: RunnerRequest): Promise<RunnerSample[]>; stop(): void } {
  const worker = fork(join(here, 'runner-worker.ts'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return {
    run: (req) =>
      new Promise((resolve, reject) => {
        worker.once('message', (samples) => resolve(samples as RunnerSample[]));
        worker.once('exit', (code) => reject(new Error(`the runProgram worker exited (${code})`)));
        worker.send(req);
      }).finally(() => worker.removeAllListeners('exit')) as Promise<RunnerSample[]>,
    stop: () => worker.disconnect(),
  };
}

function cmdlineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

function waitExit(child: ReturnType<typeof spawn>): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
  });
}

/**
 * How the runtime is started: `bootstrap` (provided.al2023); `exec-wrapper` as Lambda's nodejs24.x
 * starts it (its Node, its flags, its entry); `expose-gc`: the runtime on Node with Lambda's
 * --expose-gc, which the wrapper drops (what it cost before).
 */
type ColdLaunch = 'bootstrap' | 'exec-wrapper' | 'expose-gc';

function coldCommand(runtimeDir: string, launch: ColdLaunch): [string, string[]] {
  if (launch === 'exec-wrapper') return [join(runtimeDir, 'exec-wrapper'), [LAYER_NODE, ...MANAGED_NODE_ARGS]];
  if (launch === 'expose-gc') return [LAYER_NODE, ['--expose-gc', join(runtimeDir, RUNTIME_BUNDLE_PATH)]];
  return [join(runtimeDir, 'bootstrap'), []];
}

/** Runtime process start → its first `next` (ms). */
async function coldStart(runtimeDir: string, programDir: string, launch: ColdLaunch = 'bootstrap'): Promise<number> {
  const api = new RuntimeApiServer();
  const address = await api.listen();
  const firstNext = new Promise<void>((resolve) => api.onNext(resolve));
  const started = performance.now();
  const [command, args] = coldCommand(runtimeDir, launch);
  const child = spawn(command, args, {
    env: {
      PATH: '/usr/bin:/bin',
      AWS_LAMBDA_RUNTIME_API: address,
      _HANDLER: 'echo',
      COBOLAMBDA_PROGRAM_DIR: programDir,
      COBOLAMBDA_NODE: LAYER_NODE,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  const failed = new Promise<'exit'>((resolve) => child.once('exit', () => resolve('exit')));
  const first = await Promise.race([firstNext, failed]);
  const elapsed = performance.now() - started;
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // gone
  }
  await waitExit(child);
  await api.close();
  if (first === 'exit') throw new Error(`bootstrap in ${runtimeDir} exited before its first next`);
  return elapsed;
}

async function nodeNoop(): Promise<number> {
  const started = performance.now();
  const child = spawn(LAYER_NODE, ['-e', '0'], { stdio: 'ignore' });
  await waitExit(child);
  return performance.now() - started;
}

function invokeWithLog(url: URL, fn: string, payload: string): Promise<{ status: number; log: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent, host: url.hostname, port: url.port, method: 'POST', path: `/2015-03-31/functions/${fn}/invocations`, headers: { 'content-length': Buffer.byteLength(payload), 'x-amz-log-type': 'Tail' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, log: Buffer.from(String(res.headers['x-amz-log-result'] ?? ''), 'base64').toString() }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** The Init Duration of dev's REPORT line for one invocation (undefined when it was warm). */
async function initDurationOf(url: URL, fn: string): Promise<number | undefined> {
  const { log: tail } = await invokeWithLog(url, fn, PAYLOAD);
  const m = /Init Duration: ([\d.]+) ms/.exec(tail);
  return m ? Number(m[1]) : undefined;
}

/** Every sample in cobol/ under its own dev, invoked warm with its example: the largest Max Memory Used. */
async function sampleMemory(workDir: string): Promise<MemoryRow[]> {
  const dev = new DevServer({ cobolDir: SAMPLES_DIR, workDir, host: '127.0.0.1', port: 0, concurrency: 1, region: 'us-east-1', watch: false, log: () => {} });
  const rows: MemoryRow[] = [];
  try {
    const url = new URL(await dev.start());
    for (const spec of dev.programs) {
      const payload = spec.example ?? callExampleEvent(spec) ?? (spec.mode === 'http' ? JSON.stringify({ version: '2.0', rawPath: '/', requestContext: { http: { method: 'GET', path: '/' } }, headers: {} }) : '{}');
      let max = 0;
      for (let i = 0; i <= P.memory; i++) {
        const { log: tail } = await invokeWithLog(url, spec.name, payload);
        const m = /Max Memory Used: (\d+) MB/.exec(tail);
        if (i > 0 && m) max = Math.max(max, Number(m[1])); // the first one is the cold start
      }
      rows.push({ fn: spec.name, mode: spec.mode, memorySizeMb: spec.memorySizeMb, maxMemoryUsedMb: max });
    }
  } finally {
    await dev.close();
  }
  return rows;
}

// ---------------------------------------------------------------------------

function latencyRow(id: string, label: string, samples: number[], errors: number, limitP50: number): LatencyRow {
  const s = summarize(samples);
  return { id, label, ...s, ratio: s.p50 / limitP50, errors };
}

async function main(): Promise<void> {
  const started = performance.now();
  const work = mkdtempSync(join(tmpdir(), 'cobolambda-bench-'));
  mkdirSync(RESULTS_DIR, { recursive: true });
  log(`${quick ? 'quick' : 'full'} run in ${work}`);
  const cobolDir = join(work, 'cobol');
  const devWork = join(work, 'dev');
  makeCobolDir(cobolDir);
  const server = new DevServer({
    cobolDir,
    workDir: devWork,
    host: '127.0.0.1',
    port: 0,
    concurrency: 8,
    region: 'us-east-1',
    watch: false,
    log: () => {},
  });
  try {
    const url = new URL(await server.start());
    const runtimeDir = join(devWork, 'runtime');
    const programDir = join(devWork, 'programs', 'bin');
    // The runtime layer's spawn helper (runtime/bundle.ts may already have built it).
    const helperFile = await buildSpawnHelperInto(runtimeDir);
    const program = join(programDir, 'echo');
    const input = join(work, 'input.txt');
    writeFileSync(input, EXPECTED);
    const launch = await buildLauncher(work);
    const beforeDir = join(work, 'runtime-before');
    await bundleBeforeEsm(beforeDir);

    // Warm: page cache, one execution environment per function.
    await launchSamples(launch, 5, input, program);
    for (const path of PATHS) {
      const r = await invoke(url, FUNCTIONS[path]);
      if (!r.ok) throw new Error(`dev function ${FUNCTIONS[path]} does not answer ${JSON.stringify(EXPECTED)}`);
    }
    // The default row must measure the fork server, not a silent fallback to the spawn helper.
    const forkServer = join(programDir, FUNCTIONS['fork-server']);
    if (!processTree(process.pid).some((p) => cmdlineOf(p.pid) === `${forkServer}\0`)) {
      throw new Error(`dev function ${FUNCTIONS['fork-server']} runs without its fork server (${forkServer})`);
    }

    // --- Latency, interleaved rounds ---------------------------------------
    const runner = startRunnerWorker();
    const samples = new Map<string, number[]>();
    const errors = new Map<string, number>();
    const add = (id: string, r: { ok: boolean; ms: number }) => {
      if (r.ok) (samples.get(id) ?? samples.set(id, []).get(id)!).push(r.ms);
      else errors.set(id, (errors.get(id) ?? 0) + 1);
    };
    for (let round = 0; round < P.rounds; round++) {
      log(`latency round ${round + 1}/${P.rounds}`);
      for (const t of await launchSamples(launch, P.batch, input, program)) add('limit', { ok: true, ms: t });
      for (const t of await launchSamples(launch, P.batch, input, program, {}, 'fork')) add('limit-fork', { ok: true, ms: t });
      for (const path of PATHS) {
        for (const r of await runner.run({ path, helperFile, file: program, stdin: EXPECTED, n: P.batch })) add(`runner-${path}`, r);
      }
      for (const path of PATHS) for (let i = 0; i < P.batch; i++) add(`dev-${path}`, await invoke(url, FUNCTIONS[path]));
    }
    runner.stop();
    const limitSamples = samples.get('limit')!;
    const limitP50 = summarize(limitSamples).p50;
    const limit = latencyRow('limit', 'limit: C posix_spawn + wait, event on a stdin pipe, stdout to /dev/null', limitSamples, 0, limitP50);
    const latency: LatencyRow[] = [limit, latencyRow('limit-fork', 'C fork/exec + wait, stdin from a file (the previous limit)', samples.get('limit-fork') ?? [], 0, limitP50)];
    for (const path of PATHS) {
      latency.push(latencyRow(`runner-${path}`, `runtime runProgram, no HTTP: ${PATH_NOTE[path]}`, samples.get(`runner-${path}`) ?? [], errors.get(`runner-${path}`) ?? 0, limitP50));
    }
    for (const path of PATHS) {
      latency.push(latencyRow(`dev-${path}`, `warm invoke through dev: ${PATH_NOTE[path]}`, samples.get(`dev-${path}`) ?? [], errors.get(`dev-${path}`) ?? 0, limitP50));
    }

    // --- Throughput ----------------------------------------------------------
    const throughput: ThroughputRow[] = [];
    // The ceiling: the same program from c C launchers side by side, no Node at all.
    for (const concurrency of [1, 2, 8]) {
      log(`throughput limit x${concurrency}`);
      const each = Math.ceil(P.throughput / concurrency);
      const t0 = performance.now();
      await Promise.all(Array.from({ length: concurrency }, () => launchSamples(launch, each, input, program)));
      const seconds = (performance.now() - t0) / 1000;
      throughput.push({ id: `tput-limit-${concurrency}`, label: `limit: C launcher, concurrency ${concurrency}`, path: 'limit', concurrency, invocations: each * concurrency, perSecond: (each * concurrency) / seconds, errors: 0 });
    }
    for (const path of THROUGHPUT_PATHS) {
      for (const concurrency of [1, 2, 8]) {
        log(`throughput ${path} x${concurrency}`);
        const fn = FUNCTIONS[path];
        // Start the environments this concurrency needs, then measure.
        await Promise.all(Array.from({ length: concurrency }, () => invoke(url, fn)));
        let next = 0;
        let errorCount = 0;
        const t0 = performance.now();
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            while (next < P.throughput) {
              next++;
              if (!(await invoke(url, fn)).ok) errorCount++;
            }
          }),
        );
        const seconds = (performance.now() - t0) / 1000;
        throughput.push({ id: `tput-${path}-${concurrency}`, label: `dev ${PATH_NOTE[path]}, concurrency ${concurrency}`, path, concurrency, invocations: P.throughput, perSecond: P.throughput / seconds, errors: errorCount });
      }
    }

    // --- Cold start ----------------------------------------------------------
    log('cold start');
    const cold = { node: [] as number[], after: [] as number[], before: [] as number[], wrapper: [] as number[], exposeGc: [] as number[] };
    await coldStart(runtimeDir, programDir);
    for (let i = 0; i < P.cold; i++) {
      cold.node.push(await nodeNoop());
      cold.after.push(await coldStart(runtimeDir, programDir));
      cold.before.push(await coldStart(beforeDir, programDir));
      cold.wrapper.push(await coldStart(runtimeDir, programDir, 'exec-wrapper'));
      cold.exposeGc.push(await coldStart(runtimeDir, programDir, 'expose-gc'));
    }
    const nodeP50 = summarize(cold.node).p50;
    const coldRow = (id: string, label: string, s: number[]): ColdRow => {
      const sum = summarize(s);
      return { id, label, ...sum, ratio: sum.p50 / nodeP50 };
    };
    log('Init Duration under dev');
    const devInit: number[] = [];
    const echoPool = server.pools.get(FUNCTIONS['fork-server'])!;
    for (let i = 0; i < P.cold; i++) {
      echoPool.reload(echoPool.settings); // retires the warm environment: the next invocation is a cold start
      const init = await initDurationOf(url, FUNCTIONS['fork-server']);
      if (init !== undefined) devInit.push(init);
    }
    const nodeName = LAYER_NODE === process.execPath ? `Node ${process.version}` : "the runtime layer's Node";
    const coldStartRows = [
      coldRow('node-e-0', `\`node -e 0\` (spawn → exit), ${nodeName}`, cold.node),
      coldRow('bootstrap', 'bootstrap start → first next (CommonJS bundle, its own Runtime API connection, codecs loaded by mode, fork server after next)', cold.after),
      coldRow('bootstrap-before', 'bootstrap start → first next (before: the ES module bundle)', cold.before),
      coldRow('exec-wrapper', 'nodejs24.x: exec-wrapper start (Lambda\'s Node and flags) → first next', cold.wrapper),
      coldRow('expose-gc', 'the runtime on Node with --expose-gc, which the wrapper drops (Node\'s code cache rejected)', cold.exposeGc),
      coldRow('dev-init', 'Init Duration in dev\'s REPORT line (bootstrap start → first next, seen by dev)', devInit),
    ];

    // --- Memory: Max Memory Used of each sample, as dev's REPORT line says -------
    log('memory of the samples');
    const memory = await sampleMemory(join(work, 'samples-dev'));

    // --- Levers ----------------------------------------------------------------
    const treeTimes: number[] = [];
    for (let i = 0; i < P.tree; i++) {
      const t = performance.now();
      treeRssKb(process.pid);
      treeTimes.push(performance.now() - t);
    }
    const levers = [
      { id: 'dev-tree-rss', label: "dev's treeRssKb (reads all of /proc; 2+ calls per invocation)", value: summarize(treeTimes).p50, unit: 'ms p50' },
      { id: 'bundle-bytes', label: 'runtime bundle size', value: statSync(join(runtimeDir, RUNTIME_BUNDLE_PATH)).size, unit: 'bytes' },
      { id: 'helper-bytes', label: 'spawn helper size', value: statSync(helperFile).size, unit: 'bytes' },
    ];

    // --- The machine --------------------------------------------------------------
    log('machine scaling');
    const scaling = await machineScaling(work, quick);

    // --- Linking ---------------------------------------------------------------
    log('linking options');
    const linkingResult = await measureLinking(P.linking, log);
    const linking = linkingResult.rows.map((r) => ({
      strategy: r.strategy,
      option: r.option,
      programBytes: r.programBytes,
      libBytes: r.libBytes,
      maxGlibc: r.maxGlibc,
      loadsOnLambda: r.loadsOnLambda,
      p50: r.p50,
      p90: r.p90,
      ratio: r.p50 / limitP50,
    }));

    // --- Goals -----------------------------------------------------------------
    const byId = (id: string) => latency.find((r) => r.id === id)!;
    const tput = (path: SpawnPath | 'limit', c: number) => throughput.find((t) => t.path === path && t.concurrency === c)!.perSecond;
    const goals = [
      { goal: 'warm invoke through dev p50 / limit (fork server, default)', value: byId('dev-fork-server').ratio, target: '≤ 1.5', met: byId('dev-fork-server').ratio <= 1.5 },
      { goal: 'warm invoke through dev p50 / limit (spawn helper)', value: byId('dev-native').ratio, target: '≤ 1.5', met: byId('dev-native').ratio <= 1.5 },
      { goal: 'warm invoke through dev p99 / limit p50 (fork server, default)', value: byId('dev-fork-server').p99 / limitP50, target: '≤ 2.5', met: byId('dev-fork-server').p99 / limitP50 <= 2.5 },
      { goal: 'cold start p50 / `node -e 0` of the same Node', value: coldStartRows[1]!.ratio, target: '≤ 1.5', met: coldStartRows[1]!.ratio <= 1.5 },
      ...memory.map((m) => ({ goal: `${m.fn}: Max Memory Used / Memory Size (MB)`, value: m.maxMemoryUsedMb / m.memorySizeMb, target: '< 1', met: m.maxMemoryUsedMb < m.memorySizeMb })),
      ...scaling.map((m) => ({ goal: `concurrency 2 / 1 of ${m.label} (the machine, for reference)`, value: m.ratio, target: '-', met: true })),
      { goal: 'throughput concurrency 2 / 1 of the limit itself (the machine, for reference)', value: tput('limit', 2) / tput('limit', 1), target: '-', met: true },
      { goal: 'throughput concurrency 2 / 1 (fork server, default)', value: tput('fork-server', 2) / tput('fork-server', 1), target: '≥ 1.6', met: tput('fork-server', 2) / tput('fork-server', 1) >= 1.6 },
      { goal: 'throughput concurrency 2 / 1 (spawn helper)', value: tput('native', 2) / tput('native', 1), target: '≥ 1.6', met: tput('native', 2) / tput('native', 1) >= 1.6 },
    ];

    const results: BenchResults = {
      generatedAt: new Date().toISOString(),
      quick,
      machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '?', loadavg: loadavg(), node: process.version },
      limit,
      latency,
      throughput,
      coldStart: coldStartRows,
      memory,
      linking,
      levers,
      machineScaling: scaling,
      goals,
    };
    writeFileSync(join(RESULTS_DIR, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);

    const limitNote = (r: LatencyRow) => (r.id === 'limit' ? 'the limit' : `${r.ratio.toFixed(2)}× limit${r.id === 'dev-fork-server' ? `, p99 ${(r.p99 / limitP50).toFixed(2)}×` : ''}`);
    const coldNote = (id: string) => { const row = coldStartRows.find((c) => c.id === id)!; return id === 'node-e-0' ? 'the baseline' : `${row.ratio.toFixed(2)}× node -e 0`; };
    const chartRows: ChartRow[] = [
      ...latency.map((r) => ({ label: r.id === 'limit' ? 'limit (C launcher)' : r.id.replace('runner-', 'runProgram ').replace('dev-', 'dev warm '), samples: samples.get(r.id) ?? [], note: limitNote(r), color: r.id === 'limit' ? '#2a9d4b' : r.id.endsWith('execa') ? '#c0392b' : r.id.endsWith('native') ? '#8e44ad' : r.id.endsWith('fork-server') ? '#e67e22' : '#3572b0' })),
      { label: 'node -e 0', samples: cold.node, note: coldNote('node-e-0'), color: '#777' },
      { label: 'cold start (bootstrap → next)', samples: cold.after, note: coldNote('bootstrap'), color: '#3572b0' },
      { label: 'cold start before (ESM bundle)', samples: cold.before, note: coldNote('bootstrap-before'), color: '#c0392b' },
      { label: 'cold start, nodejs24.x exec-wrapper', samples: cold.wrapper, note: coldNote('exec-wrapper'), color: '#16a085' },
    ];
    const svg = latencySvg(
      'cobolambda: latency of one echo invocation',
      `${cpus().length} cores shared, load ${loadavg()[0]!.toFixed(1)}, ${limit.n} samples per warm row, ${results.generatedAt.slice(0, 16)}Z${quick ? ' (quick run)' : ''}`,
      chartRows,
    );
    writeFileSync(join(RESULTS_DIR, 'latency.svg'), svg);
    if (!quick) {
      mkdirSync(dirname(DOCS_CHART), { recursive: true });
      writeFileSync(DOCS_CHART, svg);
    }
    console.log(formatTables(results));
    log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s; wrote ${join(RESULTS_DIR, 'latest.json')} and latency.svg${quick ? '' : ` (and ${DOCS_CHART})`}`);
  } finally {
    agent.destroy();
    await server.close();
    rmSync(work, { recursive: true, force: true });
  }
}

export function formatTables(r: BenchResults): string {
  const out: string[] = [];
  out.push(`cobolambda bench${r.quick ? ' (quick)' : ''}: ${r.machine.cpus} cores (${r.machine.model}), load ${r.machine.loadavg.map((l) => l.toFixed(1)).join(' ')}, Node ${r.machine.node}`);
  out.push(`Program: test/cobol/echo.cbl linked ${LINKING} (the build default); ratios are against the limit row, measured in the same interleaved rounds.\n`);
  out.push('| warm path (one invocation) | n | p50 ms | p90 ms | p99 ms | p50 / limit | errors |');
  out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const l of r.latency) out.push(`| ${l.label} | ${l.n} | ${ms(l.p50)} | ${ms(l.p90)} | ${ms(l.p99)} | ${l.ratio.toFixed(2)}× | ${l.errors} |`);
  out.push('\n| throughput | invocations | inv/s | × concurrency 1 | errors |');
  out.push('| --- | ---: | ---: | ---: | ---: |');
  for (const t of r.throughput) {
    const base = r.throughput.find((x) => x.path === t.path && x.concurrency === 1)!.perSecond;
    out.push(`| ${t.label} | ${t.invocations} | ${t.perSecond.toFixed(1)} | ${(t.perSecond / base).toFixed(2)}× | ${t.errors} |`);
  }
  out.push('\n| cold start | n | p50 ms | p90 ms | p50 / node -e 0 |');
  out.push('| --- | ---: | ---: | ---: | ---: |');
  for (const c of r.coldStart) out.push(`| ${c.label} | ${c.n} | ${ms(c.p50)} | ${ms(c.p90)} | ${c.ratio.toFixed(2)}× |`);
  out.push('\n| sample (warm, its example event) | mode | Memory Size MB | Max Memory Used MB |');
  out.push('| --- | --- | ---: | ---: |');
  for (const m of r.memory) out.push(`| ${m.fn} | ${m.mode} | ${m.memorySizeMb} | ${m.maxMemoryUsedMb} |`);
  out.push('\n| linking option (hello, C launcher) | program | shared libs | newest GLIBC | loads on al2023 | exec p50 ms | p90 ms | p50 / limit |');
  out.push('| --- | ---: | ---: | --- | --- | ---: | ---: | ---: |');
  for (const l of r.linking) {
    out.push(`| ${l.option} | ${mb(l.programBytes)} MB | ${mb(l.libBytes)} MB | ${l.maxGlibc} | ${l.loadsOnLambda} | ${ms(l.p50)} | ${ms(l.p90)} | ${l.ratio.toFixed(2)}× |`);
  }
  out.push('\n| lever | value |');
  out.push('| --- | ---: |');
  for (const l of r.levers) out.push(`| ${l.label} | ${l.unit === 'bytes' ? `${(l.value / 1024).toFixed(0)} KiB` : `${ms(l.value)} ${l.unit}`} |`);
  out.push('\n| goal | measured | target | met |');
  out.push('| --- | ---: | --- | --- |');
  for (const g of r.goals) out.push(`| ${g.goal} | ${g.value.toFixed(2)} | ${g.target} | ${g.target === '-' ? '-' : g.met ? 'yes' : 'NO'} |`);
  return out.join('\n');
}

if (process.argv.includes('--scale')) await (await import('./scale.ts')).main();
else await main();
