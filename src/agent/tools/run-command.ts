/**
 * run_command: a shell command in the project folder, bounded in time and output.
 *
 * Invariants:
 * - The command runs in its own session and process group (`detached: true` is setsid), so one
 *   signal to the group reaches everything it started, and it has no terminal to prompt on.
 * - When the tool returns, nothing of that group is left: on a timeout or an interrupt the group gets
 *   SIGTERM, then SIGKILL after a grace period; when the shell ends by itself, background processes
 *   it left behind are stopped the same way (an agent's stray servers must not outlive its turn).
 * - stdout and stderr share one pipe (the wrapper's `exec 2>&1`), so their order is the real order.
 * - Output is kept as head + tail with a marker of the bytes cut, so memory stays bounded however
 *   much a command prints.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { z } from 'zod';
import { realRoot } from './paths.js';
import { defineTool, type ToolResult } from './types.js';

export const DEFAULT_TIMEOUT_MS = 120_000;
export const MAX_TIMEOUT_MS = 600_000;
export const KILL_GRACE_MS = 2_000;
export const OUTPUT_HEAD_BYTES = 10_000;
export const OUTPUT_TAIL_BYTES = 20_000;
/** How long output may stay open after the shell exits before leftovers count as stragglers. */
const DRAIN_MS = 500;

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
    return runInGroup(input.command, cwd, input.timeout_ms ?? DEFAULT_TIMEOUT_MS, ctx.signal);
  },
});

function runInGroup(command: string, cwd: string, timeoutMs: number, signal: AbortSignal): Promise<ToolResult> {
  const label = clip(command.replace(/\s+/g, ' ').trim(), 50);
  if (signal.aborted) {
    return Promise.resolve({ content: 'Not run: interrupted by the user.', isError: true, summary: `${label}: interrupted` });
  }
  return new Promise((resolvePromise) => {
    const child = spawn('/bin/sh', ['-c', 'exec 2>&1; exec /bin/sh -c "$1"', 'sh', command], {
      cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = new OutputCap();
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));

    let stopReason: string | undefined;
    let termSent = false;
    let killSent = 0; // when SIGKILL went out (ms), 0 before
    let straggled = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let closed = false;
    let done = false;
    const timers = new Set<NodeJS.Timeout>();
    const later = (ms: number, fn: () => void) => {
      const t = setTimeout(() => {
        timers.delete(t);
        fn();
      }, ms);
      timers.add(t);
    };
    const settle = (result: ToolResult) => {
      done = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      signal.removeEventListener('abort', onAbort);
      resolvePromise(result);
    };

    const signalGroup = (sig: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        // ESRCH: the group is already gone.
      }
    };
    const terminate = () => {
      if (termSent) return;
      termSent = true;
      signalGroup('SIGTERM');
      later(KILL_GRACE_MS, () => {
        killSent = Date.now();
        signalGroup('SIGKILL');
        // A process that left the group (setsid) may still hold the pipe; stop waiting for it.
        later(KILL_GRACE_MS, () => {
          child.stdout.destroy();
          child.stderr.destroy();
          closed = true;
          check();
        });
      });
    };
    const stop = (reason: string) => {
      if (stopReason !== undefined || done) return;
      stopReason = reason;
      terminate();
    };
    const onAbort = () => stop('interrupted by the user');

    // Resolves once the shell has exited, the output is closed and the group is gone (or was killed).
    const check = () => {
      if (done || exit === undefined || !closed) return;
      if (groupAlive(child.pid)) {
        if (!termSent && stopReason === undefined) straggled = true;
        terminate();
        // After SIGKILL, give the kernel a moment to take the group down, but never wait on zombies.
        if (killSent === 0 || Date.now() - killSent < 500) {
          later(20, check);
          return;
        }
      }
      settle(report(label, output.render(), exit, stopReason, killSent > 0, straggled));
    };

    later(timeoutMs, () => stop(`timed out after ${timeoutMs} ms`));
    signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      if (!done) settle({ content: `Could not start the command: ${err.message}`, isError: true, summary: `${label}: failed to start` });
    });
    child.on('exit', (code, sig) => {
      exit = { code, signal: sig };
      later(DRAIN_MS, () => {
        if (closed || termSent) return;
        // The shell is gone but something it started still holds the output open.
        straggled = true;
        terminate();
      });
      check();
    });
    child.on('close', () => {
      closed = true;
      check();
    });
  });
}

