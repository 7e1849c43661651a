/**
 * Builds a running workspace from its parts: the agents' channel (IPC), the shared context, the MCP
 * server for external CLIs, session memory, and the Workspace itself, each subscribed to the
 * workspace's domain events. The same composition serves the workspace in this process and the
 * workspace server; only the terminals in front of it differ.
 *
 * Lifetime: `close()` stops every pane's processes (TERM, then KILL after the grace period) and then
 * the services, in the order that loses nothing (the store last, so the final records land).
 */
import { join } from 'node:path';
import type { Keymap } from '../config/keymap.js';
import { ContextFile } from '../context/context-file.js';
import { ContextService } from '../context/service.js';
import { IpcServer } from '../ipc/server.js';
import { workspaceMcpHost } from '../mcp/host.js';
import { HOOK_PATH, startMcpServer, type McpServerHandle } from '../mcp/server.js';
import { reporterScript } from '../hooks/settings.js';
import { StatusFiles } from '../hooks/status-files.js';
import type { MemoryService } from '../store/memory-service.js';
import { warmGraphemes } from '../terminal/input.js';
import { closeOnExecAll } from '../terminal/native.js';
import { spawnNoFork } from '../terminal/native-exec.js';
import { reclaimer } from '../terminal/reclaim.js';
import { installReaper, Reaper } from '../terminal/reaper.js';
import { log } from '../util/log.js';
import { dataDir } from '../util/paths.js';
import { runtimeDir } from '../server/paths.js';
import type { LayoutMode } from '../workspace/layout.js';
import { PRESETS, type PaneSpec } from '../workspace/presets.js';
import { likelyWriter, Workspace, type PickerOption } from '../workspace/workspace.js';
import { CheckRunner } from '../tasks/check.js';
import { codeCacheDir, codeCacheReady, hotCodeSooner } from './code-cache.js';
import { childProcess } from '../util/builtin.js';
import { startMark } from '../util/start-trace.js';
import { Supervisor } from '../tasks/supervisor.js';
import type { Task } from '../tasks/task.js';
import type { TaskSettings } from '../workspace/tasks.js';
import { WorktreeSession, type SessionSettings } from '../worktree/session.js';

export interface ComposeOptions {
  projectDir: string;
  specs: PaneSpec[];
  layout: LayoutMode;
  cols: number;
  rows: number;
  keymap: Keymap;
  presets: PickerOption[] | (() => PickerOption[]);
  makeSpec: (preset: string) => PaneSpec | string;
  /** The config's watch.ignore. */
  ignore: readonly string[];
  /** Session memory: records the session, restores resumed agents, answers memory searches. */
  memory?: MemoryService;
  /** The store's folder, where the shared context is also kept as a file for agents without MCP. */
  storeDir?: string;
  /** Extra environment for every built-in agent (theme; the demo server's URL and key). */
  agentEnv?: Record<string, string>;
  /** First instructions sent to built-in agents once they connect (the --demo tour). */
  firstInstructions?: Record<string, string>;
  /** When an agent starts waiting for the person (config `attention`). */
  attention?: { bell: boolean; command?: string };
  /** Usage figures are made up (the offline demo). */
  simulated?: boolean;
  /** The task board: settings from the config, and the tasks of a resumed session. */
  tasks?: ComposeTasks;
  /** Agents with "isolation": "worktree": the config's worktree settings, and how the person restarts a pane. */
  worktree?: { settings: SessionSettings; retryKey: string };
  /** Decides writes into claimed paths instead of the workspace (tests); see Workspace.checkWrite. */
  checkWrite?: (agentName: string, paths: readonly string[]) => string | undefined;
}

export interface ComposeTasks {
  settings: Partial<TaskSettings>;
  restored?: Task[];
  breakers: { errorsInARow: number; sameToolErrors: number };
  checkTimeoutMs: number;
  /** An agent whose task is doing with no file changed and no task moved this long is paused. */
  stallMinutes?: number;
}

export interface Composed {
  ws: Workspace;
  context: ContextService;
  /**
   * The first frame is on a terminal (or none will be drawn): what can wait for that starts now.
   * Called by whoever draws; without it, it happens SHOWN_LATEST_MS after composing anyway.
   */
  shown(): void;
  close(graceMs?: number): Promise<void>;
}

/**
 * The reaper's helper starts after the first frame: spawning a child from a process this size costs
 * ~20 ms of the main thread (fork; CPU profile of the server's start), which would otherwise land
 * between the workspace being ready and its first frame. Sessions reported before are kept and sent
 * when it starts. This is the longest a start waits for a frame to be drawn.
 */
const SHOWN_LATEST_MS = 1000;
/** No key for this long is a pause in the typing (the code cache is made then). */
const TYPING_PAUSE_MS = 500;

