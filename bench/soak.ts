// Soak: N invocations (default 10,000) at concurrency 8 through a real
// `cobolambda dev` process, a random mix of echo, failing, timing-out and
// large-output invocations of test/cobol/faults/soak.cbl, programs that leave a
// process that escaped their group, and clients that send a Client-Context of
// non-Latin-1 text or a malformed one (refused: 400), each payload carrying a
// unique nonce. Every answer must be the exact answer of its own request: lost,
// duplicated and misrouted answers are counted (goal 0, 0, 0). The RSS of dev and
// of its bootstraps, dev's open file descriptors and its child processes are
// sampled after a warm-up and at the end (goal: flat).
//
//   npx tsx bench/soak.ts [--n 10000] [--concurrency 8] [--seed 1] [--json out.json]
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { processTree } from '../dev/process-tree.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SOAK_SOURCE = join(ROOT, 'test', 'cobol', 'faults', 'soak.cbl');

export type Mode = 'echo' | 'ctx' | 'badctx' | 'escape' | 'fail' | 'hang' | 'big' | 'flood';
/** The mix, in per cent. */
export const MIX: Record<Mode, number> = { echo: 40, ctx: 5, badctx: 5, escape: 5, fail: 15, hang: 5, big: 15, flood: 10 };

/** The X-Amz-Client-Context a mode's client sends: non-Latin-1 JSON (passed on), or base64 of no JSON (refused). */
function clientContextFor(mode: Mode, nonce: string): string | undefined {
  if (mode === 'ctx') return Buffer.from(JSON.stringify({ custom: { city: 'Zürich € 東京', nonce } })).toString('base64');
  if (mode === 'badctx') return Buffer.from(`not json ${nonce}`).toString('base64');
  return undefined;
}
const BIG_BYTES = 1000 * 1001;

export interface SoakOptions {
  invocations: number;
  concurrency: number;
  seed: number;
  log?: (line: string) => void;
}

export interface Sample {
  devRssMb: number;
  bootstraps: number;
  bootstrapsRssMb: number;
  devFds: number;
  children: number;
  /**
   * Processes under dev other than its bootstraps, each bootstrap's one
   * long-lived program server (fork server or spawn helper) and dev's esbuild:
   * programs still running, which after the last answer must be none.
   */
  leftovers: string[];
}

export interface SoakResult {
  invocations: number;
  concurrency: number;
  seconds: number;
  byMode: Record<Mode, { sent: number; exact: number; wrong: number; p50Ms: number; p99Ms: number }>;
  answered: number;
  /** Requests that got no HTTP answer at all. */
  lost: number;
  /** Answers that carry no nonce, so cannot be told apart (counted as wrong too). */
  unattributed: number;
  duplicated: number;
  misrouted: number;
  throttled: number;
  wrongExamples: string[];
  start: Sample;
  end: Sample;
}

interface Answer {
  status: number;
  functionError: string | undefined;
  body: Buffer;
}

/** xorshift32: a reproducible mix for a given seed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

function pickMode(r: number): Mode {
  let acc = 0;
  for (const [mode, pct] of Object.entries(MIX) as Array<[Mode, number]>) {
    acc += pct / 100;
    if (r < acc) return mode;
  }
  return 'echo';
}

function invoke(agent: Agent, base: string, fn: string, payload: string, clientContext?: string): Promise<Answer> {
  return new Promise((resolveAnswer, reject) => {
    const body = Buffer.from(payload);
    const headers = { 'content-length': body.length, ...(clientContext ? { 'x-amz-client-context': clientContext } : {}) };
    const req = request(`${base}/2015-03-31/functions/${fn}/invocations`, { method: 'POST', agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const fe = res.headers['x-amz-function-error'];
        resolveAnswer({ status: res.statusCode!, functionError: Array.isArray(fe) ? fe[0] : fe, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error('no answer within 30 s')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Why `answer` is not the exact answer to `mode` with `nonce`, or undefined when it is. */
