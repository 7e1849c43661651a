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
 * Lifetime: the JS external holds a strong reference to itself while open, so an open instance is
 * never collected; memory is freed once both libuv has closed the poll handle and the external is
 * gone.
 */
#ifdef __linux__
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>
#include <uv.h>
#endif
#include <node_api.h>

#include "inotify.h"

#ifdef __linux__

/* One read; inotify needs room for at least one record with the longest name. */
#define READ_CHUNK 65536
/* Past this much in one callback the rest waits for the next turn of the loop. */
#define READ_LIMIT (1 << 20)

typedef struct {
  uv_poll_t poll;
  int fd;
  napi_env env;
  napi_ref self;
  napi_ref callback;
  napi_async_context async;
  int open;
  int handle_closed;
  int finalized;
  /* Set while open: closes the instance if Node's environment goes first (a worker's end). */
  napi_async_cleanup_hook_handle cleanup;
  /* The teardown's own handle, removed once libuv has closed the poll handle. */
  napi_async_cleanup_hook_handle teardown;
  char *buf;
  size_t cap;
} inotify_t;

/* Tells our externals from any other (inotifyAdd(someOtherExternal) must not read it as ours). */
static const napi_type_tag INOTIFY_TAG = {0x6167656e74736e6fULL, 0x696e6f7469667921ULL};

static void maybe_free(inotify_t *w) {
  if (!w->handle_closed || !w->finalized) return;
  free(w->buf);
  free(w);
}

static void on_closed(uv_handle_t *h) {
  inotify_t *w = h->data;
  close(w->fd);
  w->handle_closed = 1;
  if (w->teardown) {
    /* The environment is ending: its references are not ours to touch; it runs the finalizer, before or after this. */
    napi_remove_async_cleanup_hook(w->teardown);
    w->teardown = NULL;
  }
  maybe_free(w);
}

/* Node's environment is going (a worker thread's end, or the process's): close before its loop does. */
static void on_teardown(napi_async_cleanup_hook_handle handle, void *arg) {
  inotify_t *w = arg;
  w->open = 0;
  w->cleanup = NULL;
  w->teardown = handle;
  uv_poll_stop(&w->poll);
  uv_close((uv_handle_t *)&w->poll, on_closed);
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  inotify_t *w = data;
  w->finalized = 1;
  maybe_free(w);
}

static napi_value throw_code(napi_env env, int err, const char *what) {
  char msg[256];
  const char *name = uv_err_name(uv_translate_sys_error(err));
  snprintf(msg, sizeof msg, "%s: %s (%s)", what, strerror(err), name);
  napi_throw_error(env, name, msg);
  return NULL;
}

static void on_readable(uv_poll_t *p, int status, int events) {
  (void)events;
  inotify_t *w = p->data;
  if (!w->open) return;
  size_t len = 0;
  int failed = status < 0; /* libuv has stopped the handle itself then */
  while (!failed && len < READ_LIMIT) {
    if (w->cap - len < READ_CHUNK) {
      size_t cap = w->cap ? w->cap * 2 : READ_CHUNK;
      char *buf = realloc(w->buf, cap);
      if (!buf) {
        failed = len == 0;
        break;
      }
      w->buf = buf;
      w->cap = cap;
    }
    ssize_t n = read(w->fd, w->buf + len, w->cap - len);
    if (n > 0) {
      len += (size_t)n;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && len == 0) failed = 1;
    break; /* EAGAIN: all read */
  }
  if (failed) {
    /* Reading cannot go on: stop (or the poll fires again at once) and say so, with no buffer. */
    uv_poll_stop(&w->poll);
  } else if (len == 0) {
    return;
  }
  napi_env env = w->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value buffer = NULL, cb, recv;
  int made = failed ? napi_get_undefined(env, &buffer) == napi_ok : napi_create_buffer_copy(env, len, w->buf, NULL, &buffer) == napi_ok;
  /* A burst grew the buffer: give it back rather than keep a megabyte per instance. */
  if (w->cap > 2 * READ_CHUNK) {
    free(w->buf);
    w->buf = NULL;
    w->cap = 0;
  }
  if (made && napi_get_reference_value(env, w->callback, &cb) == napi_ok && napi_get_global(env, &recv) == napi_ok) {
    napi_make_callback(env, w->async, recv, cb, 1, &buffer, NULL);
    bool pending = false;
    /* A throwing listener is an uncaught exception, as in any other event callback. */
    if (napi_is_exception_pending(env, &pending) == napi_ok && pending) {
      napi_value err;
      napi_get_and_clear_last_exception(env, &err);
      napi_fatal_exception(env, err);
    }
  }
  napi_close_handle_scope(env, scope);
}

