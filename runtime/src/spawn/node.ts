// The `node` strategy: node:child_process.spawn, the program a direct child of
// the runtime in a process group of its own. Used when the spawn helper is
// missing or cannot run.
import { spawn } from 'node:child_process';
import { guardGroup } from './orphan-guard.ts';
import { afterProgramExit, deadlineTimer, killGroup, programEnvironment, StdoutBuffer, type RunOutcome, type RunRequest, type StopReason } from './run.ts';

export function runWithNode(req: RunRequest): Promise<RunOutcome> {
  const started = Date.now();
  return new Promise<RunOutcome>((resolve) => {
    // detached: the program leads its own process group, so a deadline or the
    // output cap kills everything it forked, not just the program.
    const child = spawn(req.file, [], { env: programEnvironment(req), detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
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
    guardGroup(child.pid);
    let grace: NodeJS.Timeout | undefined;
    child.on('exit', () => (grace = afterProgramExit(child.pid, [child.stdout, child.stderr])));
    child.on('close', (code, signal) => {
      clearTimeout(grace);
      if (stop === 'timed-out') return finish({ kind: 'timed-out', ranMs: Date.now() - started });
      if (stop === 'output-too-large') return finish({ kind: 'output-too-large', limit: req.maxStdoutBytes });
      if (child.pid === undefined) return; // 'error' says why
      if (signal) return finish({ kind: 'signaled', signal, stdout: stdout.take() });
      finish({ kind: 'exited', code: code ?? 0, stdout: stdout.take() });
    });
  });
}
