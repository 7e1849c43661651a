/*
 * Starting the panes' programs (and the reaper) without fork(): posix_spawn, which glibc makes with
 * clone(CLONE_VM | CLONE_VFORK), so the child borrows the workspace's memory until it execs instead
 * of getting a copy of its page tables.
 *
 * Why: node-pty (forkpty) and libuv (child_process) fork the whole workspace to start a program.
 * Here (a Firecracker VM) a fork of a Node process of ~40 MB took 8-13 ms, and it left every page
 * of the parent write-protected: the next write to each page then faulted, ~13 µs a page, so
 * touching 40 MB again after one spawn cost 130-145 ms against 1.6 ms without (.scratch harness,
 * docs/profile.md). A workspace is 75-100 MB: each pane started, the reaper and every restart paid
 * that on the way to the next frames and keystrokes.
 *
 * ptySpawn(file, args, env, cwd, cols, rows) -> [master, pid, slave]: a new pty (node-pty's
 *   terminal modes and size), and `file` (searched in env's PATH, as execvp does, when it has no
 *   slash) running on it as a session leader with the pty as its controlling terminal and as 0, 1
 *   and 2, no other descriptor (closefrom 3), every signal at its default and none blocked. The
 *   master is non-blocking; master and slave are close-on-exec and the caller's to close (it holds
 *   the slave so that the master reads what a program wrote before it exited, see pty.ts). A program
 *   that cannot be started throws (errno's code and message), and no process is left.
 * ptyResize(master, cols, rows): the pty's size (the kernel signals its foreground group).
 * spawnStdio(file, args, env | null, cwd, modes, setsid) -> [pid, stdin, stdout, stderr]: `file`
 *   (searched as above; env null: this process's) with each of its 0, 1 and 2 a new pipe (mode
 *   "p": our end, close-on-exec, returned) or /dev/null ("n": -1 returned), no other descriptor,
 *   in a session of its own with `setsid` (else in ours, as child_process without `detached`).
 *   The reaper's helper ("pnn", setsid), git ("ppp"), a task's check and attention.command.
 * reapChild(pid) -> undefined while it runs, else [exitCode, signal]: waitpid without waiting. The
 *   caller asks at each SIGCHLD for the children it started here (libuv reaps only its own, by pid).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "napi-args.h"
#include "spawn.h"

#if defined(__linux__) && defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
#define AGENTS_SPAWN 1
#endif

#ifdef AGENTS_SPAWN

extern char **environ;

static napi_value throw_code(napi_env env, int err, const char *what) {
  char msg[300];
  if (what) snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  else snprintf(msg, sizeof msg, "%s", strerror(err));
  napi_value code, text, error;
  napi_create_string_utf8(env, strerrorname_np(err) ? strerrorname_np(err) : "EIO", NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &text);
  napi_create_error(env, code, text, &error);
  napi_set_named_property(env, error, "code", code);
  napi_throw(env, error);
  return NULL;
}

static void free_list(char **list) {
  if (!list) return;
  for (char **p = list; *p; p++) free(*p);
  free(list);
}

/* An array of strings as a NULL-terminated list, with `first` (may be NULL) in front; NULL with an exception pending. */
static char **str_list(napi_env env, napi_value v, const char *first) {
  bool is_array = false;
  uint32_t n = 0;
  if (napi_is_array(env, v, &is_array) != napi_ok || !is_array || napi_get_array_length(env, v, &n) != napi_ok) {
    napi_throw_type_error(env, NULL, "expected an array of strings");
    return NULL;
  }
  uint32_t off = first ? 1 : 0;
  char **list = calloc(n + off + 1, sizeof *list);
  if (!list) return NULL;
  if (first && !(list[0] = strdup(first))) goto fail;
  for (uint32_t i = 0; i < n; i++) {
    napi_value item;
    if (napi_get_element(env, v, i, &item) != napi_ok || !(list[i + off] = agents_string_arg(env, item))) goto fail;
  }
  return list;
fail:
  free_list(list);
  napi_throw_type_error(env, NULL, "expected an array of strings without NUL characters");
  return NULL;
}

