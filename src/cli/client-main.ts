/**
 * `agents` in a terminal: attach to this project's running workspace server, or start one and
 * attach. The terminal shows "starting" at once; the server's first frame replaces it. Everything
 * that can go wrong before the server runs (a bad config, no session to resume) comes back on the
 * server's status pipe and is said here, with the usual exit status.
 */
import { attach, query, startingScreen } from '../client/attach.js';
import { launchServer } from '../client/launch.js';
import { abandon } from '../client/prelaunch.js';
import { ensureRuntimeDir, RuntimeDirError, socketPath, workspaceId } from '../server/paths.js';
import { noTerminalMessage, type CliArgs } from './args.js';
import { printable } from '../util/safe-text.js';

function say(message: string, code: number): number {
  process.stderr.write(`agents: ${printable(message.trimEnd(), { newlines: true })}\n`);
  return code;
}

export interface ClientOptions {
  /** The folder whose workspace this is (the last demo's copy for --demo --continue); none: always start one. */
  project?: string;
  /**
   * Runs before a new workspace server is started (not when attaching to a running one): the trust
   * question. A result ends the launch with that message and exit status.
   */
  beforeStart?: () => Promise<{ code: number; message: string } | undefined>;
}

export async function runClient(args: CliArgs, argv: string[], version: string, o: ClientOptions = {}): Promise<number> {
  const { stdin, stdout, stderr } = process;
  if (!stdin.isTTY || !stdout.isTTY) {
    // With no terminal to ask on, an untrusted config is the thing to say (it names --trust).
    const refused = stdin.isTTY ? undefined : await o.beforeStart?.();
    return say(refused?.message ?? noTerminalMessage(Boolean(stdin.isTTY), Boolean(stdout.isTTY)), 2);
  }
  let dir: string;
  try {
    dir = ensureRuntimeDir();
  } catch (err) {
    return say(err instanceof RuntimeDirError ? err.message : String(err), 2);
  }
  // A new demo starts a workspace of its own, on a fresh copy of its project.
  const project = o.project;
  if (project !== undefined) {
    const path = socketPath(dir, workspaceId(project));
    const live = await query(path, version);
    if (live?.refused) return say(live.refused, 2);
    if (live?.info) {
      // A server started ahead for this launch is not needed: one runs already.
      abandon();
      // A workflow started while the workspace runs: its tasks go on that workspace's board.
      if (args.command === 'workflow' && args.workflow) {
        const { requestSchemas } = await import('../server/requests.js');
        const request = { op: 'workflow' as const, name: args.workflow.name, goal: args.workflow.goal };
        const r = await query(path, version, 'request', 30_000, { request, replies: requestSchemas().ReplySchema });
        if (!r?.reply?.ok) return say(r?.reply?.text ?? 'the running workspace did not answer', 1);
        stderr.write(`agents: ${printable(r.reply.text)}\n`);
      }
      const asked = args.names.length || args.cmds.length || args.continue || args.resume !== undefined;
      if (asked) stderr.write('agents: this project\'s workspace is already running; attaching to it as it is (agents stop ends it, to start afresh).\n');
      return (await attach({ path, version, stdin, stdout, stderr })).code;
    }
  }
  const refused = await o.beforeStart?.();
  if (refused) return say(refused.message, refused.code);
  const screen = startingScreen(stdout, 'starting the workspace…');
  const started = await launchServer(argv, { cols: stdout.columns || 80, rows: stdout.rows || 24 });
  if ('error' in started) {
    // Another terminal started this project's workspace a moment before us: join it.
    const path = project === undefined ? undefined : socketPath(dir, workspaceId(project));
    if (path && (await query(path, version))?.info) return (await attach({ path, version, stdin, stdout, stderr, started: true }, screen)).code;
    screen.restore();
    return say(started.error, started.code);
  }
  return (await attach({ path: started.path, version, stdin, stdout, stderr, started: true, failed: started.failed }, screen)).code;
}
