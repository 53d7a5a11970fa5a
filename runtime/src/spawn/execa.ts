// The `execa` strategy, the original path. execa adds several milliseconds of
// stream plumbing per run and is the largest part of the bundle, so it is
// imported on first use only.
import type { Readable } from 'node:stream';
import { guardGroup } from './orphan-guard.ts';
import { afterProgramExit, deadlineTimer, killGroup, programEnvironment, StdoutBuffer, type RunOutcome, type RunRequest, type StopReason } from './run.ts';

export async function runWithExeca(req: RunRequest): Promise<RunOutcome> {
  const { execa } = await import('execa');
  const started = Date.now();
  // detached: the program leads its own process group, so a deadline or the
  // output cap kills everything it forked, not just the program.
  const child = execa(req.file, [], {
    env: programEnvironment(req),
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
  guardGroup(child.pid);
  let grace: NodeJS.Timeout | undefined;
  child.on('exit', () => (grace = afterProgramExit(child.pid, [child.stdout as Readable, child.stderr as Readable])));

  const result = await child;
  clearTimeout(timer);
  clearTimeout(grace);
  req.stderr.end();

  if (stop === 'timed-out') return { kind: 'timed-out', ranMs: Date.now() - started };
  if (stop === 'output-too-large') return { kind: 'output-too-large', limit: req.maxStdoutBytes };
  if (result.failed && result.exitCode === undefined && result.signal === undefined) {
    return { kind: 'did-not-start', message: result.originalMessage || result.shortMessage || 'unknown error' };
  }
  if (result.signal) return { kind: 'signaled', signal: result.signal, stdout: stdout.take() };
  return { kind: 'exited', code: result.exitCode ?? 0, stdout: stdout.take() };
}
