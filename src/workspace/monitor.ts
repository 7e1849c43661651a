/**
 * Keeps every pane's activity (busy / waiting / idle) current and tells the workspace when it changes.
 *
 * Screens are read a short while after output (throttled per pane, so a streaming CLI is read about
 * ten times a second and an idle one never); a guess of "busy" is read again once it would have gone
 * quiet. Built-in agents report theirs. A pane that starts waiting for the person raises attention
 * once, not again for a dialog that merely redraws.
 */
import { GUESS_BUSY_MS, type Activity, type ActivitySource, type ActivityState } from './activity.js';
import type { Pane } from './pane.js';
import type { SteerHost } from './steering.js';
import { log } from '../util/log.js';

/** Delay from output to reading the screen: one reading per burst of frames. */
const DETECT_MS = 100;
/** A dialog that flickers through another state within this long does not ring twice. */
const ATTENTION_QUIET_MS = 3000;

interface Waiter {
  pane: Pane;
  urgent: boolean;
  pred: (a: Activity | undefined) => boolean;
  resolve: (ok: boolean) => void;
}

export class ActivityMonitor implements SteerHost {
  private timers = new Map<number, { timer: NodeJS.Timeout; at: number }>();
  private waitingSince = new Map<number, number>();
  /** When each pane last stopped waiting, so a dialog that redraws through another state rings once. */
  private leftWaiting = new Map<number, number>();
  private waiters = new Set<Waiter>();
  private forgotten = new WeakSet<Pane>();
  private disposed = false;

  constructor(private hooks: { changed: (p: Pane) => void; attention: (p: Pane) => void }) {}

  /** The pane drew something: read it soon — at once while someone waits on it, so no frame is missed. */
  output(p: Pane): void {
    if (this.disposed) return;
    for (const w of this.waiters) if (w.pane === p && w.urgent) return void this.detect(p);
    this.schedule(p, DETECT_MS);
  }

  /** The pane's process started or ended. */
  processChanged(p: Pane): void {
    if (p.running) return this.schedule(p, DETECT_MS);
    this.cancel(p);
    if (p.activity) this.set(p, undefined);
  }

  /** A built-in agent's own report. */
  report(p: Pane, state: ActivityState, reason: string): void {
    this.apply(p, state, 'reported', reason);
  }

  detect(p: Pane): Activity | undefined {
    this.cancel(p);
    const r = p.detect();
    if (!r) return p.activity;
    this.apply(p, r.state, r.source, r.reason);
    // A guessed "busy" becomes "idle" only by time passing: look again when it would.
    if (r.source === 'guess' && r.state === 'busy') this.schedule(p, GUESS_BUSY_MS);
    return p.activity;
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

  /** The pane that has waited longest for the person. */
  longestWaiting(): number | undefined {
    let best: [number, number] | undefined;
    for (const e of this.waitingSince) if (!best || e[1] < best[1]) best = e;
    return best?.[0];
  }

  forget(p: Pane): void {
    this.forgotten.add(p);
    this.cancel(p);
    this.waitingSince.delete(p.id);
    this.leftWaiting.delete(p.id);
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

  private apply(p: Pane, state: ActivityState, source: ActivitySource, reason: string): void {
    const prev = p.activity;
    if (prev && prev.state === state && prev.source === source) {
      prev.reason = reason;
      return this.wake(p);
    }
    const now = Date.now();
    if (source !== 'reported') log(`activity ${p.name}: ${prev?.state ?? '-'} -> ${state} (${source}: ${reason})`);
    const changed = prev?.state !== state;
    this.set(p, { state, source, reason, since: changed ? now : prev.since, previous: changed ? prev?.state : prev.previous });
    if (state === 'waiting' && prev?.state !== 'waiting') {
      this.waitingSince.set(p.id, now);
      const left = this.leftWaiting.get(p.id);
      if (left === undefined || now - left > ATTENTION_QUIET_MS) this.hooks.attention(p);
    }
  }

  private set(p: Pane, a: Activity | undefined): void {
    if (p.activity?.state === 'waiting' && a?.state !== 'waiting') {
      this.waitingSince.delete(p.id);
      this.leftWaiting.set(p.id, Date.now());
    }
    p.activity = a;
    this.hooks.changed(p);
    this.wake(p);
  }

  private wake(p: Pane): void {
    for (const w of this.waiters) if (w.pane === p && w.pred(p.activity)) w.resolve(true);
  }
}
