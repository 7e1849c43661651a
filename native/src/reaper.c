/*
 * agents-reaper: ends the sessions of a workspace's panes once the workspace is gone, however it
 * went (quit, crash, kill -9, its terminal closing).
 *
 * The workspace starts it with a pipe on stdin and writes a line per pane program: "+SID" when it
 * starts (every pane's program is started as a session leader, so its pid is its session id) and "-SID"
 * once the workspace has seen that session end. When the pipe closes (no copy of its write end is
 * left: the workspace exited or died) it signals every process group of every recorded session the
 * way src/terminal/process-tree.ts stops a pane (TERM, HUP and CONT, then KILL after a grace),
 * waits until none of their processes remains, and exits.
 *
 * Invariants:
 * - It signals only processes in a session it was told about, and only while that session is the
 *   one it was told about: the leader's start time is recorded, and a live process at the session's
 *   number with another start time means the number was reused (Linux keeps a session's number
 *   allocated while any of its processes lives, so a reused number means ours are all gone).
 * - It refuses a number that is not a session leader's, its own session and its parent's session.
 * - It survives the terminal closing: its own session, and SIGHUP, SIGINT, SIGQUIT, SIGTSTP,
 *   SIGTTIN, SIGTTOU and SIGPIPE ignored. It holds only its stdin (and /dev/null), and "/" as its
 *   working folder, so it keeps nothing of the workspace's open or busy.
 * - It never outlives its job: it exits once the recorded sessions are empty after the pipe
 *   closed, or after a hard deadline for processes even SIGKILL cannot end yet (stuck in the kernel).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fds.h"

#define GRACE_MS 1500   /* TERM to KILL, as process-tree.ts */
#define KILL_WAIT_MS 5000

struct session {
  pid_t sid;
  unsigned long long start; /* the leader's start time in clock ticks; 0 when it had already ended */
};

struct proc {
  char state;
  pid_t pgid;
  pid_t sid;
  unsigned long long start;
};

static struct session *sessions;
static size_t count, capacity;
static pid_t parent_sid, own_sid;

/* /proc/PID/stat: the command name may hold spaces and parentheses, so fields start after the last ')'. */
static int read_proc(pid_t pid, struct proc *p) {
  char path[64], buf[2048];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = '\0';
  char *s = strrchr(buf, ')');
  if (!s || s[1] != ' ') return -1;
  s += 2;
  int ppid, pgid, sid;
  if (sscanf(s, "%c %d %d %d", &p->state, &ppid, &pgid, &sid) != 4) return -1;
  p->pgid = pgid;
  p->sid = sid;
  /* starttime is the 20th field from the state. */
  char *q = s;
  for (int i = 1; i < 20 && q; i++) {
    q = strchr(q, ' ');
    if (q) q++;
  }
  if (!q) return -1;
  p->start = strtoull(q, NULL, 10);
  return 0;
}

static int still_ours(const struct session *s) {
  struct proc leader;
  if (read_proc(s->sid, &leader) != 0) return 1; /* the leader is gone; members keep the number */
  return s->start != 0 && leader.start == s->start;
}

static void add(pid_t sid);

/* Every live process of a recorded session: counts them, and collects their groups when asked. */
static size_t scan(pid_t *groups, size_t *ngroups, size_t max_groups, int *has_members) {
  int ours[count ? count : 1];
  for (size_t i = 0; i < count; i++) {
    ours[i] = still_ours(&sessions[i]);
    if (has_members) has_members[i] = 0;
  }
  size_t live = 0;
  if (ngroups) *ngroups = 0;
  DIR *dir = opendir("/proc");
  if (!dir) return 0;
  struct dirent *e;
  pid_t self = getpid();
  while ((e = readdir(dir)) != NULL) {
    if (!isdigit((unsigned char)e->d_name[0])) continue;
    pid_t pid = (pid_t)atoi(e->d_name);
    struct proc p;
    if (pid == self || read_proc(pid, &p) != 0 || p.state == 'Z' || p.state == 'X') continue;
    for (size_t i = 0; i < count; i++) {
      if (sessions[i].sid != p.sid || !ours[i]) continue;
      live++;
      if (has_members) has_members[i] = 1;
      if (groups) {
        size_t g = 0;
        while (g < *ngroups && groups[g] != p.pgid) g++;
        if (g == *ngroups && g < max_groups) groups[(*ngroups)++] = p.pgid;
      }
      break;
    }
  }
  closedir(dir);
  return live;
}

