/*
 * A descriptor read on Node's event loop: one more descriptor in libuv's epoll set, whose callback
 * reads and hands what it read to JavaScript in one call (inotify: everything queued; a pty: one
 * read, see below). Used for inotify (inotify.c) and for the panes' pty masters.
 *
 * Why a pty master is read here and not through node-pty's stream: each chunk went through the
 * stream's machinery (Readable, its StringDecoder, EventEmitter, then node-pty's listener), and a
 * pane printing at an agent's pace paid it for every few lines. Here JavaScript gets a string
 * decoded in C (perf of row 2b's setting: the stream's path was ~19% of the server's samples).
 *
 * How much one turn reads: a pty gives at most what its line discipline holds (4 KB) per read, and
 * reading again when that is empty does not return EAGAIN at once: it waits in the kernel for its
 * worker to push what the program wrote meanwhile (n_tty_read flushes that work). For a burst (an
 * agent's few lines, written one by one) that wait is short and gathers the burst into one call:
 * row 2b's CPU fell 1.6-2.2 points with it. For a flood it is one sleep per 4 KB, and reading
 * until EAGAIN made `seq 1 2000000` ~25% slower than one read per turn (the stream's way). So a
 * turn goes on reading only after a short read (BURST_READ): a full one is taken for a flood.
 *
 * readerOpen(fd, onData): reads the pty master `fd`, which it does not own (node-pty closes it).
 *   onData(text) for what was read, decoded as UTF-8 as Node's StringDecoder does (a character
 *   split across reads comes whole with the next); onData() with nothing when reading failed (EIO:
 *   no slave left and nothing buffered), after which it reads no more.
 * readerPause(handle) / readerResume(handle): stop and start watching (a pane's backpressure).
 * readerDrain(handle): reads what is left now, paused or not, synchronously; returns it as text
 *   (with any unfinished character, as U+FFFD) or undefined when there was nothing (the master is
 *   non-blocking). Bounded: a program still writing cannot keep it going.
 * readerTake(handle): reads now, synchronously (the carry kept), ending after a short read: for a
 *   paused reader its owner reads at ticks of its own (native-pty.ts). Text, or undefined.
 * readerClose(handle): stops for good; no callback runs after it returns. Idempotent. It must come
 *   before the descriptor is closed.
 *
 * Lifetime: the JS external holds a strong reference to itself while open, so an open reader is
 * never collected; memory is freed once both libuv has closed the poll handle and the external is
 * gone. If Node's environment ends first (a worker thread's end), the reader closes itself before
 * the loop does.
 */
#ifdef __linux__
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>
#endif

#include "reader.h"

#ifdef __linux__

/* One read; inotify needs room for at least one record with the longest name. */
#define READ_CHUNK 65536
/* readerDrain's bound, in reads. */
#define DRAIN_READS 64
/* The most a pty is read in one turn. */
#define PTY_LIMIT READ_CHUNK
/* The most a pty gives per read: what its line discipline holds. */
#define PTY_READ 4096
/* A pty read this long is taken for part of a flood: the turn ends with it. A shorter one is a
 * burst's start, whose rest the kernel may be pushing: read on. */
#define BURST_READ (PTY_READ / 2)

/* Who reads (read_all): a drain reads until empty; a poll's turn and a tick stop early. */
enum read_turn { TURN_DRAIN, TURN_POLL, TURN_TICK };

struct agents_reader {
  uv_poll_t poll;
  int fd;
  enum agents_reader_kind kind;
  napi_env env;
  napi_ref self;
  napi_ref callback;
  napi_async_context async;
  size_t limit;
  int open;
  int paused;
  int failed;
  int handle_closed;
  int finalized;
  /* Set while open: closes the reader if Node's environment goes first (a worker's end). */
  napi_async_cleanup_hook_handle cleanup;
  /* The teardown's own handle, removed once libuv has closed the poll handle. */
  napi_async_cleanup_hook_handle teardown;
  char *buf;
  size_t cap;
  /* A pty's bytes of a character whose rest has not arrived, at the start of buf. */
  size_t carry;
};

/* Tells our externals from any other (readerPause(someOtherExternal) must not read it as ours). */
static const napi_type_tag READER_TAG = {0x6167656e74737264ULL, 0x6465722d66642121ULL};

