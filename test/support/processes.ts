// Finding the processes of a running invocation, for tests that kill or stop them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { processesWithEnv, processTree } from '../../dev/process-tree.ts';

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

/**
 * Programs (and what they forked) still running in the environments of the `dev`
 * whose work folder is `workDir`; bootstraps excluded. Found by the environment
 * they inherit, so a process reparented away from its dead bootstrap is found too.
 */
export function programsRunning(workDir: string): string[] {
  return processesWithEnv(`COBOLAMBDA_PROGRAM_DIR=${join(workDir, 'programs', 'bin')}`)
    .map((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      } catch {
        return '';
      }
    })
    .filter((cmd) => cmd !== '' && !cmd.includes('cobolambda/runtime.mjs') && !cmd.endsWith('/bootstrap'));
}
