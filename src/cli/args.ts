// Command-line parsing. Pure: it never prints and never exits; the caller decides what to show and
// which exit status to use (2 for a bad command line, per DESIGN.md).
import { Command, CommanderError, Option } from 'commander';
import { LAYOUTS, PRESET_NAMES, type Layout } from '../config/names.js';
import { closestWord } from '../util/text.js';

export type CliArgs = {
  command: 'run' | 'sessions' | 'search' | 'help' | 'version' | 'ls' | 'attach' | 'stop' | 'worktrees' | 'tasks' | 'task-add' | 'workflow';
  /** `agents task add TITLE --to NAME --after ID --check CMD`. */
  task?: { title: string; to?: string; after?: string[]; check?: string };
  /** `agents run WORKFLOW GOAL [--headless] [--json]`. */
  workflow?: { name: string; goal: string; headless: boolean; json: boolean };
  /** `agents worktrees prune`: remove the merged, clean worktrees. */
  prune?: boolean;
  /** The workspace `attach` and `stop` name (an id from `agents ls`); default: this project's. */
  target?: string;
  names: string[];
  cmds: string[];
  config?: string;
  theme?: string;
  layout?: Layout;
  continue: boolean;
  resume?: string;
  demo: boolean;
  /** Run the project's config without asking whether to trust it. */
  trust: boolean;
  /** Model for built-in agents that do not name one in the config. */
  model?: string;
  query?: string;
  /** `sessions --all`: empty sessions too. */
  all?: boolean;
};

export type ParseResult = { ok: true; value: CliArgs } | { ok: false; message: string };

const HELP_HINT = "Run 'agents --help' for usage.";

/** One paragraph for a launch without a terminal: what is wrong, what to do, what works anyway. */
export function noTerminalMessage(stdinTTY: boolean, stdoutTTY: boolean): string {
  const which = !stdinTTY && !stdoutTTY ? 'its input and output are' : !stdinTTY ? 'its input is' : 'its output is';
  return (
    `the workspace is a full-screen program and needs a terminal, but ${which} not one here (redirected to a file or a pipe). ` +
    "Run it straight from a terminal. 'agents sessions', 'agents search' and 'agents --help' work anywhere."
  );
}

type RootOptions = {
  cmd?: string[];
  config?: string;
  theme?: string;
  layout?: Layout;
  continue?: boolean;
  resume?: string;
  demo?: boolean;
  trust?: boolean;
  model?: string;
};

