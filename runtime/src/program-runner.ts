// Runs one program once: bytes in on stdin, bytes out on stdout. It knows
// processes and nothing about HTTP or the Runtime API.
//
// Four ways to start the program, with the same outcomes (COBOLAMBDA_SPAWN):
// - `fork-server` (default): a program built by `cobolambda build` is started
//   once as its own fork server (runtime/native/fork-server.c), which forks a
//   fresh child per invocation after libcob is loaded and initialised. Same
//   real pipes and process groups as the spawn helper, without exec. A program
//   that lacks the fork server (plain `cobc -x`) takes `native`, as does one
//   whose fork server would not start or died;
// - `native`: the spawn helper (runtime/native/spawn-helper.c, shipped
//   beside the bundle as `spawn-helper`), one long-lived process that posix_spawns
//   each program, so Node.js does not fork its whole process per invocation (libuv
//   forks). Programs are then children of the helper, not of the runtime. Its
//   stdio are real pipes, which record-mode programs need: libcob cannot OPEN
//   /dev/stdout when it is a socket, which is what libuv's 'pipe' stdio is.
//   When the helper is missing or cannot run, `node` is used;
// - `node`: node:child_process.spawn, the program a direct child of the runtime
//   in a process group of its own;
// - `execa`: the original path. execa adds several milliseconds of stream
//   plumbing per run and is the largest part of the bundle, so it is imported
//   on first use only.
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Readable } from 'node:stream';
import type { StderrLog } from './stderr-log.ts';
import { ProgramServer } from './program-server-client.ts';
import { canServeForks } from './fork-server-note.ts';

export interface RunRequest {
  file: string;
  stdin: Buffer;
  env: Record<string, string>;
  /** Epoch ms at which the program's process group is killed. */
  killAtMs: number;
  maxStdoutBytes: number;
  stderr: StderrLog;
}

export type RunOutcome =
  | { kind: 'exited'; code: number; stdout: Buffer }
  | { kind: 'signaled'; signal: string; stdout: Buffer }
  | { kind: 'timed-out'; ranMs: number }
  | { kind: 'output-too-large'; limit: number }
  | { kind: 'did-not-start'; message: string }
  /** The process that started the program (its fork server or the spawn helper) died while it ran. */
  | { kind: 'interrupted'; message: string };

export type SpawnPath = 'fork-server' | 'native' | 'node' | 'execa';

type StopReason = 'timed-out' | 'output-too-large';

/** Keeps a program's stdout up to Lambda's response limit, and nothing past it. */
class StdoutBuffer {
  private chunks: Buffer[] = [];
  private bytes = 0;

  constructor(private readonly limit: number) {}

  /** False once the output is over the limit: the caller stops the program. */
  push(chunk: Buffer): boolean {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) {
      this.chunks = [];
      return false;
    }
    this.chunks.push(chunk);
    return true;
  }

  take(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone.
  }
}

// setTimeout turns delays over 2^31-1 ms into 1 ms: a far deadline means no timer.
const MAX_TIMER_MS = 2_147_483_647;
function deadlineTimer(killAtMs: number, fire: () => void): NodeJS.Timeout | undefined {
  const delay = Math.max(0, killAtMs - Date.now());
  return delay > MAX_TIMER_MS ? undefined : setTimeout(fire, delay);
}

// ---------------------------------------------------------------------------
// Which path

interface SpawnConfig {
  mode: SpawnPath;
  helperFile: string | undefined;
}

const MODES: readonly SpawnPath[] = ['fork-server', 'native', 'node', 'execa'];

function modeFromEnv(): SpawnPath {
  const v = process.env.COBOLAMBDA_SPAWN as SpawnPath | undefined;
  return v && MODES.includes(v) ? v : 'fork-server';
}

function defaultHelperFile(): string | undefined {
  if (process.env.COBOLAMBDA_SPAWN_HELPER) return process.env.COBOLAMBDA_SPAWN_HELPER;
  try {
    // In the layer: /opt/cobolambda/runtime.cjs beside /opt/cobolambda/spawn-helper.
    return join(dirname(fileURLToPath(import.meta.url)), 'spawn-helper');
  } catch {
    return undefined;
  }
}

let config: SpawnConfig | undefined;
let helper: ProgramServer | undefined;
/** Whether each program file can serve forks; false once its fork server failed. */
const forkCapable = new Map<string, boolean>();
const forkServers = new Map<string, ProgramServer>();
/** The file each of those answers are about: a fork server must not outlive the file it was started from. */
const forkFileIdentity = new Map<string, string>();

function currentConfig(): SpawnConfig {
  config ??= {
    mode: modeFromEnv(),
    helperFile: defaultHelperFile(),
  };
  return config;
}

