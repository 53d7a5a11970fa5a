/*
 * The program protocol shared by the spawn helper (spawn-helper.c) and the
 * fork server linked into each program (fork-server.c). Both read requests on
 * fd 0 and answer on fd 1; they differ only in how a program process starts.
 *
 * Protocol (little-endian u32), one program at a time:
 *   runtime -> server, on fd 0:  'R' u32:len body
 *       body = file \0 (shared env "K=V" \0)* \0 (invocation env "K=V" \0)* \0 stdin-bytes...
 *       The program gets both lists; the shared one is what a fork server
 *       compares with its own environment (fork-server.c).
 *   server -> runtime, on fd 1:  type u32:len payload
 *       'H'                    ready, sent once: a request sent from now on
 *                              may start a program
 *       'S' u32 pid            started; the program leads its own process group
 *       'F' u32 errno          could not start
 *       'O' bytes              a chunk of the program's stdout
 *       'E' bytes              a chunk of the program's stderr
 *       'X' u32 kind u32 value the program exited (kind 0, value = status) or
 *                              was killed (kind 1, value = signal), its group
 *                              was killed, and stdout and stderr reached EOF
 * The runtime kills the group itself (deadline, output cap) with kill(-pid).
 * The server is a child subreaper: once a program has exited, what it left
 * running, even outside its group, is killed, and its stdout and stderr are
 * given a short grace period, then closed, whoever still holds them.
 * The server exits when fd 0 reaches EOF, or when its parent dies; the program
 * and all it started die with it.
 *
 * Only old, stable glibc symbols are used (provided.al2023 has glibc 2.34).
 */
#ifndef COBOLAMBDA_PROGRAM_PUMP_H
#define COBOLAMBDA_PROGRAM_PUMP_H
#include <sys/types.h>

struct program_start {
  const char *file;
  char **envp;
  /* How many entries of envp are the shared environment (the rest are the invocation's own). */
  size_t shared_env_count;
  /* The program's ends of its stdin, stdout and stderr pipes. */
  int stdio[3];
  /* Every descriptor of the server's that a forked child must close. */
  const int *server_fds;
  int server_fd_count;
};

/* Starts one program in a process group of its own. Returns 0 and sets *pid,
   or returns an errno value. */
typedef int (*program_starter)(const struct program_start *start, pid_t *pid);

/* The spawn helper's starter: posix_spawn, default signal dispositions, an
   empty signal mask (clone(CLONE_VM|CLONE_VFORK): no copy of the caller). */
int spawn_program(const struct program_start *start, pid_t *pid);

/* Serves requests until fd 0 reaches EOF; returns the process's exit status. */
int serve_programs(program_starter start);

#endif
