/**
 * Who touched which file lately, for two questions: "did someone else change this file since I read
 * it?" (an agent's edit tool asks before editing) and "are two parties editing the same file at once?"
 * (a conflict, shown to both agents and as a badge on both panes).
 *
 * Invariants: per path at most `perPath` touches, newest last; at most `maxPaths` paths, least
 * recently touched dropped first; per agent at most `maxPaths` remembered reads. A conflict for a
 * (path, pair of parties) is reported at most once per `windowMs`; two outside parties never conflict
 * (the watcher cannot tell the person from an external CLI).
 */
import { partyOf, type Conflict, type Touch, type Who } from './feed-types.js';

export class TouchLog {
  private byPath = new Map<string, Touch[]>();

  constructor(
    private maxPaths = 20_000,
    private perPath = 6,
  ) {}

  /** Records a change and returns the touches that came before it. */
  record(path: string, touch: Touch): Touch[] {
    const before = this.byPath.get(path) ?? [];
    this.byPath.delete(path); // re-insert: Map order is recency
    this.byPath.set(path, [...before, touch].slice(-this.perPath));
    if (this.byPath.size > this.maxPaths) {
      const oldest = this.byPath.keys().next().value;
      if (oldest !== undefined) this.byPath.delete(oldest);
    }
    return before;
  }

  /** Changes by parties other than `party` after `since`, the latest per party. */
  byOthers(path: string, party: string, since: number): Touch[] {
    const latest = new Map<string, Touch>();
    for (const t of this.byPath.get(path) ?? []) if (t.party !== party && t.time > since) latest.set(t.party, t);
    return [...latest.values()];
  }

  /** Whether `party` itself changed the file after `since`. */
  touchedBy(path: string, party: string, since: number): boolean {
    return (this.byPath.get(path) ?? []).some((t) => t.party === party && t.time > since);
  }
}

/** When each agent last read or wrote each file. */
export class SeenLog {
  private byAgent = new Map<string, Map<string, number>>();

  constructor(private maxPaths = 20_000) {}

  note(agent: string, path: string, time: number): void {
    let seen = this.byAgent.get(agent);
    if (!seen) this.byAgent.set(agent, (seen = new Map()));
    seen.delete(path);
    seen.set(path, time);
    if (seen.size > this.maxPaths) {
      const oldest = seen.keys().next().value;
      if (oldest !== undefined) seen.delete(oldest);
    }
  }

  last(agent: string, path: string): number | undefined {
    return this.byAgent.get(agent)?.get(path);
  }

  forget(agent: string): void {
    this.byAgent.delete(agent);
  }
}

export class ConflictDetector {
  private reported = new Map<string, number>();

  constructor(readonly windowMs = 60_000) {}

  /** Conflicts that `touch` makes with the touches before it on the same path. */
  check(path: string, touch: Touch, before: Touch[]): Conflict[] {
    this.prune(touch.time);
    const out: Conflict[] = [];
    const seen = new Set<string>();
    for (let i = before.length - 1; i >= 0; i--) {
      const other = before[i];
      if (other.party === touch.party || seen.has(other.party)) continue;
      seen.add(other.party);
      if (touch.time - other.time > this.windowMs) continue;
      if (touch.who.kind !== 'agent' && other.who.kind !== 'agent') continue;
      const pair = sortPair(other, touch);
      const key = `${path}\0${pair[0].party}\0${pair[1].party}`;
      const last = this.reported.get(key);
      if (last !== undefined && touch.time - last <= this.windowMs) continue;
      this.reported.set(key, touch.time);
      out.push({ path, parties: [pair[0].party, pair[1].party], who: [pair[0].who, pair[1].who], time: touch.time });
    }
    return out;
  }

  private prune(now: number): void {
    if (this.reported.size < 1000) return;
    for (const [key, t] of this.reported) if (now - t > this.windowMs) this.reported.delete(key);
  }
}

function sortPair(a: { party: string; who: Who }, b: { party: string; who: Who }): [typeof a, typeof a] {
  return a.party <= b.party ? [a, b] : [b, a];
}

export function touchOf(id: number, time: number, who: Who, kind: Touch['kind']): Touch {
  return { party: partyOf(who), who, time, id, kind };
}
