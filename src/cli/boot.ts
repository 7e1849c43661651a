/**
 * What bin/agents loads first in a terminal, as one small CommonJS file (dist/cli/boot.cjs): Node's
 * built-ins only.
 *
 * bin/agents is CommonJS (bin/package.json) because an ES module entry costs Node ~10 ms more to
 * start than a CommonJS one (its loader's own start; measured, interleaved, 21 rounds) and every
 * process here starts from it: the terminal client, and the workspace server it spawns. So:
 * - a workspace server and the in-process workspace load serve.ts instead, which runs the CommonJS
 *   build from its code cache (code-cache.ts) without the ES module loader ever starting;
 * - a terminal starts its workspace server (prelaunch.ts), then runs the same CommonJS build as its
 *   client from the client's own code cache (runCached, role `client`): the server's Node start
 *   overlaps the client's loading, not just its checks. The program finds that server through
 *   prelaunch.ts's shared slot.
 */
import { runCached } from './code-cache.js';
import { prelaunch } from '../client/prelaunch.js';

export { prelaunch, runCached };