function buildProgram(onResult: (value: CliArgs) => void): Command {
  const program = new Command('agents');
  program
    .description('A terminal workspace for running several AI coding agents side by side on one project.')
    .usage('[options] [NAME...]')
    .argument('[NAME...]', `agents to open: ${PRESET_NAMES.join(', ')}, or names from agents.config.json`)
    .option('--cmd <command>', 'add a pane running COMMAND in /bin/sh (repeatable)', collect)
    .option('--config <file>', 'use this config file instead of ./agents.config.json')
    .option('--theme <name>', 'colour theme (dark, light, high-contrast, no-color)')
    .addOption(new Option('--layout <layout>', 'pane layout').choices(LAYOUTS))
    .addOption(new Option('--continue', "resume this project's latest session with something in it").conflicts('resume'))
    .option('--resume <id>', 'resume the stored session ID')
    .option('--demo', 'run offline against the built-in demo server (with --continue: reopen the last demo)')
    .option('--trust', "run the project's config without asking whether to trust it (scripts, CI)")
    .option('--model <name>', 'model for built-in agents (default claude-sonnet-5-5)')
    .option('-V, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .helpCommand('help', 'show this help')
    .action((names: string[], opts: RootOptions & { version?: boolean }) => {
      onResult({ ...fromRoot(opts), command: opts.version ? 'version' : 'run', names });
    });
  // Root options given before a subcommand (`agents --config x sessions`) are kept, not dropped.
  program
    .command('sessions')
    .description("list this project's stored sessions (those with something in them)")
    .option('--all', 'list empty sessions too')
    .action((opts: { all?: boolean }) => onResult({ ...fromRoot(program.opts<RootOptions>()), command: 'sessions', all: opts.all }));
  program
    .command('search')
    .description('search session memory')
    .argument('<QUERY...>', 'words to search for')
    .action((words: string[]) => {
      onResult({ ...fromRoot(program.opts<RootOptions>()), command: 'search', query: words.join(' ') });
    });

  program
    .command('ls')
    .description('list the running workspaces of this user')
    .action(() => onResult({ ...fromRoot(program.opts<RootOptions>()), command: 'ls' }));
  program
    .command('attach')
    .description("attach this terminal to a running workspace (default: this project's)")
    .argument('[ID]', 'a workspace id from agents ls')
    .action((id: string | undefined) => onResult({ ...fromRoot(program.opts<RootOptions>()), command: 'attach', target: id }));
  program
    .command('stop')
    .description("stop a running workspace and its agents (default: this project's)")
    .argument('[ID]', 'a workspace id from agents ls')
    .action((id: string | undefined) => onResult({ ...fromRoot(program.opts<RootOptions>()), command: 'stop', target: id }));

  const worktrees = program
    .command('worktrees')
    .description("list this project's agent worktrees: branch, merged or not, dirty or not, last agent")
    .action(() => onResult({ ...fromRoot(program.opts<RootOptions>()), command: 'worktrees' }));
  worktrees
    .command('prune')
    .description('remove the worktrees that are merged and clean; say which stay and why')
    .action(() => onResult({ ...fromRoot(program.opts<RootOptions>()), command: 'worktrees', prune: true }));

  program
    .command('tasks')
    .description('print the task board of the running workspace (or of the latest session)')
    .action(() => onResult({ ...fromRoot(program.opts<RootOptions>()), command: 'tasks' }));
  program
    .command('task')
    .description('work with the running workspace\'s task board')
    .command('add')
    .description('add a task to the running workspace\'s board')
    .argument('<TITLE...>', 'what is to be done')
    .option('--to <name>', 'the agent that does it')
    .option('--after <ids>', 'tasks that must be done first (t1,t2; repeatable)', collect)
    .option('--check <command>', 'a command that must exit 0 for it to be done')
    .action((title: string[], o: { to?: string; after?: string[]; check?: string }) => {
      const after = o.after?.flatMap((a) => a.split(',')).map((a) => a.trim()).filter(Boolean);
      onResult({ ...fromRoot(program.opts<RootOptions>()), command: 'task-add', task: { title: title.join(' '), to: o.to, after, check: o.check } });
    });
  program
    .command('run')
    .description("start a workflow from the config: its chain of tasks for the goal, each waiting for the one before")
    .argument('<WORKFLOW>', 'a workflow name from agents.config.json')
    .argument('<GOAL...>', 'what the workflow is to achieve')
    .option('--headless', 'run without a screen: progress lines, a final report, exit 0 when every task is done')
    .option('--json', 'with --headless: the final report as JSON')
    .action((name: string, goal: string[], o: { headless?: boolean; json?: boolean }) =>
      onResult({ ...fromRoot(program.opts<RootOptions>()), command: 'workflow', workflow: { name, goal: goal.join(' '), headless: o.headless ?? false, json: o.json ?? false } }),
    );

  const everyCommand = (c: Command): Command[] => [c, ...c.commands.flatMap(everyCommand)];
  for (const cmd of everyCommand(program)) {
    cmd.exitOverride();
    // Keep commander silent; messages are returned to the caller instead.
    cmd.configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: () => {} });
  }
  return program;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function fromRoot(opts: RootOptions): CliArgs {
  return {
    command: 'run',
    names: [],
    cmds: opts.cmd ?? [],
    config: opts.config,
    theme: opts.theme,
    layout: opts.layout,
    continue: opts.continue ?? false,
    resume: opts.resume,
    demo: opts.demo ?? false,
    trust: opts.trust ?? false,
    model: opts.model,
  };
}

function base(): CliArgs {
  return { command: 'run', names: [], cmds: [], continue: false, demo: false, trust: false };
}

/** The subcommands (`sessions`, `search`, …), for "did you mean" hints on a mistyped one. */
export function subcommandNames(): string[] {
  return buildProgram(() => {}).commands.map((c) => c.name());
}

/**
 * The message for names that are neither presets nor config agents, undefined when all are known.
 * A first word close to a subcommand is taken for a mistyped command (`agents sesions`), where
 * subcommands go; any other close name is taken for a mistyped agent.
 */