/* execvp's search for a name without a slash, in the child's PATH (`env`), else the default path. */
static char *resolve(const char *file, char *const *env) {
  if (strchr(file, '/')) return strdup(file);
  const char *path = "/usr/local/bin:/usr/bin:/bin";
  for (char *const *e = env; *e; e++)
    if (strncmp(*e, "PATH=", 5) == 0) path = *e + 5;
  size_t flen = strlen(file);
  for (const char *p = path;; p++) {
    const char *end = strchrnul(p, ':');
    size_t dlen = (size_t)(end - p);
    char *cand = malloc(dlen + flen + 3);
    if (!cand) return NULL;
    /* An empty entry is the current folder, as in execvp. */
    if (dlen == 0) strcpy(cand, "./");
    else memcpy(cand, p, dlen), cand[dlen] = '/', cand[dlen + 1] = 0;
    strcat(cand, file);
    struct stat st;
    if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0) return cand;
    free(cand);
    if (!*end) break;
    p = end;
  }
  errno = ENOENT;
  return NULL;
}

/* Attributes every child gets: a session of its own, default signal actions, nothing blocked. */
static void child_attrs(posix_spawnattr_t *attrs) {
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_init(attrs);
  posix_spawnattr_setsigdefault(attrs, &all);
  posix_spawnattr_setsigmask(attrs, &none);
  posix_spawnattr_setflags(attrs, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
}

/* posix_spawn, and for a file the kernel cannot run itself (no #!), /bin/sh on it as execvp does. */
static int spawn_file(pid_t *pid, const char *path, const posix_spawn_file_actions_t *acts, const posix_spawnattr_t *attrs, char **argv, char **envp) {
  int err = posix_spawn(pid, path, acts, attrs, argv, envp);
  if (err != ENOEXEC) return err;
  size_t n = 0;
  while (argv[n]) n++;
  char **sh = calloc(n + 2, sizeof *sh);
  if (!sh) return ENOMEM;
  sh[0] = "/bin/sh";
  sh[1] = (char *)path;
  for (size_t i = 1; i < n; i++) sh[i + 1] = argv[i];
  err = posix_spawn(pid, "/bin/sh", acts, attrs, sh, envp);
  free(sh);
  return err;
}

/* What a spawn names: the program, its arguments (the program first), environment and folder. */
struct command {
  char *file, *cwd, *path, **args, **envp;
};

static void command_free(struct command *c) {
  free(c->file), free(c->cwd), free(c->path);
  free_list(c->args), free_list(c->envp);
}

/*
 * Reads (file, args, env, cwd) from `argv` (env null or undefined: this process's) and finds the
 * program: 0, or an errno of the search, or -1 with an exception pending.
 */
static int command_read(napi_env env, const napi_value argv[4], struct command *c) {
  napi_valuetype t;
  memset(c, 0, sizeof *c);
  if (napi_typeof(env, argv[2], &t) != napi_ok) return -1;
  bool own_env = t != napi_null && t != napi_undefined;
  if (!(c->file = agents_string_arg(env, argv[0])) || !(c->cwd = agents_string_arg(env, argv[3]))) {
    napi_throw_type_error(env, NULL, "the program and the folder must be strings without NUL characters");
    return -1;
  }
  if (!(c->args = str_list(env, argv[1], c->file)) || (own_env && !(c->envp = str_list(env, argv[2], NULL)))) return -1;
  return (c->path = resolve(c->file, c->envp ? c->envp : environ)) ? 0 : errno;
}

/* Starts the command with `acts` (to which it adds closing everything from 3 and the folder); both are destroyed. */
static int command_run(struct command *c, posix_spawn_file_actions_t *acts, bool setsid, pid_t *pid) {
  posix_spawnattr_t attrs;
  posix_spawn_file_actions_addclosefrom_np(acts, 3);
  if (*c->cwd) posix_spawn_file_actions_addchdir_np(acts, c->cwd);
  child_attrs(&attrs);
  /* Without setsid it stays in this process's session and group, as child_process's children do. */
  if (!setsid) posix_spawnattr_setflags(&attrs, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  int err = spawn_file(pid, c->path, acts, &attrs, c->args, c->envp ? c->envp : environ);
  posix_spawn_file_actions_destroy(acts);
  posix_spawnattr_destroy(&attrs);
  return err;
}

/* The numbers as a JavaScript array. */
static napi_value int_array(napi_env env, const int *v, uint32_t n) {
  napi_value result, item;
  napi_create_array_with_length(env, n, &result);
  for (uint32_t i = 0; i < n; i++) {
    napi_create_int32(env, v[i], &item);
    napi_set_element(env, result, i, item);
  }
  return result;
}

/* node-pty's terminal modes for a new pty (its pty.cc), so programs see the same terminal as before. */
static void pty_modes(struct termios *t) {
  memset(t, 0, sizeof *t);
  t->c_iflag = ICRNL | IXON | IXANY | IMAXBEL | BRKINT | IUTF8;
  t->c_oflag = OPOST | ONLCR;
  t->c_cflag = CREAD | CS8 | HUPCL;
  t->c_lflag = ICANON | ISIG | IEXTEN | ECHO | ECHOE | ECHOK | ECHOKE | ECHOCTL;
  t->c_cc[VEOF] = 4;
  t->c_cc[VEOL] = (cc_t)-1;
  t->c_cc[VEOL2] = (cc_t)-1;
  t->c_cc[VERASE] = 0x7f;
  t->c_cc[VWERASE] = 23;
  t->c_cc[VKILL] = 21;
  t->c_cc[VREPRINT] = 18;
  t->c_cc[VINTR] = 3;
  t->c_cc[VQUIT] = 0x1c;
  t->c_cc[VSUSP] = 26;
  t->c_cc[VSTART] = 17;
  t->c_cc[VSTOP] = 19;
  t->c_cc[VLNEXT] = 22;
  t->c_cc[VDISCARD] = 15;
  t->c_cc[VMIN] = 1;
  t->c_cc[VTIME] = 0;
  cfsetispeed(t, B38400);
  cfsetospeed(t, B38400);
}

static napi_value pty_spawn(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  int32_t cols = 0, rows = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 6 || napi_get_value_int32(env, argv[4], &cols) != napi_ok ||
      napi_get_value_int32(env, argv[5], &rows) != napi_ok || cols < 1 || rows < 1 || cols > 65535 || rows > 65535) {
    napi_throw_type_error(env, NULL, "ptySpawn(file, args, env, cwd, cols, rows)");
    return NULL;
  }
  struct command c;
  int master = -1, slave = -1;
  const char *what = NULL;
  napi_value result = NULL;
  int err = command_read(env, argv, &c);
  if (err) goto out;
  char pts[128];
  struct termios modes;
  pty_modes(&modes);
  struct winsize size = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
  if ((master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0 || grantpt(master) != 0 || unlockpt(master) != 0 || ptsname_r(master, pts, sizeof pts) != 0 ||
      (slave = open(pts, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0 || tcsetattr(slave, TCSANOW, &modes) != 0 || ioctl(master, TIOCSWINSZ, &size) != 0 ||
      fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK) != 0) {
    err = errno, what = "a new pty";
    goto out;
  }
  posix_spawn_file_actions_t acts;
  posix_spawn_file_actions_init(&acts);
  /* After setsid (glibc sets up the session before the file actions): opening the slave without
   * O_NOCTTY makes it the session's controlling terminal. */
  posix_spawn_file_actions_addopen(&acts, 0, pts, O_RDWR, 0);
  posix_spawn_file_actions_adddup2(&acts, 0, 1);
  posix_spawn_file_actions_adddup2(&acts, 0, 2);
  pid_t pid = 0;
  if ((err = command_run(&c, &acts, true, &pid))) goto out;
  result = int_array(env, (int[]){master, pid, slave}, 3);
  master = slave = -1;
out:
  if (master >= 0) close(master);
  if (slave >= 0) close(slave);
  command_free(&c);
  if (err > 0) return throw_code(env, err, what);
  return result;
}

static napi_value pty_resize(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  int32_t fd = -1, cols = 0, rows = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3 || napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
      napi_get_value_int32(env, argv[1], &cols) != napi_ok || napi_get_value_int32(env, argv[2], &rows) != napi_ok || cols < 1 || rows < 1 || cols > 65535 ||
      rows > 65535) {
    napi_throw_type_error(env, NULL, "ptyResize(fd, cols, rows)");
    return NULL;
  }
  struct winsize size = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
  if (ioctl(fd, TIOCSWINSZ, &size) != 0) return throw_code(env, errno, "ptyResize");
  return NULL;
}

/* Whether the program on a pty still has it in line mode (canonical input or echo on): keys written
 * now would be edited and echoed by the tty, not read by the program. A master's modes are its
 * slave's. null when they cannot be read. */
static napi_value pty_line_mode(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd = -1;
  napi_value result;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok) {
    napi_throw_type_error(env, NULL, "ptyLineMode(fd)");
    return NULL;
  }
  struct termios t;
  if (tcgetattr(fd, &t) != 0) {
    napi_get_null(env, &result);
    return result;
  }
  napi_get_boolean(env, (t.c_lflag & (ICANON | ECHO)) != 0, &result);
  return result;
}

static napi_value spawn_stdio(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  bool setsid = false;
  char modes[4] = {0};
  size_t mlen = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 6 || napi_get_value_string_utf8(env, argv[4], modes, sizeof modes, &mlen) != napi_ok ||
      mlen != 3 || strspn(modes, "pn") != 3 || napi_get_value_bool(env, argv[5], &setsid) != napi_ok) {
    napi_throw_type_error(env, NULL, "spawnStdio(file, args, env | null, cwd, modes, setsid): modes is three of p (a pipe) or n (/dev/null)");
    return NULL;
  }
  struct command c;
  /* Per stdio descriptor: [the child's end, ours]; -1 when none. */
  int fds[3][2] = {{-1, -1}, {-1, -1}, {-1, -1}};
  napi_value result = NULL;
  int err = command_read(env, argv, &c);
  if (err) goto out;
  for (int i = 0; i < 3; i++) {
    int p[2];
    if (modes[i] != 'p') continue;
    if (pipe2(p, O_CLOEXEC) != 0) {
      err = errno;
      goto out;
    }
    /* stdin's pipe is written by us; stdout's and stderr's are read. */
    fds[i][0] = i == 0 ? p[0] : p[1];
    fds[i][1] = i == 0 ? p[1] : p[0];
  }
  posix_spawn_file_actions_t acts;
  posix_spawn_file_actions_init(&acts);
  for (int i = 0; i < 3; i++) {
    if (modes[i] == 'p') posix_spawn_file_actions_adddup2(&acts, fds[i][0], i);
    else posix_spawn_file_actions_addopen(&acts, i, "/dev/null", i == 0 ? O_RDONLY : O_WRONLY, 0);
  }
  pid_t pid = 0;
  if ((err = command_run(&c, &acts, setsid, &pid))) goto out;
  result = int_array(env, (int[]){pid, fds[0][1], fds[1][1], fds[2][1]}, 4);
  for (int i = 0; i < 3; i++) fds[i][1] = -1;
out:
  /* The child's ends always go here; ours too unless they were handed over. */
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 2; j++)
      if (fds[i][j] >= 0) close(fds[i][j]);
  command_free(&c);
  if (err > 0) return throw_code(env, err, NULL);
  return result;
}

