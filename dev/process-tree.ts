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

export function killTree(pid: number): void {
  const tree = processTree(pid);
  // Only groups led by a process of this tree: never the group `dev` itself runs in.
  const pids = new Set(tree.map((p) => p.pid));
  const groups = new Set(tree.map((p) => p.pgid).filter((g) => pids.has(g)));
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

/** Resident memory of the whole tree, in KiB. */
export function treeRssKb(pid: number): number {
  let total = 0;
  for (const p of processTree(pid)) {
    try {
      const status = readFileSync(`/proc/${p.pid}/status`, 'utf8');
      const m = /VmRSS:\s+(\d+)/.exec(status);
      if (m) total += Number(m[1]);
    } catch {
      // exited meanwhile
    }
  }
  return total;
}
