/**
 * Runs a task's check: a shell command in the project folder, in a process group of its own (so a
 * timeout or shutdown stops all of it), its stdout and stderr in one pipe so their order is kept,
 * only the tail kept in memory. Exit 0 passes.
 *
 * Invariant: `run` always resolves (a command that cannot start is a failed check saying why), and
 * `stopAll` leaves no process of any check running.
 */
import type { ChildProcess } from 'node:child_process';
import { spawnNoFork, type NoForkChild } from '../terminal/native-exec.js';
import type { SessionReaper } from '../terminal/reaper.js';
import { CHECK_TAIL_CHARS, type CheckResult } from './task.js';
import { childProcess } from '../util/builtin.js';

const KILL_GRACE_MS = 2000;
/** Environment a check must not inherit: the workspace's private channels. */
const PRIVATE_ENV = /^AGENTS_(IPC|PANE_ID|MCP_TOKEN|SERVE)/;

/** A check's shell: started without a fork of the workspace where our addon can (native-exec.ts). */
type Check = ChildProcess | NoForkChild;

export class CheckRunner {
  private running = new Set<Check>();

  /** `reaper`: told of each check's session, so a check outlives no workspace killed outright. */
  constructor(private o: { cwd: string; timeoutMs: number; env?: NodeJS.ProcessEnv; reaper?: SessionReaper }) {}

  run(command: string): Promise<CheckResult> {
    const t0 = Date.now();
    return new Promise((resolve) => {
      const env: NodeJS.ProcessEnv = {};
      for (const [k, v] of Object.entries(this.o.env ?? process.env)) if (!PRIVATE_ENV.test(k)) env[k] = v;
      let child: Check;
      const args = ['-c', 'exec 2>&1; exec /bin/sh -c "$1"', 'sh', command];
      try {
        child =
          spawnNoFork('/bin/sh', args, { cwd: this.o.cwd, env, stdio: ['ignore', 'pipe', 'ignore'], detached: true }) ??
          childProcess().spawn('/bin/sh', args, { cwd: this.o.cwd, detached: true, stdio: ['ignore', 'pipe', 'ignore'], env });
      } catch (err) {
        resolve({ ok: false, code: null, output: `could not start the check: ${(err as Error).message}`, at: Date.now(), ms: 0 });
        return;
      }
      this.running.add(child);
      // detached is setsid: the check's pid leads its own session.
      if (child.pid) this.o.reaper?.track(child.pid);
      let tail = '';
      child.stdout?.setEncoding('utf8');
      child.stdout?.on('data', (s: string) => {
        tail = (tail + s).slice(-CHECK_TAIL_CHARS * 4);
      });
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        this.stop(child);
      }, this.o.timeoutMs);
      const done = (code: number | null, error?: string) => {
        clearTimeout(timer);
        this.running.delete(child);
        if (child.pid) this.o.reaper?.forget(child.pid);
        // Whatever it left behind in its group goes with it.
        signalGroup(child, 'SIGKILL');
        let output = tail.slice(-CHECK_TAIL_CHARS);
        if (timedOut) output += `\n[stopped: the check ran longer than ${Math.round(this.o.timeoutMs / 1000)} s]`;
        if (error) output += `\n[${error}]`;
        resolve({ ok: code === 0 && !timedOut, code: timedOut ? null : code, output, at: Date.now(), ms: Date.now() - t0 });
      };
      child.on('error', (err) => done(null, `could not start the check: ${err.message}`));
      // The check is over when its shell exits: a background child still holding the pipe (a server
      // it started) would otherwise keep 'close' away until the timeout, failing a check that passed.
      child.on('exit', () => signalGroup(child, 'SIGKILL'));
      child.on('close', (code) => done(code));
    });
  }

  private stop(child: Check): void {
    signalGroup(child, 'SIGTERM');
    setTimeout(() => signalGroup(child, 'SIGKILL'), KILL_GRACE_MS).unref();
  }

  /** Stops every running check at once (the workspace is ending). */
  stopAll(): void {
    for (const c of this.running) signalGroup(c, 'SIGKILL');
  }
}

function signalGroup(child: Check, sig: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, sig);
  } catch {
    // The group is gone already.
  }
}
