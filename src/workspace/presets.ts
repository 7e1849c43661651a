// Agent presets as data, and the resolution of command-line names, --cmd entries and config entries
// into pane specs. No processes are started here: a PaneSpec says what to run, where, and how to
// interrupt it; a missing CLI becomes a pane that explains how to install it instead of an error.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { PRESET_NAMES, type AgentEntry, type Config, type PresetName } from '../config/schema.js';

export { PRESET_NAMES, type PresetName };

/** esc-esc: opencode asks for a second Esc ("esc again to interrupt"); its Ctrl-C quits it. */
export type Interrupt = 'ctrl-c' | 'esc' | 'esc-esc';

/** How the interrupt reads in messages. */
export const INTERRUPT_KEY: Record<Interrupt, string> = { 'ctrl-c': 'Ctrl-C', esc: 'Esc', 'esc-esc': 'Esc Esc' };

export type Preset = {
  name: PresetName;
  description: string;
  kind: 'command' | 'builtin';
  /** Executable name; the shell preset reads $SHELL instead. */
  command?: string;
  args: string[];
  interrupt: Interrupt;
  installHint?: string;
  /** Arguments that make the CLI continue its latest conversation in this folder (session resume). */
  resumeArgs?: string[];
  /**
   * A conversation id we choose at start and resume by later: exact, where "continue the latest"
   * would hand two panes of one CLI in one folder the same conversation.
   */
  conversation?: { start: (id: string) => string[]; resume: (id: string) => string[] };
  /** Keys that empty the CLI's input line, sent before a redirect types its text (so no half-typed draft is glued to it). */
  clearInput?: string;
  /**
   * Hands the CLI the workspace's MCP server for this run only, by arguments or environment; no
   * global or project config is touched. The token never goes on a command line (which any user can
   * list): it travels in AGENTS_MCP_TOKEN, a private file, or (opencode) a variable's value.
   */
  mcp?: (mcp: McpAccess) => { args?: string[]; env?: Record<string, string> };
};

/** How one agent reaches the workspace's MCP server. */
export interface McpAccess {
  url: string;
  token: string;
  /** Writes a file only the user can read (removed when the workspace ends); returns its path. */
  privateFile(name: string, content: string): string;
}

/** The MCP server's entry as most CLIs' JSON configs spell it (Claude Code, Gemini CLI, opencode differ in keys). */
const bearer = (m: McpAccess) => ({ Authorization: `Bearer ${m.token}` });

/**
 * The arguments with the conversation flags set to `id`: resumed when `had`, else started. Any earlier
 * conversation flags are replaced where they stood (options after them may take several values).
 */
export function withConversation(args: readonly string[], preset: Preset, id: string, had: boolean): string[] {
  const c = preset.conversation;
  if (!c) return [...args];
  const flags = new Set([...c.start('x'), ...c.resume('x')].filter((a) => a !== 'x'));
  const want = had ? c.resume(id) : c.start(id);
  const at = args.findIndex((a) => flags.has(a));
  if (at < 0) return [...args, ...want];
  return [...args.slice(0, at), ...want, ...args.slice(at + 2)];
}

/** The MCP tools that only read or add a note: allowed without a prompt; send_message still asks. */
const QUIET_MCP_TOOLS = ['read_changes', 'read_notes', 'list_agents', 'post_note'].map((t) => `mcp__agents__${t}`);

