/**
 * Who made a change: the built-in agents announce each write as (path, content hash) just before it
 * lands, and a watcher event whose content hashes the same is theirs. The announcement travels over
 * IPC while the event comes from inotify, so either may arrive first; matching is by time distance,
 * not order.
 *
 * Invariants: a registration further than `windowMs` from the change (by the injected clock) never
 * matches, and expired ones are swept within a tenth of the window; a registration matches at most
 * one change (it is consumed), so a later change to identical content by someone else is not credited
 * to the agent; at most `maxTotal` are held.
 */
import type { Clock } from './feed-types.js';

interface Registration {
  agent: string;
  hash: string;
  time: number;
}

export class Registrations {
  private byPath = new Map<string, Registration[]>();
  private total = 0;
  private prunedAt = -Infinity;

  constructor(
    private clock: Clock,
    readonly windowMs = 5000,
    private maxTotal = 10_000,
  ) {}

  add(agent: string, path: string, hash: string): void {
    this.prune();
    if (this.total >= this.maxTotal) return; // a runaway writer; its changes show as outside instead
    const list = this.byPath.get(path) ?? [];
    list.push({ agent, hash, time: this.clock.now() });
    this.byPath.set(path, list);
    this.total++;
  }

  /** The agent whose registration matches, consumed; `time` is when the watcher saw the change. */
  take(path: string, hash: string, time: number): string | undefined {
    this.prune();
    const list = this.byPath.get(path);
    if (!list) return undefined;
    const i = list.findIndex((r) => r.hash === hash && Math.abs(r.time - time) <= this.windowMs);
    if (i < 0) return undefined;
    const [r] = list.splice(i, 1);
    this.total--;
    if (list.length === 0) this.byPath.delete(path);
    return r.agent;
  }

  /** Whether an agent announced a write to this path lately, whatever the content. */
  has(path: string): boolean {
    this.prune();
    return this.byPath.has(path);
  }

  /** At most ten sweeps per window: `has` runs once per event of a burst. */
  private prune(): void {
    const now = this.clock.now();
    if (now - this.prunedAt < this.windowMs / 10) return;
    this.prunedAt = now;
    const oldest = now - this.windowMs;
    for (const [path, list] of this.byPath) {
      const keep = list.filter((r) => r.time >= oldest);
      this.total -= list.length - keep.length;
      if (keep.length === 0) this.byPath.delete(path);
      else if (keep.length !== list.length) this.byPath.set(path, keep);
    }
  }
}
