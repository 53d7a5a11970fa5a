// The limits every row is compared with: minimal C launchers of the program,
// no Node anywhere in them, built by the bench with the host gcc. The honest
// limit is `posix_spawn` + wait with the event written to a stdin pipe and
// stdout to /dev/null, which is what the runtime does for every invocation;
// `-f` is the older fork/exec launcher with stdin from a file, for reference.
//
//   launch [-f] N input program          prints "p50 p90" (ms)
//   launch [-f] -a N input program       prints every run's time (ms), one a line
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const LAUNCHER_SOURCE = String.raw`
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
extern char **environ;
static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }
static char event[65536];
static size_t event_len;
/* posix_spawn with the event on a stdin pipe and stdout to /dev/null. */
static pid_t start_spawn(char **argv, int devnull) {
  int in[2];
  if (pipe2(in, O_CLOEXEC) != 0) return -1;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, devnull, 1);
  pid_t pid;
  int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(in[0]);
  if (rc != 0) { close(in[1]); return -1; }
  if (write(in[1], event, event_len) != (ssize_t)event_len) { /* the program need not read it */ }
  close(in[1]);
  return pid;
}
static pid_t start_fork(const char *input, char **argv) {
  pid_t pid = fork();
  if (pid == 0) {
    int in = open(input, O_RDONLY), out = open("/dev/null", O_WRONLY);
    dup2(in, 0); dup2(out, 1);
    execv(argv[0], argv);
    _exit(127);
  }
  return pid;
}
int main(int argc, char **argv) {
  int use_fork = argc > 1 && strcmp(argv[1], "-f") == 0;
  if (use_fork) { argv++; argc--; }
  int all = argc > 1 && strcmp(argv[1], "-a") == 0;
  if (all) { argv++; argc--; }
  if (argc < 4) { fprintf(stderr, "usage: launch [-f] [-a] N input program [args]\n"); return 2; }
  int n = atoi(argv[1]);
  FILE *f = fopen(argv[2], "rb");
  if (!f) { perror(argv[2]); return 2; }
  event_len = fread(event, 1, sizeof event, f);
  fclose(f);
  int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
  signal(SIGPIPE, SIG_IGN);
  double *t = malloc(sizeof(double) * n);
  if (!t) return 2;
  for (int i = 0; i < n; i++) {
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    pid_t pid = use_fork ? start_fork(argv[2], argv + 3) : start_spawn(argv + 3, devnull);
    if (pid < 0) { perror("spawn"); return 1; }
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

/** Runs `program` n times from the posix_spawn launcher; p50 and p90 in ms. */
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

/** Runs `program` n times from the launcher (posix_spawn, or fork/exec with `how: 'fork'`); every run's time in ms. */
export async function launchSamples(launch: string, n: number, input: string, program: string, env: Record<string, string> = {}, how: 'spawn' | 'fork' = 'spawn'): Promise<number[]> {
  const args = [...(how === 'fork' ? ['-f'] : []), '-a', String(n), input, program];
  const { stdout } = await run(launch, args, { env, maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim().split('\n').map(Number);
}
