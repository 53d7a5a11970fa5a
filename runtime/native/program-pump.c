/* The request loop and the stdio pump behind program-pump.h. */
#define _GNU_SOURCE
#include "program-pump.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHUNK 65536

static int read_full(int fd, void *buf, size_t n) {
  char *p = buf;
  while (n > 0) {
    ssize_t r = read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    p += r;
    n -= (size_t)r;
  }
  return 0;
}

static void send_frame(char type, const void *payload, uint32_t len) {
  unsigned char head[5];
  head[0] = (unsigned char)type;
  memcpy(head + 1, &len, 4);
  struct iovec iov[2] = {{head, 5}, {(void *)payload, len}};
  int n = len > 0 ? 2 : 1;
  size_t left = 5 + (size_t)len;
  while (left > 0) {
    ssize_t w = writev(1, iov, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) _exit(0); /* the runtime is gone */
    left -= (size_t)w;
    for (int i = 0; i < n && w > 0; i++) {
      size_t take = (size_t)w < iov[i].iov_len ? (size_t)w : iov[i].iov_len;
      iov[i].iov_base = (char *)iov[i].iov_base + take;
      iov[i].iov_len -= take;
      w -= (ssize_t)take;
    }
  }
}

static void send_u32s(char type, uint32_t a, uint32_t b, int count) {
  uint32_t v[2] = {a, b};
  send_frame(type, v, (uint32_t)(4 * count));
}

static char *body;
static size_t body_cap;
static char outbuf[CHUNK];

static void run(program_starter start, size_t len, int sigfd) {
  /* Parse: file \0 env... \0 stdin */
  char *file = body, *end = body + len;
  char *p = memchr(file, 0, len);
  if (!p) { send_u32s('F', EINVAL, 0, 1); return; }
  p++;
  size_t nenv = 0;
  for (char *q = p; q < end && *q; q += strlen(q) + 1) nenv++;
  char **envp = malloc(sizeof(char *) * (nenv + 1));
  size_t i = 0;
  while (p < end && *p) { envp[i++] = p; p += strlen(p) + 1; }
  envp[i] = NULL;
  if (p >= end) { free(envp); send_u32s('F', EINVAL, 0, 1); return; }
  p++;
  const char *in_data = p;
  size_t in_left = (size_t)(end - p);

  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) {
    free(envp);
    send_u32s('F', (uint32_t)errno, 0, 1);
    return;
  }
  const int server_fds[] = {in[0], in[1], out[0], out[1], err[0], err[1], sigfd};
  struct program_start ps = {file, envp, {in[0], out[1], err[1]}, server_fds, 7};
  pid_t pid;
  int rc = start(&ps, &pid);
  free(envp);
  close(in[0]);
  close(out[1]);
  close(err[1]);
  if (rc != 0) {
    close(in[1]);
    close(out[0]);
    close(err[0]);
    send_u32s('F', (uint32_t)rc, 0, 1);
    return;
  }
  send_u32s('S', (uint32_t)pid, 0, 1);

  int fin = in[1], fout = out[0], ferr = err[0];
  fcntl(fin, F_SETFL, O_NONBLOCK);
  if (in_left == 0) { close(fin); fin = -1; }
  int exited = 0, status = 0;
  while (!exited || fout >= 0 || ferr >= 0) {
    struct pollfd pf[4];
    int n = 0, ii = -1, io = -1, ie = -1, is = -1;
    if (fin >= 0) { ii = n; pf[n].fd = fin; pf[n++].events = POLLOUT; }
    if (fout >= 0) { io = n; pf[n].fd = fout; pf[n++].events = POLLIN; }
    if (ferr >= 0) { ie = n; pf[n].fd = ferr; pf[n++].events = POLLIN; }
    if (!exited) { is = n; pf[n].fd = sigfd; pf[n++].events = POLLIN; }
    if (poll(pf, (nfds_t)n, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (ii >= 0 && pf[ii].revents) {
      size_t want = in_left < CHUNK ? in_left : CHUNK;
      ssize_t w = write(fin, in_data, want);
      if (w > 0) {
        in_data += w;
        in_left -= (size_t)w;
        if (in_left == 0) { close(fin); fin = -1; }
      } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
        /* EPIPE: the program chose not to read it all. */
        close(fin);
        fin = -1;
      }
    }
    if (io >= 0 && pf[io].revents) {
      ssize_t r = read(fout, outbuf, CHUNK);
      if (r > 0) send_frame('O', outbuf, (uint32_t)r);
      else if (r == 0 || (errno != EAGAIN && errno != EINTR)) { close(fout); fout = -1; }
    }
    if (ie >= 0 && pf[ie].revents) {
      ssize_t r = read(ferr, outbuf, CHUNK);
      if (r > 0) send_frame('E', outbuf, (uint32_t)r);
      else if (r == 0 || (errno != EAGAIN && errno != EINTR)) { close(ferr); ferr = -1; }
    }
    if (is >= 0 && pf[is].revents) {
      struct signalfd_siginfo ssi;
      while (read(sigfd, &ssi, sizeof ssi) == (ssize_t)sizeof ssi) {}
      siginfo_t si;
      memset(&si, 0, sizeof si);
      if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid) {
        /* Still a zombie, so the group id cannot be reused: whatever the
           program left running in its group goes with it. */
        kill(-pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        exited = 1;
        if (fin >= 0) { close(fin); fin = -1; }
      }
    }
  }
  if (fin >= 0) close(fin);
  if (fout >= 0) close(fout);
  if (ferr >= 0) close(ferr);
  if (!exited) {
    kill(-pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  }
  if (WIFSIGNALED(status)) send_u32s('X', 1, (uint32_t)WTERMSIG(status), 2);
  else send_u32s('X', 0, (uint32_t)WEXITSTATUS(status), 2);
}

int spawn_program(const struct program_start *ps, pid_t *pid) {
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

int serve_programs(program_starter start) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() == 1) return 0;
  /* Blocked rather than ignored, so a forked program keeps the dispositions
     libcob set (it unblocks every signal, as an exec'd program starts). A
     write to a runtime that is gone fails with EPIPE and the server exits. */
  sigset_t blocked;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGCHLD);
  sigaddset(&blocked, SIGPIPE);
  sigprocmask(SIG_BLOCK, &blocked, NULL);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  int sigfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
  if (sigfd < 0) return 3;
  for (;;) {
    unsigned char head[5];
    if (read_full(0, head, 5) < 0) return 0;
    uint32_t len;
    memcpy(&len, head + 1, 4);
    if (head[0] != 'R') return 4;
    if (len + 1u > body_cap) {
      free(body);
      body_cap = len + 1u;
      body = malloc(body_cap);
      if (!body) return 5;
    }
    if (read_full(0, body, len) < 0) return 0;
    body[len] = 0;
    run(start, len, sigfd);
    if (body_cap > (1u << 20)) { free(body); body = NULL; body_cap = 0; }
  }
}
