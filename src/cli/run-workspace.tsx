/**
 * Wires the live workspace to a terminal: raw keys in, composed frames out.
 *
 * Ink renders the chrome into a virtual stdout in debug mode (each write is one whole frame, and
 * Ink's CI detection cannot swallow it); a ChromeScreen turns that frame into cells; the Renderer
 * lays pane interiors over it and is the only writer to the real stdout.
 *
 * Lifetime: every child process belongs to the Workspace; quit, SIGTERM, SIGHUP and SIGINT stop them
 * all (TERM, then KILL) before the terminal is restored; a crash kills them at once.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { Writable, PassThrough } from 'node:stream';
import { render } from 'ink';
import type { Keymap } from '../config/keymap.js';
import type { Theme } from '../config/theme.js';
import { Renderer, type Scene } from '../render/renderer.js';
import { ScreenMode } from '../render/screen-mode.js';
import { ChromeScreen } from '../terminal/chrome-screen.js';
import { InputTokenizer } from '../terminal/input.js';
import { closeOnExecAll } from '../terminal/native.js';
import { installReaper, Reaper } from '../terminal/reaper.js';
import { App } from '../ui/App.js';
import type { UiEnv } from '../ui/context.js';
import { helpSections } from '../ui/help-data.js';
import { dialogRect } from '../ui/geometry.js';
import { log, writeCrashReport } from '../util/log.js';
import { InputRouter } from '../workspace/input-router.js';
import type { LayoutMode } from '../workspace/layout.js';
import { PRESETS, type PaneSpec } from '../workspace/presets.js';
import { Workspace, type PickerOption } from '../workspace/workspace.js';
import type { IpcServer } from '../ipc/server.js';
import type { ContextService } from '../context/service.js';
import type { MemoryService } from '../store/memory-service.js';
import type { McpServerHandle } from '../mcp/server.js';
import type { ContextFile } from '../context/context-file.js';

/** What every program other than a built-in agent gets to find the shared context. */
function externalAccess(spec: PaneSpec, mcp: McpServerHandle | undefined, contextFile: ContextFile | undefined) {
  const env: Record<string, string> = { AGENTS_AGENT_NAME: spec.name };
  if (contextFile) env.AGENTS_CONTEXT_FILE = contextFile.path;
  // The MCP address and token go to agent CLIs only: a shell would hand them to everything it runs.
  const agentCli = spec.preset !== undefined && spec.preset !== 'shell';
  if (!mcp || !agentCli) return { env, args: [] };
  const token = mcp.tokenFor(spec.name);
  Object.assign(env, { AGENTS_MCP_URL: mcp.url, AGENTS_MCP_TOKEN: token });
  const preset = spec.preset ? PRESETS[spec.preset] : undefined;
  const given = preset?.mcp?.({ url: mcp.url, token, privateFile: (name, content) => mcp.privateFile(`${spec.name}-${name}`, content) });
  return { env: { ...env, ...given?.env }, args: given?.args ?? [] };
}

export interface RunOptions {
  /** The built-in agents' channel (started by the caller so it can also serve --demo). */
  ipc: IpcServer;
  /** Extra environment for every built-in agent (theme; the demo server's URL and key). */
  agentEnv?: Record<string, string>;
  /** The shared context (watcher, change feed, notes). */
  context?: ContextService;
  /** The MCP server external CLIs get on their command line (per agent token). */
  mcp?: McpServerHandle;
  /** The shared context as a file, for agents without MCP. */
  contextFile?: ContextFile;
  /** Called with the workspace once it exists (the MCP host reads it). */
  onWorkspace?: (ws: Workspace) => void;
  /** Session memory: records the session, restores resumed agents, answers memory searches. */
  memory?: MemoryService;
  /** Mouse reports (config `mouse`, default on). */
  mouse?: boolean;
  /** When an agent starts waiting for the person (config `attention`). */
  attention?: { bell: boolean; command?: string };
  /** Shown in the status bar at start (resumed, or why session memory is off). */
  notice?: string;
  /** First instructions sent to built-in agents once they connect (the --demo tour). */
  firstInstructions?: Record<string, string>;
  specs: PaneSpec[];
  layout: LayoutMode;
  theme: Theme;
  keymap: Keymap;
  presets: PickerOption[];
  makeSpec: (preset: string) => PaneSpec | string;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
}

