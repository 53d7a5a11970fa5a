// Running one program through a program server (a fork server or the spawn
// helper, runtime/native/program-pump.h), with the deadline and the output cap.
import type { ProgramServer } from './program-server.ts';
import { deadlineTimer, killGroup, StdoutBuffer, type RunOutcome, type RunRequest, type StopReason } from './run.ts';

/** An outcome, and whether the server died (then the caller replaces it); 'retry' when the program never started. */
export type ServerRunResult = { outcome: RunOutcome; serverDied: boolean } | 'retry';

export async function runWithServer(server: ProgramServer, req: RunRequest): Promise<ServerRunResult> {
  const started = Date.now();
  let stop: StopReason | undefined;
  let pid: number | undefined;
  const stopWith = (why: StopReason) => {
    if (stop === undefined) stop = why;
    killGroup(pid);
  };
  const stdout = new StdoutBuffer(req.maxStdoutBytes);
  const timer = deadlineTimer(req.killAtMs, () => stopWith('timed-out'));
  const result = await server.run(req.file, req.env, req.invocationEnv ?? {}, req.stdin, {
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
    // Not read: nothing ran, the next path runs it. Otherwise it may have run, and is never run
    // twice: its group (if it got a pid) goes, and the outcome says why.
    if (!result.mayHaveStarted) return 'retry';
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
