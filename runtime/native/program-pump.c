/* The request loop and the stdio pump behind program-pump.h. */
#define _GNU_SOURCE
#include "program-pump.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 65536
/* How long a program's stdout and stderr stay open once it has exited. What
   it left behind is killed meanwhile; whatever still holds them after that
   (nothing the server can kill) is cut off, so the answer comes in time. */
#define GRACE_MS 100
/* Cleaning up when the runtime is gone. */
#define LAST_SWEEP_MS 500
/* No request the runtime sends comes near this: a longer length is a broken stream. */
#define MAX_REQUEST (1u << 30)

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

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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

/* ---- What a program leaves behind ------------------------------------------
   The server is a child subreaper: a process a program started that escaped
   its process group (setsid, a daemon's double fork) becomes the server's
   child once its parent is gone, instead of init's. After the program has
   exited, every child of the server is such a leftover. */

static pid_t self;

static void kill_pid_list(const char *text) {
  for (const char *p = text; *p;) {
    char *end;
    long pid = strtol(p, &end, 10);
    if (end == p) break;
    if (pid > 0) kill((pid_t)pid, SIGKILL);
    p = end;
  }
}

/* SIGKILLs every child. A child cannot be reaped by anyone but the server, so
   its pid cannot be reused before the kill lands. */
static void kill_children(void) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)self, (int)self);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    char buf[4096];
    ssize_t n;
    char keep[32] = "";
    /* A pid may straddle two reads: keep its digits for the next. */
    while ((n = read(fd, buf, sizeof buf - 1)) > 0) {
      buf[n] = 0;
      char joined[sizeof keep + sizeof buf];
      snprintf(joined, sizeof joined, "%s%s", keep, buf);
      char *last = strrchr(joined, ' ');
      if (last && last[1] != 0) {
        snprintf(keep, sizeof keep, "%s", last + 1);
        *last = 0;
      } else {
        keep[0] = 0;
      }
      kill_pid_list(joined);
    }
    kill_pid_list(keep);
    close(fd);
    return;
  }
  /* Kernels without /proc/.../children: every process's parent. */
  DIR *d = opendir("/proc");
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    char stat_path[300], stat[512];
    snprintf(stat_path, sizeof stat_path, "/proc/%s/stat", e->d_name);
    int sfd = open(stat_path, O_RDONLY | O_CLOEXEC);
    if (sfd < 0) continue;
    ssize_t n = read(sfd, stat, sizeof stat - 1);
    close(sfd);
    if (n <= 0) continue;
    stat[n] = 0;
    char *rp = strrchr(stat, ')');
    int ppid;
    if (rp && sscanf(rp + 2, "%*c %d", &ppid) == 1 && ppid == (int)self) kill((pid_t)atoi(e->d_name), SIGKILL);
  }
  closedir(d);
}

/* Reaps the children that have ended; returns whether any is left. */
static int reap_children(void) {
  for (;;) {
    pid_t p = waitpid(-1, NULL, WNOHANG);
    if (p > 0) continue;
    if (p < 0 && errno == EINTR) continue;
    return p == 0;
  }
}

/* Kills and reaps the server's children until none is left or `until` passes. */
static void sweep_children(long long until) {
  while (reap_children() && now_ms() < until) {
    kill_children();
    poll(NULL, 0, 1);
  }
}

/* The program (pid, its group) and everything it started go; the server exits. */
static void die_with_runtime(pid_t pid, int reaped) {
  /* Once reaped, its group id could be anyone's: its group was killed then. */
  if (!reaped) kill(-pid, SIGKILL);
  sweep_children(now_ms() + LAST_SWEEP_MS);
  _exit(0);
}

static char *body;
static size_t body_cap;
static char outbuf[CHUNK];

static void close_pair(int p[2]) {
  if (p[0] >= 0) close(p[0]);
  if (p[1] >= 0) close(p[1]);
}

