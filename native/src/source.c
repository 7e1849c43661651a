/*
 * mapSource(path, head, tail): a program file's text as an external one-byte string over a
 * read-only private mapping of the file, for src/cli/code-cache.ts; undefined (and nothing left
 * mapped) when the file does not start with `head` and end with `tail` or is not all ASCII: then it
 * is read the usual way.
 *
 * Why: a start read the workspace server's 2.4 MB program into a fresh buffer and decoded it into a
 * fresh 2.4 MB string, ~18 ms here, nearly all of it first touches of new memory (~10 µs a page on
 * this machine, docs/profile.md); the file's own pages are already in the page cache. With its code
 * cache V8 does not read the text to start it, only later to compile a function it has not compiled
 * yet, a page at a time.
 *
 * Invariant the build keeps (scripts/bundle.js): a program file is never changed in place, only
 * replaced (written aside and renamed), so the mapping of a running process keeps its own text.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <node_api.h>

#include "source.h"

#ifndef MAP_POPULATE
#define MAP_POPULATE 0 /* Linux's; elsewhere the pages come on first touch */
#endif

static void unmap(napi_env env, void *data, void *hint) {
  (void)env;
  munmap(data, (size_t)(uintptr_t)hint);
}

/*
 * Node's node_api_create_external_string_latin1 (Node 20.4 on, experimental there; later headers
 * declare it only for NAPI_VERSION 10): looked up in the running Node, so one build serves every
 * Node, and a Node without it reads the file as before.
 */
typedef napi_status (*create_external_latin1)(napi_env env, char *str, size_t length, void (*finalize)(napi_env, void *, void *), void *hint, napi_value *result,
                                              bool *copied);

static create_external_latin1 external_latin1(void) {
  static int looked;
  static create_external_latin1 f;
  if (!looked) {
    looked = 1;
    *(void **)&f = dlsym(RTLD_DEFAULT, "node_api_create_external_string_latin1");
  }
  return f;
}

static int all_ascii(const unsigned char *p, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, p + i, 8);
    if (w & 0x8080808080808080ull) return 0;
  }
  for (; i < n; i++)
    if (p[i] & 0x80) return 0;
  return 1;
}

static napi_value map_source(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], result;
  char path[4096], head[256], tail[256];
  size_t len, head_len, tail_len;
  napi_get_undefined(env, &result);
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3 ||
      napi_get_value_string_utf8(env, argv[0], path, sizeof path, &len) != napi_ok || len >= sizeof path - 1 ||
      napi_get_value_string_utf8(env, argv[1], head, sizeof head, &head_len) != napi_ok || head_len >= sizeof head - 1 ||
      napi_get_value_string_utf8(env, argv[2], tail, sizeof tail, &tail_len) != napi_ok || tail_len >= sizeof tail - 1) {
    napi_throw_type_error(env, NULL, "mapSource(path, head, tail): a file path, and the text it must start and end with");
    return NULL;
  }
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return result;
  struct stat st;
  void *p = MAP_FAILED;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  close(fd);
  if (p == MAP_FAILED) return result;
  size_t size = (size_t)st.st_size;
  bool copied = false;
  const char *text = p;
  int framed = size >= head_len + tail_len && memcmp(text, head, head_len) == 0 && memcmp(text + size - tail_len, tail, tail_len) == 0;
  create_external_latin1 create = external_latin1();
  if (!framed || !create || !all_ascii(p, size) || create(env, p, size, unmap, (void *)(uintptr_t)size, &result, &copied) != napi_ok) {
    munmap(p, size);
    napi_get_undefined(env, &result);
  }
  /* copied: V8 made its own copy and has already called unmap. */
  return result;
}

void agents_source_define(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"mapSource", NULL, map_source, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
