/**
 * Opening the workspace: the config, theme and keymap are loaded and checked before the terminal is
 * touched, so any mistake is one clear paragraph on stderr with exit status 2; then a terminal starts
 * (or finds) the project's workspace server and attaches, or this process is that server, or (with
 * AGENTS_SERVER=0) the workspace runs here.
 */
import { closeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { buildKeymap } from '../config/keymap.js';
import { findProjectConfig, loadConfig } from '../config/load.js';
import { defaultConfig, PRESET_NAMES, type Config } from '../config/schema.js';
import { loadTheme, noColorRequested } from '../config/theme.js';
import { findExecutable, PRESETS, resolveAgents } from '../workspace/presets.js';
import { rolesWith } from '../tasks/roles.js';
import type { PaneSpec } from '../workspace/presets.js';
import type { PickerOption } from '../workspace/workspace.js';
import { noTerminalMessage, unknownNamesMessage, type CliArgs } from './args.js';
import { fail, report, serveFd, serveGoFd, serveWait, version } from './exit.js';
import { startMark } from '../util/start-trace.js';

/** Gives an agent a role's standing instructions, the way its kind takes them. */
function applyRole(spec: PaneSpec, role: string, instructions: string): void {
  spec.role = role;
  if (spec.kind === 'builtin') spec.instructions = spec.instructions ? `${instructions}\n\n${spec.instructions}` : instructions;
  else if (spec.preset === 'claude') spec.args = [...spec.args, '--append-system-prompt', instructions];
}

export async function openWorkspace(args: CliArgs): Promise<void> {
  const resuming = args.continue || args.resume !== undefined;
  // A terminal starts (or finds) the project's workspace server and attaches to it; AGENTS_SERVER=0
  // runs the workspace in this process instead.
  const client = serveFd === undefined && process.env.AGENTS_SERVER !== '0' && !(args.command === 'workflow' && args.workflow?.headless);

  // --demo (src/demo/launch.ts); with --continue it goes back to the last demo's folder.
  const demoKit = args.demo ? await import('../demo/launch.js') : undefined;
  let demoProject: string | undefined;
  if (demoKit && resuming) {
    const last = demoKit.lastDemoProject();
    if ('message' in last) fail(last.message);
    demoProject = last.project;
  }

  // Flags, config, names and trust are checked by the terminal (at once, with the usual message),
  // and again by the server it starts (which reports what it finds on its status pipe).
  const configFile = args.config ?? (args.demo ? undefined : findProjectConfig(process.cwd()));
  let config: Config;
  if (configFile) {
    const loaded = loadConfig(configFile);
    if (!loaded.value) fail(loaded.errors.join('\n'));
    config = loaded.value;
  } else config = defaultConfig();
  const theme = loadTheme(args.theme ?? config.theme, { noColor: noColorRequested(process.env) });
  if (!theme.value) fail(theme.errors.join('\n'));
  const keys = buildKeymap({ prefix: config.prefix, overrides: config.keys });
  if (!keys.keymap) fail(keys.errors.map((e) => `${configFile ?? 'config'}: ${e}`).join('\n'));
  const configDir = configFile ? dirname(configFile) : process.cwd();
  const projectConfig = config;
  if (demoKit) {
    config = demoKit.demoConfig(config);
    if (args.names.length === 0 && args.cmds.length === 0) args.names.push(...demoKit.DEMO_PANES);
  }
  const restartKey = `${keys.keymap.bindingsOf('prefix.send')[0] ?? 'the prefix'} ${keys.keymap.bindingsOf('pane.restart')[0] ?? ''}`.trim();
  // Roles give agents standing instructions (built-in agents through their system prompt, Claude
  // Code through --append-system-prompt); the workflows hand their steps out by role.
  const roles = rolesWith(config.roles);
  const resolveFor = (projectDir: string) => {
    const r = resolveAgents({ names: args.names, cmds: args.cmds, config, configDir, projectDir, env: process.env, restartKey });
    for (const [i, entry] of (config.agents ?? []).entries()) {
      if (!entry.role) continue;
      const role = roles[entry.role];
      if (!role) r.errors.push(`${configFile ?? 'config'}: agents[${i}].role: unknown role "${entry.role}"; roles are ${Object.keys(roles).join(', ')} (add one under "roles")`);
      else for (const spec of r.specs.filter((x) => x.name === entry.name)) applyRole(spec, entry.role, role.instructions);
    }
    return r;
  };
  const unknown = unknownNamesMessage(args.names, (config.agents ?? []).map((a) => a.name));
  if (unknown) fail(unknown);
  let resolved = resolveFor(demoProject ?? process.cwd());
  if (resolved.errors.length) fail(resolved.errors.join('\n'));
  // `agents run WORKFLOW "goal"`: its steps, and an agent for each of its roles (the config's agent
  // with that role, else a built-in agent named after it; unattended, a headless one may act unasked).
  const headless = args.command === 'workflow' && args.workflow?.headless === true;
  const { planWorkflow, workflowsWith } = await import('../tasks/workflow.js');
  const workflows = workflowsWith(config.workflows);
  let workflow: { name: string; steps: import('../tasks/workflow.js').PlannedStep[]; owners: Record<string, string> } | undefined;
  if (args.command === 'workflow' && args.workflow) {
    const w = workflows[args.workflow.name];
    if (!w) fail(`unknown workflow "${args.workflow.name}"; the workflows are ${Object.keys(workflows).join(', ')} (define one under "workflows" in the config)`);
    const steps = planWorkflow(w, args.workflow.goal);
    const owners: Record<string, string> = {};
    for (const role of [...new Set(steps.map((s) => s.role))]) {
      const r = roles[role];
      if (!r) fail(`workflow ${args.workflow.name}: unknown role "${role}"; roles are ${Object.keys(roles).join(', ')}`);
      const existing = resolved.specs.find((s) => s.role === role);
      if (existing) {
        owners[role] = existing.name;
        continue;
      }
      const made = resolveAgents({ names: [r.preset ?? 'agent'], cmds: [], projectDir: process.cwd(), env: process.env, restartKey }).specs[0];
      let name = role;
      for (let n = 2; resolved.specs.some((s) => s.name === name); n++) name = `${role}-${n}`;
      const spec = { ...made, name, title: name, ...(headless && made.kind === 'builtin' ? { permissions: 'auto' as const } : {}) };
      applyRole(spec, role, r.instructions);
      resolved.specs.push(spec);
      owners[role] = name;
    }
    workflow = { name: args.workflow.name, steps, owners };
  }

  // A project's config may run commands: asked about before anything runs (src/config/trust.ts).
  // The terminal asks; a server (no terminal) only runs a config trusted already or with --trust.
  const trust = async (input: NodeJS.ReadableStream & { isTTY?: boolean }): Promise<{ code: number; message: string } | undefined> => {
    if (!configFile) return undefined;
    const { checkTrust } = await import('./trust.js');
    const configured = new Set((projectConfig.agents ?? []).map((a) => a.name));
    // The config agents this launch opens: all of them by default, the named ones otherwise, none
    // when a stored session is reopened (its panes come from the store) or for the demo.
    const opened = resuming || demoKit ? [] : args.names.length === 0 && args.cmds.length === 0 ? [...configured] : args.names.filter((n) => configured.has(n));
    const decision = await checkTrust({
      configFile,
      config: projectConfig,
      configDir,
      projectDir: process.cwd(),
      uses: (item) => item.agent === undefined || opened.includes(item.agent),
      trustFlag: args.trust,
      input,
      output: process.stderr,
    });
    return decision.run ? undefined : decision;
  };

  startMark('checked');
  if (client) {
    const { runClient } = await import('./client-main.js');
    const code = await runClient(args, process.argv.slice(2), version(), { project: demoKit ? demoProject : process.cwd(), beforeStart: () => trust(process.stdin) });
    process.exit(code);
  }
  // The terminal's size, for panes to start at the size they will have.
  let size = /^(\d+)x(\d+)$/.exec(process.env.AGENTS_SERVE_SIZE ?? '')?.slice(1).map(Number);
  delete process.env.AGENTS_SERVE_SIZE;
  // A server started ahead of its client (src/client/prelaunch.ts): nothing runs, nothing is written
  // before the client, having checked everything above itself, says go.
  if (serveWait && serveGoFd !== undefined) {
    const { waitForGo } = await import('../server/go.js');
    const go = await waitForGo(serveGoFd);
    if (!go) process.exit(0);
    if (serveGoFd !== serveFd) closeSync(serveGoFd);
    size = [go.cols, go.rows];
    startMark('go received');
  }
  const refused = await trust(process.stdin);
  if (refused) fail(refused.message, refused.code);
  if (serveFd === undefined && !headless && (!process.stdin.isTTY || !process.stdout.isTTY)) fail(noTerminalMessage(Boolean(process.stdin.isTTY), Boolean(process.stdout.isTTY)));

  const demo = demoKit ? await demoKit.startDemo(demoProject) : undefined;
  if (demo) {
    process.chdir(demo.project);
    resolved = resolveFor(demo.project);
    if (resolved.errors.length) fail(resolved.errors.join('\n'));
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

  // The terminal may connect now: its hello is answered once the workspace runs (its first frame
  // then goes out at once), and a failure before that still comes on the status pipe.
  if (server) report({ listening: server.path });
  startMark('listening');
  const { planMemory } = await import('./session-start.js');
  const plan = await planMemory({
    projectDir,
    specs: resolved.specs,
    layout: args.layout ?? config.layout,
    layoutFlag: args.layout,
    resume: resuming ? { id: args.resume } : undefined,
  });
  if (!plan.ok) fail(plan.message);
  const { memory, specs, layout } = plan;
  startMark('memory planned');

  // Looked up each time the picker opens, not on the way to the first frame: a PATH search for every
  // CLI (~1-2 ms here, more on a long PATH), and a CLI installed meanwhile shows as installed.
  const presets = (): PickerOption[] => PRESET_NAMES.map((name) => {
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
  const composed = await composeWorkspace({
    projectDir,
    specs,
    layout,
    cols: size?.[0] ?? (process.stdout.columns || 80),
    rows: size?.[1] ?? (process.stdout.rows || 24),
    keymap: keys.keymap,
    presets,
    makeSpec,
    ignore: config.watch.ignore,
    memory,
    storeDir: memory?.store.dir,
    // The demo always talks to its own server, whatever key the person has set; AGENTS_DEMO makes
    // the agents mark their made-up figures.
    agentEnv: {
      AGENTS_THEME: theme.value.name,
      ...(args.model ? { AGENTS_AGENT_MODEL: args.model } : {}),
      ...(demo ? { ANTHROPIC_BASE_URL: demo.url, ANTHROPIC_API_KEY: 'demo', AGENTS_DEMO: '1' } : {}),
    },
    firstInstructions: resuming ? undefined : demo?.tasks,
    attention: config.attention,
    simulated: demo !== undefined,
    // worktree.dir is relative to the config file's folder, as every path in the config is.
    worktree: {
      settings: { ...config.worktree, dir: config.worktree.dir === undefined ? undefined : resolve(configDir, config.worktree.dir) },
      retryKey: restartKey,
    },
    tasks: {
      settings: {
        attempts: config.tasks.attempts,
        askTimeoutMs: config.tasks.askTimeoutMinutes * 60_000,
        maxAgents: config.maxAgents,
        roles,
        budget: config.budget,
        agentBudgets: Object.fromEntries((config.agents ?? []).flatMap((a) => (a.budget ? [[a.name, a.budget]] : []))),
      },
      restored: plan.tasks,
      breakers: { errorsInARow: config.tasks.errorsInARow, sameToolErrors: config.tasks.sameToolErrors },
      checkTimeoutMs: config.tasks.checkTimeoutMinutes * 60_000,
      stallMinutes: config.tasks.stallMinutes,
    },
  });
  startMark('composed');
  let workflowTasks: string[] = [];
  if (workflow) composed.ws.dispatch({ t: 'workflow', ...workflow, reply: (ids) => (workflowTasks = ids) });
  if (headless) {
    const { runHeadless } = await import('./run-headless.js');
    memory?.start();
    const code = await runHeadless(composed, { json: args.workflow?.json ?? false, out: process.stdout, attendedMs: config.tasks.askTimeoutMinutes * 60_000, tasks: workflowTasks });
    await demo?.close();
    process.exit(code);
  }
  if (server) {
    const { runServer } = await import('../server/run-server.js');
    const path = server.path;
    await runServer(composed, {
      theme: theme.value,
      keymap: keys.keymap,
      mouse: config.mouse,
      bell: config.attention.bell,
      notice: plan.notice,
      server,
      id: server.id,
      project: projectDir,
      // The demo's agents start on their own, so its session always has something to come back to.
      farewell: demo ? demoKit?.demoGoodbye(demo.project, true).trimEnd() : undefined,
      workflows,
      roles,
      onReady: () => {
        report({ ready: path });
        // The session is recorded from here on: a start that never got this far leaves none.
        memory?.start();
      },
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
    notice: plan.notice,
    // The session is recorded from here on: a launch that never got this far leaves none.
    onRunning: () => memory?.start(),
    stdin: process.stdin,
    stdout: process.stdout,
  });
  if (demo) {
    await demo.close();
    const session = memory?.session;
    process.stdout.write(demoKit?.demoGoodbye(demo.project, session !== undefined && memory?.store.hasContent(session.summary) === true) ?? '');
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
