/**
 * The `agents` command: flags, config, theme and keymap are loaded and checked before the terminal
 * is touched, so any mistake is one clear paragraph on stderr with exit status 2.
 */
import { closeSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { buildKeymap } from '../config/keymap.js';
import { findProjectConfig, loadConfig } from '../config/load.js';
import { defaultConfig, PRESET_NAMES, type Config } from '../config/schema.js';
import { loadTheme, noColorRequested } from '../config/theme.js';
import { findExecutable, PRESETS, resolveAgents } from '../workspace/presets.js';
import { printable } from '../util/safe-text.js';
import type { PickerOption } from '../workspace/workspace.js';
import { helpText, parseArgs } from './args.js';
import type { MemoryService, Restore } from '../store/memory-service.js';

/** Set when this process is a workspace server: where it reports ready, or why it could not start. */
const serveFd = process.env.AGENTS_SERVE_FD ? Number(process.env.AGENTS_SERVE_FD) : undefined;
// Its children must not take themselves for servers.
delete process.env.AGENTS_SERVE_FD;

function report(r: { ready: string } | { error: string; code: number }): void {
  if (serveFd === undefined) return;
  try {
    writeSync(serveFd, JSON.stringify(r) + '\n');
    if ('ready' in r) closeSync(serveFd);
  } catch {
    // The terminal that started us is gone; the log has the rest.
  }
}

function fail(message: string, code = 2): never {
  if (serveFd !== undefined) {
    report({ error: message.trimEnd(), code });
    process.exit(code);
  }
  // Messages quote flags, config values and paths: shown escaped, never obeyed by the terminal.
  process.stderr.write(`agents: ${printable(message.trimEnd(), { newlines: true })}\n`);
  process.exit(code);
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function main(): Promise<void> {
  const parsed = parseArgs(process.argv.slice(2));
  if (!parsed.ok) fail(parsed.message);
  const args = parsed.value;
  if (args.command === 'help') {
    process.stdout.write(helpText() + '\n');
    return;
  }
  if (args.command === 'version') {
    process.stdout.write(version() + '\n');
    return;
  }
  if (args.command === 'sessions' || args.command === 'search') {
    const { listSessions, searchSessions } = await import('./memory.js');
    const code = args.command === 'sessions' ? await listSessions(process.cwd(), process.stdout) : await searchSessions(process.cwd(), args.query ?? '', process.stdout);
    process.exit(code);
  }
  if (args.command === 'ls' || args.command === 'attach' || args.command === 'stop') {
    const { attachCommand, listServers, stopCommand } = await import('./servers.js');
    const code =
      args.command === 'ls'
        ? await listServers(version(), process.stdout)
        : args.command === 'attach'
          ? await attachCommand(args.target, version(), process.cwd())
          : await stopCommand(args.target, version(), process.cwd(), process.stdout);
    process.exit(code);
  }
  if (args.command === 'worktrees') {
    const { worktreesCommand } = await import('./worktrees.js');
    process.exit(await worktreesCommand({ prune: args.prune ?? false, config: args.config }, process.cwd(), process.stdout, process.stderr));
  }
  // A terminal starts (or finds) the project's workspace server and attaches to it; AGENTS_SERVER=0
  // runs the workspace in this process instead.
  if (serveFd === undefined && process.env.AGENTS_SERVER !== '0') {
    const { runClient } = await import('./client-main.js');
    process.exit(await runClient(args, process.argv.slice(2), version()));
  }

  // --demo: a local Messages API server plays a scripted task on a throwaway copy of a sample
  // project, so a newcomer sees the product with no key and no network.
  let demo: { url: string; close(): Promise<void>; project: string; tasks: Record<string, string> } | undefined;
  if (args.demo) {
    const { startMessagesServer } = await import('../demo/server.js');
    const { createDemoResponder, DEMO_TASKS } = await import('../demo/scenario.js');
    const { copySampleProject } = await import('../demo/project.js');
    const server = await startMessagesServer({ responder: createDemoResponder() });
    demo = { url: server.url, close: () => server.close(), project: await copySampleProject(), tasks: DEMO_TASKS };
    process.chdir(demo.project);
    if (args.names.length === 0 && args.cmds.length === 0) args.names.push('lead', 'tests', 'shell');
  }

  const projectDir = process.cwd();
  // A server claims its project's socket first: of two started at once, one builds the workspace
  // and the other's terminal attaches to it.
  let server: import('../server/server.js').WorkspaceServer | undefined;
  if (serveFd !== undefined) {
    const { ensureRuntimeDir, socketPath, workspaceId } = await import('../server/paths.js');
    const { WorkspaceServer } = await import('../server/server.js');
    try {
      const id = workspaceId(projectDir);
      server = await WorkspaceServer.listen({ path: socketPath(ensureRuntimeDir(), id), id, project: projectDir, version: version() });
    } catch (err) {
      fail((err as Error).message);
    }
  }
  const configFile = args.config ?? (demo ? undefined : findProjectConfig(projectDir));
  let config: Config = defaultConfig();
  if (configFile) {
    const loaded = loadConfig(configFile);
    if (!loaded.value) fail(loaded.errors.join('\n'));
    config = loaded.value;
  }
  const theme = loadTheme(args.theme ?? config.theme, { noColor: noColorRequested(process.env) });
  if (!theme.value) fail(theme.errors.join('\n'));
  const keys = buildKeymap({ prefix: config.prefix, overrides: config.keys });
  if (!keys.keymap) fail(keys.errors.map((e) => `${configFile ?? 'config'}: ${e}`).join('\n'));
  const configDir = configFile ? dirname(configFile) : projectDir;
  if (demo) {
    // The demo's agents are built-in agents named after their parts in the script.
    // They may act without asking, so the tour plays through on its own.
    config = { ...config, agents: Object.keys(demo.tasks).map((name) => ({ name, preset: 'agent' as const, permissions: 'auto' as const })) };
  }
  const restartKey = `${keys.keymap.bindingsOf('prefix.send')[0] ?? 'the prefix'} ${keys.keymap.bindingsOf('pane.restart')[0] ?? ''}`.trim();
  const resolved = resolveAgents({ names: args.names, cmds: args.cmds, config, configDir, projectDir, env: process.env, restartKey });
  if (resolved.errors.length) fail(resolved.errors.join('\n'));

  // Session memory: a new session, or the one being resumed. Another workspace on this project
  // holds the store: resuming is refused, a new workspace runs without memory and says so.
  const { ProjectStore } = await import('../store/store.js');
  const { SessionRecorder, loadHistory, loadUsage } = await import('../store/recorder.js');
  const { MemoryService } = await import('../store/memory-service.js');
  const { assignConversations, metaOf, specsFromSession } = await import('./memory.js');
  const opened = await ProjectStore.open(projectDir);
  const resuming = args.continue || args.resume !== undefined;
  if (!opened.store && resuming) fail(opened.error?.message ?? 'the session store cannot be opened');
  let specs = resolved.specs;
  let layout = args.layout ?? config.layout;
  let memory: MemoryService | undefined;
  let memoryNote: string | undefined;
  if (opened.store) {
    const store = opened.store;
    if (resuming) {
      const summary = args.resume !== undefined ? store.sessions().find((s) => s.id === args.resume) : store.latest();
      if (!summary) {
        await store.close();
        fail(args.resume !== undefined ? `no stored session ${args.resume} for this project. 'agents sessions' lists them.` : "no stored session for this project yet. Run 'agents' to start one.");
      }
      specs = specsFromSession(summary, projectDir, process.env);
      assignConversations(specs);
      layout = args.layout ?? (['tiled', 'columns', 'rows'].includes(summary.layout) ? (summary.layout as typeof layout) : layout);
      const session = store.openSession(summary.id)!;
      const usage = await loadUsage(session);
      const restore = new Map<string, Restore>();
      for (const a of summary.agents.filter((x) => x.kind === 'builtin')) {
        const u = usage.get(a.name);
        restore.set(a.name, {
          messages: await loadHistory(session, a.name),
          totals: u ? { input: u.input, output: u.output, cacheRead: u.cacheRead, cacheWrite: u.cacheWrite, cost: u.cost } : undefined,
        });
      }
      const recorder = new SessionRecorder(session);
      for (const [name, u] of usage) recorder.seedUsage(name, u);
      recorder.event('resumed', { agents: specs.map((s) => s.name) });
      memory = new MemoryService(store, recorder, restore);
      memoryNote = `resumed session ${summary.id}`;
    } else {
      assignConversations(specs);
      const session = store.create({ layout, agents: specs.map(metaOf) });
      memory = new MemoryService(store, new SessionRecorder(session), new Map());
      memoryNote = opened.error?.message;
    }
  }
  const memoryNotice = opened.store ? undefined : `session memory is off: ${opened.error?.message ?? 'the store cannot be opened'}`;
  if (serveFd === undefined && (!process.stdin.isTTY || !process.stdout.isTTY)) fail('agents needs a terminal: run it directly, not with its input or output redirected.');

  const presets: PickerOption[] = PRESET_NAMES.map((name) => {
    const p = PRESETS[name];
    const cmd = name === 'shell' ? process.env.SHELL || '/bin/sh' : p.command;
    const installed = p.kind === 'builtin' ? false : cmd ? findExecutable(cmd, { pathEnv: process.env.PATH ?? '', projectDir }) !== undefined : false;
    const note = p.kind === 'builtin' ? 'built-in agent (Anthropic API)' : installed ? cmd ?? '' : `not installed (${p.installHint ?? ''})`;
    return { preset: name, label: name, note };
  });
  const makeSpec = (preset: string) => {
    const r = resolveAgents({ names: [preset], cmds: [], projectDir, env: process.env, restartKey });
    return r.specs[0] ?? r.errors.join(' ');
  };

  // Loaded only now: a bad flag should not pay for React, Ink and node-pty.
  const { composeWorkspace } = await import('./compose.js');
  const size = /^(\d+)x(\d+)$/.exec(process.env.AGENTS_SERVE_SIZE ?? '');
  delete process.env.AGENTS_SERVE_SIZE;
  const composed = await composeWorkspace({
    projectDir,
    specs,
    layout,
    cols: size ? Number(size[1]) : process.stdout.columns || 80,
    rows: size ? Number(size[2]) : process.stdout.rows || 24,
    keymap: keys.keymap,
    presets,
    makeSpec,
    ignore: config.watch.ignore,
    memory,
    storeDir: opened.store?.dir,
    // The demo always talks to its own server, whatever key the person has set.
    agentEnv: { AGENTS_THEME: theme.value.name, ...(args.model ? { AGENTS_AGENT_MODEL: args.model } : {}), ...(demo ? { ANTHROPIC_BASE_URL: demo.url, ANTHROPIC_API_KEY: 'demo' } : {}) },
    firstInstructions: resuming ? undefined : demo?.tasks,
    attention: config.attention,
    simulated: demo !== undefined,
  });
  if (server) {
    const { runServer } = await import('../server/run-server.js');
    const path = server.path;
    const farewell = demo ? `The demo project is kept in ${demo.project} (delete it when done); cd there and run agents --continue to come back to it.` : undefined;
    await runServer(composed, {
      theme: theme.value,
      keymap: keys.keymap,
      mouse: config.mouse,
      bell: config.attention.bell,
      notice: memoryNote ?? memoryNotice,
      server,
      id: server.id,
      project: projectDir,
      farewell,
      onReady: () => report({ ready: path }),
    }).catch((err: Error) => fail(err.message, 1));
    await demo?.close();
    process.exit(0);
  }
  const { runLocal } = await import('./run-local.js');
  const ending = await runLocal(composed, {
    theme: theme.value,
    keymap: keys.keymap,
    mouse: config.mouse,
    bell: config.attention.bell,
    notice: memoryNote ?? memoryNotice,
    stdin: process.stdin,
    stdout: process.stdout,
  });
  if (demo) {
    await demo.close();
    process.stdout.write(`The demo project is kept in ${demo.project} (delete it when done).\n`);
  }
  if ('signal' in ending) {
    // Die of the same signal, as a well-behaved program does, so the parent sees why. This also
    // skips Node's exit-time tty reset, which aborts when the terminal is already gone (Node 20).
    process.removeAllListeners(ending.signal);
    process.kill(process.pid, ending.signal);
    return;
  }
  process.exit(ending.code);
}

await main();
