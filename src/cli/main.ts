/**
 * The `agents` command: flags, config, theme and keymap are loaded and checked before the terminal
 * is touched, so any mistake is one clear paragraph on stderr with exit status 2.
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { buildKeymap } from '../config/keymap.js';
import { findProjectConfig, loadConfig } from '../config/load.js';
import { defaultConfig, PRESET_NAMES, type Config } from '../config/schema.js';
import { loadTheme, noColorRequested } from '../config/theme.js';
import { findExecutable, PRESETS, resolveAgents } from '../workspace/presets.js';
import type { PickerOption } from '../workspace/workspace.js';
import { helpText, parseArgs, unknownNamesMessage } from './args.js';

function fail(message: string, code = 2): never {
  process.stderr.write(`agents: ${message.trimEnd()}\n`);
  process.exit(code);
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** One paragraph for a launch without a terminal: what is wrong, what to do, what works anyway. */
function noTerminalMessage(stdinTTY: boolean, stdoutTTY: boolean): string {
  const which = !stdinTTY && !stdoutTTY ? 'its input and output are' : !stdinTTY ? 'its input is' : 'its output is';
  return (
    `the workspace is a full-screen program and needs a terminal, but ${which} not one here (redirected to a file or a pipe). ` +
    "Run it straight from a terminal. 'agents sessions', 'agents search' and 'agents --help' work anywhere."
  );
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
    const code =
      args.command === 'sessions'
        ? await listSessions(process.cwd(), process.stdout, { all: args.all ?? false })
        : await searchSessions(process.cwd(), args.query ?? '', process.stdout);
    process.exit(code);
  }
  const resuming = args.continue || args.resume !== undefined;

  // --demo (src/demo/launch.ts); with --continue it goes back to the last demo's folder.
  const demoKit = args.demo ? await import('../demo/launch.js') : undefined;
  let demoProject: string | undefined;
  if (demoKit && resuming) {
    const last = demoKit.lastDemoProject();
    if ('message' in last) fail(last.message);
    demoProject = last.project;
  }

  const configFile = args.config ?? (args.demo ? undefined : findProjectConfig(process.cwd()));
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
  const configDir = configFile ? dirname(configFile) : process.cwd();
  const projectConfig = config;
  if (demoKit) {
    config = demoKit.demoConfig(config);
    if (args.names.length === 0 && args.cmds.length === 0) args.names.push(...demoKit.DEMO_PANES);
  }
  const resolve = (projectDir: string) => resolveAgents({ names: args.names, cmds: args.cmds, config, configDir, projectDir, env: process.env });
  // Checked here, before anything runs; a demo resolves again once its project folder exists.
  const unknown = unknownNamesMessage(args.names, (config.agents ?? []).map((a) => a.name));
  if (unknown) fail(unknown);
  let resolved = resolve(demoProject ?? process.cwd());
  if (resolved.errors.length) fail(resolved.errors.join('\n'));

  // A project's config may run commands: asked about before anything runs (src/config/trust.ts).
  if (configFile) {
    const { checkTrust } = await import('./trust.js');
    const configured = new Set((projectConfig.agents ?? []).map((a) => a.name));
    // The config agents this launch opens: all of them by default, the named ones otherwise, none
    // when a stored session is reopened (its panes come from the store).
    const opened = resuming || demoKit ? [] : args.names.length === 0 && args.cmds.length === 0 ? [...configured] : args.names.filter((n) => configured.has(n));
    const decision = await checkTrust({
      configFile,
      config: projectConfig,
      configDir,
      projectDir: process.cwd(),
      uses: (item) => item.agent === undefined || opened.includes(item.agent),
      trustFlag: args.trust,
      input: process.stdin,
      output: process.stderr,
    });
    if (!decision.run) fail(decision.message, decision.code);
  }

  if (!process.stdin.isTTY || !process.stdout.isTTY) fail(noTerminalMessage(Boolean(process.stdin.isTTY), Boolean(process.stdout.isTTY)));

  const demo = demoKit ? await demoKit.startDemo(demoProject) : undefined;
  if (demo) {
    process.chdir(demo.project);
    resolved = resolve(demo.project);
    if (resolved.errors.length) fail(resolved.errors.join('\n'));
  }
  const projectDir = process.cwd();

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

  const presets: PickerOption[] = PRESET_NAMES.map((name) => {
    const p = PRESETS[name];
    const cmd = name === 'shell' ? process.env.SHELL || '/bin/sh' : p.command;
    const installed = p.kind === 'builtin' ? false : cmd ? findExecutable(cmd, { pathEnv: process.env.PATH ?? '', projectDir }) !== undefined : false;
    const note = p.kind === 'builtin' ? 'built-in agent (Anthropic API)' : installed ? cmd ?? '' : `not installed (${p.installHint ?? ''})`;
    return { preset: name, label: name, note };
  });
  const makeSpec = (preset: string) => {
    const r = resolveAgents({ names: [preset], cmds: [], projectDir, env: process.env });
    return r.specs[0] ?? r.errors.join(' ');
  };

  // Loaded only now: a bad flag should not pay for React, Ink and node-pty.
  const { composeWorkspace } = await import('./compose.js');
  const { runLocal } = await import('./run-local.js');
  const composed = await composeWorkspace({
    projectDir,
    specs,
    layout,
    cols: process.stdout.columns || 80,
    rows: process.stdout.rows || 24,
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
  });
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

await main();
