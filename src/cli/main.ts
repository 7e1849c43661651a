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
import { helpText, parseArgs } from './args.js';

function fail(message: string, code = 2): never {
  process.stderr.write(`agents: ${message.trimEnd()}\n`);
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
    fail(`'agents ${args.command}' needs session memory, which arrives in a later version.`, 1);
  }
  if (args.continue || args.resume !== undefined) fail('--continue and --resume need session memory, which arrives in a later version.', 1);
  if (args.demo) fail('--demo needs the built-in agent, which arrives in a later version.', 1);

  const projectDir = process.cwd();
  const configFile = args.config ?? findProjectConfig(projectDir);
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
  const resolved = resolveAgents({ names: args.names, cmds: args.cmds, config, configDir, projectDir, env: process.env });
  if (resolved.errors.length) fail(resolved.errors.join('\n'));
  if (!process.stdin.isTTY || !process.stdout.isTTY) fail('agents needs a terminal: run it directly, not with its input or output redirected.');

  const presets: PickerOption[] = PRESET_NAMES.map((name) => {
    const p = PRESETS[name];
    const cmd = name === 'shell' ? process.env.SHELL || '/bin/sh' : p.command;
    const installed = p.kind === 'builtin' ? false : cmd ? findExecutable(cmd, { pathEnv: process.env.PATH ?? '', projectDir }) !== undefined : false;
    const note = p.kind === 'builtin' ? 'built-in agent (later version)' : installed ? cmd ?? '' : `not installed (${p.installHint ?? ''})`;
    return { preset: name, label: name, note };
  });
  const makeSpec = (preset: string) => {
    const r = resolveAgents({ names: [preset], cmds: [], projectDir, env: process.env });
    return r.specs[0] ?? r.errors.join(' ');
  };

  // Loaded only now: a bad flag should not pay for React, Ink and node-pty.
  const { runWorkspace } = await import('./run-workspace.js');
  const ending = await runWorkspace({
    specs: resolved.specs,
    layout: args.layout ?? config.layout,
    theme: theme.value,
    keymap: keys.keymap,
    presets,
    makeSpec,
    stdin: process.stdin,
    stdout: process.stdout,
  });
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
