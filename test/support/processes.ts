// Finding the processes of a running invocation, for tests that kill or stop them.
import { readFileSync } from 'node:fs';
import { processTree } from '../../dev/process-tree.ts';

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]!;
  } catch {
    return '';
  }
}

/** The pid of the bootstrap (node) whose program `name` runs now, below this test process. */
export function bootstrapRunning(name: string): number {
  const tree = processTree(process.pid);
  const program = tree.find((p) => commandOf(p.pid).endsWith(`/bin/${name}`));
  if (!program) throw new Error(`no ${name} program is running`);
  // Programs are started by the bootstrap's spawn helper, when it has one.
  if (!commandOf(program.ppid).endsWith('/cobolambda/spawn-helper')) return program.ppid;
  return tree.find((p) => p.pid === program.ppid)!.ppid;
}
