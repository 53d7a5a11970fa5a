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

int main(void) {
  return serve_programs(spawn_program);
}
