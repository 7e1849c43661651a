/**
 * Runs a composed workspace in this process, drawn on this terminal: raw keys in, composed frames
 * out. (The workspace server does the same for terminals that attach over its socket.)
 *
 * Lifetime: every child process belongs to the Workspace; quit, SIGTERM, SIGHUP and SIGINT stop them
 * all (TERM, then KILL) before the terminal is restored; a crash kills them at once.
 */
import { writeFileSync } from 'node:fs';
import { Frontend } from '../frontend/frontend.js';
import { ScreenMode } from '../render/screen-mode.js';
import { log, routeConsoleToLog, writeCrashReport } from '../util/log.js';
import { printable } from '../util/safe-text.js';
import type { Composed } from './compose.js';
import type { Keymap } from '../config/keymap.js';
import type { Theme } from '../config/theme.js';

/** How the workspace ended: a quit, or a signal that the caller re-raises once the terminal is restored. */
export type Ending = { code: number } | { signal: NodeJS.Signals };

export interface LocalOptions {
  theme: Theme;
  keymap: Keymap;
  /** Mouse reports (config `mouse`, default on). */
  mouse?: boolean;
  /** Ring the bell when an agent starts waiting (config attention.bell). */
  bell?: boolean;
  /** Shown in the status bar at start (resumed, or why session memory is off). */
  notice?: string;
  /** Called once the workspace is on screen (the session is worth recording from then on). */
  onRunning?: () => void;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
}

export function runLocal(composed: Composed, o: LocalOptions): Promise<Ending> {
  const { ws } = composed;
  const { stdin, stdout } = o;
  const screen = new ScreenMode(stdin, (s) => stdout.write(s));
  const frontend = new Frontend({ workspace: ws, theme: o.theme, keymap: o.keymap, bell: o.bell });
  let shown = false;
  const terminal = {
    get cols() {
      return stdout.columns || 80;
    },
    get rows() {
      return stdout.rows || 24;
    },
    write: (data: Uint8Array) => {
      // A copy: the tty stream may queue it past this call, and the renderer reuses its buffer.
      stdout.write(Buffer.from(data));
      if (shown) return;
      shown = true;
      // After the frame: what it starts (the reaper's helper, a spawn of several ms) is no part of it.
      setImmediate(() => composed.shown());
    },
    backlog: () => stdout.writableLength,
    bell: () => void stdout.write('\x07'),
  };

  routeConsoleToLog();
  screen.enter({ mouse: o.mouse !== false });
  const attached = frontend.attach(terminal);
  stdin.setEncoding('utf8');
  const onData = (chunk: string) => attached.input(chunk);
  const onResize = () => attached.resized();
  stdin.on('data', onData);
  stdout.on('resize', onResize);
  if (o.notice) ws.dispatch({ t: 'say', text: o.notice });
  o.onRunning?.();

  return new Promise<Ending>((resolve) => {
    let finishing = false;
    const finish = async (ending: Ending, graceMs?: number) => {
      if (finishing) return;
      finishing = true;
      stdin.off('data', onData);
      stdout.off('resize', onResize);
      attached.detach();
      const statsFile = process.env.AGENTS_BENCH_STATS;
      if (statsFile) writeFileSync(statsFile, JSON.stringify({ ...frontend.renderer.stats, cpu: process.cpuUsage(), rss: process.memoryUsage().rss }));
      try {
        await composed.close(graceMs);
      } finally {
        frontend.stop();
        screen.restore();
        for (const [sig, h] of handlers) process.off(sig, h);
        process.off('uncaughtException', crash);
        process.off('unhandledRejection', crash);
        resolve(ending);
      }
    };
    const handlers: Array<[NodeJS.Signals, () => void]> = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((sig) => [
      sig,
      () => {
        log(`received ${sig}; stopping all panes`);
        // After SIGHUP the terminal is gone: draw nothing more.
        if (sig === 'SIGHUP') frontend.renderer.stop();
        void finish({ signal: sig }, 1000);
      },
    ]);
    for (const [sig, h] of handlers) process.on(sig, h);
    const crash = (err: unknown) => {
      // Our own bug: children die now, the terminal comes back, and the person learns where the details are.
      ws.killAllNow();
      frontend.renderer.stop();
      screen.restore();
      const file = writeCrashReport(err);
      process.stderr.write(`agents: internal error: ${printable(err instanceof Error ? err.message : String(err))}\n${file ? `Details: ${file}\n` : ''}`);
      process.exit(70);
    };
    process.on('uncaughtException', crash);
    process.on('unhandledRejection', crash);
    ws.on('quit', () => void finish({ code: 0 }));
    // EIO: the terminal went away under us (its window closed); SIGHUP usually follows.
    stdout.on('error', (err) => {
      log(`terminal write failed: ${err.message}`);
      frontend.renderer.stop();
      void finish({ signal: 'SIGHUP' }, 1000);
    });
  });
}
