/* The inotify part of the addon (see inotify.c); defines nothing off Linux. */
#ifndef AGENTS_INOTIFY_H
#define AGENTS_INOTIFY_H

#include <node_api.h>

void agents_inotify_define(napi_env env, napi_value exports);

#endif