export const PRESETS: Readonly<Record<PresetName, Preset>> = {
  agent: {
    name: 'agent',
    description: 'the built-in agent',
    kind: 'builtin',
    args: [],
    interrupt: 'esc',
  },
  shell: {
    name: 'shell',
    description: 'your login shell ($SHELL)',
    kind: 'command',
    // -i: every common shell (sh, bash, zsh, fish, dash) accepts it, and it keeps job control on
    // even if the shell's tty detection is fooled.
    args: ['-i'],
    interrupt: 'ctrl-c',
  },
  claude: {
    name: 'claude',
    description: 'Claude Code',
    kind: 'command',
    command: 'claude',
    args: [],
    // Claude Code, Codex and Gemini CLI stop the running turn on Esc; Ctrl-C there may quit instead.
    interrupt: 'esc',
    installHint: 'npm install -g @anthropic-ai/claude-code',
    resumeArgs: ['--continue'],
    conversation: { start: (id) => ['--session-id', id], resume: (id) => ['--resume', id] },
    clearInput: '\x15', // Ctrl-U
    // Not its status line for cost reports: a statusLine setting replaces the footer's "esc to
    // interrupt", and while a multi-line answer streams no spinner shows either, so it would read idle.
    // Last on the line: both options take several values and would swallow a prompt after them.
    mcp: (m) => {
      const config = JSON.stringify({ mcpServers: { agents: { type: 'http', url: m.url, headers: bearer(m) } } });
      return { args: ['--mcp-config', m.privateFile('claude-mcp.json', config), '--allowedTools', QUIET_MCP_TOOLS.join(',')] };
    },
  },
  codex: {
    name: 'codex',
    description: 'OpenAI Codex CLI',
    kind: 'command',
    command: 'codex',
    // Without it Codex 0.17x leaves a background server running after its screen closes: an orphan
    // by this workspace's rules. (A config entry's own `args` replace this.)
    args: ['--no-daemon'],
    interrupt: 'esc',
    installHint: 'npm install -g @openai/codex',
    clearInput: '\x15', // Ctrl-U (checked on the real CLI)
    resumeArgs: ['resume', '--last'],
    // `-c` overrides one config key for this run; the token is read from the environment by name.
    mcp: (m) => ({ args: ['-c', `mcp_servers.agents.url=${JSON.stringify(m.url)}`, '-c', 'mcp_servers.agents.bearer_token_env_var="AGENTS_MCP_TOKEN"'] }),
  },
  gemini: {
    name: 'gemini',
    description: 'Gemini CLI',
    kind: 'command',
    command: 'gemini',
    args: [],
    interrupt: 'esc',
    installHint: 'npm install -g @google/gemini-cli',
    clearInput: '\x15', // Ctrl-U (checked on the real CLI)
    conversation: { start: (id) => ['--session-id', id], resume: (id) => ['--resume', id] },
    // Gemini CLI has no flag for it: a system-defaults file of its own for this run (the lowest
    // precedence, so the person's and the admin's settings still win; checked on the real CLI).
    mcp: (m) => ({
      env: { GEMINI_CLI_SYSTEM_DEFAULTS_PATH: m.privateFile('gemini-settings.json', JSON.stringify({ mcpServers: { agents: { httpUrl: m.url, headers: bearer(m) } } })) },
    }),
  },
  aider: {
    name: 'aider',
    description: 'aider',
    kind: 'command',
    command: 'aider',
    args: [],
    interrupt: 'ctrl-c',
    installHint: 'python -m pip install aider-install && aider-install',
    resumeArgs: ['--restore-chat-history'],
  },
  opencode: {
    name: 'opencode',
    description: 'opencode',
    kind: 'command',
    command: 'opencode',
    args: [],
    interrupt: 'esc-esc',
    installHint: 'npm install -g opencode-ai',
    clearInput: '\x15', // Ctrl-U (checked on the real CLI)
    resumeArgs: ['--continue'],
    // (Its token is in this variable's value: readable by the person's own processes only.)
    mcp: (m) => ({ env: { OPENCODE_CONFIG_CONTENT: JSON.stringify({ mcp: { agents: { type: 'remote', url: m.url, headers: bearer(m), oauth: false } } }) } }),
  },
};

export const DEFAULT_AGENTS: readonly PresetName[] = ['agent', 'shell'];

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
  /** Built-in agent settings from the config. */
  model?: string;
  instructions?: string;
  permissions?: 'ask' | 'auto-edit' | 'auto';
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
};

export function resolveAgents(input: ResolveInput): { specs: PaneSpec[]; errors: string[] } {
  const projectDir = resolve(input.projectDir);
  const configDir = resolve(input.configDir ?? projectDir);
  const configured = input.config?.agents ?? [];
  const errors: string[] = [];
  const specs: PaneSpec[] = [];
  const ctx = { projectDir, env: input.env };

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

type Ctx = { projectDir: string; env: NodeJS.ProcessEnv };

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
  if (entry.preset !== undefined) {
    const spec = fromPreset(entry.name, entry.preset, cwd, env, ctx, entry.args);
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
  const hint = preset.installHint ? `\nInstall it with:\n  ${preset.installHint}\nthen restart this pane.` : '';
  return {
    ...base,
    kind: 'missing',
    command,
    interrupt: preset.interrupt,
    message: `${command} is not installed (not found on PATH).${hint}`,
  };
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