static void maybe_free(agents_reader *r) {
  if (!r->handle_closed || !r->finalized) return;
  free(r->buf);
  free(r);
}

static void on_closed(uv_handle_t *h) {
  agents_reader *r = h->data;
  if (r->kind == AGENTS_READER_INOTIFY) close(r->fd);
  r->fd = -1;
  r->handle_closed = 1;
  if (r->teardown) {
    /* The environment is ending: its references are not ours to touch; it runs the finalizer, before or after this. */
    napi_remove_async_cleanup_hook(r->teardown);
    r->teardown = NULL;
  }
  maybe_free(r);
}

/* Node's environment is going (a worker thread's end, or the process's): close before its loop does. */
static void on_teardown(napi_async_cleanup_hook_handle handle, void *arg) {
  agents_reader *r = arg;
  r->open = 0;
  r->cleanup = NULL;
  r->teardown = handle;
  uv_poll_stop(&r->poll);
  uv_close((uv_handle_t *)&r->poll, on_closed);
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  agents_reader *r = data;
  r->finalized = 1;
  maybe_free(r);
}

/*
 * Reads until the descriptor is empty, `limit` new bytes were read or `max_reads` reads were made;
 * leaves the bytes in r->buf after what was carried over and returns the total there. For a pty,
 * `turn` says when a read ends it early: TURN_POLL (its poll's turn) after a long read (see
 * BURST_READ), TURN_TICK (a paced read) after a short one. *failed: reading cannot go on and
 * nothing new was read.
 */
static size_t read_all(agents_reader *r, size_t limit, int max_reads, enum read_turn turn, int *failed) {
  size_t len = r->carry;
  while (len - r->carry < limit && max_reads-- > 0) {
    size_t want = limit - (len - r->carry) < READ_CHUNK ? limit - (len - r->carry) : READ_CHUNK;
    if (r->cap - len < want) {
      size_t cap = r->cap ? r->cap * 2 : READ_CHUNK;
      char *buf = realloc(r->buf, cap);
      if (!buf) {
        *failed = len == r->carry;
        break;
      }
      r->buf = buf;
      r->cap = cap;
    }
    ssize_t n = read(r->fd, r->buf + len, want);
    if (n > 0) {
      len += (size_t)n;
      if (r->kind == AGENTS_READER_PTY) {
        /* A flood's read: the next would wait in the kernel (see the top of this file). */
        if (turn == TURN_POLL && (size_t)n >= BURST_READ) break;
        /* A paced read comes a tick after the burst began: what it did not get is not there yet,
         * and reading again would only wait for the kernel's worker to say so. */
        if (turn == TURN_TICK && (size_t)n < BURST_READ) break;
      }
      continue;
    }
    if (n < 0 && errno == EINTR) {
      max_reads++;
      continue;
    }
    /* EAGAIN: all read. EIO (a pty without a slave) or a real error: failed, once nothing came. */
    if ((n == 0 || errno != EAGAIN) && len == r->carry) *failed = 1;
    break;
  }
  return len;
}

