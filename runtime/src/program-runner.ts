// Runs one program once: bytes in on stdin, bytes out on stdout. It knows
// processes and nothing about HTTP or the Runtime API.
import { execa } from 'execa';
import type { Readable } from 'node:stream';
import { StderrLog } from './stderr-log.ts';

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
  | { kind: 'did-not-start'; message: string };

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone.
  }
}

export async function runProgram(req: RunRequest): Promise<RunOutcome> {
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

  let stop: Exclude<RunOutcome['kind'], 'exited' | 'signaled' | 'did-not-start'> | undefined;
  const stopWith = (why: typeof stop) => {
    if (stop === undefined) stop = why;
    killGroup(child.pid);
  };

  const stdoutChunks: Buffer[] = [];
  let stdoutBytes = 0;
  (child.stdout as Readable).on('data', (chunk: Buffer) => {
    if (stop !== undefined) return;
    stdoutBytes += chunk.length;
    if (stdoutBytes > req.maxStdoutBytes) {
      stdoutChunks.length = 0;
      stopWith('output-too-large');
      return;
    }
    stdoutChunks.push(chunk);
  });
  (child.stderr as Readable).on('data', (chunk: Buffer) => req.stderr.push(chunk));

  // A program may exit or close stdin without reading it all: EPIPE is its choice, not our failure.
  child.stdin?.on('error', () => {});
  child.stdin?.end(req.stdin);

  const timer = setTimeout(() => stopWith('timed-out'), Math.max(0, req.killAtMs - Date.now()));
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
  const stdout = Buffer.concat(stdoutChunks);
  if (result.signal) return { kind: 'signaled', signal: result.signal, stdout };
  return { kind: 'exited', code: result.exitCode ?? 0, stdout };
}
