/**
 * What bin/agents loads first when this process runs the workspace: a workspace server (started by
 * a terminal, AGENTS_SERVE_FD set) or the in-process workspace (AGENTS_SERVER=0). One small
 * CommonJS file (dist/cli/serve.cjs) that runs the CommonJS build of the program from its V8 code
 * cache (code-cache.ts).
 *
 * Why apart from boot.ts (the terminal's first file): the server is the start's critical path, and
 * boot.ts holds the terminal's prelaunch, whose built-ins (child_process, net, crypto) cost a
 * server ~5-10 ms to load before its program could even begin. The server loads each of them
 * later, from its program, only if and when it needs one.
 */
import { fileURLToPath } from 'node:url';
import { runCached } from './code-cache.js';

runCached(fileURLToPath(new URL('./main.cjs', import.meta.url)));