/* How many bytes at the end of `s` begin a UTF-8 character that has not all arrived yet. */
static size_t incomplete_tail(const unsigned char *s, size_t len) {
  for (size_t back = 1; back <= 3 && back <= len; back++) {
    unsigned char c = s[len - back];
    if ((c & 0xC0) == 0x80) continue; /* a continuation byte: look further back */
    size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

static int all_ascii(const unsigned char *s, size_t len) {
  uint64_t acc = 0;
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t w;
    memcpy(&w, s + i, 8);
    acc |= w;
  }
  for (; i < len; i++) acc |= s[i];
  return (acc & 0x8080808080808080ULL) == 0;
}

/*
 * The `len` bytes in r->buf for JavaScript (NULL for nothing, or on failure): inotify's records as a
 * Buffer; a pty's output as a string, decoded as UTF-8 (Node's StringDecoder's result: a character
 * split across reads waits for its rest, unless `flush`; a bad byte reads as U+FFFD). A string is
 * a bump in V8's young heap where a Buffer is a fresh backing store each time (measured with perf:
 * as much time as the read itself). Gives back a buffer a burst grew.
 */
static napi_value take_output(napi_env env, agents_reader *r, size_t len, int flush) {
  napi_value v = NULL;
  size_t keep = r->kind == AGENTS_READER_PTY && !flush ? incomplete_tail((const unsigned char *)r->buf, len) : 0;
  size_t n = len - keep;
  napi_status st = napi_ok;
  if (n > 0 && r->kind == AGENTS_READER_INOTIFY)
    st = napi_create_buffer_copy(env, n, r->buf, NULL, &v);
  else if (n > 0 && all_ascii((const unsigned char *)r->buf, n))
    st = napi_create_string_latin1(env, r->buf, n, &v);
  else if (n > 0)
    st = napi_create_string_utf8(env, r->buf, n, &v);
  if (st != napi_ok) v = NULL;
  if (keep) memmove(r->buf, r->buf + n, keep);
  r->carry = keep;
  if (r->cap > 2 * READ_CHUNK && !keep) {
    free(r->buf);
    r->buf = NULL;
    r->cap = 0;
  }
  return v;
}

static void on_readable(uv_poll_t *p, int status, int events) {
  (void)events;
  agents_reader *r = p->data;
  if (!r->open) return;
  int failed = status < 0; /* libuv has stopped the handle itself then */
  size_t len = failed ? 0 : read_all(r, r->limit, (int)(r->limit / PTY_READ) + 1, TURN_POLL, &failed);
  if (failed) {
    /* Reading cannot go on: stop (or the poll fires again at once) and say so, with nothing. */
    r->failed = 1;
    uv_poll_stop(&r->poll);
  } else if (len == r->carry) {
    return;
  }
  napi_env env = r->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value out = failed ? NULL : take_output(env, r, len, 0), cb, recv;
  if ((failed || out) && napi_get_reference_value(env, r->callback, &cb) == napi_ok && napi_get_global(env, &recv) == napi_ok) {
    napi_make_callback(env, r->async, recv, cb, out ? 1 : 0, out ? &out : NULL, NULL);
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

agents_reader *agents_reader_arg(napi_env env, napi_value v, enum agents_reader_kind kind) {
  void *data = NULL;
  bool ours = false;
  if (napi_check_object_type_tag(env, v, &READER_TAG, &ours) != napi_ok || !ours ||
      napi_get_value_external(env, v, &data) != napi_ok || !data || ((agents_reader *)data)->kind != kind) {
    napi_throw_type_error(env, NULL, kind == AGENTS_READER_PTY ? "not a pty reader" : "not an inotify handle");
    return NULL;
  }
  return data;
}

int agents_reader_fd(const agents_reader *r) {
  return r->open ? r->fd : -1;
}

napi_value agents_reader_open(napi_env env, int fd, enum agents_reader_kind kind, napi_value callback, size_t limit) {
  int own = kind == AGENTS_READER_INOTIFY;
  uv_loop_t *loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) {
    if (own) close(fd);
    napi_throw_error(env, NULL, "no event loop");
    return NULL;
  }
  agents_reader *r = calloc(1, sizeof *r);
  if (!r) {
    if (own) close(fd);
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  r->fd = fd;
  r->kind = kind;
  r->env = env;
  r->limit = limit;
  int rc = uv_poll_init(loop, &r->poll, fd);
  if (rc == 0) {
    r->poll.data = r;
    rc = uv_poll_start(&r->poll, UV_READABLE, on_readable);
    if (rc != 0) {
      /* Initialised: it must be closed through libuv; the external below still frees it. */
      uv_close((uv_handle_t *)&r->poll, on_closed);
    }
  } else {
    if (own) close(fd);
    r->handle_closed = 1;
  }
  napi_value ext, name, resource;
  napi_create_external(env, r, finalize, NULL, &ext);
  if (rc != 0) {
    napi_throw_error(env, uv_err_name(rc), uv_strerror(rc));
    return NULL;
  }
  napi_type_tag_object(env, ext, &READER_TAG);
  napi_create_reference(env, callback, 1, &r->callback);
  napi_create_reference(env, ext, 1, &r->self);
  napi_add_async_cleanup_hook(env, on_teardown, r, &r->cleanup);
  napi_create_string_utf8(env, kind == AGENTS_READER_PTY ? "agents:pty" : "agents:inotify", NAPI_AUTO_LENGTH, &name);
  napi_create_object(env, &resource);
  napi_async_init(env, resource, name, &r->async);
  r->open = 1;
  return ext;
}

void agents_reader_close(napi_env env, agents_reader *r) {
  if (!r->open) return;
  r->open = 0;
  if (r->cleanup) napi_remove_async_cleanup_hook(r->cleanup);
  r->cleanup = NULL;
  uv_poll_stop(&r->poll);
  uv_close((uv_handle_t *)&r->poll, on_closed);
  napi_delete_reference(env, r->callback);
  napi_async_destroy(env, r->async);
  napi_delete_reference(env, r->self);
}

/* The pty reader named by the call's first argument, or NULL with an exception pending. */
static agents_reader *pty_arg(napi_env env, napi_callback_info info, const char *usage) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) {
    napi_throw_type_error(env, NULL, usage);
    return NULL;
  }
  return agents_reader_arg(env, argv[0], AGENTS_READER_PTY);
}

static napi_value reader_open(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t fd = -1;
  napi_valuetype type = napi_undefined;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0 ||
      napi_typeof(env, argv[1], &type) != napi_ok || type != napi_function) {
    napi_throw_type_error(env, NULL, "readerOpen(fd, onData): fd must be a descriptor, onData a function");
    return NULL;
  }
  return agents_reader_open(env, fd, AGENTS_READER_PTY, argv[1], PTY_LIMIT);
}

