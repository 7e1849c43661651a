/**
 * RE2 (re2js, a pure-JavaScript port of Go's regexp: linear-time matching), loaded on first use.
 *
 * re2js is 260 KB of code. The workspace server reaches the glob matcher (through the task claims)
 * on its way to its first frame, where compiling and running re2js's module cost ~15 ms of CPU, and
 * a session with no claimed task never matches a glob; a built-in agent needs it only for its search
 * and list_files tools. A synchronous require of re2js's CommonJS build (from node_modules: the
 * bundle leaves it out) keeps every caller synchronous.
 */
import { createRequire } from 'node:module';
import type { RE2JS } from 're2js';

let engine: typeof RE2JS | undefined;

/** re2js's RE2JS class, loaded by the first call. */
export function re2(): typeof RE2JS {
  engine ??= (createRequire(import.meta.url)('re2js') as typeof import('re2js')).RE2JS;
  return engine;
}
