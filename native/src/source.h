/* mapSource and mapCache for the addon (source.c). */
#ifndef AGENTS_SOURCE_H
#define AGENTS_SOURCE_H
#include <node_api.h>
void agents_source_define(napi_env env, napi_value exports);
#endif
