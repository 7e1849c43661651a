/**
 * What a built-in agent's pane runs (src/workspace/pane.ts), built as one small CommonJS file
 * (dist/agent/start.cjs: a CommonJS entry starts ~10 ms sooner than an ES module one): the agent's
 * CommonJS build (dist/agent/main.cjs, scripts/bundle.js) from a V8 code cache, as the workspace
 * server does (src/cli/code-cache.ts). Node's built-ins only, before the agent loads.
 */
import { fileURLToPath } from 'node:url';
import { runCached } from '../cli/code-cache.js';

// Raw mode before the agent's code loads (170-640 ms of a 2-core machine under load, against ~70 ms
// for node itself): keys typed into the pane meanwhile would go through the tty's line editing,
// echoed on the screen, with Enter turned into a newline that the prompt takes as Ctrl+J and never
// submits. main.tsx sets it again for a start without this entry.
process.stdin.setRawMode?.(true);
runCached(fileURLToPath(new URL('./main.cjs', import.meta.url)));
