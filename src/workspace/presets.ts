// The resolution of command-line names, --cmd entries and config entries into pane specs (the
// presets themselves are data in preset-table.ts). No processes are started here: a PaneSpec says
// what to run, where, and how to interrupt it; a missing CLI becomes a pane that explains how to
// install it instead of an error.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { PRESET_NAMES, type AgentEntry, type Config, type PresetName } from '../config/schema.js';

export { PRESET_NAMES, type PresetName };
export { INTERRUPT_KEY, PRESETS, DEFAULT_AGENTS, withConversation, type Interrupt, type Preset, type McpAccess, type HookAccess } from './preset-table.js';
import { DEFAULT_AGENTS, PRESETS, type Interrupt } from './preset-table.js';

export type PaneSpec = {
  /**
   * The CLI's own conversation id (presets with `conversation`): `had` once a conversation exists to
   * resume (it had a turn, or it was resumed).
   */
  conversation?: { id: string; had: boolean };
  /** Unique in the workspace; used for commands and storage. */
  name: string;
  /** Shown in the pane's border. */
  title: string;
  kind: 'command' | 'builtin' | 'missing';
  preset?: PresetName;
  /** Absolute path when the executable was found on PATH; as written otherwise. */
  command?: string;
  args: string[];
  /** Absolute. */
  cwd: string;
  /** Added to the inherited environment. */
  env: Record<string, string>;
  interrupt: Interrupt;
  /** For missing/builtin panes: the text shown in the pane. */
  message?: string;
  /** The role whose standing instructions it has (config `role`, or spawn_agent's). */
  role?: string;
  /** Opened by an agent's spawn_agent: it counts against maxAgents, after a resume too. */
  spawned?: boolean;
  /** Built-in agent settings from the config. */
  model?: string;
  instructions?: string;
  permissions?: 'ask' | 'auto-edit' | 'auto';
  /**
   * `"isolation": "worktree"`: the agent runs in a git worktree of its own, named as the pane
   * (branch agents/NAME); `sub` is its folder's place inside the project (the config's `cwd`).
   */
  worktree?: { name: string; sub?: string };
  /** Commands run in the pane before its program (worktree.setup; see worktree-setup.ts). */
  setup?: { commands: string[]; retryKey: string };
};

/**
 * PATH lookup like a shell's, plus the project's node_modules/.bin (first, as npm scripts do), so a
 * project-local CLI is found. A command containing '/' is a path, relative to the project folder.
 */
export function findExecutable(cmd: string, opts: { pathEnv?: string; projectDir: string }): string | undefined {
  if (cmd === '') return undefined;
  if (cmd.includes('/')) {
    const file = resolve(opts.projectDir, cmd);
    return isExecutableFile(file) ? file : undefined;
  }
  const pathEnv = opts.pathEnv ?? process.env.PATH ?? '';
  // Empty PATH entries mean "the current folder" to POSIX shells; that is a trap, so skip them.
  const dirs = [join(opts.projectDir, 'node_modules', '.bin'), ...pathEnv.split(delimiter).filter(isAbsolute)];
  for (const dir of dirs) {
    const file = join(dir, cmd);
    if (isExecutableFile(file)) return file;
  }
  return undefined;
}

