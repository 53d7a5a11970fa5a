/*
 * cobolambda call mode: the caller of a LINKAGE SECTION subprogram. The build
 * links it, with a stub naming the program's entry point and the lengths of
 * its parameters (layer/call-driver.ts), in place of the main() cobc would
 * generate; the fork server (fork-server.c) calls it as it calls any program.
 *
 *   stdin   the parameter areas, in USING order, back to back: exactly their
 *           total length
 *   stdout  the areas as the program left them, then RETURN-CODE as 4 bytes,
 *           big-endian two's complement
 *   stderr  libcob's messages, and whatever the program DISPLAYs: its stdout
 *           is sent to stderr, so only the areas reach the response and
 *           DISPLAY output reaches the function's log
 *   status  0 once the program has returned (GOBACK, EXIT PROGRAM), whatever
 *           its RETURN-CODE; a STOP RUN or a libcob error inside it ends the
 *           process with its own status before anything is written to stdout.
 *
 * The areas are passed BY REFERENCE, as a COBOL CALL ... USING passes them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libcob.h>

/* From the stub the build generates for the program. */
extern const char cobolambda_call_program[];
extern const int cobolambda_call_parameter_count;
extern const size_t cobolambda_call_lengths[];
int cobolambda_call(unsigned char **areas);

/* Exit statuses of the driver itself, apart from any the program can cause
   by RETURN-CODE (it returns, so its code never becomes the status). */
enum { BAD_INPUT = 64, IO_FAILED = 74 };

static int read_fully(int fd, unsigned char *buf, size_t size, size_t *got) {
  *got = 0;
  while (*got < size) {
    ssize_t n = read(fd, buf + *got, size - *got);
    if (n == 0) return 0;
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    *got += (size_t)n;
  }
  return 0;
}

static int write_fully(int fd, const unsigned char *buf, size_t size) {
  while (size > 0) {
    ssize_t n = write(fd, buf, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    buf += n;
    size -= (size_t)n;
  }
  return 0;
}

int cobolambda_program_main(int argc, char **argv) {
  cob_init(argc, argv);
  const int count = cobolambda_call_parameter_count;
  size_t total = 0;
  for (int i = 0; i < count; i++) total += cobolambda_call_lengths[i];

  /* One byte more than needed tells too long from exactly right. */
  unsigned char *input = malloc(total + 1);
  unsigned char **areas = calloc((size_t)count, sizeof *areas);
  if (!input || !areas) {
    fprintf(stderr, "cobolambda: %s: out of memory for its parameters\n", cobolambda_call_program);
    return IO_FAILED;
  }
  size_t got;
  if (read_fully(0, input, total + 1, &got) != 0) {
    fprintf(stderr, "cobolambda: %s: reading its parameters from stdin: %s\n", cobolambda_call_program, strerror(errno));
    return IO_FAILED;
  }
  if (got != total) {
    fprintf(stderr, "cobolambda: %s takes %zu bytes of parameters on stdin, got %s%zu\n", cobolambda_call_program, total,
            got > total ? "more than " : "", got > total ? total : got);
    return BAD_INPUT;
  }
  /* Each area on its own, as separate items of a caller's storage are. */
  for (int i = 0, at = 0; i < count; at += (int)cobolambda_call_lengths[i], i++) {
    areas[i] = malloc(cobolambda_call_lengths[i] ? cobolambda_call_lengths[i] : 1);
    if (!areas[i]) {
      fprintf(stderr, "cobolambda: %s: out of memory for its parameters\n", cobolambda_call_program);
      return IO_FAILED;
    }
    memcpy(areas[i], input + at, cobolambda_call_lengths[i]);
  }

  /* The response channel: a descriptor of its own, not inherited by anything
     the program starts (CALL "SYSTEM"). fd 1, and so DISPLAY, becomes stderr. */
  fflush(stdout);
  int response = fcntl(1, F_DUPFD_CLOEXEC, 3);
  if (response < 0 || dup2(2, 1) < 0) {
    fprintf(stderr, "cobolambda: %s: setting up stdout: %s\n", cobolambda_call_program, strerror(errno));
    return IO_FAILED;
  }
  /* Line by line, so DISPLAY and DISPLAY UPON SYSERR reach the log in the order written. */
  setvbuf(stdout, NULL, _IOLBF, 0);

  int rc = cobolambda_call(areas);

  fflush(stdout);
  unsigned int code = (unsigned int)rc;
  unsigned char trailer[4] = {(unsigned char)(code >> 24), (unsigned char)(code >> 16), (unsigned char)(code >> 8), (unsigned char)code};
  for (int i = 0; i < count; i++) {
    if (write_fully(response, areas[i], cobolambda_call_lengths[i]) != 0) goto write_failed;
  }
  if (write_fully(response, trailer, sizeof trailer) != 0 || close(response) != 0) goto write_failed;
  /* libcob's own ending: files the program left open are closed. */
  cob_stop_run(0);

write_failed:
  fprintf(stderr, "cobolambda: %s: writing its parameters to stdout: %s\n", cobolambda_call_program, strerror(errno));
  cob_stop_run(IO_FAILED);
}
