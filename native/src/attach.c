/*
 * agents-attach: a terminal attaching to the workspace server that already runs for its folder
 * (`agents attach`, or `agents` where one runs), without starting Node.
 *
 * Why: attaching is what a person does again and again to a workspace that outlives its terminals,
 * and a Node client's start alone was ~100 ms of the ~170-225 ms an attach took here (bench rows 6
 * and 11, docs/profile.md). Since the server draws to the terminal and reads its keys itself
 * (src/server/direct.ts), what is left to a client is small: say hello, set the terminal's modes,
 * report its size, and give the terminal back when the workspace says goodbye. This is that client;
 * src/client/attach.ts is the same protocol in TypeScript, and stays the client for every other case
 * (starting a workspace, another folder's workspace, a request, no native build).
 *
 * Usage (bin/agents): agents-attach SOCKET SCRIPT [ARG...]. SOCKET is this folder's workspace
 * socket, SCRIPT bin/agents' real path (its package.json gives the version a hello carries), ARGs the
 * person's arguments. Until the server welcomes this terminal nothing has been written to it or read
 * from it, so any failure up to then (nobody listening, a connection cut before the welcome) hands
 * over to `node SCRIPT ARG...`, which finds what to do and says what went wrong as it always has.
 *
 * Or: agents-attach --adopt FD COLS ROWS MODES. A Node client attached and drawn to directly becomes
 * this program (the addon's handOver execs it on the same process, so the server sees the same
 * peer): FD is its connection, past the welcome; COLS and ROWS the size it last told the server;
 * MODES the person's own terminal modes (hex, tty.h), restored at the end. The terminal is in raw
 * mode and the alternate screen already; the server reads the keys.
 *
 * Invariants, as the TypeScript client's:
 * - the terminal's modes (raw input, alternate screen, bracketed paste, mouse) are set only after the
 *   welcome and always restored before anything is printed and before exiting;
 * - a server drawing to this terminal is told `ready` only once the modes are on, and the terminal is
 *   restored only after its `bye` (or once it is gone), so no frame lands on a restored terminal;
 * - the server's words (a bye's or refusal's message) are shown escaped, as src/util/safe-text.ts's
 *   `printable` does: no control character of theirs reaches the terminal;
 * - losing the terminal (SIGHUP) or being asked to stop (SIGTERM, SIGINT) only detaches.
 */
#define _GNU_SOURCE
#ifndef __linux__
/* Elsewhere the server cannot draw to a terminal itself (direct.ts) and signalfd is missing: the Node client attaches. */
#include <stdio.h>
#include <unistd.h>
int main(int argc, char **argv) {
  if (argc < 3) return 2;
  argv[1] = "node";
  execvp("node", argv + 1);
  perror("agents: cannot run node");
  return 1;
}
#else
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "text.h"
#include "tty.h"

/* src/server/protocol.ts */
#define PROTOCOL_VERSION 1
enum {
  F_HELLO = 1, F_INPUT = 2, F_RESIZE = 3, F_DETACH = 4, F_READY = 5,
  F_WELCOME = 16, F_REFUSE = 17, F_OUTPUT = 18, F_BYE = 19, F_INFO = 20, F_REPLY = 21,
};
#define OUTPUT_LIMIT (64u * 1024 * 1024)
/* How long a client leaving on its own waits for the server to stop drawing; and one whose workspace is ending, for it to be gone (attach.ts). */
#define LEAVE_WAIT_MS 300
#define GONE_WAIT_MS 3000

/* src/render/screen-mode.ts */
static const char ENTER[] = "\x1b[?1049h\x1b[?25l\x1b[?2004h\x1b[H\x1b[2J";
static const char MOUSE[] = "\x1b[?1000h\x1b[?1006h";
static const char LEAVE[] = "\x1b[?2026l\x1b[0m\x1b[?2004l\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?25h\x1b[?1049l";

static const char UNEXPECTED[] =
    "agents: the workspace server stopped unexpectedly. Its panes were stopped; agents --continue resumes the session.";