function isExecutableFile(file: string): boolean {
  try {
    // access(X_OK) alone passes directories, and for root it passes any file with one x bit; check both.
    const st = statSync(file);
    if (!st.isFile() || (st.mode & 0o111) === 0) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

type ResolveInput = {
  names: string[];
  cmds: string[];
  config?: Config;
  configDir?: string;
  projectDir: string;
  env: NodeJS.ProcessEnv;
  /** How the person restarts a pane (the prefix, then the restart key), for the missing-CLI message. */
  restartKey?: string;
};

export function resolveAgents(input: ResolveInput): { specs: PaneSpec[]; errors: string[] } {
  const projectDir = resolve(input.projectDir);
  const configDir = resolve(input.configDir ?? projectDir);
  const configured = input.config?.agents ?? [];
  const errors: string[] = [];
  const specs: PaneSpec[] = [];
  const ctx = { projectDir, env: input.env, restartKey: input.restartKey };

  if (input.names.length === 0 && input.cmds.length === 0) {
    if (configured.length > 0) {
      for (const entry of configured) specs.push(...fromEntry(entry, configDir, ctx, errors));
    } else {
      for (const preset of DEFAULT_AGENTS) specs.push(fromPreset(preset, preset, projectDir, {}, ctx));
    }
  }

  for (const name of input.names) {
    // Config names come first: a config may deliberately redefine a preset's name.
    const entry = configured.find((a) => a.name === name);
    if (entry) specs.push(...fromEntry(entry, configDir, ctx, errors));
    else if (isPresetName(name)) specs.push(fromPreset(name, name, projectDir, {}, ctx));
    else errors.push(unknownNameMessage(name, configured));
  }

  for (const cmd of input.cmds) {
    if (cmd.trim() === '') {
      errors.push('--cmd needs a command, found an empty string');
      continue;
    }
    specs.push({
      name: nameFromCommand(cmd),
      title: cmd,
      kind: 'command',
      command: '/bin/sh',
      args: ['-c', cmd],
      cwd: projectDir,
      env: {},
      interrupt: 'ctrl-c',
    });
  }

  return { specs: uniqueNames(specs), errors };
}

type Ctx = { projectDir: string; env: NodeJS.ProcessEnv; restartKey?: string };

function isPresetName(name: string): name is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(name);
}

function unknownNameMessage(name: string, configured: readonly AgentEntry[]): string {
  const fromConfig = configured.length > 0 ? `; from the config: ${configured.map((a) => a.name).join(', ')}` : '';
  return `unknown agent '${name}'. Valid names: ${PRESET_NAMES.join(', ')}${fromConfig}.`;
}

function fromEntry(entry: AgentEntry, configDir: string, ctx: Ctx, errors: string[]): PaneSpec[] {
  let cwd = ctx.projectDir;
  if (entry.cwd !== undefined) {
    cwd = resolve(configDir, entry.cwd);
    if (!isDirectory(cwd)) {
      errors.push(`agent '${entry.name}': cwd ${cwd} is not an existing folder`);
      return [];
    }
  }
  const env = { ...(entry.env ?? {}) };
  const isolated = isolation(entry, cwd, ctx.projectDir, errors);
  if (isolated === null) return [];
  if (entry.preset !== undefined) {
    const spec = fromPreset(entry.name, entry.preset, cwd, env, ctx, entry.args);
    if (isolated) spec.worktree = isolated;
    if (entry.model !== undefined) spec.model = entry.model;
    if (entry.instructions !== undefined) spec.instructions = entry.instructions;
    if (entry.permissions !== undefined) spec.permissions = entry.permissions;
    return [spec];
  }
  const command = entry.command ?? '';
  const spec: PaneSpec = {
    name: entry.name,
    title: entry.name,
    kind: 'command',
    command,
    args: entry.args ?? [],
    cwd,
    env,
    interrupt: 'ctrl-c',
  };
  if (isolated) spec.worktree = isolated;
  const found = findExecutable(command, { pathEnv: ctx.env.PATH ?? '', projectDir: cwd });
  if (found) return [{ ...spec, command: found }];
  return [{ ...spec, kind: 'missing', message: `${command} is not installed (not found on PATH).` }];
}

function fromPreset(
  name: string,
  presetName: PresetName,
  cwd: string,
  env: Record<string, string>,
  ctx: Ctx,
  args?: string[],
): PaneSpec {
  const preset = PRESETS[presetName];
  const base = { name, title: name, preset: presetName, args: args ?? [...preset.args], cwd, env };
  if (preset.kind === 'builtin') {
    return { ...base, kind: 'builtin', interrupt: preset.interrupt };
  }
  const command = presetName === 'shell' ? ctx.env.SHELL || '/bin/sh' : (preset.command ?? presetName);
  // Look in the pane's folder too, so an agent with its own cwd finds that folder's node_modules/.bin.
  const found = findExecutable(command, { pathEnv: ctx.env.PATH ?? '', projectDir: cwd });
  if (found) return { ...base, kind: 'command', command: found, interrupt: preset.interrupt };
  const hint = preset.installHint ? `\nInstall it with:\n  ${preset.installHint}\nthen restart this pane (${ctx.restartKey ?? 'ctrl+a R'}).` : '';
  return {
    ...base,
    kind: 'missing',
    command,
    interrupt: preset.interrupt,
    message: `${command} is not installed (not found on PATH).${hint}`,
  };
}

/**
 * An entry's worktree: its name, and where in the worktree it works (its `cwd`'s place in the
 * project); null, with the error said, for a `cwd` outside the project (a worktree holds the
 * project only).
 */
function isolation(entry: AgentEntry, cwd: string, projectDir: string, errors: string[]): PaneSpec['worktree'] | null {
  if (entry.isolation !== 'worktree') return undefined;
  const sub = relative(projectDir, cwd);
  if (sub === '') return { name: entry.name };
  if (sub === '..' || sub.startsWith(`..${sep}`) || isAbsolute(sub)) {
    errors.push(`agent '${entry.name}': "isolation": "worktree" works in a copy of the project, so its cwd must be inside the project (${cwd} is not)`);
    return null;
  }
  return { name: entry.name, sub };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** `npm test` -> `npm`; a name valid in the config's rules, so it can be referred to later. */
function nameFromCommand(cmd: string): string {
  const first = cmd.trim().split(/\s+/)[0].replace(/^.*\//, '');
  const cleaned = first.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 32);
  return cleaned || 'cmd';
}

/** Later duplicates get -2, -3, ... in order; names already taken are skipped. */
function uniqueNames(specs: PaneSpec[]): PaneSpec[] {
  const taken = new Set<string>();
  return specs.map((spec) => {
    let name = spec.name;
    for (let n = 2; taken.has(name); n++) name = `${spec.name}-${n}`;
    taken.add(name);
    if (name === spec.name) return spec;
    // Titles that were just the name follow the rename, so two panes never look alike.
    return { ...spec, name, title: spec.title === spec.name ? name : spec.title };
  });
}
