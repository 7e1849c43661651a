/**
 * Starting the workspace server before the terminal client has decided it needs one.
 *
 * A cold `agents` used to pay Node's start twice in sequence: the client loaded commander, zod and
 * the config, checked it, and only then started the server, which started Node from scratch. Here
 * the client starts the server first thing, from a command line that looks like "open the
 * workspace", before anything heavy is loaded; the server loads its modules and reads its config
 * meanwhile (the two Node starts overlap on two cores) and then waits, doing nothing that leaves a
 * trace, until the client says "go" on the status pipe (launch.ts). The client still checks
 * everything itself first (flags, config, a running workspace to attach to, the trust question),
 * with the same messages and exit statuses as ever.
 *
 * Run as a program (`agents` on the PATH), bin/agents is a shell script first, which starts the
 * server at the same moment as the client, on two FIFOs (fds 7 and 8 of the client): the client
 * takes that server over here (`adopt`) and from then on treats it as one it started itself.
 *
 * Invariants:
 * - a server started here runs nothing and writes nothing before its "go": until then it is
 *   only loading code and reading files;
 * - a server that gets no "go" ends: the client kills it when it decides otherwise (`abandon`) or
 *   exits (an exit handler), and the server itself ends when its status pipe (or the launcher's go
 *   FIFO) closes unsaid;
 * - guessing wrong only costs time: a command line this mistakes for a subcommand is started the
 *   usual way, and one it mistakes for a workspace start is abandoned.
 *
 * Imports only Node's built-ins and the runtime-folder rules: it runs before anything else loads.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, rmdirSync, unlinkSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { launchedServer, type ServerChild, type ServerPipe } from './launched.js';
import { runtimeDir, socketPath, workspaceId } from '../server/paths.js';
import { childProcess } from '../util/builtin.js';
import { startMark } from '../util/start-trace.js';

/** The environment variable that makes the program a server, naming the fd of its status pipe. */
export const SERVE_FD = 'AGENTS_SERVE_FD';
/** Set for a server started ahead of its client's checks: it waits for "go" on its status pipe. */
export const SERVE_WAIT = 'AGENTS_SERVE_WAIT';

/**
 * Set by bin/agents' launcher for the client it starts: `<pid> <folder>`, the server it started at
 * the same moment and the private folder of their two FIFOs (the client writes go on fd 7 and reads
 * reports on fd 8).
 */
export const LAUNCHED = 'AGENTS_LAUNCHED';

/** Words that, first on the command line, make it a subcommand rather than a workspace start. */
const SUBCOMMANDS = new Set(['sessions', 'search', 'ls', 'attach', 'stop', 'worktrees', 'tasks', 'task', 'run', 'help']);
/** Options that take a value as the next word (commander's `--x <v>`); `--x=v` needs no skipping. */
const VALUE_OPTIONS = new Set(['--cmd', '--config', '--theme', '--layout', '--resume', '--model']);
/** Options that print something and start nothing. */
const NO_START = new Set(['-h', '--help', '-V', '--version']);

/**
 * Whether `argv` (the user's arguments) most likely opens a new workspace in this folder. A demo
 * reopened (`--demo --continue`) is left out: its workspace lives in another folder, maybe running.
 */
export function looksLikeStart(argv: readonly string[]): boolean {
  if (argv.some((a) => NO_START.has(a))) return false;
  if (argv.includes('--demo') && argv.some((a) => a === '--continue' || a.split('=')[0] === '--resume')) return false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    // After `--` every word is an agent name, whatever it spells.
    if (a === '--') return true;
    if (VALUE_OPTIONS.has(a)) i++;
    else if (!a.startsWith('-')) return !SUBCOMMANDS.has(a);
  }
  return true;
}

export interface Prelaunched {
  argv: string[];
  child: ServerChild;
  pipe: ServerPipe;
  /** What the server said on its pipe before anyone listened (it reports only after "go"). */
  early: Buffer[];
  exited: boolean;
}

interface Slot {
  /** Whether this process has decided already (started one or not). */
  decided: boolean;
  server?: Prelaunched;
  /** The one exit handler, whichever copy of this module adds or removes it. */
  abandon: () => void;
}

declare global {
  /**
   * One per process, shared by the two copies of this module a terminal loads: bin/agents runs the
   * one in dist/cli/boot.cjs (src/cli/boot.ts) before the client's program (dist/cli/main.cjs) is
   * loaded, and the program's copy takes the server over.
   */
  var __agentsPrelaunch: Slot | undefined;
}

