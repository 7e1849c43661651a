/**
 * run_command: a shell command in the project folder, bounded in time and output.
 *
 * Invariants:
 * - The command runs in its own session and process group (`detached: true` is setsid), so it has
 *   no terminal to prompt on, and with a marker in its environment (processes.ts) that every
 *   process it starts inherits, including those that leave the group with setsid.
 * - When the tool returns, the command and everything it started have been checked gone, or the
 *   report names what is still running: on a timeout or an interrupt they all get SIGTERM, then
 *   SIGKILL after a grace period; when the shell ends by itself, background processes it left
 *   behind are stopped the same way (an agent's stray servers must not outlive its turn). The report
 *   never says a process was stopped unless /proc shows it gone.
 * - The command's environment carries none of the agent's channel secrets (AGENTS_IPC*,
 *   AGENTS_PANE_ID): with them a command could speak to the workspace as this agent.
 * - stdout and stderr share one pipe (the wrapper's `exec 2>&1`), so their order is the real order.
 * - Output is kept as head + tail with a marker of the bytes cut (output-cap.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { spawnNoFork, type NoForkChild } from '../../terminal/native-exec.js';
import * as z from 'zod';
import { OUTPUT_HEAD_BYTES, OUTPUT_TAIL_BYTES, OutputCap } from './output-cap.js';
import { realRoot } from './paths.js';
import { commandEnv, newRunId, scanRun, signalRun, track, untrack, type Proc } from './processes.js';
import { defineTool, plural, type ToolResult } from './types.js';

export { OUTPUT_HEAD_BYTES, OUTPUT_TAIL_BYTES } from './output-cap.js';
export const DEFAULT_TIMEOUT_MS = 120_000;
export const MAX_TIMEOUT_MS = 600_000;
export const KILL_GRACE_MS = 2_000;
/** How long output may stay open after the shell exits before leftovers count as stragglers. */
const DRAIN_MS = 500;
/** Between checks of /proc while waiting for processes to go: one check reads every process's environment (~5 ms for 100 processes). */
const POLL_MS = 25;
/**
 * How long a process whose environment reads empty is looked at again before it counts as not ours.
 * An exec shows an empty environment for well under a millisecond unless the machine is loaded; a
 * process that really has none (`env -i`) costs a finished command this much once.
 */
const UNSURE_MS = 250;

export const runCommandSchema = z.object({
  command: z.string().min(1).describe('Shell command, run with /bin/sh -c in the project root.'),
  timeout_ms: z
    .number()
    .int()
    .min(1)
    .max(MAX_TIMEOUT_MS)
    .optional()
    .describe(`Stop the command after this many milliseconds (default ${DEFAULT_TIMEOUT_MS}, at most ${MAX_TIMEOUT_MS}).`),
});

