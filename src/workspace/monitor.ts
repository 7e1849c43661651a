/**
 * Decides when each pane's screen is read and who is waiting on a pane's activity.
 *
 * Screens are read a short while after output (throttled per pane, so a streaming CLI is read about
 * ten times a second and an idle one never); a guess of "busy" is read again once it would have gone
 * quiet, and more output from a program read only by that guess does not read it sooner. A reading
 * goes to the workspace as a dispatched input (the workspace owns `pane.activity` and raises
 * attention); the workspace calls `changed(pane)` after applying one, which wakes waiters.
 * Built-in agents report theirs and are never read.
 */
import { GUESS_BUSY_MS, type Activity } from './activity.js';
import type { Reading } from './events.js';
import type { Pane } from './pane.js';
import type { SteerHost } from './steering.js';

/** Delay from output to reading the screen: one reading per burst of frames. */
const DETECT_MS = 100;
/** How long after keys a shell at its prompt is read again, and how often (see `detect`). */
const SHELL_START_MS = 3000;
const SHELL_AGAIN_MS = 250;

interface Waiter {
  pane: Pane;
  urgent: boolean;
  pred: (a: Activity | undefined) => boolean;
  resolve: (ok: boolean) => void;
}

export class ActivityMonitor implements SteerHost {
  private timers = new Map<number, { timer: NodeJS.Timeout; at: number }>();
  private waiters = new Set<Waiter>();
  private forgotten = new WeakSet<Pane>();
  /** When each pane was last read. */
  private readAt = new WeakMap<Pane, number>();
  private disposed = false;

  /** `apply` hands a reading to the workspace, which records it (and calls `changed`). */
  constructor(private apply: (p: Pane, r: Reading) => void) {}

  /** The pane drew something: read it soon — at once while someone waits on it, so no frame is missed. */
  output(p: Pane): void {
    if (this.disposed) return;
    for (const w of this.waiters) if (w.pane === p && w.urgent) return void this.detect(p);
    if (this.busyUntilQuiet(p)) return;
    this.schedule(p, DETECT_MS);
  }

  /**
   * A program read only by the output guess, read busy with no keys since: more output keeps it busy,
   * and the timer set at that reading looks again when it would go quiet. (Keys can make output read
   * as their echo, so after them it is read as usual.) A program printing steadily is read once per
   * quiet period instead of ten times a second, each reading a timer set and cleared twice.
   */
  private busyUntilQuiet(p: Pane): boolean {
    const a = p.activity;
    return p.guessedOnly && a?.source === 'guess' && a.state === 'busy' && this.timers.has(p.id) && p.lastTyped < (this.readAt.get(p) ?? 0);
  }

  /** The pane's process started or ended. */
  processChanged(p: Pane): void {
    if (p.running) return this.schedule(p, DETECT_MS);
    this.cancel(p);
  }

  /** Reads the pane now, records the reading, and returns the pane's activity after it. */
  detect(p: Pane): Activity | undefined {
    this.cancel(p);
    const now = Date.now();
    this.readAt.set(p, now);
    const r = p.detect(now);
    if (!r) {
      // Nothing to record (a CLI whose hooks lead, and a screen they cover), but the screen changed:
      // a waiter may be watching it (a redirect looks for its turn's first frame after Enter).
      this.changed(p);
      return p.activity;
    }
    this.apply(p, r);
    // A guessed "busy" becomes "idle" only by time passing: look again when it would, the guess's
    // time after the last output (output until then moves that on: see busyUntilQuiet).
    if (r.source === 'guess' && r.state === 'busy') this.schedule(p, Math.max(1, p.terminal.lastOutput + GUESS_BUSY_MS - now));
    // A shell at its prompt right after keys: the command they ran may not have the terminal yet
    // (the echo came from the terminal at once; a loaded machine forks late, a command line may run
    // a builtin first), and a command that prints nothing gives no output to be read again by.
    else if (r.source === 'process' && r.reason === 'prompt' && now - p.lastTyped < SHELL_START_MS) this.schedule(p, SHELL_AGAIN_MS);
    return p.activity;
  }

  /** The workspace recorded a new activity for the pane. */
  changed(p: Pane): void {
    for (const w of this.waiters) if (w.pane === p && w.pred(p.activity)) w.resolve(true);
  }

  /**
   * Resolves true as soon as `pred` holds for the pane's activity, false when `ms` passes (never, for
   * Infinity), the pane is forgotten or the monitor disposed. An `urgent` wait (a steering step, a few
   * seconds) reads the pane at every frame; a patient one keeps the usual throttle.
   */
  until(p: Pane, pred: (a: Activity | undefined) => boolean, ms: number, opts: { urgent?: boolean } = {}): Promise<boolean> {
    if (this.disposed || this.forgotten.has(p)) return Promise.resolve(false);
    if (pred(p.activity)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const w: Waiter = {
        pane: p,
        pred,
        urgent: opts.urgent === true,
        resolve: (ok) => {
          clearTimeout(timer);
          this.waiters.delete(w);
          resolve(ok);
        },
      };
      const timer = Number.isFinite(ms) ? setTimeout(() => w.resolve(false), ms) : undefined;
      this.waiters.add(w);
    });
  }

  /** Whether the pane is gone (closed) or the monitor stopped: waiting on it is pointless. */
  gone(p: Pane): boolean {
    return this.disposed || this.forgotten.has(p);
  }

  forget(p: Pane): void {
    this.forgotten.add(p);
    this.cancel(p);
    for (const w of this.waiters) if (w.pane === p) w.resolve(false);
  }

  dispose(): void {
    this.disposed = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const w of this.waiters) w.resolve(false);
  }

  private schedule(p: Pane, ms: number): void {
    if (p.isAgent || this.disposed) return;
    const at = Date.now() + ms;
    const current = this.timers.get(p.id);
    if (current && current.at <= at) return;
    if (current) clearTimeout(current.timer);
    this.timers.set(p.id, { timer: setTimeout(() => this.detect(p), ms), at });
  }

  private cancel(p: Pane): void {
    const t = this.timers.get(p.id);
    if (t) clearTimeout(t.timer);
    this.timers.delete(p.id);
  }
}