static void run(program_starter start, size_t len, int sigfd) {
  /* Parse: file \0 env... \0 stdin */
  char *file = body, *end = body + len;
  char *p = memchr(file, 0, len);
  if (!p) { send_u32s('F', EINVAL, 0, 1); return; }
  p++;
  /* Two lists, each ended by an empty entry: the shared environment, then the invocation's own. */
  size_t nenv = 0;
  int lists = 0;
  char *q = p;
  while (lists < 2 && q < end) {
    while (q < end && *q) { nenv++; q += strlen(q) + 1; }
    if (q >= end) break;
    q++;
    lists++;
  }
  if (lists < 2) { send_u32s('F', EINVAL, 0, 1); return; }
  char **envp = malloc(sizeof(char *) * (nenv + 1));
  if (!envp) { send_u32s('F', ENOMEM, 0, 1); return; }
  size_t i = 0, shared = 0;
  for (int list = 0; list < 2; list++) {
    while (*p) { envp[i++] = p; p += strlen(p) + 1; }
    p++;
    if (list == 0) shared = i;
  }
  envp[i] = NULL;
  const char *in_data = p;
  size_t in_left = (size_t)(end - p);

  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
  if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) {
    int e = errno;
    close_pair(in);
    close_pair(out);
    close_pair(err);
    free(envp);
    send_u32s('F', (uint32_t)e, 0, 1);
    return;
  }
  const int server_fds[] = {in[0], in[1], out[0], out[1], err[0], err[1], sigfd};
  struct program_start ps = {file, envp, shared, {in[0], out[1], err[1]}, server_fds, 7};
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
  int exited = 0, status = 0, leftovers = 0;
  long long grace_end = 0;
  for (;;) {
    int timeout = -1;
    if (exited) {
      /* Done when stdout and stderr are at end of file and nothing is left,
         or when the grace period is over, whatever still holds them. */
      if (fout < 0 && ferr < 0 && !leftovers) break;
      long long left = grace_end - now_ms();
      if (left <= 0) break;
      /* Processes reach the server when their parents die, which it may not be told of. */
      timeout = leftovers ? 2 : (int)left;
    }
    struct pollfd pf[5];
    int n = 0, ii = -1, io = -1, ie = -1;
    if (fin >= 0) { ii = n; pf[n].fd = fin; pf[n++].events = POLLOUT; }
    if (fout >= 0) { io = n; pf[n].fd = fout; pf[n++].events = POLLIN; }
    if (ferr >= 0) { ie = n; pf[n].fd = ferr; pf[n++].events = POLLIN; }
    int is = n;
    pf[n].fd = sigfd; pf[n++].events = POLLIN;
    /* No request comes while a program runs: a hang-up on fd 0 means the runtime is gone. */
    int ir = n;
    pf[n].fd = 0; pf[n++].events = 0;
    if (poll(pf, (nfds_t)n, timeout) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (pf[ir].revents & (POLLHUP | POLLERR)) die_with_runtime(pid, exited);
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
    if (pf[is].revents) {
      struct signalfd_siginfo ssi;
      while (read(sigfd, &ssi, sizeof ssi) == (ssize_t)sizeof ssi) {
        /* The parent-death signal. */
        if (ssi.ssi_signo == SIGTERM) die_with_runtime(pid, exited);
      }
      siginfo_t si;
      memset(&si, 0, sizeof si);
      if (!exited && waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid) {
        /* Still a zombie, so the group id cannot be reused: whatever the
           program left running in its group goes with it. */
        kill(-pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        exited = 1;
        grace_end = now_ms() + GRACE_MS;
        if (fin >= 0) { close(fin); fin = -1; }
      }
    }
    if (exited) {
      leftovers = reap_children();
      if (leftovers) kill_children();
    }
  }
  if (fin >= 0) close(fin);
  if (fout >= 0) close(fout);
  if (ferr >= 0) close(ferr);
  if (!exited) {
    kill(-pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  }
  /* Anything that outlived the grace period (unkillable for now) is reaped
     when it ends: before the next program's, or at its SIGCHLD. */
  reap_children();
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
  self = getpid();
  /* The runtime's death is a signal the server handles (below), so the
     program and what it started die too. */
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() == 1) return 0;
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  /* Blocked rather than ignored, so a forked program keeps the dispositions
     libcob set (it unblocks every signal, as an exec'd program starts). A
     write to a runtime that is gone fails with EPIPE and the server exits. */
  sigset_t blocked;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGCHLD);
  sigaddset(&blocked, SIGPIPE);
  sigaddset(&blocked, SIGTERM);
  sigprocmask(SIG_BLOCK, &blocked, NULL);
  sigset_t watched;
  sigemptyset(&watched);
  sigaddset(&watched, SIGCHLD);
  sigaddset(&watched, SIGTERM);
  int sigfd = signalfd(-1, &watched, SFD_NONBLOCK | SFD_CLOEXEC);
  if (sigfd < 0) return 3;
  /* Ready: a request sent from now on may start a program, so a server that
     dies with one in flight may have started it (it is not run again). */
  send_frame('H', NULL, 0);
  for (;;) {
    unsigned char head[5];
    if (read_full(0, head, 5) < 0) {
      sweep_children(now_ms() + LAST_SWEEP_MS);
      return 0;
    }
    uint32_t len;
    memcpy(&len, head + 1, 4);
    if (head[0] != 'R') return 4;
    if (len > MAX_REQUEST) return 4;
    size_t need = (size_t)len + 1;
    if (need > body_cap) {
      free(body);
      body_cap = need;
      body = malloc(body_cap);
      if (!body) return 5;
    }
    if (read_full(0, body, len) < 0) return 0;
    body[len] = 0;
    run(start, len, sigfd);
    if (body_cap > (1u << 20)) { free(body); body = NULL; body_cap = 0; }
  }
}