/**
 * The loopback addresses added to the no-proxy lists: an agent CLI honours HTTP_PROXY for its hooks
 * and MCP requests too (Claude Code 2.1.197 sent its hook POSTs, bearer token included, to the proxy),
 * and the workspace's server is on 127.0.0.1.
 */
function noProxy(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ['NO_PROXY', 'no_proxy']) {
    const have = (env[key] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    out[key] = [...new Set([...have, '127.0.0.1', 'localhost'])].join(',');
  }
  return out;
}

/** What every program other than a built-in agent gets to find the shared context (and, for agent CLIs, report through hooks). */
function externalAccess(spec: PaneSpec, mcp: McpServerHandle | undefined, contextFile: ContextFile | undefined, statusFiles: StatusFiles) {
  const env: Record<string, string> = { AGENTS_AGENT_NAME: spec.name };
  if (contextFile) env.AGENTS_CONTEXT_FILE = contextFile.path;
  // The MCP address and token go to agent CLIs only: a shell would hand them to everything it runs.
  const agentCli = spec.preset !== undefined && spec.preset !== 'shell';
  if (!mcp || !agentCli) return { env, args: [] };
  const token = mcp.tokenFor(spec.name);
  Object.assign(env, { AGENTS_MCP_URL: mcp.url, AGENTS_MCP_TOKEN: token }, noProxy({ ...process.env, ...spec.env }));
  const preset = spec.preset ? PRESETS[spec.preset] : undefined;
  const privateFile = (name: string, content: string) => mcp.privateFile(`${spec.name}-${name}`, content);
  const given = preset?.mcp?.({ url: mcp.url, token, privateFile });
  const statusFile = () => {
    const file = privateFile('status.json', '');
    statusFiles.follow(file, spec.name);
    return file;
  };
  const hooks = preset?.hooks?.({ hookUrl: new URL(HOOK_PATH, mcp.url).href, reporter: reporterScript(), privateFile, statusFile });
  return {
    env: { ...env, ...given?.env, ...hooks?.env },
    // Hooks first: MCP's options may take several values and must come last.
    args: [...(hooks?.args ?? []), ...(given?.args ?? [])],
    hooks: hooks !== undefined,
  };
}

/** Runs the config's attention.command for a pane that started waiting (never blocking, never failing the workspace). */
function attentionCommand(command: string, name: string, reaper: Reaper): void {
  try {
    // Nothing of ours (pty masters above all) goes to it; its session ends with the workspace's panes.
    const env = { ...process.env, AGENTS_ATTENTION_AGENT: name, AGENTS_ATTENTION_STATE: 'waiting' };
    // Without a fork of the workspace where our addon can (native-exec.ts: it closes everything
    // from 3 in the child); child_process (loaded here, not with the module: nothing else before
    // the first frame needs it) otherwise, after the sweep.
    const forked = () => {
      closeOnExecAll();
      return childProcess().spawn('/bin/sh', ['-c', command], { detached: true, stdio: 'ignore', env });
    };
    const child = spawnNoFork('/bin/sh', ['-c', command], { cwd: process.cwd(), env, stdio: ['ignore', 'ignore', 'ignore'], detached: true }) ?? forked();
    child.on('error', (err) => log(`attention command failed: ${err.message}`));
    if (child.pid) reaper.track(child.pid);
    child.on('exit', () => reaper.forget(child.pid ?? 0));
    child.unref();
  } catch (err) {
    log(`attention command failed: ${(err as Error).message}`);
  }
}

