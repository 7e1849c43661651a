#ifndef AGENTS_DIFF_H
#define AGENTS_DIFF_H
#include <node_api.h>

/* Adds diffCells, the frame's diff over the grids' arrays (diff.c). */
void agents_diff_define(napi_env env, napi_value exports);

#endif