/**
 * Whether any process of the group still runs. Zombies do not count: kill(-pgid, 0) succeeds for
 * them, and where PID 1 does not reap (containers), orphaned zombies linger for a long time. So on
 * Linux the group is read from /proc; elsewhere kill(0) is the best there is.
 */
function groupAlive(pgid: number | undefined): boolean {
  if (pgid === undefined) return false;
  if (process.platform === 'linux') {
    try {
      return readdirSync('/proc').some((name) => /^\d+$/.test(name) && isLiveMember(name, pgid));
    } catch {
      // No /proc: fall back to kill(0).
    }
  }
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function isLiveMember(pid: string, pgid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)": state, ppid, pgrp. comm itself may contain spaces and parentheses.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(pgrp) === pgid && state !== 'Z' && state !== 'X';
  } catch {
    return false; // Exited while we looked.
  }
}

function report(
  label: string,
  text: string,
  exit: { code: number | null; signal: NodeJS.Signals | null },
  stopReason: string | undefined,
  escalated: boolean,
  straggled: boolean,
): ToolResult {
  const lines = [text === '' ? '(no output)' : text.replace(/\n$/, '')];
  if (stopReason !== undefined) {
    const how = escalated ? 'SIGTERM, then SIGKILL because it did not stop' : 'SIGTERM';
    lines.push(`[stopped: ${stopReason}; the command's process group was sent ${how}]`);
    return { content: lines.join('\n'), isError: true, summary: `${label}: ${stopReason}` };
  }
  if (straggled) lines.push('[background processes the command left running were stopped]');
  const status = exit.code !== null ? `exit code ${exit.code}` : `killed by ${exit.signal ?? 'a signal'}`;
  lines.push(`[${status}]`);
  return { content: lines.join('\n'), isError: exit.code !== 0, summary: `ran ${label} (${exit.code !== null ? `exit ${exit.code}` : exit.signal})` };
}

/** Keeps the first and last bytes of a stream; counts what falls between. */
class OutputCap {
  private head: Buffer[] = [];
  private headLen = 0;
  private tail: Buffer[] = [];
  private tailLen = 0;
  private total = 0;

  push(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.headLen < OUTPUT_HEAD_BYTES) {
      const take = Math.min(OUTPUT_HEAD_BYTES - this.headLen, chunk.length);
      this.head.push(chunk.subarray(0, take));
      this.headLen += take;
      chunk = chunk.subarray(take);
    }
    if (chunk.length === 0) return;
    this.tail.push(chunk);
    this.tailLen += chunk.length;
    while (this.tail.length > 1 && this.tailLen - this.tail[0].length >= OUTPUT_TAIL_BYTES) {
      this.tailLen -= (this.tail.shift() as Buffer).length;
    }
  }

  render(): string {
    // StringDecoder holds back a character split at the end of the head instead of mangling it.
    const head = new StringDecoder('utf8').write(Buffer.concat(this.head));
    let tail = Buffer.concat(this.tail);
    if (tail.length > OUTPUT_TAIL_BYTES) tail = tail.subarray(tail.length - OUTPUT_TAIL_BYTES);
    const cut = this.total - this.headLen - tail.length;
    let start = 0;
    while (cut > 0 && start < tail.length && (tail[start] & 0xc0) === 0x80) start++; // mid-character
    const tailText = tail.subarray(start).toString('utf8');
    const text = cut > 0 ? `${head}\n[... ${cut + start} bytes of output cut here ...]\n${tailText}` : head + tailText;
    return stripAnsi(text);
  }
}

// Colour and cursor codes are noise to the model (and some tools emit them even into a pipe).
const ANSI = new RegExp('\\u001b\\[[0-?]*[ -/]*[@-~]|\\u001b\\][^\\u0007\\u001b]*(?:\\u0007|\\u001b\\\\)|\\u001b[@-Z\\\\-_]', 'g');

function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
