/**
 * `agents ls`, `agents attach [ID]` and `agents stop [ID]` in their plain forms, as a small CommonJS
 * program of their own (dist/cli/servers.cjs) that bin/agents runs before anything else loads.
 *
 * Why: attaching is what a person does again and again to a workspace that outlives its terminals,
 * and its start was Node's own plus ~100 ms, most of it loading: bin/agents' boot file (its built-ins
 * include crypto, zlib and child_process, for a server's start), Node's ES module loader, the
 * client's build and its chunks, commander. This file needs none of them (docs/profile.md).
 *
 * Any other form (a flag such as `--help`, a word too many) is left to src/cli/main.ts, which
 * answers these plain forms the same way: both call src/cli/servers.ts.
 */
import { version } from './exit.js';
import { attachCommand, listServers, sayingRuntimeDir, stopCommand } from './servers.js';
import { startMark } from '../util/start-trace.js';

export type PlainCommand = { command: 'ls' } | { command: 'attach' | 'stop'; target: string | undefined };

/** The command `argv` (the user's arguments) names when it is one of the plain forms, else undefined. */
export function plainServersCommand(argv: readonly string[]): PlainCommand | undefined {
  const [command, target, ...more] = argv;
  if (more.length > 0) return undefined;
  if (command === 'ls') return target === undefined ? { command } : undefined;
  if (command !== 'attach' && command !== 'stop') return undefined;
  // An option (`--help`, or one of the workspace's) is for commander to read or refuse.
  if (target !== undefined && target.startsWith('-')) return undefined;
  return { command, target };
}

/**
 * Runs the command `argv` names, exiting with its status; false, having done nothing, when `argv` is
 * not a plain form. A failure ends the program with its error, as in main.ts.
 */
export function runServersCommand(argv: readonly string[]): boolean {
  const plain = plainServersCommand(argv);
  if (!plain) return false;
  startMark('main (servers.cjs)');
  const v = version();
  const ran =
    plain.command === 'ls'
      ? listServers(v, process.stdout)
      : plain.command === 'attach'
        ? attachCommand(plain.target, v, process.cwd())
        : stopCommand(plain.target, v, process.cwd(), process.stdout);
  void sayingRuntimeDir(ran).then((code) => process.exit(code));
  return true;
}