const slot: Slot = (globalThis.__agentsPrelaunch ??= {
  decided: false,
  abandon(): void {
    const p = slot.server;
    if (!p) return;
    slot.server = undefined;
    process.off('exit', slot.abandon);
    p.pipe.destroy();
    if (!p.exited) p.child.kill('SIGKILL');
  },
});

/**
 * The one way a workspace server is started: this program again, with the same Node flags and the
 * person's arguments, detached (a session of its own, so the terminal closing sends it nothing),
 * reporting on fd 3: a unix socket pair, so the client's "go" can go down it too.
 */
export function spawnServer(argv: readonly string[], env: NodeJS.ProcessEnv): { child: ChildProcess; pipe: Socket | null } {
  // Loaded here, not with the module: the workspace server's program holds this module too, and a
  // server has no use for child_process before its first frame (~2 ms of its start).
  const { spawn } = childProcess();
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1], ...argv], {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    env: { ...env, [SERVE_FD]: '3' },
  });
  return { child, pipe: child.stdio[3] as Socket | null };
}

/**
 * Starts the server for `argv` now if this is a terminal opening a workspace in a folder where none
 * runs (by its socket: one being there means attaching, most likely, and is left to the client), or
 * takes over the one bin/agents' launcher started with this process.
 */
export function prelaunch(argv: string[], env: NodeJS.ProcessEnv = process.env): void {
  if (slot.decided) return;
  slot.decided = true;
  const launched = env[LAUNCHED];
  if (launched !== undefined) {
    // Its children (a server spawned later, the panes) must not take it for theirs.
    delete env[LAUNCHED];
    return adopt(argv, launched);
  }
  if (env[SERVE_FD] || env.AGENTS_SERVER === '0') return;
  if (!process.stdin.isTTY || !process.stdout.isTTY || !looksLikeStart(argv)) return;
  if (!argv.includes('--demo') && existsSync(socketPath(runtimeDir(env), workspaceId(process.cwd())))) return;
  let child: ChildProcess;
  let pipe: Socket | null;
  try {
    ({ child, pipe } = spawnServer(argv, { ...env, [SERVE_WAIT]: '1' }));
  } catch {
    return;
  }
  if (!pipe) {
    child.kill('SIGKILL');
    return;
  }
  hold({ argv, child, pipe, early: [], exited: false });
  startMark(`server started ahead: ${child.pid}`);
}

/** Keeps a server started ahead until the client takes it or lets it go. */
function hold(p: Prelaunched): void {
  p.pipe.on('data', (chunk: Buffer) => p.early.push(chunk));
  p.pipe.on('error', () => undefined);
  p.child.on('error', () => (p.exited = true));
  p.child.on('exit', () => (p.exited = true));
  // Nothing here keeps the client alive: it decides in its own time whether the server is wanted.
  p.child.unref();
  p.pipe.unref();
  process.on('exit', slot.abandon);
  slot.server = p;
}

/**
 * The server bin/agents' launcher started alongside this process (`<pid> <folder>`), on the FIFOs
 * it opened as fds 7 and 8. Their folder goes at once: the open ends are all either side needs.
 */
function adopt(argv: string[], launched: string): void {
  const m = /^(\d+) (\/.+)$/.exec(launched);
  if (!m) return;
  const pid = Number(m[1]);
  for (const name of ['go', 'status']) {
    try {
      unlinkSync(join(m[2], name));
    } catch {
      // Gone already.
    }
  }
  try {
    rmdirSync(m[2]);
  } catch {
    // Not ours to force.
  }
  const server = launchedServer(pid);
  if (!server) return;
  hold({ argv, ...server, early: [], exited: false });
  startMark(`server started ahead by the launcher: ${pid}`);
}

/**
 * The server started for exactly this command line, handed over once (to be told "go"); undefined
 * when none was started or it is gone.
 */
export function takePrelaunched(argv: readonly string[]): Prelaunched | undefined {
  const p = slot.server;
  if (!p || p.exited || p.argv.length !== argv.length || p.argv.some((a, i) => a !== argv[i])) {
    slot.abandon();
    return undefined;
  }
  slot.server = undefined;
  process.off('exit', slot.abandon);
  p.pipe.removeAllListeners('data');
  return p;
}

/** The client will not use the server it started: it goes (it has done nothing yet). */
export function abandon(): void {
  slot.abandon();
}
