/* A descriptor read on Node's event loop (see reader.c); defines nothing off Linux. */
#ifndef AGENTS_READER_H
#define AGENTS_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <node_api.h>

typedef struct agents_reader agents_reader;

/* What a reader reads: a pty master it only borrows, or an inotify instance it owns. */
enum agents_reader_kind { AGENTS_READER_PTY = 1, AGENTS_READER_INOTIFY = 2 };

/*
 * Starts reading `fd` and returns the handle (an external), or NULL with an exception pending.
 * On failure an owned `fd` is closed. `limit`: the most read in one turn of the loop.
 */
napi_value agents_reader_open(napi_env env, int fd, enum agents_reader_kind kind, napi_value callback, size_t limit);
/* The reader behind a handle of that kind, or NULL with a TypeError pending. */
agents_reader *agents_reader_arg(napi_env env, napi_value handle, enum agents_reader_kind kind);
/* Its descriptor while open, -1 after close. */
int agents_reader_fd(const agents_reader *r);
/* Stops for good: no callback runs after it returns; an owned descriptor is closed. Idempotent. */
void agents_reader_close(napi_env env, agents_reader *r);
/* readerOpen/Pause/Resume/Drain/Close for pty masters. */
void agents_reader_define(napi_env env, napi_value exports);

#endif
