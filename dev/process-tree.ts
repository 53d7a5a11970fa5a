// A bootstrap's programs run in process groups of their own, so resetting an
// environment means finding and killing its whole tree, not just its pid.
import { readdirSync, readFileSync } from 'node:fs';

interface ProcStat {
  pid: number;
  ppid: number;
  pgid: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(fields[1]), pgid: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

function ownGroup(): number {
  return readStat(process.pid)?.pgid ?? process.pid;
}

/** pid and every descendant (Linux /proc; elsewhere just pid). */
export function processTree(pid: number): ProcStat[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [{ pid, ppid: 0, pgid: pid }];
  }
  const all = entries.filter((e) => e.charCodeAt(0) >= 48 && e.charCodeAt(0) <= 57).map((e) => readStat(Number(e)));
  const byParent = new Map<number, ProcStat[]>();
  for (const s of all) {
    if (!s) continue;
    const list = byParent.get(s.ppid) ?? [];
    list.push(s);
    byParent.set(s.ppid, list);
  }
  const root = readStat(pid);
  if (!root) return [];
  const tree: ProcStat[] = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(byParent.get(tree[i]!.pid) ?? []));
  return tree;
}

/**
 * Every process whose environment holds exactly `entry` (`NAME=value`). A program
 * whose bootstrap died is reparented away from it, so only its environment, which
 * it inherited, still tells which execution environment it belongs to.
 */
export function processesWithEnv(entry: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const needle = Buffer.from(`\0${entry}\0`);
  const found: number[] = [];
  for (const e of entries) {
    if (e.charCodeAt(0) < 48 || e.charCodeAt(0) > 57) continue;
    try {
      const environ = readFileSync(`/proc/${e}/environ`);
      if (Buffer.concat([Buffer.from([0]), environ]).includes(needle)) found.push(Number(e));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/**
 * Kills `pid`, its descendants and their process groups; with `envEntry`, also every
 * process that carries it in its environment (what a dead bootstrap left behind).
 */
export function killTree(pid: number, envEntry?: string): void {
  const tree = processTree(pid);
  if (envEntry !== undefined) {
    const known = new Set(tree.map((p) => p.pid));
    for (const orphan of processesWithEnv(envEntry)) {
      if (orphan === process.pid || known.has(orphan)) continue;
      const stat = readStat(orphan);
      if (stat) tree.push(stat);
    }
  }
  // Only groups led by a process of this tree: never the group `dev` itself runs in.
  const pids = new Set(tree.map((p) => p.pid));
  const groups = new Set(tree.map((p) => p.pgid).filter((g) => pids.has(g) && g !== process.pid && g !== ownGroup()));
  for (const g of groups) {
    try {
      process.kill(-g, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const p of tree) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Resident memory of one process, in KiB (0 when it is gone). */
export function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Resident memory of the whole tree, in KiB. Reads all of /proc: keep it off the hot path. */
export function treeRssKb(pid: number): number {
  let total = 0;
  for (const p of processTree(pid)) total += rssKb(p.pid);
  return total;
}
