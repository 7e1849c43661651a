/*
 * Linux inotify on the Node event loop, with no thread of its own.
 *
 * Why: @parcel/watcher reads inotify on a thread of its own whose poll() times out every 500 ms
 * even when nothing changes. On this machine each of those wake-ups costs ~0.4 ms of CPU, and that
 * thread was about half of an idle detached workspace's CPU (docs/profile.md). Here the inotify
 * descriptor is one more descriptor in libuv's epoll set: nothing runs until the kernel has events.
 *
 * inotifyOpen(onEvents): a new inotify instance (non-blocking, close-on-exec). Whenever it is
 *   readable, everything queued is read and onEvents(buffer) is called once with the raw
 *   `struct inotify_event` records (little-endian wd, mask, cookie, len, then len bytes of name);
 *   onEvents() with no buffer when reading failed (the instance then reads no more). While open it
 *   keeps the event loop alive, as fs.watch does; if Node's environment ends first (a worker
 *   thread's end), it closes itself before the loop does.
 * inotifyAdd(handle, path, mask): inotify_add_watch; returns the watch descriptor, throws with the
 *   errno's name as `code` (ENOENT, ENOTDIR, ENOSPC when the system's watch limit is reached...).
 * inotifyRemove(handle, wd): inotify_rm_watch; a watch the kernel already removed is no error.
 * inotifyClose(handle): stops reading; no callback runs after it returns. Idempotent.
 *
 * The reading and the handle's lifetime are reader.c's, shared with the panes' pty masters.
 */
#ifdef __linux__
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <uv.h>
#endif
#include <node_api.h>

#include "inotify.h"
#include "reader.h"

#ifdef __linux__

/* Past this much in one callback the rest waits for the next turn of the loop. */
#define READ_LIMIT (1 << 20)

static napi_value throw_code(napi_env env, int err, const char *what) {
  char msg[256];
  const char *name = uv_err_name(uv_translate_sys_error(err));
  snprintf(msg, sizeof msg, "%s: %s (%s)", what, strerror(err), name);
  napi_throw_error(env, name, msg);
  return NULL;
}

static agents_reader *handle_arg(napi_env env, napi_value v) {
  return agents_reader_arg(env, v, AGENTS_READER_INOTIFY);
}

static napi_value inotify_open(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_valuetype type = napi_undefined;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_typeof(env, argv[0], &type) != napi_ok || type != napi_function) {
    napi_throw_type_error(env, NULL, "inotifyOpen(onEvents): onEvents must be a function");
    return NULL;
  }
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return throw_code(env, errno, "inotify_init1");
  return agents_reader_open(env, fd, AGENTS_READER_INOTIFY, argv[0], READ_LIMIT);
}

static napi_value inotify_add(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3) {
    napi_throw_type_error(env, NULL, "inotifyAdd(handle, path, mask)");
    return NULL;
  }
  agents_reader *w = handle_arg(env, argv[0]);
  if (!w) return NULL;
  char path[4097];
  size_t plen;
  uint32_t mask;
  if (napi_get_value_string_utf8(env, argv[1], path, sizeof path, &plen) != napi_ok ||
      napi_get_value_uint32(env, argv[2], &mask) != napi_ok) {
    napi_throw_type_error(env, NULL, "inotifyAdd(handle, path, mask): path must be a string, mask a number");
    return NULL;
  }
  if (plen >= sizeof path - 1) return throw_code(env, ENAMETOOLONG, "inotify_add_watch");
  int fd = agents_reader_fd(w);
  if (fd < 0) return throw_code(env, EBADF, "inotify_add_watch on a closed handle");
  int wd = inotify_add_watch(fd, path, mask);
  if (wd < 0) return throw_code(env, errno, "inotify_add_watch");
  napi_value result;
  napi_create_int32(env, wd, &result);
  return result;
}

static napi_value inotify_remove(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t wd;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      napi_get_value_int32(env, argv[1], &wd) != napi_ok) {
    napi_throw_type_error(env, NULL, "inotifyRemove(handle, wd)");
    return NULL;
  }
  agents_reader *w = handle_arg(env, argv[0]);
  if (!w) return NULL;
  int fd = agents_reader_fd(w);
  if (fd >= 0 && inotify_rm_watch(fd, wd) != 0 && errno != EINVAL) return throw_code(env, errno, "inotify_rm_watch");
  return NULL;
}

static napi_value inotify_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) return NULL;
  agents_reader *w = handle_arg(env, argv[0]);
  if (w) agents_reader_close(env, w);
  return NULL;
}

void agents_inotify_define(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"inotifyOpen", NULL, inotify_open, NULL, NULL, NULL, napi_enumerable, NULL},
    {"inotifyAdd", NULL, inotify_add, NULL, NULL, NULL, napi_enumerable, NULL},
    {"inotifyRemove", NULL, inotify_remove, NULL, NULL, NULL, napi_enumerable, NULL},
    {"inotifyClose", NULL, inotify_close, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}

#else

void agents_inotify_define(napi_env env, napi_value exports) {
  (void)env;
  (void)exports;
}

#endif