static int sock = -1;
static char **fallback_argv;
static sigset_t caught, old_mask;
static struct termios saved;
static int modes_on, raw_on;

/* ------------------------------------------------------------------------------------ plumbing */

static long long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Writes everything, waiting out a descriptor someone made non-blocking; false when it fails. */
static int write_all(int fd, const void *data, size_t n) {
  const char *p = data;
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        struct pollfd pf = {fd, POLLOUT, 0};
        poll(&pf, 1, 1000);
        continue;
      }
      return 0;
    }
    p += w;
    n -= (size_t)w;
  }
  return 1;
}

static int send_frame(int type, const void *payload, size_t n) {
  unsigned char head[5] = {(unsigned char)type, (unsigned char)(n >> 24), (unsigned char)(n >> 16), (unsigned char)(n >> 8), (unsigned char)n};
  return write_all(sock, head, 5) && (n == 0 || write_all(sock, payload, n));
}

/* Nothing was written to the terminal or read from it yet: the TypeScript client takes over. */
static void hand_over(void) {
  if (sock >= 0) close(sock);
  sigprocmask(SIG_SETMASK, &old_mask, NULL);
  execvp("node", fallback_argv);
  fprintf(stderr, "agents: cannot run node: %s\n", strerror(errno));
  exit(1);
}

/* ------------------------------------------------------------------------------ the terminal */

static void size_of(int *cols, int *rows) {
  struct winsize w;
  *cols = 80, *rows = 24;
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &w) == 0) {
    if (w.ws_col > 0) *cols = w.ws_col;
    if (w.ws_row > 0) *rows = w.ws_row;
  }
}

/*
 * Tells the server the terminal's size when it differs from what it was last told (`cols`, `rows`,
 * updated), or always with `always` (SIGWINCH).
 */
static void report_size(int *cols, int *rows, int always) {
  int c, r;
  size_of(&c, &r);
  if (!always && c == *cols && r == *rows) return;
  *cols = c, *rows = r;
  char size[64];
  int n = snprintf(size, sizeof size, "{\"cols\":%d,\"rows\":%d}", c, r);
  send_frame(F_RESIZE, size, (size_t)n);
}

static void modes_enter(int mouse) {
  if (tcgetattr(STDIN_FILENO, &saved) == 0) {
    struct termios raw = agents_raw(saved);
    raw_on = tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) == 0;
  }
  modes_on = 1;
  write_all(STDOUT_FILENO, ENTER, sizeof ENTER - 1);
  if (mouse) write_all(STDOUT_FILENO, MOUSE, sizeof MOUSE - 1);
}

static void modes_restore(void) {
  if (!modes_on) return;
  modes_on = 0;
  write_all(STDOUT_FILENO, LEAVE, sizeof LEAVE - 1);
  if (raw_on) tcsetattr(STDIN_FILENO, TCSANOW, &saved);
  raw_on = 0;
}

/* ------------------------------------------------------------------------------------- main */

static unsigned char *buf;
static size_t have, cap;

/* Reads what the socket has into buf; 0 once it is closed or failed. */
static int read_socket(void) {
  if (cap - have < 65536) {
    cap = cap ? cap * 2 : 131072;
    buf = realloc(buf, cap);
    if (!buf) abort();
  }
  for (;;) {
    ssize_t r = read(sock, buf + have, cap - have);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return 0;
    have += (size_t)r;
    return 1;
  }
}

/*
 * Whether the socket's folder is this user's alone, as src/server/paths.ts ensureRuntimeDir requires
 * (a socket in a folder someone else can write to could be theirs): a folder, not a link, owned by
 * this user, no group or other bits. Otherwise the Node client says what is wrong with it.
 */
static int private_folder(const char *path) {
  char dir[4096];
  const char *slash = strrchr(path, '/');
  if (!slash) snprintf(dir, sizeof dir, ".");
  else if (slash == path) snprintf(dir, sizeof dir, "/");
  else if (snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path) >= (int)sizeof dir) return 0;
  struct stat st;
  return lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == getuid() && (st.st_mode & 077) == 0;
}

