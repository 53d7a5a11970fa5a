/*
 * cobolambda spawn helper: started once by the runtime, it runs one program
 * per request (protocol in program-pump.h) so Node.js never forks its own
 * (large) process per invocation. posix_spawn in glibc is
 * clone(CLONE_VM|CLONE_VFORK): its cost does not grow with the parent's
 * memory, unlike libuv's fork(). Programs built by `cobolambda build` carry a
 * faster way in themselves (fork-server.c); this helper runs any executable.
 */
#define _GNU_SOURCE
#include "program-pump.h"

#include <signal.h>
#include <spawn.h>

static int spawn_program(const struct program_start *ps, pid_t *pid) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  for (int fd = 0; fd < 3; fd++) posix_spawn_file_actions_adddup2(&fa, ps->stdio[fd], fd);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  char *argv[2] = {(char *)ps->file, NULL};
  int rc = posix_spawn(pid, ps->file, &fa, &attr, argv, ps->envp);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  return rc;
}

int main(void) {
  return serve_programs(spawn_program);
}