/** How long after a keystroke a pane's output counts as its echo and is drawn at once. */
const ECHO_WINDOW_MS = 100;
/** How the workspace ended: a quit, or a signal that the caller re-raises once the terminal is restored. */
export type Ending = { code: number } | { signal: NodeJS.Signals };

export function runWorkspace(o: RunOptions): Promise<Ending> {
  const { stdin, stdout } = o;
  const size = () => ({ cols: stdout.columns || 80, rows: stdout.rows || 24 });
  let { cols, rows } = size();
  const screen = new ScreenMode(stdin, (s) => stdout.write(s));
  // Before the panes start (the Workspace starts them): each reports its session to the reaper.
  const reaper = new Reaper();
  installReaper(reaper);

  const ws = new Workspace({
    specs: o.specs,
    layout: o.layout,
    cols,
    rows,
    presets: o.presets,
    makeSpec: o.makeSpec,
    agents: {
      env: (id) => ({ ...o.agentEnv, ...o.ipc.envFor(id) }),
      send: (id, m) => o.ipc.send(id, m),
    },
    context: o.context,
    external: (spec) => externalAccess(spec, o.mcp, o.contextFile),
  });
  o.onWorkspace?.(ws);
  const pending = { ...o.firstInstructions };
  if (o.memory && o.context) o.memory.recordFeed(o.context.feed);
  o.ipc.on('message', (id, m) => {
    ws.agentMessage(id, m);
    const pane = ws.panes.find((p) => p.id === id);
    if (pane) o.context?.agentMessage(pane.name, id, m);
    if (pane && o.memory) o.memory.agentMessage(pane.name, m, (reply) => o.ipc.send(id, reply));
    else if (m.t === 'search') o.ipc.send(id, { t: 'search_results', id: m.id, hits: [], available: false });
    // The tour's first instruction goes out once the agent is listening.
    if (m.t === 'hello' && pane && pending[pane.name]) {
      o.ipc.send(id, { t: 'redirect', text: pending[pane.name] });
      delete pending[pane.name];
    }
  });
  let lastKeyAt = 0;

  const scene = (): Scene => {
    const view = ws.getView();
    const visible = ws.visible();
    let cursor: Scene['cursor'];
    const f = visible.find((v) => v.pane === ws.focused);
    if (f && !view.dialog && view.mode !== 'scroll') {
      const c = f.pane.cursor();
      if (c && c.x < f.inner.width && c.y < f.inner.height) cursor = { x: f.inner.x + c.x, y: f.inner.y + c.y };
    }
    return {
      panes: visible.map(({ pane, inner }) => ({
        get dirty() {
          return pane.dirty;
        },
        focused: pane === ws.focused,
        inner,
        paint: (g, r, skip) => pane.paint(g, r, skip),
      })),
      overlays: view.dialog ? [dialogRect(view.dialog, view.cols, view.rows)] : [],
      cursor,
    };
  };

  let drawn = false;
  const renderer = new Renderer((s) => {
    stdout.write(s);
    // Starting the reaper blocks for a fork (5-25 ms measured): after the first frame, not before it.
    if (!drawn) {
      drawn = true;
      setImmediate(() => reaper.start());
    }
  }, scene, cols, rows);
  const chrome = new ChromeScreen(cols, rows, () => renderer.setChrome(chrome.grid));

  ws.on('dirty', (pane) => renderer.request(pane === ws.focused && performance.now() - lastKeyAt < ECHO_WINDOW_MS));
  ws.on('change', () => renderer.request());

  // Ink's stdout: a sink that hands each whole frame to the chrome emulator.
  const virtual = Object.assign(
    new Writable({
      write(chunk, _enc, done) {
        chrome.setFrame(String(chunk));
        done();
      },
    }),
    { columns: cols, rows, isTTY: false },
  ) as unknown as NodeJS.WriteStream;
  const fakeStdin = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.ReadStream;

  const help = helpSections(o.keymap);
  const prefixLabel = o.keymap.bindingsOf('prefix.send')[0] ?? 'ctrl+a';
  const env: UiEnv = {
    store: {
      subscribe: (cb) => {
        ws.on('change', cb);
        return () => ws.off('change', cb);
      },
      getView: ws.getView,
    },
    theme: o.theme,
    help,
    prefix: prefixLabel === 'prefix' ? 'the prefix' : prefixLabel,
    key: (command) => o.keymap.bindingsOf(command as never)[0] ?? '?',
  };

  const router = new InputRouter(ws, o.keymap, () => {
    lastKeyAt = performance.now();
  });
  const tokenizer = new InputTokenizer();
  let flushTimer: NodeJS.Timeout | undefined;
  const onData = (chunk: Buffer | string) => {
    clearTimeout(flushTimer);
    for (const ev of tokenizer.push(String(chunk))) router.handle(ev);
    // A sequence cut off at the end of a read is completed by the next one; if none comes, it was keys.
    if (tokenizer.hasPending) flushTimer = setTimeout(() => tokenizer.flush().forEach((ev) => router.handle(ev)), 50);
  };

  const onResize = () => {
    ({ cols, rows } = size());
    virtual.columns = cols;
    virtual.rows = rows;
    chrome.resize(cols, rows);
    renderer.resize(cols, rows);
    ws.resize(cols, rows);
  };

  // Node's warnings and any library's console output would scribble over the screen: log them.
  process.removeAllListeners('warning');
  process.on('warning', (w) => log(`warning: ${w.name}: ${w.message}`));
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    console[level] = (...args: unknown[]) => log(`console.${level}: ${args.map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 2 }))).join(' ')}`);
  }
  screen.enter({ mouse: o.mouse !== false });
  stdin.setEncoding('utf8');
  stdin.on('data', onData);
  stdout.on('resize', onResize);
  const ink = render(<App env={env} />, {
    stdout: virtual,
    stdin: fakeStdin,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });

  if (o.notice) ws.say(o.notice);
  ws.on('attention', (pane) => {
    // The bell goes between frames (a BEL inside synchronized output is still just a BEL).
    if (o.attention?.bell !== false) stdout.write('\x07');
    if (o.attention?.command) {
      try {
        closeOnExecAll();
        const child = spawn('/bin/sh', ['-c', o.attention.command], {
          detached: true,
          stdio: 'ignore',
          env: { ...process.env, AGENTS_ATTENTION_AGENT: pane.name, AGENTS_ATTENTION_STATE: 'waiting' },
        });
        child.on('error', (err) => log(`attention command failed: ${err.message}`));
        if (child.pid) reaper.track(child.pid);
        child.on('exit', () => reaper.forget(child.pid ?? 0));
        child.unref();
      } catch (err) {
        log(`attention command failed: ${(err as Error).message}`);
      }
    }
  });

  return new Promise<Ending>((resolve) => {
    let finishing = false;
    const finish = async (ending: Ending, graceMs?: number) => {
      if (finishing) return;
      finishing = true;
      clearTimeout(flushTimer);
      stdin.off('data', onData);
      stdout.off('resize', onResize);
      const statsFile = process.env.AGENTS_BENCH_STATS;
      if (statsFile) writeFileSync(statsFile, JSON.stringify({ ...renderer.stats, cpu: process.cpuUsage(), rss: process.memoryUsage().rss }));
      try {
        await ws.shutdown(graceMs);
        // The reaper stops what outlived its pane (a job that ignored HUP after its shell exited).
        void reaper.close();
        installReaper(undefined);
        await o.ipc.close();
        await o.mcp?.close();
        o.contextFile?.close();
        await o.context?.close();
        await o.memory?.close();
      } finally {
        renderer.stop();
        ink.unmount();
        chrome.dispose();
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
        if (sig === 'SIGHUP') renderer.stop();
        void finish({ signal: sig }, 1000);
      },
    ]);
    for (const [sig, h] of handlers) process.on(sig, h);
    const crash = (err: unknown) => {
      // Our own bug: children die now, the terminal comes back, and the person learns where the details are.
      ws.killAllNow();
      renderer.stop();
      screen.restore();
      const file = writeCrashReport(err);
      process.stderr.write(`agents: internal error: ${err instanceof Error ? err.message : String(err)}\n${file ? `Details: ${file}\n` : ''}`);
      process.exit(70);
    };
    process.on('uncaughtException', crash);
    process.on('unhandledRejection', crash);
    ws.on('quit', () => void finish({ code: 0 }));
    // EIO: the terminal went away under us (its window closed); SIGHUP usually follows.
    stdout.on('error', (err) => {
      log(`terminal write failed: ${err.message}`);
      renderer.stop();
      void finish({ signal: 'SIGHUP' }, 1000);
    });
  });
}
