/*
 * The workspace's native helpers (N-API, so one build serves every Node version of the ABI).
 *
 * cloexecFrom(low): marks every descriptor >= low close-on-exec. Node has no fcntl, and native
 * libraries open descriptors without the flag (node-pty's forkpty() masters, a popen() pipe in
 * @parcel/watcher), which every later child would otherwise inherit.
 *
 * isCloexec(fd): whether one descriptor has the flag (tests, and a check after the sweep).
 *
 * mallocTrim(): glibc's malloc_trim(0), which returns the free pages inside malloc's heap to the
 * system. Memory freed by the workspace (scrollback arrays after a GC) otherwise stays resident:
 * measured 183 -> 105-115 MB after packing 16 full scrollbacks. False elsewhere (no glibc).
 *
 * inotifyOpen/Add/Remove/Close (Linux only): the file watcher's thread-free backend, see inotify.c.
 *
 * readerOpen/Pause/Resume/Drain/Close (Linux only): a pane's pty master read on the event loop, one
 * call into JavaScript per turn with everything it had (reader.c).
 *
 * peerPid(fd): the process at the other end of a connected unix socket, as the kernel recorded it
 * when it connected (SO_PEERCRED, Linux); 0 elsewhere. The workspace server draws straight to a
 * terminal's screen only when it is that process's own (src/server/direct.ts), and a pid a client
 * merely claimed would let it name another terminal.
 *
 * mapSource(path): a program's text over a mapping of its file, without a copy (source.c).
 *
 * mapCache(path, magic): a code cache's V8 data over a mapping of its file, checked (source.c).
 *
 * diffCells(...): the frame's diff over the grids' typed arrays (diff.c).
 *
 * ptySpawn/ptyResize/spawnDetached/reapChild (Linux, glibc): programs started without fork() (spawn.c).
 *
 * handOver(path, args, fd) (Linux): the terminal client becomes agents-attach (native/src/attach.c)
 * once attached, so no Node process sits idle in each terminal (~50 MB and a collection of its
 * start's garbage). Takes the terminal's modes as they are now (the person's own: the caller has just
 * left raw mode), sets raw mode again in the same breath, and execs `path args... HEX` with HEX those
 * modes; only the connection `fd` and 0, 1, 2 cross the exec (libuv put its own reopened terminal
 * in 0 and 1, close-on-exec: that flag is taken off). Returns only when exec failed (it
 * throws then), with the modes put back as they were.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <node_api.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "diff.h"
#include "fds.h"
#include "inotify.h"
#include "napi-args.h"
#include "reader.h"
#include "source.h"
#include "spawn.h"
#include "tty.h"

static napi_value throw_errno(napi_env env, const char *what) {
  char msg[160];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(errno));
  napi_throw_error(env, "ERR_AGENTS_NATIVE", msg);
  return NULL;
}

static int int_arg(napi_env env, napi_callback_info info, int32_t *out) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) return -1;
  return napi_get_value_int32(env, argv[0], out) == napi_ok ? 0 : -1;
}

static napi_value cloexec_from(napi_env env, napi_callback_info info) {
  int32_t low;
  if (int_arg(env, info, &low) != 0 || low < 0) {
    napi_throw_type_error(env, NULL, "cloexecFrom(low): low must be a descriptor number");
    return NULL;
  }
  if (agents_cloexec_from(low) != 0) return throw_errno(env, "cloexecFrom");
  return NULL;
}

static napi_value is_cloexec(napi_env env, napi_callback_info info) {
  int32_t fd;
  if (int_arg(env, info, &fd) != 0 || fd < 0) {
    napi_throw_type_error(env, NULL, "isCloexec(fd): fd must be a descriptor number");
    return NULL;
  }
  int flags = fcntl(fd, F_GETFD);
  if (flags < 0) return throw_errno(env, "isCloexec");
  napi_value result;
  napi_get_boolean(env, (flags & FD_CLOEXEC) != 0, &result);
  return result;
}

static napi_value malloc_trim_all(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
#ifdef __GLIBC__
  napi_get_boolean(env, malloc_trim(0) != 0, &result);
#else
  napi_get_boolean(env, false, &result);
#endif
  return result;
}

static napi_value peer_pid(napi_env env, napi_callback_info info) {
  int32_t fd;
  if (int_arg(env, info, &fd) != 0 || fd < 0) {
    napi_throw_type_error(env, NULL, "peerPid(fd): fd must be a descriptor number");
    return NULL;
  }
  int32_t pid = 0;
#ifdef SO_PEERCRED
  struct ucred cred;
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return throw_errno(env, "peerPid");
  pid = cred.pid;
#endif
  napi_value result;
  napi_create_int32(env, pid, &result);
  return result;
}

static napi_value hand_over(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  uint32_t n = 0;
  int32_t fd = -1;
  bool is_array = false;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3 || napi_is_array(env, argv[1], &is_array) != napi_ok || !is_array ||
      napi_get_array_length(env, argv[1], &n) != napi_ok || n > 64 || napi_get_value_int32(env, argv[2], &fd) != napi_ok || fd < 3) {
    napi_throw_type_error(env, NULL, "handOver(path, args, fd): a path, up to 64 string arguments and a descriptor from 3 up");
    return NULL;
  }
  char *args[68] = {0};
  char hex[AGENTS_TERMIOS_HEX];
  int ok = (args[0] = agents_string_arg(env, argv[0])) != NULL;
  for (uint32_t i = 0; ok && i < n; i++) {
    napi_value item;
    ok = napi_get_element(env, argv[1], i, &item) == napi_ok && (args[i + 1] = agents_string_arg(env, item)) != NULL;
  }
  struct termios own;
  if (!ok) {
    napi_throw_type_error(env, NULL, "handOver: the path and every argument must be strings");
  } else if (tcgetattr(STDIN_FILENO, &own) != 0) {
    throw_errno(env, "handOver: the terminal's modes");
  } else {
    agents_termios_to_hex(&own, hex);
    args[n + 1] = hex;
    /* Held from here: a signal in the gap would be lost to Node's handler, or kill the new program
     * before it takes them (with the terminal raw); blocked, it waits for agents-attach's signalfd. */
    sigset_t held, before;
    agents_attach_signals(&held);
    pthread_sigmask(SIG_BLOCK, &held, &before);
    struct termios raw = agents_raw(own);
    tcsetattr(STDIN_FILENO, TCSANOW, &raw);
    agents_cloexec_from(3);
    fcntl(fd, F_SETFD, 0);
    /* libuv reopened the terminal for stdin and stdout and put it in their place close-on-exec. */
    int std_flags[3];
    for (int i = 0; i < 3; i++) {
      std_flags[i] = fcntl(i, F_GETFD);
      if (std_flags[i] >= 0) fcntl(i, F_SETFD, std_flags[i] & ~FD_CLOEXEC);
    }
    execv(args[0], args);
    int e = errno;
    for (int i = 0; i < 3; i++)
      if (std_flags[i] >= 0) fcntl(i, F_SETFD, std_flags[i]);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    tcsetattr(STDIN_FILENO, TCSANOW, &own);
    pthread_sigmask(SIG_SETMASK, &before, NULL);
    errno = e;
    throw_errno(env, "handOver");
  }
  for (uint32_t i = 0; i <= n; i++) free(args[i]);
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
    {"cloexecFrom", NULL, cloexec_from, NULL, NULL, NULL, napi_enumerable, NULL},
    {"isCloexec", NULL, is_cloexec, NULL, NULL, NULL, napi_enumerable, NULL},
    {"mallocTrim", NULL, malloc_trim_all, NULL, NULL, NULL, napi_enumerable, NULL},
    {"peerPid", NULL, peer_pid, NULL, NULL, NULL, napi_enumerable, NULL},
    {"handOver", NULL, hand_over, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  agents_inotify_define(env, exports);
  agents_reader_define(env, exports);
  agents_source_define(env, exports);
  agents_diff_define(env, exports);
  agents_spawn_define(env, exports);
  return exports;
}
