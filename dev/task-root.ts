// Programs run with a working directory they cannot write, as on Lambda
// (/var/task, read-only). `dev` starts each bootstrap in the function's task
// root (LAMBDA_TASK_ROOT, its programs folder); as root it makes that folder
// read-only for the bootstrap and everything it starts, with a read-only bind
// mount in a mount namespace of the bootstrap's own (unshare), so a program that
// writes where it may not fails locally as it would on Lambda. Without root,
// the folder stays writable: the one difference, documented.
import { spawnSync } from 'node:child_process';

let canUnshare: boolean | undefined;

function unshareWorks(): boolean {
  canUnshare ??= process.getuid?.() === 0 && spawnSync('unshare', ['--mount', '--propagation', 'private', 'true'], { stdio: 'ignore' }).status === 0;
  return canUnshare;
}

/** The descriptor on which the read-only setup writes one byte just before it execs the runtime. */
export const RUNTIME_START_FD = 3;

/**
 * How to start the runtime (`command args`) so its working directory is `taskRoot`, read-only when
 * the machine allows. With `readOnly`, the setup (unshare, two mounts) takes a few milliseconds that
 * Lambda does not count as Init Duration: it writes a byte to RUNTIME_START_FD (a pipe the caller
 * gives it) when the runtime itself starts, and closes it so the runtime does not inherit it.
 */
export function taskRootCommand(command: string, args: string[], taskRoot: string): { command: string; args: string[]; cwd: string; readOnly: boolean } {
  if (!unshareWorks()) return { command, args, cwd: taskRoot, readOnly: false };
  // unshare and sh exec in place: the process dev tracks is the runtime itself.
  const fd = RUNTIME_START_FD;
  const script = `mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && cd "$1" && shift && printf . >&${fd} && exec "$@" ${fd}>&-`;
  return { command: 'unshare', args: ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', taskRoot, command, ...args], cwd: taskRoot, readOnly: true };
}