static inotify_t *handle_arg(napi_env env, napi_value v) {
  void *data = NULL;
  bool ours = false;
  if (napi_check_object_type_tag(env, v, &INOTIFY_TAG, &ours) != napi_ok || !ours ||
      napi_get_value_external(env, v, &data) != napi_ok || !data) {
    napi_throw_type_error(env, NULL, "not an inotify handle");
    return NULL;
  }
  return data;
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
  uv_loop_t *loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) {
    napi_throw_error(env, NULL, "inotifyOpen: no event loop");
    return NULL;
  }
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return throw_code(env, errno, "inotify_init1");
  inotify_t *w = calloc(1, sizeof *w);
  if (!w) {
    close(fd);
    return throw_code(env, ENOMEM, "inotifyOpen");
  }
  w->fd = fd;
  w->env = env;
  int rc = uv_poll_init(loop, &w->poll, fd);
  if (rc == 0) {
    w->poll.data = w;
    rc = uv_poll_start(&w->poll, UV_READABLE, on_readable);
    if (rc != 0) {
      /* Initialised: it must be closed through libuv; the external below still frees it. */
      w->open = 0;
      uv_close((uv_handle_t *)&w->poll, on_closed);
    }
  } else {
    close(fd);
    w->handle_closed = 1;
  }
  napi_value ext, name, resource;
  napi_create_external(env, w, finalize, NULL, &ext);
  if (rc != 0) {
    napi_throw_error(env, uv_err_name(rc), uv_strerror(rc));
    return NULL;
  }
  napi_type_tag_object(env, ext, &INOTIFY_TAG);
  napi_create_reference(env, argv[0], 1, &w->callback);
  napi_create_reference(env, ext, 1, &w->self);
  napi_add_async_cleanup_hook(env, on_teardown, w, &w->cleanup);
  napi_create_string_utf8(env, "agents:inotify", NAPI_AUTO_LENGTH, &name);
  napi_create_object(env, &resource);
  napi_async_init(env, resource, name, &w->async);
  w->open = 1;
  return ext;
}

static napi_value inotify_add(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3) {
    napi_throw_type_error(env, NULL, "inotifyAdd(handle, path, mask)");
    return NULL;
  }
  inotify_t *w = handle_arg(env, argv[0]);
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
  if (!w->open) return throw_code(env, EBADF, "inotify_add_watch on a closed handle");
  int wd = inotify_add_watch(w->fd, path, mask);
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
  inotify_t *w = handle_arg(env, argv[0]);
  if (!w) return NULL;
  if (w->open && inotify_rm_watch(w->fd, wd) != 0 && errno != EINVAL) return throw_code(env, errno, "inotify_rm_watch");
  return NULL;
}

static napi_value inotify_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) return NULL;
  inotify_t *w = handle_arg(env, argv[0]);
  if (!w || !w->open) return NULL;
  w->open = 0;
  if (w->cleanup) napi_remove_async_cleanup_hook(w->cleanup);
  w->cleanup = NULL;
  uv_poll_stop(&w->poll);
  uv_close((uv_handle_t *)&w->poll, on_closed);
  napi_delete_reference(env, w->callback);
  napi_async_destroy(env, w->async);
  napi_delete_reference(env, w->self);
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