/* The package's version, which a hello must carry: bin/agents' own package.json says it. */
static int package_version(const char *script, struct text *out) {
  char path[4096];
  const char *slash = strrchr(script, '/');
  if (!slash) return 0;
  int len = (int)(slash - script);
  if (snprintf(path, sizeof path, "%.*s/../package.json", len, script) >= (int)sizeof path) return 0;
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  unsigned char data[65536];
  size_t n = fread(data, 1, sizeof data, f);
  fclose(f);
  static const char *const want[] = {"version", NULL};
  int bools[1], has[1];
  if (n == sizeof data || !json_members(data, n, want, out, bools, has)) return 0;
  return has[0];
}

int main(int argc, char **argv) {
  int adopt = argc == 6 && strcmp(argv[1], "--adopt") == 0;
  if (argc < 3 || (strcmp(argv[1], "--adopt") == 0 && !adopt)) {
    fprintf(stderr, "usage: agents-attach SOCKET SCRIPT [ARG...] | agents-attach --adopt FD COLS ROWS MODES\n");
    return 2;
  }
  const char *path = argv[1];
  fallback_argv = calloc((size_t)argc, sizeof *fallback_argv);
  if (!fallback_argv) return 1;
  fallback_argv[0] = "node";
  for (int i = 2; i < argc; i++) fallback_argv[i - 1] = argv[i];

  /* Signals are taken as events from here on (and given back before a hand-over). */
  agents_attach_signals(&caught);
  sigprocmask(SIG_BLOCK, &caught, &old_mask);
  signal(SIGPIPE, SIG_IGN);
  int sigs = signalfd(-1, &caught, SFD_CLOEXEC);

  int welcomed = 0, direct = 0, keys_here = 0, quiet = 0, code = -1;
  int cols, rows;
  if (adopt) {
    char *end;
    long fd = strtol(argv[2], &end, 10);
    cols = atoi(argv[3]), rows = atoi(argv[4]);
    int modes_known = agents_termios_from_hex(argv[5], &saved);
    if (*end || fd < 3 || sigs < 0 || !modes_known) {
      /* Node is gone and the terminal is raw on the alternate screen: give it back, as well as can be. */
      write_all(STDOUT_FILENO, LEAVE, sizeof LEAVE - 1);
      struct termios t;
      if (modes_known) tcsetattr(STDIN_FILENO, TCSANOW, &saved);
      else if (tcgetattr(STDIN_FILENO, &t) == 0) {
        t.c_iflag |= ICRNL | IXON;
        t.c_lflag |= ECHO | ICANON | IEXTEN | ISIG;
        tcsetattr(STDIN_FILENO, TCSANOW, &t);
      }
      fprintf(stderr, "agents-attach: --adopt needs a connection, a size and the terminal's modes\n");
      return 2;
    }
    sock = (int)fd;
    fcntl(sock, F_SETFD, FD_CLOEXEC);
    /* Node made these non-blocking (0 and 1 are libuv's own reopened terminal, no one else's): this
     * program waits in poll and writes whole frames. */
    for (int fd_ = 0; fd_ < 2; fd_++) fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) & ~O_NONBLOCK);
    fcntl(sock, F_SETFL, fcntl(sock, F_GETFL) & ~O_NONBLOCK);
    welcomed = 1, direct = 1, keys_here = 0;
    modes_on = 1, raw_on = 1;
    report_size(&cols, &rows, 0); /* a resize while the exec was on its way */
  } else {
    struct text version = {0};
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (sigs < 0 || !isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO) || strlen(path) >= sizeof addr.sun_path || !private_folder(path) ||
        !package_version(argv[2], &version))
      hand_over();
    strcpy(addr.sun_path, path);
    sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock < 0 || connect(sock, (struct sockaddr *)&addr, sizeof addr) != 0) hand_over();

    /* Whether the server may draw to this terminal itself (attach.ts canDrawDirect; this is Linux). */
    const char *env_direct = getenv("AGENTS_DIRECT");
    int ask_direct = !(env_direct && strcmp(env_direct, "0") == 0);
    size_of(&cols, &rows);
    char quoted[256], hello[512];
    json_quote(quoted, sizeof quoted, &version);
    free(version.cp);
    int hn = snprintf(hello, sizeof hello, "{\"protocol\":%d,\"version\":%s,\"want\":\"attach\",\"cols\":%d,\"rows\":%d,\"pid\":%d%s}", PROTOCOL_VERSION, quoted,
                      cols, rows, (int)getpid(), ask_direct ? ",\"direct\":true" : "");
    if (hn <= 0 || hn >= (int)sizeof hello || !send_frame(F_HELLO, hello, (size_t)hn)) hand_over();
  }

  long long leave_at = -1;        /* asked to stop: when to give up waiting for the bye */
  long long gone_at = -1;         /* the workspace is ending: when to stop waiting for it */
  FILE *say_to = NULL;
  struct text message = {0};
  const char *say_prefix = "";

  for (;;) {
    /* The terminal: its keys when this client relays them, else only its hang-up (POLLHUP is
     * reported whatever is asked), should the SIGHUP have gone elsewhere. */
    struct pollfd p[3] = {{sock, POLLIN, 0}, {sigs, POLLIN, 0}, {STDIN_FILENO, keys_here ? POLLIN : 0, 0}};
    int nfds = welcomed && gone_at < 0 ? 3 : 2;
    int timeout = -1;
    long long deadline = gone_at >= 0 ? gone_at : leave_at;
    if (deadline >= 0) {
      long long left = deadline - now_ms();
      timeout = left > 0 ? (int)left : 0;
    }
    int r = poll(p, (nfds_t)nfds, timeout);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) {
      if (gone_at >= 0) break; /* waited long enough for the workspace to be gone */
      code = 0;                /* asked to stop, and no bye came in time */
      break;
    }

    if (p[1].revents & POLLIN) {
      struct signalfd_siginfo si;
      if (read(sigs, &si, sizeof si) == (ssize_t)sizeof si) {
        if (si.ssi_signo == SIGWINCH && welcomed) {
          report_size(&cols, &rows, 1);
        } else if (si.ssi_signo == SIGHUP) {
          /* The terminal went away: nothing left to restore or to wait for. */
          code = 0;
          break;
        } else if ((si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) && gone_at < 0) {
          if (!direct) {
            code = 0;
            break;
          }
          /* The server draws here: the terminal is restored only once it says it stopped (its bye). */
          if (leave_at < 0) {
            quiet = 1;
            send_frame(F_DETACH, NULL, 0);
            leave_at = now_ms() + LEAVE_WAIT_MS;
          }
        }
      }
    }

    if (nfds == 3 && !keys_here && (p[2].revents & (POLLHUP | POLLERR))) {
      code = 0;
      break;
    }
    if (nfds == 3 && keys_here && (p[2].revents & (POLLIN | POLLHUP | POLLERR))) {
      unsigned char keys[4096];
      ssize_t n = read(STDIN_FILENO, keys, sizeof keys);
      if (n > 0) send_frame(F_INPUT, keys, (size_t)n);
      else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        code = 0;
        break;
      }
    }

    if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    if (!read_socket()) {
      if (gone_at >= 0) break; /* the workspace is gone, as it said it would be */
      if (!welcomed) hand_over();
      code = 1;
      say_to = stderr;
      message.n = 0;
      for (const char *c = UNEXPECTED; *c; c++) text_push(&message, (unsigned char)*c);
      break;
    }
    if (gone_at >= 0) {
      have = 0; /* whatever comes after the bye is not for this terminal */
      continue;
    }
    size_t at = 0;
    int done = 0;
    while (!done && have - at >= 5) {
      unsigned char type = buf[at];
      uint32_t len = (uint32_t)buf[at + 1] << 24 | (uint32_t)buf[at + 2] << 16 | (uint32_t)buf[at + 3] << 8 | buf[at + 4];
      static const char *const names[22] = {[1] = "hello", [2] = "input", [3] = "resize", [4] = "detach", [5] = "ready", [16] = "welcome",
                                             [17] = "refuse", [18] = "output", [19] = "bye", [20] = "info", [21] = "reply"};
      const char *name = type < 22 ? names[type] : NULL;
      char problem[160] = "";
      if (!name) snprintf(problem, sizeof problem, "unknown frame type %u", type);
      else if (len > OUTPUT_LIMIT) snprintf(problem, sizeof problem, "a %s frame of %u bytes is over the limit of %u", name, len, OUTPUT_LIMIT);
      if (problem[0]) {
        if (!welcomed) hand_over();
        code = 1, say_to = stderr, message.n = 0;
        char full[256];
        snprintf(full, sizeof full, "agents: the workspace server sent something this client cannot read (%s).", problem);
        for (const char *c = full; *c; c++) text_push(&message, (unsigned char)*c);
        done = 1;
        break;
      }
      if (have - at - 5 < len) break;
      const unsigned char *body = buf + at + 5;
      at += 5 + len;
      if (type == F_OUTPUT) {
        write_all(STDOUT_FILENO, body, len);
      } else if (type == F_WELCOME && !welcomed) {
        static const char *const want[] = {"id", "project", "version", "mouse", "direct", "keys", NULL};
        struct text t[6] = {{0}};
        int b[6], s[6];
        /* As the TypeScript client's schema: id, project and version strings, mouse a boolean, and
         * direct and keys booleans when given (json_members tells a boolean from any other value). */
        int ok = json_members(body, len, want, t, b, s) && s[0] && s[1] && s[2] && b[3] >= 0 && b[4] != -2 && b[5] != -2 && !s[3] && !s[4] && !s[5];
        for (int i = 0; i < 6; i++) free(t[i].cp);
        if (!ok) {
          hand_over(); /* nothing shown yet: the TypeScript client says what this server sent */
        }
        welcomed = 1;
        modes_enter(b[3] == 1);
        direct = b[4] == 1;
        keys_here = !(b[5] == 1);
        if (direct) send_frame(F_READY, NULL, 0);
        report_size(&cols, &rows, 0); /* a resize while the hello was on its way */
      } else if (type == F_REFUSE) {
        static const char *const want[] = {"message", NULL};
        int b[1], s[1];
        message.n = 0;
        if (!json_members(body, len, want, &message, b, s) || !s[0]) {
          message.n = 0;
          for (const char *c = "the workspace server refused this terminal"; *c; c++) text_push(&message, (unsigned char)*c);
        }
        code = 2, say_to = stderr, say_prefix = "agents: ";
        done = 1;
      } else if (type == F_BYE) {
        static const char *const want[] = {"reason", "message", NULL};
        struct text parts[2] = {{0}};
        int b[2], s[2];
        int ok = json_members(body, len, want, parts, b, s) && s[0] && s[1];
        struct text reason = parts[0];
        free(message.cp);
        message = parts[1];
        /* A reason outside the protocol's is no bye the TypeScript client would read: no words shown. */
        ok = ok && (text_is(&reason, "detached") || text_is(&reason, "quit") || text_is(&reason, "stopped") || text_is(&reason, "crashed") || text_is(&reason, "replaced"));
        int crashed = ok && text_is(&reason, "crashed");
        int ending = ok && (text_is(&reason, "quit") || text_is(&reason, "stopped"));
        free(reason.cp);
        if (!ok) message.n = 0;
        code = crashed ? 1 : 0;
        say_to = quiet || !ok || message.n == 0 ? NULL : crashed ? stderr : stdout;
        /* The workspace is stopping its panes: the prompt returns once it is gone. */
        if (ending) gone_at = now_ms() + GONE_WAIT_MS;
        done = 1;
      }
      /* Anything else (an info, a reply) is not for an attached terminal. */
    }
    memmove(buf, buf + at, have - at);
    have -= at;
    if (done) {
      modes_restore();
      if (say_to) say(say_to, say_prefix, &message);
      say_to = NULL;
      if (gone_at < 0) break;
      have = 0;
    }
  }

  modes_restore();
  if (say_to) say(say_to, say_prefix, &message);
  if (sock >= 0) close(sock);
  return code < 0 ? 0 : code;
}
#endif
