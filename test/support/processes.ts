// Finding the processes of a running invocation, for tests that kill or stop them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { processesWithEnv, processTree } from '../../dev/process-tree.ts';

function cmdlineOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

export function isBootstrap(pid: number): boolean {
  return cmdlineOf(pid).some((arg) => arg.endsWith('cobolambda/runtime.cjs'));
}

/**
 * A long-lived program server of a bootstrap (or of this test process, which
 * runs programs itself): its spawn helper, or the program it started as its
 * fork server (forked children of which are the invocations).
 */
export function isProgramServer(pid: number): boolean {
  const parent = parentOf(pid);
  if (parent === undefined || (parent !== process.pid && !isBootstrap(parent))) return false;
  if (cmdlineOf(pid)[0]?.endsWith('/cobolambda/spawn-helper')) return true;
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes('COBOLAMBDA_FORK_SERVER=1');
  } catch {
    return false;
  }
}

/** The pid of the bootstrap (node) whose program `name` runs now, below this test process. */
export function bootstrapRunning(name: string): number {
  const tree = processTree(process.pid);
  const program = tree.find((p) => cmdlineOf(p.pid)[0]?.endsWith(`/bin/${name}`) && !isProgramServer(p.pid));
  if (!program) throw new Error(`no ${name} program is running`);
  for (let pid: number | undefined = program.ppid; pid !== undefined && pid > 1; pid = parentOf(pid)) {
    if (isBootstrap(pid)) return pid;
  }
  throw new Error(`program ${name} (${program.pid}) runs under no bootstrap`);
}

/**
 * Programs (and what they forked) still running in the environments of the `dev`
 * whose work folder is `workDir`; bootstraps and their program servers excluded.
 * Found by the environment they inherit, so a process reparented away from its
 * dead bootstrap is found too.
 */
export function programsRunning(workDir: string): string[] {
  return leftBehind(`COBOLAMBDA_PROGRAM_DIR=${join(workDir, 'programs', 'bin')}`);
}

/**
 * Command lines of the processes whose environment holds `entry` (`NAME=value`,
 * unique to one test file), bootstraps and their program servers excluded: the
 * programs a test started and what they forked, even reparented after escaping
 * their group or outliving their parent. Never other checkouts' processes, which
 * run the same programs at the same time.
 */
export function leftBehind(entry: string): string[] {
  return processesWithEnv(entry)
    .filter((pid) => pid !== process.pid && !isBootstrap(pid) && !isProgramServer(pid))
    .map((pid) => cmdlineOf(pid).join(' '))
    .filter((cmd) => cmd !== '' && !cmd.endsWith('/bootstrap'));
}
