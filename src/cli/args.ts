// Command-line parsing. Pure: it never prints and never exits; the caller decides what to show and
// which exit status to use (2 for a bad command line, per DESIGN.md).
import { Command, CommanderError, Option } from 'commander';
import { LAYOUTS, PRESET_NAMES, type Layout } from '../config/schema.js';

export type CliArgs = {
  command: 'run' | 'sessions' | 'search' | 'help' | 'version' | 'ls' | 'attach' | 'stop' | 'worktrees';
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
  /** Model for built-in agents that do not name one in the config. */
  model?: string;
  query?: string;
};

export type ParseResult = { ok: true; value: CliArgs } | { ok: false; message: string };

const HELP_HINT = "Run 'agents --help' for usage.";

type RootOptions = {
  cmd?: string[];
  config?: string;
  theme?: string;
  layout?: Layout;
  continue?: boolean;
  resume?: string;
  demo?: boolean;
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
    .addOption(new Option('--continue', "resume this project's latest session").conflicts('resume'))
    .option('--resume <id>', 'resume the stored session ID')
    .option('--demo', 'run offline against the built-in demo server')
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
    .description("list this project's stored sessions")
    .action(() => onResult({ ...fromRoot(program.opts<RootOptions>()), command: 'sessions' }));
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
    model: opts.model,
  };
}

function base(): CliArgs {
  return { command: 'run', names: [], cmds: [], continue: false, demo: false };
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
  agents --continue            reopen this project's latest session
  agents search "rate limit"   search stored conversations
  agents ls                    the running workspaces (they go on when their terminal closes)
  agents attach                come back to this project's workspace (after ctrl+a d, or a lost terminal)
  agents worktrees             the git worktrees of agents with "isolation": "worktree"; prune removes merged, clean ones

Keys: press the prefix (ctrl+a), then ? inside the workspace for the full list.

Environment:
  ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL   used by the built-in agent, as the Anthropic SDK does
  AGENTS_HOME                            where sessions and logs are stored (overrides the XDG data folder)
  AGENTS_SERVER=0                        run the workspace inside this terminal's process (no server to detach from)
  NO_COLOR                               when set, no colours are used whatever the theme
`;

/** The full help text, including subcommands, examples and environment variables. */
export function helpText(): string {
  const program = buildProgram(() => {});
  return `${program.helpInformation().trimEnd()}\n${HELP_FOOTER}`;
}