export async function composeWorkspace(o: ComposeOptions): Promise<Composed> {
  const ipc = await IpcServer.start();
  const ownFolders = [dataDir(), runtimeDir(), codeCacheDir()].filter((f): f is string => f !== undefined);
  const context = new ContextService({ root: o.projectDir, ignore: o.ignore, ownFolders, send: (id, m) => ipc.send(id, m) });
  // Watching starts once the first frame is out (shown, below): the initial crawl of a real project
  // (its readdirs on libuv's threads, an inotify watch per folder) competed with the start for both
  // cores. The panes never wait for it.
  let watching = false;
  const mcp = await startMcpServer({}).catch((err: Error) => {
    log(`MCP server did not start: ${err.message}`);
    return undefined;
  });
  const contextFile = o.storeDir ? new ContextFile(join(o.storeDir, 'context.md'), context, o.projectDir) : undefined;
  // Before the panes start: each reports its session to the reaper, which ends them all should this
  // process die without stopping them (kill -9 included).
  const reaper = new Reaper();
  installReaper(reaper);

  // A Claude Code pane's status line (its cost) lands in a private file; it is read back as its usage.
  // (The workspace it reports to is built next, with the panes that need the files.)
  const built: { ws?: Workspace } = {};
  const statusFiles = new StatusFiles((agent, usage) => {
    const pane = built.ws?.panes.find((p) => p.name === agent);
    if (pane) built.ws?.dispatch({ t: 'agent', pane: pane.id, message: { t: 'usage', usage } });
  });
  const ws = new Workspace({
    specs: o.specs,
    layout: o.layout,
    cols: o.cols,
    rows: o.rows,
    keymap: o.keymap,
    presets: o.presets,
    makeSpec: o.makeSpec,
    agents: { env: (id) => ({ ...o.agentEnv, ...ipc.envFor(id) }), send: (id, m) => ipc.send(id, m) },
    context,
    external: (spec) => externalAccess(spec, mcp, contextFile, statusFiles),
    firstInstructions: o.firstInstructions,
    simulated: o.simulated,
    tasks: o.tasks && { settings: o.tasks.settings, restored: o.tasks.restored, breakers: o.tasks.breakers },
    // Opened on first use: a project without worktree agents pays nothing for it.
    worktrees: o.worktree && new WorktreeSession(o.projectDir, o.worktree.settings, o.worktree.retryKey),
    checkWrite: o.checkWrite,
  });
  built.ws = ws;
  ipc.on('message', (pane, message) => ws.dispatch({ t: 'agent', pane, message }));
  const unfollow = [context.follow(ws, () => likelyWriter(ws), (path, writer) => ws.claimOn(path, writer))];
  if (o.memory) {
    unfollow.push(o.memory.follow(ws));
    o.memory.recordFeed(context.feed);
    // A CLI's conversation id is worth keeping once there is a conversation behind it.
    const memory = o.memory;
    ws.on('conversation', (pane) => pane.spec.conversation && memory.rememberConversation(pane.name, pane.spec.conversation.id));
    // A pane opened while the workspace runs (prefix+c, an agent's spawn_agent) comes back when the
    // session is resumed, like the panes it started with (a closed one too, as those do: a worktree
    // pane closed with unmerged work is reopened in its worktree). memory.js is loaded already: the
    // session's start used it.
    ws.on('pane-added', (pane) => void import('./memory.js').then(({ metaOf }) => memory.agentOpened(metaOf(pane.spec))).catch((e: unknown) => log(`session: pane ${pane.name} not recorded: ${String(e)}`)));
  } else {
    ws.on('agent', (e) => e.message.t === 'search' && e.reply({ t: 'search_results', id: e.message.id, hits: [], available: false }));
  }
  const command = o.attention?.command;
  if (command) {
    ws.on('attention', (pane) => attentionCommand(command, pane.name, reaper));
    ws.on('alert', (a) => attentionCommand(command, a.pane?.name ?? 'workspace', reaper));
  }
  mcp?.serve(workspaceMcpHost(ws, context));
  const supervisor = new Supervisor(ws, {
    checks: new CheckRunner({ cwd: o.projectDir, timeoutMs: o.tasks?.checkTimeoutMs ?? 10 * 60_000, reaper }),
    // What a task's owner changed while it worked: the feed's entries attributed to it (or guessed).
    changedBy: (owner, since) =>
      context.feed
        .entries()
        .filter((e) => e.time >= since && !e.summary && ((e.who.kind === 'agent' && e.who.name === owner) || (e.who.kind === 'guess' && e.who.pane === owner)))
        .map((e) => e.path),
    lastChangeBy: (owner) => {
      let last: number | undefined;
      for (const e of context.feed.entries()) if ((e.who.kind === 'agent' && e.who.name === owner) || (e.who.kind === 'guess' && e.who.pane === owner)) last = Math.max(last ?? 0, e.time);
      return last;
    },
    stallMs: (o.tasks?.stallMinutes ?? 20) * 60_000,
  });
  ws.start();
  const shown = () => {
    clearTimeout(latest);
    if (!watching) {
      watching = true;
      startMark('watching');
      void context.start();
    }
    reaper.start();
    // A start without a code cache makes one for the next (src/cli/code-cache.ts), at a pause in
    // the typing (it stops the process for ~35-60 ms); then the hot paths may reach V8's optimizing
    // compiler sooner.
    codeCacheReady(hotCodeSooner, false, () => reclaimer.typedWithin(TYPING_PAUSE_MS));
    // Typed text is split into graphemes; ICU's rules for that (8-15 ms to load) were left out of the
    // way to the first frame (src/terminal/input.ts, scripts/bundle-plugins.js) and load now.
    setImmediate(warmGraphemes);
  };
  const latest = setTimeout(shown, SHOWN_LATEST_MS).unref();

  return {
    ws,
    context,
    shown,
    async close(graceMs) {
      clearTimeout(latest);
      supervisor.stop();
      await ws.shutdown(graceMs);
      // What outlived its pane (a job that ignored HUP after its shell exited) is the reaper's.
      void reaper.close();
      installReaper(undefined);
      statusFiles.close();
      for (const u of unfollow) u();
      await ipc.close();
      await mcp?.close();
      contextFile?.close();
      await context.close();
      await o.memory?.close();
    },
  };
}