function isExecutable(file: string | undefined): file is string {
  if (!file) return false;
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function closeServers(): void {
  helper?.close();
  helper = undefined;
  for (const server of forkServers.values()) server.close();
  forkServers.clear();
  forkCapable.clear();
  forkFileIdentity.clear();
}

/** Chooses the spawn path (tests and the bench; the runtime reads COBOLAMBDA_SPAWN and COBOLAMBDA_SPAWN_HELPER). */
export function configureSpawn(options: { mode?: SpawnPath; helperFile?: string }): void {
  closeServers();
  config = { mode: options.mode ?? modeFromEnv(), helperFile: options.helperFile ?? defaultHelperFile() };
}

/** The path the next run of `file` takes. */
export function spawnPath(file?: string): SpawnPath {
  const c = currentConfig();
  if (c.mode === 'fork-server' && file !== undefined && servesForks(file)) return 'fork-server';
  if (c.mode !== 'native' && c.mode !== 'fork-server') return c.mode;
  if (helper) return 'native';
  return isExecutable(c.helperFile) ? 'native' : 'node';
}

/**
 * Starts the server that will run `file` ahead of the first invocation (it is
 * otherwise started by the first run). `env` is the environment every
 * invocation shares: a fork server initialises libcob with it.
 */
export function prepareSpawn(file: string, env: Record<string, string>): void {
  if (currentConfig().mode === 'fork-server') forgetForkServerIfChanged(file);
  const path = spawnPath(file);
  if (path === 'fork-server') forkServerFor(file, env).start();
  else if (path === 'native') nativeHelper().start();
}

function fileIdentity(file: string): string {
  try {
    const st = statSync(file);
    return `${st.dev}:${st.ino}:${st.mtimeMs}:${st.mode}:${st.size}`;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? 'unreadable';
  }
}

/**
 * On Lambda a program never changes, but under `dev` or a test it can be
 * replaced or made unrunnable: then its fork server goes, and the next run
 * starts from the file as it is now (a file that cannot start fails as it
 * would on any other path).
 */
function forgetForkServerIfChanged(file: string): void {
  const now = fileIdentity(file);
  const then = forkFileIdentity.get(file);
  if (then === now) return;
  forkFileIdentity.set(file, now);
  if (then === undefined) return;
  forkServers.get(file)?.close();
  forkServers.delete(file);
  forkCapable.delete(file);
}

function servesForks(file: string): boolean {
  let capable = forkCapable.get(file);
  if (capable === undefined) forkCapable.set(file, (capable = canServeForks(file)));
  return capable;
}

function forkServerFor(file: string, env: Record<string, string>): ProgramServer {
  let server = forkServers.get(file);
  if (!server) forkServers.set(file, (server = new ProgramServer(file, { ...env, COBOLAMBDA_FORK_SERVER: '1' }, 'fork server')));
  return server;
}

/** The fork server of `file` died or would not start: the spawn helper runs it from now on. */
function abandonForkServer(file: string): void {
  forkServers.get(file)?.close();
  forkServers.delete(file);
  forkCapable.set(file, false);
}

function nativeHelper(): ProgramServer {
  helper ??= new ProgramServer(currentConfig().helperFile!, {}, 'spawn helper');
  return helper;
}

/** The helper cannot be used (it would not start, or died): node:child_process from now on. */
function abandonHelper(): void {
  helper?.close();
  helper = undefined;
  config = { ...currentConfig(), mode: 'node' };
}

export async function runProgram(req: RunRequest): Promise<RunOutcome> {
  if (currentConfig().mode === 'fork-server') forgetForkServerIfChanged(req.file);
  let path = spawnPath(req.file);
  if (path === 'fork-server') {
    const server = forkServerFor(req.file, req.env);
    const outcome = await runWithServer(server, req);
    if (outcome !== 'retry') {
      if (outcome.serverDied) abandonForkServer(req.file);
      return outcome.outcome;
    }
    abandonForkServer(req.file);
    path = spawnPath(req.file);
  }
  if (path === 'native') {
    const outcome = await runWithServer(nativeHelper(), req);
    if (outcome !== 'retry') {
      if (outcome.serverDied) abandonHelper();
      return outcome.outcome;
    }
    abandonHelper();
  }
  return path === 'execa' ? runWithExeca(req) : runWithNode(req);
}

// ---------------------------------------------------------------------------
// node:child_process path

function runWithNode(req: RunRequest): Promise<RunOutcome> {
  const started = Date.now();
  return new Promise<RunOutcome>((resolve) => {
    // detached: the program leads its own process group, so a deadline or the
    // output cap kills everything it forked, not just the program.
    const child = spawn(req.file, [], { env: req.env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    let stop: StopReason | undefined;
    const stopWith = (why: StopReason) => {
      if (stop === undefined) stop = why;
      killGroup(child.pid);
    };
    const stdout = new StdoutBuffer(req.maxStdoutBytes);
    child.stdout.on('data', (chunk: Buffer) => {
      if (stop === undefined && !stdout.push(chunk)) stopWith('output-too-large');
    });
    child.stderr.on('data', (chunk: Buffer) => req.stderr.push(chunk));
    // A program may exit or close stdin without reading it all: EPIPE is its choice, not our failure.
    child.stdin.on('error', () => {});
    child.stdin.end(req.stdin);

    const timer = deadlineTimer(req.killAtMs, () => stopWith('timed-out'));
    let settled = false;
    const finish = (outcome: RunOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.stderr.end();
      resolve(outcome);
    };
    child.on('error', (err) => {
      // Only a spawn failure arrives here with no pid; later errors (kill) are ignored.
      if (child.pid === undefined) finish({ kind: 'did-not-start', message: err.message });
    });
    // Whatever the program left behind in its group (a forked child holding stdout open) goes with it.
    child.on('exit', () => killGroup(child.pid));
    child.on('close', (code, signal) => {
      if (stop === 'timed-out') return finish({ kind: 'timed-out', ranMs: Date.now() - started });
      if (stop === 'output-too-large') return finish({ kind: 'output-too-large', limit: req.maxStdoutBytes });
      if (child.pid === undefined) return; // 'error' says why
      if (signal) return finish({ kind: 'signaled', signal, stdout: stdout.take() });
      finish({ kind: 'exited', code: code ?? 0, stdout: stdout.take() });
    });
  });
}

// ---------------------------------------------------------------------------
// Through a program server (fork server or spawn helper)

async function runWithServer(server: ProgramServer, req: RunRequest): Promise<{ outcome: RunOutcome; serverDied: boolean } | 'retry'> {
  const started = Date.now();
  let stop: StopReason | undefined;
  let pid: number | undefined;
  const stopWith = (why: StopReason) => {
    if (stop === undefined) stop = why;
    killGroup(pid);
  };
  const stdout = new StdoutBuffer(req.maxStdoutBytes);
  const timer = deadlineTimer(req.killAtMs, () => stopWith('timed-out'));
  const result = await server.run(req.file, req.env, req.stdin, {
    onStart(p) {
      pid = p;
      // The deadline may have passed while the server was starting the program.
      if (stop !== undefined) killGroup(p);
    },
    onStdout(chunk) {
      if (stop === undefined && !stdout.push(chunk)) stopWith('output-too-large');
    },
    onStderr: (chunk) => req.stderr.push(chunk),
  });
  clearTimeout(timer);

  if (result.kind === 'server-died') {
    // Not started: nothing ran, the next path runs it. Started: its group goes, and the outcome says why.
    if (!result.started) return 'retry';
    killGroup(pid);
    req.stderr.end();
    if (stop === 'timed-out') return { outcome: { kind: 'timed-out', ranMs: Date.now() - started }, serverDied: true };
    return { outcome: { kind: 'interrupted', message: result.message }, serverDied: true };
  }
  req.stderr.end();
  const done = (outcome: RunOutcome) => ({ outcome, serverDied: false });
  if (stop === 'timed-out') return done({ kind: 'timed-out', ranMs: Date.now() - started });
  if (stop === 'output-too-large') return done({ kind: 'output-too-large', limit: req.maxStdoutBytes });
  if (result.kind === 'failed') return done({ kind: 'did-not-start', message: `spawn ${req.file} ${result.errno}` });
  if (result.kind === 'signaled') return done({ kind: 'signaled', signal: result.signal, stdout: stdout.take() });
  return done({ kind: 'exited', code: result.code, stdout: stdout.take() });
}

// ---------------------------------------------------------------------------
// execa path

async function runWithExeca(req: RunRequest): Promise<RunOutcome> {
  const { execa } = await import('execa');
  const started = Date.now();
  // detached: the program leads its own process group, so a deadline or the
  // output cap kills everything it forked, not just the program.
  const child = execa(req.file, [], {
    env: req.env,
    extendEnv: false,
    detached: true,
    cleanup: false,
    buffer: false,
    reject: false,
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
    encoding: 'buffer',
    stripFinalNewline: false,
  });

  let stop: StopReason | undefined;
  const stopWith = (why: StopReason) => {
    if (stop === undefined) stop = why;
    killGroup(child.pid);
  };

  const stdout = new StdoutBuffer(req.maxStdoutBytes);
  (child.stdout as Readable).on('data', (chunk: Buffer) => {
    if (stop === undefined && !stdout.push(chunk)) stopWith('output-too-large');
  });
  (child.stderr as Readable).on('data', (chunk: Buffer) => req.stderr.push(chunk));

  // A program may exit or close stdin without reading it all: EPIPE is its choice, not our failure.
  child.stdin?.on('error', () => {});
  child.stdin?.end(req.stdin);

  const timer = deadlineTimer(req.killAtMs, () => stopWith('timed-out'));
  // Whatever the program left behind in its group (a forked child holding stdout open) goes with it.
  child.on('exit', () => killGroup(child.pid));

  const result = await child;
  clearTimeout(timer);
  req.stderr.end();

  if (stop === 'timed-out') return { kind: 'timed-out', ranMs: Date.now() - started };
  if (stop === 'output-too-large') return { kind: 'output-too-large', limit: req.maxStdoutBytes };
  if (result.failed && result.exitCode === undefined && result.signal === undefined) {
    return { kind: 'did-not-start', message: result.originalMessage || result.shortMessage || 'unknown error' };
  }
  if (result.signal) return { kind: 'signaled', signal: result.signal, stdout: stdout.take() };
  return { kind: 'exited', code: result.exitCode ?? 0, stdout: stdout.take() };
}
