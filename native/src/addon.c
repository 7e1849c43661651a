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
 * peerPid(fd): the process at the other end of a connected unix socket, as the kernel recorded it
 * when it connected (SO_PEERCRED, Linux); 0 elsewhere. The workspace server draws straight to a
 * terminal's screen only when it is that process's own (src/server/direct.ts), and a pid a client
 * merely claimed would let it name another terminal.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <node_api.h>
#include <sys/socket.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "fds.h"
#include "inotify.h"

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

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
    {"cloexecFrom", NULL, cloexec_from, NULL, NULL, NULL, napi_enumerable, NULL},
    {"isCloexec", NULL, is_cloexec, NULL, NULL, NULL, napi_enumerable, NULL},
    {"mallocTrim", NULL, malloc_trim_all, NULL, NULL, NULL, napi_enumerable, NULL},
    {"peerPid", NULL, peer_pid, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  agents_inotify_define(env, exports);
  return exports;
}
