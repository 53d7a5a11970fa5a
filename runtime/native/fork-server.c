/*
 * cobolambda fork server, linked into every program `cobolambda build` makes.
 * Run plainly, the program is the program: main() below hands over to the
 * main() cobc generated (renamed cobolambda_program_main by the build).
 * Started with COBOLAMBDA_FORK_SERVER=1, it loads and initialises libcob once
 * and then serves the runtime's requests (program-pump.h) by forking a child
 * per invocation. The child has never run the program before, so every
 * invocation still gets a fresh process and fresh WORKING-STORAGE, without
 * paying for exec, the dynamic loader and cob_init each time.
 */
#define _GNU_SOURCE
#include "program-pump.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <libcob.h>

int cobolambda_program_main(int argc, char **argv);

/* The runtime reads the first page of a program for this ELF note to know it
   can be started as a fork server (runtime/src/fork-server-note.ts). */
__attribute__((used, section(".note.cobolambda"), aligned(4)))
static const struct {
  unsigned int namesz, descsz, type;
  char name[12];
  char desc[16];
} cobolambda_note = {11, 15, 1, "cobolambda", "fork-server-v1"};

static int saved_argc;
static pid_t server_pid;
static char **saved_argv;

static int compare_entries(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The first `n` entries of `env`, sorted, NULL-terminated (malloc'd). */
static char **sorted_entries(char **env, size_t n) {
  char **out = malloc(sizeof(char *) * (n + 1));
  if (!out) return NULL;
  memcpy(out, env, sizeof(char *) * n);
  out[n] = NULL;
  qsort(out, n, sizeof(char *), compare_entries);
  return out;
}

/* The server's environment when it initialised libcob (pointers into its own
   environment, which only its children replace). */
static char **server_entries;

/* libcob, the C library and whatever the program links read their settings
   at start (COB_*, the locale, USERNAME, HOME, TMPDIR, ...). A forked
   invocation behaves as if exec'd only when everything but its per-invocation
   variables (the request id, the trace id, the CGI variables, ...) is what the
   server started with. */
static int same_shared_environment(const struct program_start *ps) {
  char **mine = sorted_entries(ps->envp, ps->shared_env_count);
  if (!mine || !server_entries) {
    free(mine);
    return 0;
  }
  size_t i = 0;
  while (mine[i] && server_entries[i] && strcmp(mine[i], server_entries[i]) == 0) i++;
  int same = mine[i] == NULL && server_entries[i] == NULL;
  free(mine);
  return same;
}

static int fork_program(const struct program_start *ps, pid_t *pid) {
  /* libcob would have been set up differently: start it as the spawn helper would. */
  if (!same_shared_environment(ps)) return spawn_program(ps, pid);
  pid_t child = fork();
  if (child < 0) return errno;
  if (child > 0) {
    /* Also done in the child: whichever runs first, the group exists before
       the runtime can kill it. */
    setpgid(child, child);
    *pid = child;
    return 0;
  }
  setpgid(0, 0);
  /* Dies with the server, should the server be killed outright. */
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != server_pid) _exit(128 + SIGKILL);
  for (int fd = 0; fd < 3; fd++) dup2(ps->stdio[fd], fd);
  for (int i = 0; i < ps->server_fd_count; i++) close(ps->server_fds[i]);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  clearenv();
  for (char **e = ps->envp; *e; e++) putenv(*e);
  /* cob_init has run: the generated main's call to it returns at once, and
     cob_stop_run exits with the program's status. */
  exit(cobolambda_program_main(saved_argc, saved_argv));
}

int main(int argc, char **argv) {
  const char *serve = getenv("COBOLAMBDA_FORK_SERVER");
  if (!serve || strcmp(serve, "1") != 0) return cobolambda_program_main(argc, argv);
  unsetenv("COBOLAMBDA_FORK_SERVER");
  size_t n = 0;
  while (environ[n]) n++;
  server_entries = sorted_entries(environ, n);
  server_pid = getpid();
  saved_argc = argc;
  saved_argv = argv;
  cob_init(argc, argv);
  /* _exit: libcob's exit handlers belong to the programs, not the server. */
  _exit(serve_programs(fork_program));
}
