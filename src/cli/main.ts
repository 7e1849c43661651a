/**
 * The `agents` command: flags first, then a subcommand, or the workspace (src/cli/open.ts). Only the
 * workspace path loads the config, the theme and the presets: `agents attach`, `ls`, `stop` or a bad
 * flag load none of it, which is most of their start-up.
 */
import { helpText, parseArgs } from './args.js';
import { fail, version } from './exit.js';

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
  if (args.command === 'tasks' || args.command === 'task-add') {
    const { taskAddCommand, tasksCommand } = await import('./tasks.js');
    process.exit(args.command === 'tasks' ? await tasksCommand(process.cwd(), version(), process.stdout) : await taskAddCommand(process.cwd(), version(), args.task!, process.stdout));
  }
  const { openWorkspace } = await import('./open.js');
  await openWorkspace(args);
}

await main();
