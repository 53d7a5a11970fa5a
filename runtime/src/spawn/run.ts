// What every spawn strategy shares: the request, the outcome, and the two
// ways a run is stopped (deadline, output cap), which kill the program's group.
import type { Readable } from 'node:stream';
import type { StderrLog } from '../stderr-log.ts';
import { releaseGroup } from './orphan-guard.ts';

export interface RunRequest {
  file: string;
  stdin: Buffer;
  /** The program's environment, shared by invocations (a fork server compares it with its own). */
  env: Record<string, string>;
  /** Variables of this invocation only (request id, trace id, CGI variables...), on top of `env`. */
  invocationEnv?: Record<string, string>;
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

export type StopReason = 'timed-out' | 'output-too-large';

/**
 * How long a program's stdout and stderr stay open once it has exited (its
 * group is killed then). A process that escaped the group (setsid) may hold
 * them for ever: after this they are closed, so the answer comes in time.
 * The program servers do the same in C (program-pump.c).
 */
export const OUTPUT_GRACE_MS = 100;

/** Keeps a program's stdout up to Lambda's response limit, and nothing past it. */
export class StdoutBuffer {
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

export function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone.
  }
}

// setTimeout turns delays over 2^31-1 ms into 1 ms: a far deadline means no timer.
const MAX_TIMER_MS = 2_147_483_647;
export function deadlineTimer(killAtMs: number, fire: () => void): NodeJS.Timeout | undefined {
  const delay = Math.max(0, killAtMs - Date.now());
  return delay > MAX_TIMER_MS ? undefined : setTimeout(fire, delay);
}

/** The whole environment a program is started with. */
export function programEnvironment(req: RunRequest): Record<string, string> {
  return req.invocationEnv ? { ...req.env, ...req.invocationEnv } : req.env;
}

/**
 * A program started by the runtime itself (node, execa) has exited: whatever it
 * left in its group (a forked child holding stdout open) goes with it, and what
 * escaped the group is cut off from stdout and stderr after the grace period.
 * Returns the grace timer, to clear once the streams have closed.
 */
export function afterProgramExit(pid: number | undefined, outputs: Readable[]): NodeJS.Timeout {
  killGroup(pid);
  releaseGroup(pid);
  return setTimeout(() => {
    for (const stream of outputs) stream.destroy();
  }, OUTPUT_GRACE_MS);
}