static napi_value reader_pause(napi_env env, napi_callback_info info) {
  agents_reader *r = pty_arg(env, info, "readerPause(handle)");
  if (r && r->open && !r->paused) {
    r->paused = 1;
    uv_poll_stop(&r->poll);
  }
  return NULL;
}

static napi_value reader_resume(napi_env env, napi_callback_info info) {
  agents_reader *r = pty_arg(env, info, "readerResume(handle)");
  if (r && r->open && r->paused) {
    r->paused = 0;
    if (!r->failed) uv_poll_start(&r->poll, UV_READABLE, on_readable);
  }
  return NULL;
}

static napi_value reader_drain(napi_env env, napi_callback_info info) {
  agents_reader *r = pty_arg(env, info, "readerDrain(handle)");
  if (!r) return NULL;
  int failed = 0;
  size_t len = r->open ? read_all(r, (size_t)DRAIN_READS * READ_CHUNK, DRAIN_READS, TURN_DRAIN, &failed) : 0;
  napi_value out = take_output(env, r, len, 1);
  if (!out) napi_get_undefined(env, &out);
  return out;
}

/*
 * readerTake(handle): what a pty has now (up to its limit, ending after a short read, with a
 * character split across reads kept for the next), synchronously: for a reader paced by its owner
 * (paused, and read at the owner's ticks instead of at each write of the program). The text, or
 * undefined when there was nothing (or reading cannot go on: the poll is stopped for good then,
 * as on_readable stops it).
 */
static napi_value reader_take(napi_env env, napi_callback_info info) {
  agents_reader *r = pty_arg(env, info, "readerTake(handle)");
  if (!r) return NULL;
  int failed = 0;
  size_t len = r->open && !r->failed ? read_all(r, r->limit, (int)(r->limit / PTY_READ) + 1, TURN_TICK, &failed) : r->carry;
  napi_value out = NULL;
  if (failed) {
    r->failed = 1;
    uv_poll_stop(&r->poll);
  } else if (len > r->carry) {
    out = take_output(env, r, len, 0);
  }
  if (!out) napi_get_undefined(env, &out);
  return out;
}

static napi_value reader_close(napi_env env, napi_callback_info info) {
  agents_reader *r = pty_arg(env, info, "readerClose(handle)");
  if (r) agents_reader_close(env, r);
  return NULL;
}

void agents_reader_define(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"readerOpen", NULL, reader_open, NULL, NULL, NULL, napi_enumerable, NULL},
    {"readerPause", NULL, reader_pause, NULL, NULL, NULL, napi_enumerable, NULL},
    {"readerResume", NULL, reader_resume, NULL, NULL, NULL, napi_enumerable, NULL},
    {"readerDrain", NULL, reader_drain, NULL, NULL, NULL, napi_enumerable, NULL},
    {"readerTake", NULL, reader_take, NULL, NULL, NULL, napi_enumerable, NULL},
    {"readerClose", NULL, reader_close, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}

#else

void agents_reader_define(napi_env env, napi_value exports) {
  (void)env;
  (void)exports;
}

#endif