/* Drops sessions with no process left: their number may be reused from now on. */
static void prune(void) {
  int has[count ? count : 1];
  scan(NULL, NULL, 0, has);
  size_t kept = 0;
  for (size_t i = 0; i < count; i++)
    if (has[i]) sessions[kept++] = sessions[i];
  count = kept;
}

static void add(pid_t sid) {
  struct proc p;
  if (sid <= 1 || sid == own_sid || sid == parent_sid || sid == getpid()) return;
  int alive = read_proc(sid, &p) == 0;
  if (alive && p.sid != sid) return; /* not a session leader: nothing a pane started */
  for (size_t i = 0; i < count; i++)
    if (sessions[i].sid == sid) sessions[i] = sessions[--count];
  if (count == capacity) {
    prune();
    if (count == capacity) {
      size_t cap = capacity ? capacity * 2 : 16;
      struct session *grown = realloc(sessions, cap * sizeof *grown);
      if (!grown) return;
      sessions = grown;
      capacity = cap;
    }
  }
  sessions[count].sid = sid;
  sessions[count].start = alive ? p.start : 0;
  count++;
}

static void drop(pid_t sid) {
  for (size_t i = 0; i < count; i++)
    if (sessions[i].sid == sid) sessions[i--] = sessions[--count];
}

static void line(const char *s) {
  if ((s[0] != '+' && s[0] != '-') || !isdigit((unsigned char)s[1])) return;
  char *end;
  long n = strtol(s + 1, &end, 10);
  if (*end != '\0' || n <= 0 || n > 0x7fffffff) return;
  if (s[0] == '+') add((pid_t)n);
  else drop((pid_t)n);
}

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void nap(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

static void signal_groups(const pid_t *groups, size_t n, const int *sigs, size_t nsigs) {
  for (size_t g = 0; g < n; g++)
    for (size_t s = 0; s < nsigs; s++) kill(-groups[g], sigs[s]);
}

static void reap(void) {
  enum { MAX_GROUPS = 4096 };
  static pid_t groups[MAX_GROUPS];
  size_t n;
  if (scan(groups, &n, MAX_GROUPS, NULL) == 0) return;
  const int polite[] = {SIGTERM, SIGHUP, SIGCONT};
  signal_groups(groups, n, polite, 3);
  long long start = now_ms();
  long wait = 5;
  int killed = 0;
  for (;;) {
    nap(wait);
    if (wait < 100) wait *= 2;
    if (scan(groups, &n, MAX_GROUPS, NULL) == 0) return;
    long long elapsed = now_ms() - start;
    if (!killed && elapsed >= GRACE_MS) {
      const int hard[] = {SIGKILL};
      signal_groups(groups, n, hard, 1);
      killed = 1;
    } else if (killed) {
      /* Groups formed after the KILL (a fork racing it) get one too. */
      const int hard[] = {SIGKILL};
      signal_groups(groups, n, hard, 1);
      if (elapsed >= GRACE_MS + KILL_WAIT_MS) return;
    }
  }
}

int main(void) {
  const int ignored[] = {SIGHUP, SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGPIPE};
  for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++) signal(ignored[i], SIG_IGN);
  setsid(); /* already a leader when started detached; then this fails harmlessly */
  if (chdir("/") != 0) {}
  agents_close_from(3);
  own_sid = getsid(0);
  parent_sid = getsid(getppid());

  char buf[4096], acc[64];
  size_t len = 0;
  for (;;) {
    ssize_t n = read(0, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break; /* EOF or an error: the workspace is gone */
    for (ssize_t i = 0; i < n; i++) {
      if (buf[i] == '\n') {
        acc[len] = '\0';
        line(acc);
        len = 0;
      } else if (len < sizeof acc - 1) {
        acc[len++] = buf[i];
      }
    }
  }
  reap();
  return 0;
}
