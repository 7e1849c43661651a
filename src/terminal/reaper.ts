/**
 * Panes' programs end when the workspace dies, however it dies. The workspace stops its panes
 * itself on quit, SIGTERM, SIGHUP and a crash it catches; for a death it cannot catch (SIGKILL, the
 * OOM killer, a native crash) a small helper process, native/src/reaper.c, holds a pipe from the
 * workspace and is told each pane's session id. When the pipe closes it signals every process
 * group of those sessions (TERM and HUP, then KILL after a grace), as process-tree.ts does, and exits.
 *
 * Why a C program: measured idle RSS 1.1 MB, against 42 MB for a Node process blocked on its stdin
 * and 1.7 MB for a /bin/sh `while read` loop, which would then need awk or ps to find a session's
 * process groups in /proc at the moment it matters; it costs no CPU while idle (blocked in read()).
 *
 * Invariants:
 * - The helper starts once the first frame is out (or a second after the workspace was composed,
 *   compose.ts), not in front of it; sessions reported earlier are kept and sent when it starts, so
 *   no pane is missed. It is started by our addon without a fork (native-exec.ts); only without it
 *   is it child_process's, a fork of this whole process (3-11 ms at ~80 MB RSS, ~20 ms at start-up,
 *   and a fault on each page written afterwards).
 * - The pipe's write end belongs to this process alone: it is close-on-exec and every spawn sweeps
 *   (native.ts), so no pane holds it open and its EOF means this process is gone.
 * - The helper never keeps the workspace alive (unref'd), and `close()` lets it finish its job and
 *   exit: what a quit left of a recorded session (a job that ignored HUP in a pane that had exited)
 *   is stopped too.
 */
import type { ChildProcess } from 'node:child_process';
import { Socket } from 'node:net';
import { log } from '../util/log.js';
import { closeOnExecAll, REAPER_PATH } from './native.js';
import { spawnNoFork, type NoForkChild } from './native-exec.js';
import { childProcess } from '../util/builtin.js';

/** Its helper: a ChildProcess, or one our addon started (native-exec.ts). */
type Helper = ChildProcess | NoForkChild;

/** What PaneTerminal tells about the sessions it starts and sees end. */
export interface SessionReaper {
  /** A pane's program started: `sid` is its session id (it is started as a session leader). */
  track(sid: number): void;
  /** The workspace saw every process of that session end. */
  forget(sid: number): void;
}

/** How many times a helper that died early is started again (it can be killed like any process of yours). */
const RESTARTS = 3;

export class Reaper implements SessionReaper {
  private child: Helper | undefined;
  /** Sessions reported and not forgotten: sent again to a restarted helper. */
  private readonly sessions = new Set<number>();
  private started = false;
  private closed = false;
  private restarts = 0;

  constructor(private readonly path: string | undefined = REAPER_PATH) {}

  /** The helper's pid while it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the helper now. */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    if (!this.path) {
      log('reaper: the native part is not built (run npm install); a killed workspace may leave panes running');
      return;
    }
    this.spawn(this.path);
  }

  private spawn(path: string): void {
    let child: Helper;
    const t0 = performance.now();
    try {
      // Without a fork of this process where the addon can (native-exec.ts says why); it holds
      // nothing of ours either way (it also closes everything from 3 up itself).
      child = spawnNoFork(path, [], { cwd: '/', stdio: ['pipe', 'ignore', 'ignore'], detached: true }) ?? this.forked(path);
      log(`reaper: started (pid ${child.pid}) in ${(performance.now() - t0).toFixed(1)} ms at ${Math.round(process.memoryUsage().rss / 1e6)} MB RSS`);
    } catch (e) {
      log(`reaper: could not start ${path}: ${(e as Error).message}`);
      return;
    }
    this.child = child;
    child.on('error', (e) => log(`reaper: ${e.message}`));
    child.stdin?.on('error', (e) => log(`reaper: pipe: ${e.message}`));
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      if (this.closed) return;
      log(`reaper: exited early (${signal ?? code})${this.restarts < RESTARTS ? '; starting it again' : ''}`);
      if (this.restarts++ < RESTARTS) this.spawn(path);
    });
    child.unref();
    if (child.stdin instanceof Socket) child.stdin.unref();
    for (const sid of this.sessions) child.stdin?.write(`+${sid}\n`);
  }

  /** The helper started by child_process, a fork: nothing of ours may stay open in it. */
  private forked(path: string): ChildProcess {
    closeOnExecAll();
    return childProcess().spawn(path, [], { stdio: ['pipe', 'ignore', 'ignore'], detached: true, cwd: '/' });
  }

  track(sid: number): void {
    if (this.closed) return;
    this.sessions.add(sid);
    this.child?.stdin?.write(`+${sid}\n`);
  }

  forget(sid: number): void {
    if (this.closed || !this.sessions.delete(sid)) return;
    this.child?.stdin?.write(`-${sid}\n`);
  }

  /**
   * Closes the pipe: the helper stops what is left of the recorded sessions and exits. Resolves when
   * it has exited, or after `waitMs` (it goes on by itself either way).
   */
  close(waitMs = 0): Promise<void> {
    this.closed = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    child.stdin?.end();
    if (waitMs <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, waitMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

let installed: SessionReaper | undefined;

/** The process's reaper, which every PaneTerminal reports to unless given its own. */
export function installReaper(reaper: SessionReaper | undefined): void {
  installed = reaper;
}

export function installedReaper(): SessionReaper | undefined {
  return installed;
}