static napi_value reap_child(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t pid = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || napi_get_value_int32(env, argv[0], &pid) != napi_ok || pid <= 0) {
    napi_throw_type_error(env, NULL, "reapChild(pid)");
    return NULL;
  }
  int status = 0;
  pid_t r;
  do r = waitpid(pid, &status, WNOHANG);
  while (r < 0 && errno == EINTR);
  if (r == 0) return NULL;
  /* ECHILD: not ours to wait for, or waited for already: it has ended, how is not known. */
  int code = r < 0 ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : 0;
  int sig = r > 0 && WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  return int_array(env, (int[]){code, sig}, 2);
}

void agents_spawn_define(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"ptySpawn", NULL, pty_spawn, NULL, NULL, NULL, napi_enumerable, NULL},
    {"ptyResize", NULL, pty_resize, NULL, NULL, NULL, napi_enumerable, NULL},
    {"ptyLineMode", NULL, pty_line_mode, NULL, NULL, NULL, napi_enumerable, NULL},
    {"spawnStdio", NULL, spawn_stdio, NULL, NULL, NULL, napi_enumerable, NULL},
    {"reapChild", NULL, reap_child, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}

#else

void agents_spawn_define(napi_env env, napi_value exports) {
  (void)env, (void)exports;
}

#endif