export function unknownNamesMessage(names: readonly string[], configNames: readonly string[]): string | undefined {
  const known = [...PRESET_NAMES, ...configNames];
  const lines: string[] = [];
  names.forEach((name, i) => {
    if (known.includes(name)) return;
    const command = i === 0 ? closestWord(name, subcommandNames()) : undefined;
    if (command) return lines.push(`'${name}' is not a command or an agent name. Did you mean 'agents ${command}'?`);
    const agent = closestWord(name, known);
    lines.push(`unknown agent '${name}'.${agent ? ` Did you mean '${agent}'?` : ''}`);
  });
  if (lines.length === 0) return undefined;
  const fromConfig = configNames.length > 0 ? `; from the config: ${configNames.join(', ')}` : '';
  return `${lines.join('\n')}\nAgent names: ${PRESET_NAMES.join(', ')}${fromConfig}. Commands: ${subcommandNames().join(', ')}.`;
}

/** `argv` is the user's arguments only, i.e. `process.argv.slice(2)`. */
export function parseArgs(argv: string[]): ParseResult {
  let result: CliArgs | undefined;
  const program = buildProgram((value) => {
    result = value;
  });
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help') {
      return { ok: true, value: { ...base(), command: 'help' } };
    }
    return { ok: false, message: errorMessage(err) };
  }
  if (!result) return { ok: false, message: `nothing to do. ${HELP_HINT}` };
  const invalid = validate(result);
  if (invalid) return { ok: false, message: invalid };
  return { ok: true, value: stripUndefined(result) };
}

function validate(args: CliArgs): string | undefined {
  if (args.cmds.some((c) => c.trim() === '')) return `--cmd needs a command, found an empty string. ${HELP_HINT}`;
  if (args.resume !== undefined && args.resume.trim() === '') return `--resume needs a session ID. ${HELP_HINT}`;
  if (args.command === 'search' && args.query?.trim() === '') return `search needs a query. ${HELP_HINT}`;
  if (args.command === 'task-add' && !args.task?.title.trim()) return `task add needs a title. ${HELP_HINT}`;
  if (args.command === 'task-add' && args.task?.after?.some((a) => !/^t\d+$/.test(a))) return `--after takes task ids like t1,t2. ${HELP_HINT}`;
  if (args.command === 'workflow' && args.workflow?.json && !args.workflow.headless) return `--json goes with --headless. ${HELP_HINT}`;
  return undefined;
}

function errorMessage(err: CommanderError): string {
  // Commander's messages start with "error: " and may span lines; a one-paragraph message reads better.
  let text = err.message.replace(/^error:\s*/i, '').replace(/\s*\n\s*/g, ' ').trim();
  if (err.code === 'commander.invalidArgument' && text.includes('--layout')) {
    const value = /argument '([^']*)'/.exec(text)?.[1] ?? '';
    text = `--layout must be one of ${LAYOUTS.join(', ')}; found '${value}'`;
  }
  text = text.replace(/\.$/, '');
  return `${text}. ${HELP_HINT}`;
}

function stripUndefined(args: CliArgs): CliArgs {
  return Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined)) as CliArgs;
}

const HELP_FOOTER = `
Examples:
  agents                       open the agents from ./agents.config.json, or the default set (agent, shell)
  agents claude codex shell    open Claude Code, Codex and a shell side by side
  agents --cmd "npm test -- --watch" claude
  agents --continue            reopen this project's latest session with something in it
  agents sessions --all        list this project's sessions, empty ones too
  agents search "rate limit"   search stored conversations
  agents ls                    the running workspaces (they go on when their terminal closes)
  agents attach                come back to this project's workspace (after ctrl+a d, or a lost terminal)
  agents task add "Make hello" --to lead --check "npm test"   put a task on the running workspace's board
  agents run review "fix the cart total" --headless          run a workflow from the config without a screen
  agents worktrees             the git worktrees of agents with "isolation": "worktree"; prune removes merged, clean ones

Keys: press the prefix (ctrl+a), then ? inside the workspace for the full list.

Environment:
  ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL   used by the built-in agent, as the Anthropic SDK does
  AGENTS_HOME                            where sessions, logs and trust answers are stored (overrides the XDG data folder)
  AGENTS_SERVER=0                        run the workspace inside this terminal's process (no server to detach from)
  AGENTS_CODE_CACHE=0                    start without the compiled-code cache (kept in AGENTS_HOME/cache or ~/.cache/agents)
  NO_COLOR                               when set, no colours are used whatever the theme
`;

/** The full help text, including subcommands, examples and environment variables. */
export function helpText(): string {
  const program = buildProgram(() => {});
  return `${program.helpInformation().trimEnd()}\n${HELP_FOOTER}`;
}
