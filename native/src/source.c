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
 *
 * mapCache(path, magic): a code cache file's V8 data (src/cli/code-cache.ts) as a Buffer over a
 * read-only private mapping of the file, without a copy; undefined (nothing left mapped) unless
 * the file is a regular file of this user's that no one else may write, starts with `magic`, and
 * holds a whole, undamaged payload: the header is the magic (8 bytes), then the payload's CRC-32
 * (zlib's) and its length, little-endian. Why: reading the ~1.9 MB into a fresh buffer took ~7 ms
 * of every server start here, nearly all of it first touches of new memory, and the check loaded
 * zlib and ran its CRC cold (~5 ms more); mapped and checked here, ~1.5 ms. A cache is replaced
 * by renaming, never written in place, as the programs are.
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

/* CRC-32 as zlib computes it (reflected, polynomial 0xEDB88320), eight bytes a step (slicing by 8). */
static uint32_t crc_table[8][256];

static void crc_init(void) {
  for (uint32_t n = 0; n < 256; n++) {
    uint32_t c = n;
    for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    crc_table[0][n] = c;
  }
  for (uint32_t n = 0; n < 256; n++)
    for (int t = 1; t < 8; t++) crc_table[t][n] = (crc_table[t - 1][n] >> 8) ^ crc_table[0][crc_table[t - 1][n] & 0xff];
}

static uint32_t crc32_of(const unsigned char *p, size_t n) {
  static int ready;
  if (!ready) {
    crc_init();
    ready = 1;
  }
  uint32_t c = 0xFFFFFFFFu;
  while (n >= 8) {
    uint32_t lo, hi;
    memcpy(&lo, p, 4);
    memcpy(&hi, p + 4, 4);
    lo ^= c; /* little-endian: the first four bytes are the low ones */
    c = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^ crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^ crc_table[3][hi & 0xff] ^
        crc_table[2][(hi >> 8) & 0xff] ^ crc_table[1][(hi >> 16) & 0xff] ^ crc_table[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  while (n--) c = crc_table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

static uint32_t le32(const unsigned char *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

#define CACHE_HEADER 16

/* The finalizer of a payload Buffer: the mapping starts CACHE_HEADER bytes before it. */
static void unmap_cache(napi_env env, void *data, void *hint) {
  (void)env;
  munmap((char *)data - CACHE_HEADER, (size_t)(uintptr_t)hint);
}

static napi_value map_cache(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], result;
  char path[4096], magic[16];
  size_t len, magic_len;
  napi_get_undefined(env, &result);
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      napi_get_value_string_utf8(env, argv[0], path, sizeof path, &len) != napi_ok || len >= sizeof path - 1 ||
      napi_get_value_string_utf8(env, argv[1], magic, sizeof magic, &magic_len) != napi_ok || magic_len != 8) {
    napi_throw_type_error(env, NULL, "mapCache(path, magic): a file path, and the 8 ASCII characters its header starts with");
    return NULL;
  }
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return result;
  struct stat st;
  void *p = MAP_FAILED;
  /* Code: only from a file this user alone can change (as code-cache.ts checks its folder). */
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() && (st.st_mode & 022) == 0 && st.st_size > CACHE_HEADER)
    p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  close(fd);
  if (p == MAP_FAILED) return result;
  size_t size = (size_t)st.st_size;
  const unsigned char *bytes = p;
  size_t payload = size - CACHE_HEADER;
  if (memcmp(bytes, magic, 8) != 0 || le32(bytes + 12) != payload || le32(bytes + 8) != crc32_of(bytes + CACHE_HEADER, payload) ||
      napi_create_external_buffer(env, payload, (char *)p + CACHE_HEADER, unmap_cache, (void *)(uintptr_t)size, &result) != napi_ok) {
    munmap(p, size);
    napi_get_undefined(env, &result);
  }
  return result;
}

void agents_source_define(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"mapSource", NULL, map_source, NULL, NULL, NULL, napi_enumerable, NULL},
      {"mapCache", NULL, map_cache, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
