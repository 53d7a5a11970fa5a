// The limit every row is compared with: a minimal C launcher that
// fork/exec/waits a program (stdin from a file, stdout to /dev/null) and times
// each run. Built by the bench with the host gcc.
//
//   launch N input program          prints "p50 p90" (ms)
//   launch -a N input program       prints every run's time (ms), one a line
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const LAUNCHER_SOURCE = String.raw`
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }
int main(int argc, char **argv) {
  int all = argc > 1 && strcmp(argv[1], "-a") == 0;
  if (all) { argv++; argc--; }
  if (argc < 4) { fprintf(stderr, "usage: launch [-a] N input program [args]\n"); return 2; }
  int n = atoi(argv[1]);
  double *t = malloc(sizeof(double) * n);
  for (int i = 0; i < n; i++) {
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    pid_t pid = fork();
    if (pid == 0) {
      int in = open(argv[2], O_RDONLY), out = open("/dev/null", O_WRONLY);
      dup2(in, 0); dup2(out, 1);
      execv(argv[3], argv + 3);
      _exit(127);
    }
    int st;
    waitpid(pid, &st, 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) { fprintf(stderr, "run %d failed: %d\n", i, st); return 1; }
    t[i] = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
  }
  if (all) { for (int i = 0; i < n; i++) printf("%.4f\n", t[i]); return 0; }
  qsort(t, n, sizeof(double), cmp);
  printf("%.3f %.3f\n", t[n / 2], t[(int)(n * 0.9)]);
  return 0;
}
`;

/** Compiles the launcher into `dir/launch`. */
export async function buildLauncher(dir: string): Promise<string> {
  const source = join(dir, 'launch.c');
  const launch = join(dir, 'launch');
  writeFileSync(source, LAUNCHER_SOURCE);
  await run('gcc', ['-O2', '-o', launch, source]);
  return launch;
}

/** Runs `program` n times from the launcher; p50 and p90 in ms. */
export async function launchPercentiles(
  launch: string,
  n: number,
  input: string,
  program: string,
  env: Record<string, string> = {},
): Promise<{ p50: number; p90: number }> {
  const { stdout } = await run(launch, [String(n), input, program], { env });
  const [p50, p90] = stdout.trim().split(' ').map(Number) as [number, number];
  return { p50, p90 };
}

/** Runs `program` n times from the launcher; every run's time in ms. */
export async function launchSamples(launch: string, n: number, input: string, program: string, env: Record<string, string> = {}): Promise<number[]> {
  const { stdout } = await run(launch, ['-a', String(n), input, program], { env, maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim().split('\n').map(Number);
}
