// What the machine itself allows, so the throughput rows can be read: does a
// CPU-bound loop run twice as fast on two cores, and does creating processes?
// (On the shared 2-vCPU machines this project is developed on, the first holds
// and the second does not: process creation is serialised below the guest.)
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const PROBE_SOURCE = String.raw`
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e3 + t.tv_nsec / 1e6; }
int main(int argc, char **argv) {
  long n = atol(argv[2]);
  double t = now();
  if (strcmp(argv[1], "cpu") == 0) {
    volatile unsigned long x = 0;
    for (long i = 0; i < n; i++) x += (unsigned long)i;
  } else {
    for (long i = 0; i < n; i++) {
      pid_t p = fork();
      if (p == 0) _exit(0);
      int st;
      waitpid(p, &st, 0);
    }
  }
  printf("%.3f\n", now() - t);
  return 0;
}
`;

export interface ScalingRow {
  id: 'cpu' | 'fork';
  label: string;
  /** Work done per second by two processes side by side / by one alone. */
  ratio: number;
}

/** Builds the probe into `dir` and measures how CPU work and process creation scale from one process to two. */
export async function machineScaling(dir: string, quick: boolean): Promise<ScalingRow[]> {
  const source = join(dir, 'probe.c');
  const probe = join(dir, 'probe');
  writeFileSync(source, PROBE_SOURCE);
  await run('gcc', ['-O1', '-o', probe, source]);
  const timeOf = async (kind: string, n: number) => Number((await run(probe, [kind, String(n)])).stdout);
  const rows: ScalingRow[] = [];
  for (const [id, n, label] of [
    ['cpu', quick ? 20_000_000 : 200_000_000, 'a CPU-bound loop'],
    ['fork', quick ? 50 : 500, 'fork + exit + wait of a small C process'],
  ] as const) {
    const alone = await timeOf(id, n);
    const pair = await Promise.all([timeOf(id, n), timeOf(id, n)]);
    // Two did 2n in max(pair) ms; one did n in `alone` ms.
    rows.push({ id, label, ratio: (2 * alone) / Math.max(...pair) });
  }
  return rows;
}
