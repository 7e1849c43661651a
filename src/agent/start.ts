/**
 * What a built-in agent's pane runs (src/workspace/pane.ts), built as one small CommonJS file
 * (dist/agent/start.cjs: a CommonJS entry starts ~10 ms sooner than an ES module one): the agent's
 * CommonJS build (dist/agent/main.cjs, scripts/bundle.js) from a V8 code cache, as the workspace
 * server does (src/cli/code-cache.ts). Node's built-ins only, before the agent loads.
 */
import { fileURLToPath } from 'node:url';
import { runCached } from '../cli/code-cache.js';

runCached(fileURLToPath(new URL('./main.cjs', import.meta.url)));
