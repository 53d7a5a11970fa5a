// The node and execa strategies start programs as children of the runtime, and
// nothing kills them when the runtime dies (a parent-death signal can only be
// set in the child, which node:child_process cannot do). A guard process,
// started on first use, keeps the process groups of the programs running now
// and kills them when its stdin reaches end of file: when the runtime is gone,
// however it died. It is Node itself (no shell: the runtime never runs one);
// these paths are the fallback when the spawn helper is missing.
import { spawn, type ChildProcess } from 'node:child_process';

const GUARD = `const groups = new Set();
let rest = '';
process.stdin.setEncoding('latin1');
process.stdin.on('data', (text) => {
  const lines = (rest + text).split('\\n');
  rest = lines.pop();
  for (const line of lines) (line[0] === '+' ? groups.add : groups.delete).call(groups, Number(line.slice(1)));
});
process.stdin.on('end', () => {
  for (const g of groups) try { process.kill(-g, 'SIGKILL'); } catch {}
});
`;

let guard: ChildProcess | undefined;

function guardProcess(): ChildProcess | undefined {
  if (guard && guard.exitCode === null && guard.signalCode === null) return guard;
  try {
    guard = spawn(process.execPath, ['-e', GUARD], { stdio: ['pipe', 'ignore', 'ignore'], env: {} });
  } catch {
    return undefined;
  }
  guard.on('error', () => {});
  guard.stdin!.on('error', () => {});
  // It must not keep an otherwise finished runtime alive.
  guard.unref();
  (guard.stdin as unknown as { unref?: () => void }).unref?.();
  return guard;
}

/** Starts the guard ahead of the first program (it takes a Node start-up). */
export function startGuard(): void {
  guardProcess();
}

/** The program leading group `pgid` dies with the runtime. */
export function guardGroup(pgid: number | undefined): void {
  if (pgid !== undefined) guardProcess()?.stdin!.write(`+${pgid}\n`);
}

/** Group `pgid` is gone (its program exited and the group was killed). */
export function releaseGroup(pgid: number | undefined): void {
  if (pgid !== undefined && guard?.stdin?.writable) guard.stdin.write(`-${pgid}\n`);
}
