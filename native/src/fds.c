/*
 * Close-on-exec for every descriptor of the process from some number up, in one system call where
 * the kernel has it (close_range with CLOSE_RANGE_CLOEXEC, Linux 5.11), else one descriptor at a
 * time from the list the kernel keeps in /proc/self/fd (or /dev/fd elsewhere).
 */
#define _GNU_SOURCE
#include "fds.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#if !defined(SYS_close_range) && defined(__linux__)
#define SYS_close_range 436 /* the same number on every Linux architecture */
#endif

/* Applies `op` to each open descriptor >= low, listed by the kernel; -1 when no list is readable. */
static int each_listed(int low, int (*op)(int)) {
  DIR *dir = opendir("/proc/self/fd");
  if (!dir) dir = opendir("/dev/fd");
  if (!dir) return -1;
  int own = dirfd(dir);
  /* Collect first: closing while reading the directory would change what it lists. */
  int fds[4096];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(dir)) != NULL && n < (int)(sizeof fds / sizeof fds[0])) {
    char *end;
    long fd = strtol(e->d_name, &end, 10);
    if (*end != '\0' || end == e->d_name || fd < low || fd == own) continue;
    fds[n++] = (int)fd;
  }
  closedir(dir);
  for (int i = 0; i < n; i++) op(fds[i]);
  return 0;
}

static int set_cloexec(int fd) {
  int flags = fcntl(fd, F_GETFD);
  if (flags < 0 || (flags & FD_CLOEXEC)) return 0;
  return fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

static int close_one(int fd) {
  return close(fd);
}

/* Without any list: every number up to the descriptor limit (bounded, it can be huge). */
static int each_possible(int low, int (*op)(int)) {
  struct rlimit rl;
  long max = 65536;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && (long)rl.rlim_cur < max) max = (long)rl.rlim_cur;
  for (long fd = low; fd < max; fd++) op((int)fd);
  return 0;
}

int agents_cloexec_from(int low) {
#ifdef SYS_close_range
  if (syscall(SYS_close_range, (unsigned)low, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return 0;
#endif
  if (each_listed(low, set_cloexec) == 0) return 0;
  return each_possible(low, set_cloexec);
}

int agents_close_from(int low) {
#ifdef SYS_close_range
  if (syscall(SYS_close_range, (unsigned)low, ~0U, 0) == 0) return 0;
#endif
  if (each_listed(low, close_one) == 0) return 0;
  return each_possible(low, close_one);
}