export const runCommandTool = defineTool({
  name: 'run_command',
  kind: 'exec',
  signature: '{command, timeout_ms?}',
  description:
    'Run a shell command (/bin/sh -c) in the project root and return its combined stdout and stderr and its exit code. ' +
    'There is no input (stdin is closed) and no terminal, so use non-interactive flags. ' +
    `Long output keeps its first ${OUTPUT_HEAD_BYTES / 1000} kB and last ${OUTPUT_TAIL_BYTES / 1000} kB. ` +
    `The command is stopped after timeout_ms (default ${DEFAULT_TIMEOUT_MS / 1000} s); background processes it starts are stopped when it ends.`,
  schema: runCommandSchema,
  async run(input, ctx) {
    const cwd = await realRoot(ctx.root);
    const label = clip(input.command.replace(/\s+/g, ' ').trim(), 50);
    if (ctx.signal.aborted) return { content: 'Not run: interrupted by the user.', isError: true, summary: `${label}: interrupted` };
    return new CommandRun(input.command, label, cwd, input.timeout_ms ?? DEFAULT_TIMEOUT_MS, ctx.signal).result;
  },
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class CommandRun {
  readonly result: Promise<ToolResult>;
  private resolve!: (r: ToolResult) => void;
  private readonly runId = newRunId();
  private readonly child: ChildProcess | NoForkChild;
  private readonly output = new OutputCap();
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private closed = false;
  private stopReason: string | undefined;
  private cleaning = false;
  private escalated = false;
  private straggled = false;
  /** Every process the cleanup found and signalled (the shell included when it was stopped). */
  private readonly found = new Map<number, string>();
  /** Processes whose environment read empty (processes.ts), with when that was first seen. */
  private readonly unsure = new Map<number, number>();
  /** The last scan saw a process that may be the run's, caught in an exec: look again before settling. */
  private inDoubt = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private done = false;

  constructor(
    command: string,
    private readonly label: string,
    cwd: string,
    timeoutMs: number,
    private readonly signal: AbortSignal,
  ) {
    this.result = new Promise((r) => (this.resolve = r));
    const args = ['-c', 'exec 2>&1; exec /bin/sh -c "$1"', 'sh', command];
    const env = commandEnv(process.env, this.runId);
    let child: NoForkChild | undefined;
    try {
      // Without a fork of this process where our addon can (src/terminal/native-exec.ts says why).
      child = spawnNoFork('/bin/sh', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    } catch {
      // It cannot start: child_process meets the same failure and reports it as 'error' below.
    }
    this.child = child ?? spawn('/bin/sh', args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    track(this.runId, this.child.pid);
    this.child.stdout?.on('data', (chunk: Buffer) => this.output.push(chunk));
    this.child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk));
    this.later(timeoutMs, () => this.stop(`timed out after ${timeoutMs} ms`));
    signal.addEventListener('abort', this.onAbort, { once: true });
    this.child.on('error', (err) => {
      if (!this.done) this.settle({ content: `Could not start the command: ${err.message}`, isError: true, summary: `${label}: failed to start` });
    });
    this.child.on('exit', (code, sig) => {
      this.exit = { code, signal: sig };
      // The shell is gone but something it started may still hold the output open.
      this.later(DRAIN_MS, () => {
        if (!this.closed) this.cleanUp(true);
      });
      this.check();
    });
    this.child.on('close', () => {
      this.closed = true;
      this.check();
    });
  }

  private readonly onAbort = () => this.stop('interrupted by the user');

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private stop(reason: string): void {
    if (this.stopReason !== undefined || this.done) return;
    this.stopReason = reason;
    this.cleanUp(false);
  }

  /** The shell ended and its output closed: done, unless it left processes running. */
  private check(): void {
    if (this.done || this.cleaning || this.exit === undefined || !this.closed) return;
    if (this.running().length > 0) this.cleanUp(true);
    else if (this.inDoubt) this.later(POLL_MS, () => this.check());
    else this.settle(this.report([]));
  }

  private running(): Proc[] {
    const { procs, unsure } = scanRun(this.runId, this.child.pid);
    for (const p of procs) if (!this.found.has(p.pid)) this.found.set(p.pid, p.comm);
    const now = Date.now();
    const still = new Set(unsure.map((p) => p.pid));
    for (const pid of this.unsure.keys()) if (!still.has(pid)) this.unsure.delete(pid);
    for (const pid of still) if (!this.unsure.has(pid)) this.unsure.set(pid, now);
    this.inDoubt = [...this.unsure.values()].some((since) => now - since < UNSURE_MS);
    return procs;
  }

  /** SIGTERM to all, SIGKILL to what is left after the grace period, then a check that all are gone. */
  private cleanUp(straggled: boolean): void {
    if (this.cleaning || this.done) return;
    this.cleaning = true;
    if (straggled && this.stopReason === undefined) this.straggled = true;
    void (async () => {
      const termed = new Set<number>();
      let group: number | undefined = this.child.pid;
      const terminate = (procs: Proc[]) => {
        const fresh = procs.filter((p) => !termed.has(p.pid));
        for (const p of fresh) termed.add(p.pid);
        signalRun(fresh, group, 'SIGTERM');
        // A stopped process acts on SIGTERM only once continued.
        signalRun(fresh, group, 'SIGCONT');
        group = undefined; // signalled once
      };
      let procs = this.running();
      terminate(procs);
      for (const deadline = Date.now() + KILL_GRACE_MS; (procs.length > 0 || this.inDoubt || !this.exit) && Date.now() < deadline; ) {
        await sleep(POLL_MS);
        // Processes first seen now (one that was in an exec, a child forked meanwhile) get theirs too.
        terminate((procs = this.running()));
      }
      if (procs.length > 0) this.escalated = true;
      // Repeated, so children forked meanwhile are caught too; the kernel needs a moment after a KILL.
      for (const deadline = Date.now() + KILL_GRACE_MS; (procs.length > 0 || this.inDoubt) && Date.now() < deadline; ) {
        signalRun(procs, this.child.pid, 'SIGKILL');
        await sleep(POLL_MS);
        procs = this.running();
      }
      // Output held open by a process we could not find: stop waiting for it.
      for (const deadline = Date.now() + DRAIN_MS; (!this.closed || !this.exit) && Date.now() < deadline; ) await sleep(POLL_MS);
      const heldOpen = !this.closed;
      if (heldOpen) {
        this.child.stdout?.destroy();
        this.child.stderr?.destroy();
      }
      this.settle(this.report(procs, heldOpen));
    })();
  }

  private settle(result: ToolResult): void {
    if (this.done) return;
    this.done = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.signal.removeEventListener('abort', this.onAbort);
    untrack(this.runId);
    this.resolve(result);
  }

  private report(survivors: Proc[], heldOpen = false): ToolResult {
    const lines = [this.output.render().replace(/\n$/, '') || '(no output)'];
    const left = survivors.length === 0 ? '' : `; still running after SIGKILL: ${survivors.map((p) => `${p.pid} (${p.comm})`).join(', ')}`;
    if (heldOpen) lines.push('[the output was still held open by a process that could not be found (one that cleared its environment and left the process group); reading stopped]');
    const exit = this.exit;
    if (this.stopReason !== undefined) {
      const how = this.escalated ? 'SIGTERM, then SIGKILL because some did not stop' : 'SIGTERM';
      lines.push(`[stopped: ${this.stopReason}; the command and the processes it started were sent ${how}${left || '; all checked gone'}]`);
      return { content: lines.join('\n'), isError: true, summary: `${this.label}: ${this.stopReason}` };
    }
    if (this.straggled) {
      const shell = this.child.pid;
      const names = [...this.found].filter(([pid]) => pid !== shell).map(([, comm]) => comm);
      const what = `${plural(names.length, 'background process', 'background processes')} the command left running (${[...new Set(names)].sort().join(', ')})`;
      lines.push(survivors.length === 0 ? `[stopped ${what}; all checked gone]` : `[tried to stop ${what}${left}]`);
    }
    const status = exit === undefined ? 'exit status unknown' : exit.code !== null ? `exit code ${exit.code}` : `killed by ${exit.signal ?? 'a signal'}`;
    lines.push(`[${status}]`);
    const short = exit === undefined ? 'still running' : exit.code !== null ? `exit ${exit.code}` : exit.signal;
    return { content: lines.join('\n'), isError: exit?.code !== 0 || survivors.length > 0, summary: `ran ${this.label} (${short})` };
  }
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
