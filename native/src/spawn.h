/* Starting programs without fork() (see spawn.c); defines nothing off Linux with glibc 2.34+. */
#ifndef AGENTS_SPAWN_H
#define AGENTS_SPAWN_H

#include <node_api.h>

void agents_spawn_define(napi_env env, napi_value exports);

#endif
