/**
 * A Node built-in loaded when it is first needed rather than with the module that uses it. For the
 * modules on the workspace server's way to its first frame: each built-in there costs the start the
 * time to compile and run it (1-4 ms each here, docs/profile.md), and some are used only later or
 * rarely (child_process for a helper started after the first frame, zlib to write a code cache).
 * Node caches its built-ins, so a later call costs a lookup. Imports only Node's built-ins.
 */
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

export function builtin<T>(name: `node:${string}`): T {
  return load(name) as T;
}

/** node:child_process, which the server needs only after its first frame (the reaper's helper) or for rare calls. */
export const childProcess = (): typeof import('node:child_process') => builtin('node:child_process');
