// The agent presets as data: what each CLI is, how it is interrupted, cleared, resumed and handed the
// workspace's MCP server for one run. Resolving names and config entries into panes is presets.ts.
import type { PresetName } from '../config/schema.js';
import { claudeSettings, codexHookArgs, reporterCommand } from '../hooks/settings.js';

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
  /**
   * Gives the CLI hooks that report its turns to the workspace (and let it refuse a write into
   * another task's claim) for this run only, as `mcp` does; undefined when it cannot be given them.
   */
  hooks?: (h: HookAccess) => { args?: string[]; env?: Record<string, string> } | undefined;
};

/** How one agent reaches the workspace's MCP server. */
export interface McpAccess {
  url: string;
  token: string;
  /** Writes a file only the user can read (removed when the workspace ends); returns its path. */
  privateFile(name: string, content: string): string;
}

/** How one agent's hooks reach the workspace (src/hooks). */
export interface HookAccess {
  /** The workspace's hook endpoint, http://127.0.0.1:PORT/hook (the token travels in AGENTS_MCP_TOKEN). */
  hookUrl: string;
  /** The command-hook program (report.js), when it is there. */
  reporter: string | undefined;
  privateFile(name: string, content: string): string;
  /** A private file the CLI's status line (its cost) is to be saved to; the workspace reads it back. */
  statusFile(): string;
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

/**
 * The MCP tools that only read, add a note or move the agent's own tasks on the board: allowed
 * without a prompt. send_message and spawn_agent still ask (one instructs another agent, the other
 * starts one that spends).
 */
const QUIET_MCP_TOOLS = ['read_changes', 'read_notes', 'list_agents', 'post_note', 'create_task', 'list_tasks', 'update_task', 'complete_task', 'ask_human'].map((t) => `mcp__agents__${t}`);

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
    // Its hooks (http, no process per event) give its status, and its status line its cost: with a
    // status line set, its footer no longer says "esc to interrupt", so status comes from the hooks
    // (src/hooks/settings.ts), the screen filling only their gaps.
    hooks: (h) => ({ args: ['--settings', h.privateFile('claude-settings.json', JSON.stringify(claudeSettings({ hookUrl: h.hookUrl, statusFile: h.statusFile() })))] }),
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
    // Command hooks only (a node process per event), run once the person has trusted them in Codex's
    // own review dialog; the definitions never change between runs, so one review lasts.
    hooks: (h) => (h.reporter ? { args: codexHookArgs(reporterCommand(h.reporter, 'codex')) } : undefined),
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
