/**
 * Starts Ink on the overlays (App.tsx) into a sink that takes whole frames: loaded by the frontend
 * when an overlay first shows, or after the prefix key, so that neither Ink nor React is on a
 * start's way to its first frame (src/frontend/chrome-paint.ts says why).
 */
import { PassThrough, type Writable } from 'node:stream';
import chalk from 'chalk';
import { render, type Instance } from 'ink';
import { App } from './App.js';
import type { UiEnv } from './context.js';

/** `out` gets one whole frame per write (Ink's debug mode, which its CI detection cannot swallow). */
export function mountUi(env: UiEnv, out: Writable & { columns: number; rows: number }): Instance {
  // chalk, which Ink colours with, fixed its level from this process's stdout when it loaded: a
  // workspace server's is /dev/null, so every overlay came out colourless (and, before the frames
  // were painted without Ink, the whole chrome). Ink's colours only reach a terminal as cells
  // (chrome-screen.ts), which the renderer encodes itself: the full level, so that a theme's
  // #rrggbb comes through as cellStyle paints it. NO_COLOR is the theme's business (no colours in it).
  chalk.level = 3;
  const stdin = Object.assign(new PassThrough(), { isTTY: false });
  // Ink's types want a full tty stream; the sink gives it what it reads (columns, rows, write).
  return render(<App env={env} />, { stdout: out as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, debug: true, exitOnCtrlC: false, patchConsole: false });
}
