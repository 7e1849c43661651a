/**
 * Every process one run_command started, found again however it left the command's process group.
 *
 * A process group is not enough: `setsid sleep 100 &` or `(setsid sh -c 'sleep 100' &)` starts a
 * new session, which no signal to the group reaches. So each command gets a marker in its
 * environment, AGENTS_RUN_ID=<owner pid>.<owner start time>.<random>, which every process it starts
 * inherits; cleanup reads /proc/PID/environ of every process it may read and takes those carrying
 * the marker, plus the members of the command's group. The owner part lets a later agent tell the
 * processes of an agent that died without cleaning up (kill -9) and stop them (`sweepOrphans`).
 *
 * Invariants:
 * - this process itself is never a target, even if it carries a marker (an agent started by a
 *   command of another agent);
 * - a process counts as gone only when /proc no longer lists it alive (zombies are gone: they run
 *   nothing, and where PID 1 does not reap they linger);
 * - at exit (quit, SIGTERM via the agent's handler, an uncaught error) every command still running
 *   is sent SIGKILL, synchronously.
 * - a process in the middle of an exec shows an empty environment for a moment (the kernel has
 *   switched to the new program's memory but not yet written its environment there): such a
 *   process is not a target but is returned as `unsure`, so a caller can look again (run-command.ts
 *   does, for a bounded time). Missing it let `(setsid sh -c 'sleep 100' &)` outlive its command,
 *   about 1 run in 150 on this machine.
 * Known limit: a process that clears its environment (`env -i`, or a daemon rewriting the memory
 * /proc/PID/environ shows) and leaves the group is not found. Without /proc (not Linux) only the
 * process group is tracked.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { procStartOf } from '../../store/lock.js';

export const RUN_MARKER = 'AGENTS_RUN_ID';
/** Variables of the agent's channel to the workspace: a command must not be able to speak for the agent. */
const SECRET_PREFIXES = ['AGENTS_IPC', 'AGENTS_PANE_ID'];

const HAS_PROC = (() => {
  try {
    readdirSync('/proc/self');
    return true;
  } catch {
    return false;
  }
})();

export interface Proc {
  pid: number;
  /** The command name, for reports. */
  comm: string;
}

export function newRunId(): string {
  return `${process.pid}.${procStartOf(process.pid) ?? 0}.${randomBytes(12).toString('hex')}`;
}

/** The environment a command runs with: the agent's, without its channel secrets, plus the marker. */
export function commandEnv(base: NodeJS.ProcessEnv, runId: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(base)) {
    if (!SECRET_PREFIXES.some((p) => key.startsWith(p))) env[key] = value;
  }
  env[RUN_MARKER] = runId;
  return env;
}

interface Seen extends Proc {
  pgid: number;
  alive: boolean;
  kernel: boolean;
}

/** PF_KTHREAD in /proc/PID/stat's flags: kernel threads have no environment at all. */
const PF_KTHREAD = 0x00200000;

function readStat(pid: number): Seen | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "pid (comm) ": comm may hold spaces and parentheses, so split after the last ')'.
    const close = stat.lastIndexOf(')');
    const [state, , pgrp, , , , flags] = stat.slice(close + 2).split(' ');
    return {
      pid,
      comm: stat.slice(stat.indexOf('(') + 1, close),
      pgid: Number(pgrp),
      alive: state !== 'Z' && state !== 'X',
      kernel: (Number(flags) & PF_KTHREAD) !== 0,
    };
  } catch {
    return undefined; // Exited while we looked.
  }
}

function environOf(pid: number): Buffer | undefined {
  try {
    return readFileSync(`/proc/${pid}/environ`);
  } catch {
    return undefined; // Someone else's, not dumpable, or gone.
  }
}

function pids(): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c >= 48 && c <= 57) out.push(Number(name));
  }
  return out;
}

export interface RunScan {
  /** Live processes of the run: carrying its marker, or in its process group. */
  procs: Proc[];
  /** Live processes whose environment read empty: possibly the run's, caught in an exec. Not targets. */
  unsure: Proc[];
}

export function scanRun(runId: string, pgid: number | undefined): RunScan {
  if (!HAS_PROC) return { procs: pgid !== undefined && groupSignalable(pgid) ? [{ pid: pgid, comm: '?' }] : [], unsure: [] };
  const needle = Buffer.from(`${RUN_MARKER}=${runId}\0`);
  const scan: RunScan = { procs: [], unsure: [] };
  for (const pid of pids()) {
    if (pid === process.pid) continue;
    const seen = readStat(pid);
    if (!seen?.alive || seen.kernel) continue;
    const proc = { pid, comm: seen.comm };
    if (seen.pgid === pgid) {
      scan.procs.push(proc);
      continue;
    }
    const env = environOf(pid);
    if (env?.includes(needle)) scan.procs.push(proc);
    else if (env?.length === 0) scan.unsure.push(proc);
  }
  return scan;
}

/** Live processes of the run: carrying its marker, or in its process group. */
export function findRun(runId: string, pgid: number | undefined): Proc[] {
  return scanRun(runId, pgid).procs;
}

function groupSignalable(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Sends `sig` to the group and to each process; ones already gone are skipped. */
export function signalRun(procs: Proc[], pgid: number | undefined, sig: NodeJS.Signals): void {
  const targets = procs.map((p) => p.pid);
  if (pgid !== undefined) targets.unshift(-pgid);
  for (const t of targets) {
    try {
      process.kill(t, sig);
    } catch {
      // ESRCH: already gone.
    }
  }
}

const active = new Map<string, number | undefined>();
let exitHookInstalled = false;

/** Remembers a running command so that leaving the agent stops it. */
export function track(runId: string, pgid: number | undefined): void {
  active.set(runId, pgid);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const [id, group] of active) signalRun(findRun(id, group), group, 'SIGKILL');
    });
  }
}

export function untrack(runId: string): void {
  active.delete(runId);
}

/**
 * Stops processes left by commands of agents that are gone (killed before they could clean up):
 * every process carrying a marker whose owner pid is dead, or alive with another start time (a
 * reused pid). SIGKILL at once: they should not exist at all. Returns what was signalled.
 */
export function sweepOrphans(): Proc[] {
  if (!HAS_PROC) return [];
  const prefix = Buffer.from(`${RUN_MARKER}=`);
  const owners = new Map<string, boolean>();
  const out: Proc[] = [];
  for (const pid of pids()) {
    if (pid === process.pid) continue;
    const env = environOf(pid);
    if (!env) continue;
    // Only markers of our own making: a variable of that name set by someone else is left alone.
    const m = /^(\d+)\.(\d+)\.[0-9a-f]{24}$/.exec(markerIn(env, prefix) ?? '');
    if (!m) continue;
    const owner = `${m[1]}.${m[2]}`;
    let alive = owners.get(owner);
    if (alive === undefined) {
      alive = procStartOf(Number(m[1])) === Number(m[2]);
      owners.set(owner, alive);
    }
    const seen = readStat(pid);
    if (alive || !seen?.alive) continue;
    signalRun([seen], undefined, 'SIGKILL');
    out.push({ pid, comm: seen.comm });
  }
  return out;
}

/** The value of RUN_MARKER in a NUL-separated environment block. */
function markerIn(env: Buffer, prefix: Buffer): string | undefined {
  for (let at = env.indexOf(prefix); at !== -1; at = env.indexOf(prefix, at + 1)) {
    if (at !== 0 && env[at - 1] !== 0) continue; // inside another variable's value
    const end = env.indexOf(0, at);
    return env.subarray(at + prefix.length, end === -1 ? env.length : end).toString('utf8');
  }
  return undefined;
}
