/**
 * `agents` in a terminal: attach to this project's running workspace server, or start one and
 * attach. The terminal shows "starting" at once; the server's first frame replaces it. Everything
 * that can go wrong before the server runs (a bad config, no session to resume) comes back on the
 * server's status pipe and is said here, with the usual exit status.
 */
import { attach, query, startingScreen } from '../client/attach.js';
import { launchServer } from '../client/launch.js';
import { ensureRuntimeDir, RuntimeDirError, socketPath, workspaceId } from '../server/paths.js';
import type { CliArgs } from './args.js';
import { printable } from '../util/safe-text.js';

function say(message: string, code: number): number {
  process.stderr.write(`agents: ${printable(message.trimEnd(), { newlines: true })}\n`);
  return code;
}

export async function runClient(args: CliArgs, argv: string[], version: string): Promise<number> {
  const { stdin, stdout, stderr } = process;
  if (!stdin.isTTY || !stdout.isTTY) return say('agents needs a terminal: run it directly, not with its input or output redirected.', 2);
  let dir: string;
  try {
    dir = ensureRuntimeDir();
  } catch (err) {
    return say(err instanceof RuntimeDirError ? err.message : String(err), 2);
  }
  // The demo always starts a workspace of its own, on a fresh copy of its project.
  if (!args.demo) {
    const path = socketPath(dir, workspaceId(process.cwd()));
    const live = await query(path, version);
    if (live?.refused) return say(live.refused, 2);
    if (live?.info) {
      const asked = args.names.length || args.cmds.length || args.continue || args.resume !== undefined;
      if (asked) stderr.write('agents: this project\'s workspace is already running; attaching to it as it is (agents stop ends it, to start afresh).\n');
      return (await attach({ path, version, stdin, stdout, stderr })).code;
    }
  }
  const screen = startingScreen(stdout, 'starting the workspace…');
  const started = await launchServer(argv, { cols: stdout.columns || 80, rows: stdout.rows || 24 });
  if ('error' in started) {
    // Another terminal started this project's workspace a moment before us: join it.
    const path = socketPath(dir, workspaceId(process.cwd()));
    if (!args.demo && (await query(path, version))?.info) return (await attach({ path, version, stdin, stdout, stderr, started: true }, screen)).code;
    screen.restore();
    return say(started.error, started.code);
  }
  return (await attach({ path: started.ready, version, stdin, stdout, stderr, started: true }, screen)).code;
}
