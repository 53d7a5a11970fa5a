// The node and execa strategies start programs as children of the runtime, and
// nothing kills them when the runtime dies (a parent-death signal can only be
// set in the child, which node:child_process cannot do). A small shell, started
// once, keeps the process groups of the programs running now and kills them
// when its stdin reaches end of file: when the runtime is gone, however it died.
import { spawn, type ChildProcess } from 'node:child_process';

const SCRIPT = `groups=' '
while read -r op g; do
  case $op$groups in
    +*) groups="$groups$g " ;;
    -*" $g "*) groups="\${groups%% $g *} \${groups#* $g }" ;;
  esac
done
for g in $groups; do kill -s KILL -- "-$g" 2>/dev/null; done
`;

let guard: ChildProcess | undefined;

function guardProcess(): ChildProcess | undefined {
  if (guard && guard.exitCode === null && guard.signalCode === null) return guard;
  try {
    guard = spawn('/bin/sh', ['-c', SCRIPT], { stdio: ['pipe', 'ignore', 'ignore'], env: {} });
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

/** The program leading group `pgid` dies with the runtime. */
export function guardGroup(pgid: number | undefined): void {
  if (pgid !== undefined) guardProcess()?.stdin!.write(`+ ${pgid}\n`);
}

/** Group `pgid` is gone (its program exited and the group was killed). */
export function releaseGroup(pgid: number | undefined): void {
  if (pgid !== undefined && guard?.stdin?.writable) guard.stdin.write(`- ${pgid}\n`);
}
