/**
 * The `agents` command: flags first, then a subcommand, or the workspace (src/cli/open.ts). Only the
 * workspace path loads the config, the theme and the presets: `agents attach`, `ls`, `stop` or a bad
 * flag load none of it, which is most of their start-up.
 *
 * A terminal opening a workspace starts its server before anything else is loaded (prelaunch.ts),
 * so the server's Node start overlaps the client's own; the rest is imported after that.
 */
import { prelaunch } from '../client/prelaunch.js';
import { startMark } from '../util/start-trace.js';

startMark('main');
prelaunch(process.argv.slice(2));

async function main(): Promise<void> {
  const { fail, serveGoFd, serveWait, version } = await import('./exit.js');
  // A server started ahead of its client loads what it will need while the client checks the
  // command line and the config (it waits for the client's go in open.ts, on a read started here).
  if (serveWait && serveGoFd !== undefined) void import('../server/go.js').then((g) => g.waitForGo(serveGoFd));
  if (serveWait) for (const load of PRELOAD) load().catch(() => undefined);
  const { helpText, parseArgs } = await import('./args.js');
  const parsed = parseArgs(process.argv.slice(2));
  if (!parsed.ok) return fail(parsed.message);
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
    const { attachCommand, listServers, sayingRuntimeDir, stopCommand } = await import('./servers.js');
    const code = await sayingRuntimeDir(
      args.command === 'ls'
        ? listServers(version(), process.stdout)
        : args.command === 'attach'
          ? attachCommand(args.target, version(), process.cwd())
          : stopCommand(args.target, version(), process.cwd(), process.stdout),
    );
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

/** What a workspace server loads on its way to its first frame, in the order it needs it. */
const PRELOAD: Array<() => Promise<unknown>> = [
  () => import('./open.js'),
  () => import('../server/go.js'),
  () => import('./trust.js'),
  () => import('../server/paths.js'),
  () => import('../server/server.js'),
  () => import('./session-start.js'),
  // session-start's own imports: loaded one after another when it runs, each read and compiled while
  // the server waits (~30 ms between listening and the session planned, traced).
  () => import('../store/store.js'),
  () => import('../store/recorder.js'),
  () => import('../store/memory-service.js'),
  () => import('./memory.js'),
  () => import('./compose.js'),
  () => import('../server/run-server.js'),
];

// Not awaited at the top level: the server's CommonJS build (src/cli/code-cache.ts) cannot; a
// failure still ends the program with its error, as an unhandled rejection.
void main();
