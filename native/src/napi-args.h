/* Arguments of the addon's functions, as the C sides read them. */
#ifndef AGENTS_NAPI_ARGS_H
#define AGENTS_NAPI_ARGS_H

#include <node_api.h>
#include <stdlib.h>
#include <string.h>

/*
 * A string argument, malloc'd (the caller frees it); NULL when it is not a string or holds a NUL
 * (which would cut a path or an argument short in C), with nothing thrown: the caller says what
 * it expected.
 */
static inline char *agents_string_arg(napi_env env, napi_value v) {
  size_t len;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) return NULL;
  char *s = malloc(len + 1);
  if (s && (napi_get_value_string_utf8(env, v, s, len + 1, &len) != napi_ok || strlen(s) != len)) {
    free(s);
    return NULL;
  }
  return s;
}

#endif