export function checkAnswer(mode: Mode, nonce: string, answer: Answer): string | undefined {
  const err = (type: string, message: string): string | undefined => {
    if (answer.status !== 200 || answer.functionError !== 'Unhandled') return `status ${answer.status}, function error ${answer.functionError}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.body.toString());
    } catch {
      return `not JSON: ${answer.body.toString('utf8', 0, 200)}`;
    }
    const p = parsed as { errorType?: string; errorMessage?: string; stackTrace?: string[] };
    if (p.errorType !== type) return `errorType ${p.errorType}: ${p.errorMessage}`;
    if (!new RegExp(message).test(p.errorMessage ?? '')) return `errorMessage ${p.errorMessage}`;
    if (JSON.stringify(p.stackTrace) !== JSON.stringify([nonce])) return `stackTrace ${JSON.stringify(p.stackTrace)?.slice(0, 200)}`;
    return undefined;
  };
  switch (mode) {
    case 'badctx': {
      if (answer.status !== 400) return `status ${answer.status} ${answer.body.toString('utf8', 0, 200)}`;
      const message = (JSON.parse(answer.body.toString()) as { message?: string }).message;
      return /Client context must be a valid Base64-encoded JSON object/.test(message ?? '') ? undefined : `body ${answer.body.toString('utf8', 0, 200)}`;
    }
    case 'echo':
    case 'ctx':
    // The program leaves a process that escaped its group holding stdout: the answer must not wait for it.
    case 'escape':
      if (answer.status !== 200 || answer.functionError) return `status ${answer.status} ${answer.body.toString('utf8', 0, 200)}`;
      return answer.body.toString() === `${nonce}\n` ? undefined : `body ${answer.body.toString('utf8', 0, 200)}`;
    case 'big': {
      if (answer.status !== 200 || answer.functionError) return `status ${answer.status} ${answer.body.toString('utf8', 0, 200)}`;
      const head = `${nonce}\n`;
      if (answer.body.length !== head.length + BIG_BYTES) return `length ${answer.body.length}`;
      if (answer.body.toString('utf8', 0, head.length) !== head) return `head ${answer.body.toString('utf8', 0, 100)}`;
      return undefined;
    }
    case 'fail':
      return err('Function.ProgramExitError', '^program soak exited with status 3$');
    case 'hang':
      return err('Function.ProgramTimeout', "^program soaktimeout was stopped after \\d+\\.\\d\\d seconds, before the invocation's deadline");
    case 'flood':
      return err('Function.ResponseSizeTooLarge', '^program soak wrote more than 6291556 bytes to stdout');
  }
}

function rssMb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
  } catch {
    return 0;
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Processes of this soak's programs that left dev's tree (escaped, reparented away): found by their environment. */
function outsideTree(tree: Set<number>, dir: string): string[] {
  const needle = `COBOLAMBDA_PROGRAM_DIR=${dir}`;
  const found: string[] = [];
  for (const e of readdirSync('/proc')) {
    const pid = Number(e);
    if (!Number.isInteger(pid) || tree.has(pid) || pid === process.pid) continue;
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').includes(needle)) found.push(`${pid} ${cmdline(pid).trim()} (outside dev)`);
    } catch {
      // gone, or not ours
    }
  }
  return found;
}

export function sample(devPid: number, dir?: string): Sample {
  const tree = processTree(devPid).slice(1);
  const bootstraps = tree.filter((p) => cmdline(p.pid).includes('cobolambda/runtime.cjs'));
  let fds = 0;
  try {
    fds = readdirSync(`/proc/${devPid}/fd`).length;
  } catch {
    // gone
  }
  const bootstrapPids = new Set(bootstraps.map((p) => p.pid));
  const leftovers = tree
    .filter((p) => !bootstrapPids.has(p.pid) && !bootstrapPids.has(p.ppid) && !/\/esbuild\b/.test(cmdline(p.pid)))
    .map((p) => `${p.pid} ${cmdline(p.pid).trim()}`);
  if (dir !== undefined) leftovers.push(...outsideTree(new Set([devPid, ...tree.map((p) => p.pid)]), dir));
  return {
    devRssMb: rssMb(devPid),
    bootstraps: bootstraps.length,
    bootstrapsRssMb: bootstraps.reduce((n, p) => n + rssMb(p.pid), 0),
    devFds: fds,
    children: tree.length,
    leftovers,
  };
}

/** Starts `cobolambda dev` on the soak program; resolves with its URL. */
async function startDev(dir: string, concurrency: number): Promise<{ dev: ChildProcess; url: string; output: () => string }> {
  const dev = spawn(process.execPath, [join(ROOT, 'bin', 'cobolambda.mjs'), 'dev', '--cobol', join(dir, 'cobol'), '--port', '0', '--concurrency', String(concurrency)], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // dev logs every invocation: keep only the tail, so the soak's own memory stays flat.
  const keep = (c: Buffer) => {
    output = (output + c.toString()).slice(-20_000);
  };
  dev.stderr!.on('data', keep);
  const url = await new Promise<string>((resolveUrl, reject) => {
    let head = '';
    const onData = (c: Buffer) => {
      keep(c);
      head += c.toString();
      const m = /function\(s\) on (http:\/\/[^\s]+)/.exec(head);
      if (m && head.includes('watching')) {
        dev.stdout!.off('data', onData);
        dev.stdout!.on('data', keep);
        resolveUrl(m[1]!);
      }
    };
    dev.stdout!.on('data', onData);
    dev.on('exit', (code) => reject(new Error(`dev exited ${code}: ${output}`)));
  });
  return { dev, url, output: () => output };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const log = options.log ?? ((l: string) => console.log(l));
  const dir = mkdtempSync(join(tmpdir(), 'cobolambda-soak-'));
  const cobol = join(dir, 'cobol');
  mkdirSync(cobol);
  // The same program twice: `soak` (timeout 10 s) for every mode but hang, and
  // `soaktimeout` (timeout 2 s: stopped 1.5 s in, the deadline margin) for hang. Under
  // load a program can take a few hundred ms to start: 1.5 s leaves it time to write its nonce.
  copyFileSync(SOAK_SOURCE, join(cobol, 'soak.cbl'));
  copyFileSync(SOAK_SOURCE, join(cobol, 'soaktimeout.cbl'));
  writeFileSync(
    join(cobol, 'cobolambda.json'),
    JSON.stringify({ programs: { soak: { cobcFlags: ['-free'], timeoutSeconds: 10 }, soaktimeout: { cobcFlags: ['-free'], timeoutSeconds: 2 } } }),
  );
  const { dev, url, output } = await startDev(dir, options.concurrency);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const random = rng(options.seed);
  const runId = Math.random().toString(36).slice(2, 8);
  const modes = Array.from({ length: options.invocations }, () => pickMode(random()));
  const nonces = modes.map((_, i) => `n${runId}-${i}-${Math.floor(random() * 1e9).toString(36)}`);
  const nonceIndex = new Map(nonces.map((n, i) => [n, i]));
  const answersFor = new Array<number>(options.invocations).fill(0);
  const gotAnswer = new Array<boolean>(options.invocations).fill(false);
  let unattributed = 0;
  const latencies: Record<Mode, number[]> = { echo: [], ctx: [], badctx: [], escape: [], fail: [], hang: [], big: [], flood: [] };
  const exact = new Array<boolean>(options.invocations).fill(false);
  let misrouted = 0;
  let throttled = 0;
  const wrongExamples: string[] = [];
  const nonceRe = new RegExp(`n${runId}-\\d+-[0-9a-z]+`, 'g');

  let startSample: Sample | undefined;
  // Start sampling once every environment is warm and the heaps have grown to their working size.
  const warmup = Math.min(Math.floor(options.invocations / 2), Math.max(options.concurrency * 4, Math.floor(options.invocations / 10)));
  let next = 0;
  let done = 0;
  const started = Date.now();
  let lastReport = started;

  async function worker(): Promise<void> {
    for (;;) {
      const i = next++;
      if (i >= options.invocations) return;
      if (i === warmup) startSample = sample(dev.pid!, dir);
      const mode = modes[i]!;
      const nonce = nonces[i]!;
      const t0 = performance.now();
      let answer: Answer | undefined;
      for (let attempt = 0; attempt < 50; attempt++) {
        try {
          const programMode = mode === 'ctx' || mode === 'badctx' ? 'echo' : mode;
          answer = await invoke(agent, url, mode === 'hang' ? 'soaktimeout' : 'soak', JSON.stringify(`${programMode} ${nonce}`), clientContextFor(mode, nonce));
        } catch (e) {
          if (wrongExamples.length < 10) wrongExamples.push(`#${i} ${mode}: transport: ${(e as Error).message}`);
          break;
        }
        if (answer.status !== 429) break;
        throttled++;
        await new Promise((r) => setTimeout(r, 20));
      }
      latencies[mode].push(performance.now() - t0);
      done++;
      if (!answer) continue;
      gotAnswer[i] = true;
      // Whose answer is it? Every nonce found in it counts as an answer to that request.
      const seen = new Set(answer.body.toString('latin1', 0, 4096).match(nonceRe) ?? []);
      // A refused request never reached a program: its answer rightly carries no nonce.
      if (seen.size === 0 && mode !== 'badctx') unattributed++;
      for (const n of seen) {
        const j = nonceIndex.get(n);
        if (j !== undefined) answersFor[j]!++;
        if (j !== i) misrouted++;
      }
      const why = checkAnswer(mode, nonce, answer);
      if (why === undefined) exact[i] = true;
      else if (wrongExamples.length < 10) wrongExamples.push(`#${i} ${mode}: ${why}`);
      if (Date.now() - lastReport > 10_000) {
        lastReport = Date.now();
        log(`soak: ${done}/${options.invocations} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
      }
    }
  }

  try {
    await Promise.all(Array.from({ length: options.concurrency }, () => worker()));
    const seconds = (Date.now() - started) / 1000;
    // Let environments that were reset finish going away before the last sample.
    await new Promise((r) => setTimeout(r, 1_000));
    const end = sample(dev.pid!, dir);
    const byMode = {} as SoakResult['byMode'];
    for (const mode of Object.keys(MIX) as Mode[]) {
      const idx = modes.flatMap((m, i) => (m === mode ? [i] : []));
      const sorted = [...latencies[mode]].sort((a, b) => a - b);
      const ok = idx.filter((i) => exact[i]).length;
      byMode[mode] = { sent: idx.length, exact: ok, wrong: idx.length - ok, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) };
    }
    return {
      invocations: options.invocations,
      concurrency: options.concurrency,
      seconds,
      byMode,
      answered: gotAnswer.filter(Boolean).length,
      lost: gotAnswer.filter((g) => !g).length,
      unattributed,
      duplicated: answersFor.filter((n) => n > 1).length,
      misrouted,
      throttled,
      wrongExamples,
      start: startSample ?? end,
      end,
    };
  } catch (err) {
    log(output());
    throw err;
  } finally {
    agent.destroy();
    dev.kill('SIGTERM');
    await new Promise((r) => (dev.exitCode !== null || dev.signalCode !== null ? r(undefined) : dev.once('exit', r)));
    rmSync(dir, { recursive: true, force: true });
  }
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n');
}

export function summary(r: SoakResult): string {
  const modes = table([
    ['mode', 'sent', 'exact', 'wrong', 'p50 ms', 'p99 ms'],
    ...(Object.entries(r.byMode) as Array<[Mode, SoakResult['byMode'][Mode]]>).map(([m, s]) => [m, String(s.sent), String(s.exact), String(s.wrong), s.p50Ms.toFixed(0), s.p99Ms.toFixed(0)]),
  ]);
  const f = (n: number) => n.toFixed(1);
  const res = table([
    ['resource', 'start', 'end', 'delta'],
    ['dev RSS (MB)', f(r.start.devRssMb), f(r.end.devRssMb), f(r.end.devRssMb - r.start.devRssMb)],
    ['bootstraps', String(r.start.bootstraps), String(r.end.bootstraps), String(r.end.bootstraps - r.start.bootstraps)],
    ['bootstraps RSS (MB)', f(r.start.bootstrapsRssMb), f(r.end.bootstrapsRssMb), f(r.end.bootstrapsRssMb - r.start.bootstrapsRssMb)],
    ['dev open fds', String(r.start.devFds), String(r.end.devFds), String(r.end.devFds - r.start.devFds)],
    ['dev child processes', String(r.start.children), String(r.end.children), String(r.end.children - r.start.children)],
    ['programs left running', String(r.start.leftovers.length), String(r.end.leftovers.length), String(r.end.leftovers.length - r.start.leftovers.length)],
  ]);
  return [
    `soak: ${r.invocations} invocations at concurrency ${r.concurrency} in ${r.seconds.toFixed(1)} s (${(r.invocations / r.seconds).toFixed(0)}/s)`,
    '',
    modes,
    '',
    `answered ${r.answered}, lost ${r.lost}, duplicated ${r.duplicated}, misrouted ${r.misrouted}, without a nonce ${r.unattributed}, throttled (429, retried) ${r.throttled}`,
    '',
    res,
    ...(r.wrongExamples.length ? ['', 'first wrong answers:', ...r.wrongExamples.map((w) => `  ${w}`)] : []),
  ].join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { n: { type: 'string', default: '10000' }, concurrency: { type: 'string', default: '8' }, seed: { type: 'string', default: '1' }, json: { type: 'string' } },
  });
  const result = await runSoak({ invocations: Number(values.n), concurrency: Number(values.concurrency), seed: Number(values.seed) });
  console.log(summary(result));
  if (values.json) writeFileSync(values.json, JSON.stringify(result, null, 2));
  const wrong = Object.values(result.byMode).reduce((n, m) => n + m.wrong, 0);
  process.exitCode = result.lost + result.duplicated + result.misrouted + result.unattributed + wrong === 0 ? 0 : 1;
}
