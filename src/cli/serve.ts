/**
 * What bin/agents loads first when this process runs the workspace: a workspace server (started by
 * a terminal, AGENTS_SERVE_FD set) or the in-process workspace (AGENTS_SERVER=0). One small
 * CommonJS file (dist/cli/serve.cjs) that runs the CommonJS build of the program from its V8 code
 * cache (code-cache.ts).
 *
 * Why apart from boot.ts (the terminal's first file): the server is the start's critical path, and
 * boot.ts holds the terminal's prelaunch, which a server has no use for. Its built-ins are loaded
 * where they are needed (src/util/builtin.ts for the ones a first frame does not need).
 */
import { fileURLToPath } from 'node:url';
import { runCached } from './code-cache.js';

runCached(fileURLToPath(new URL('./main.cjs', import.meta.url)));
