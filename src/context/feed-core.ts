/**
 * The change feed's core: watcher events and agents' write announcements in, attributed entries out.
 *
 * A file event is first staged: its file is read and hashed, and it waits up to `holdMs` for the
 * matching announcement (IPC may lose the race to inotify). It is published as the agent's as soon as
 * one matches, else after the hold as a guessed pane's or outside. While staged, further events for the
 * same path merge into it, and a delete and an add of the same content pair into a rename. Past
 * `burstThreshold` events in `burstWindowMs` the feed stops reading files and sums everything up to
 * the next quiet `burstQuietMs` into one summary entry (cut every `burstMaxMs` in a long burst).
 *
 * Invariants: entry and note ids strictly increase in publish order (entry times need not: a staged
 * change can publish after a later, attributed one); a path is staged at most once; a staged item is
 * published, merged, absorbed into a burst or dropped, exactly once; an agent's announced writes are
 * never absorbed into a burst, so a summary is never an agent's own change; at most `maxEntries`
 * entries are kept. Per-agent cursors, delivery and notes are in ChangeFeed (feed.ts).
 */
import { EventEmitter } from 'node:events';
import { ABSENT, analyzeWrite, deletedSize, loadBaseline } from './analysis.js';
import { Registrations } from './attribution.js';
import { Burst, combineKinds, dirOf, RateWindow } from './burst.js';
import { ContentCache, DEFAULT_CACHE_LIMITS, type Known } from './content-cache.js';
import { systemClock, type ChangeFeedOptions, type ChangeSize, type Clock, type EntryKind, type FeedEntry, type FeedEvents, type WatchEvent, type Who, type WriteRegistration } from './feed-types.js';

interface Staged {
  path: string;
  kind: EntryKind;
  from?: string;
  dir: boolean;
  time: number;
  /** Clock time after which it publishes unattributed. */
  due: number;
  /** Bumped by every merged event; an analysis of an older generation is discarded. */
  gen: number;
  ready: boolean;
  /** Content before this change: captured once, so merged events still diff against it. */
  before?: Known | null;
  hash?: string;
  size?: ChangeSize;
  rechecked?: boolean;
  timer?: unknown;
}

export class FeedCore extends EventEmitter<FeedEvents> {
  readonly clock: Clock;
  protected list: FeedEntry[] = [];
  /** The id of the newest entry dropped for space (0: none yet). */
  protected droppedUpTo = 0;
  protected lastId = 0;
  private readonly cache: ContentCache;
  private readonly registrations: Registrations;
  private readonly staged = new Map<string, Staged>();
  private readonly rate: RateWindow;
  private burst: Burst | undefined;
  private burstArrival = 0;
  private burstTimer: unknown;
  private readonly inflight = new Set<Promise<void>>();
  private disposed = false;
  protected readonly o: Required<Omit<ChangeFeedOptions, 'baseline' | 'guessOwner' | 'claimOf' | 'cache' | 'clock'>> & ChangeFeedOptions;

  constructor(options: ChangeFeedOptions) {
    super();
    this.o = {
      holdMs: 150, attributionWindowMs: 5000, burstThreshold: 50, burstWindowMs: 1000, burstQuietMs: 1000,
      burstMaxMs: 10_000, conflictWindowMs: 60_000, maxEntries: 2000, maxNotes: 500, ...options,
    };
    this.clock = options.clock ?? systemClock;
    this.cache = new ContentCache({ ...DEFAULT_CACHE_LIMITS, ...options.cache });
    this.registrations = new Registrations(this.clock, this.o.attributionWindowMs);
    this.rate = new RateWindow(this.o.burstWindowMs);
  }

  /** A batch from the watcher. */
  ingest(batch: readonly WatchEvent[]): void {
    if (this.disposed) return;
    // A folder's own "modified" is its mtime moving because of a child: the child's event says it.
    const events = batch.filter((e) => !(e.isDir && e.kind === 'modified'));
    if (events.length === 0) return;
    const now = this.clock.now();
    const rate = this.rate.add(now, events.length);
    if (!this.burst && rate > this.o.burstThreshold) this.startBurst(now);
    for (const e of events) {
      if (this.burst && !this.registrations.has(e.path)) this.absorb(e.path, e.kind, e.isDir, e.time);
      else this.stage(e, now);
    }
  }

  /** A built-in agent is about to write `hash` to `path`. */
  registerWrite(reg: WriteRegistration): void {
    if (this.disposed) return;
    this.registrations.add(reg.agent, reg.path, reg.hash);
    const s = this.staged.get(reg.path);
    if (s?.ready && s.hash === reg.hash) this.settle(s);
    else if (!s && this.burst) {
      // The event beat the announcement into a burst: take it back out so it is credited right.
      const kind = this.burst.take(reg.path);
      if (kind) this.stage({ path: reg.path, kind, isDir: false, time: this.clock.now() }, this.clock.now());
    }
  }

  entries(): readonly FeedEntry[] {
    return this.list;
  }

  /** Resolves once every file read and hash started so far has finished (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  stats(): { entries: number; staged: number; cacheFiles: number; cacheBytes: number; inBurst: boolean } {
    return { entries: this.list.length, staged: this.staged.size, cacheFiles: this.cache.files, cacheBytes: this.cache.bytes, inBurst: !!this.burst };
  }

  dispose(): void {
    this.disposed = true;
    for (const s of this.staged.values()) if (s.timer !== undefined) this.clock.clearTimeout(s.timer);
    this.staged.clear();
    if (this.burstTimer !== undefined) this.clock.clearTimeout(this.burstTimer);
    this.removeAllListeners();
  }

  protected nextId(): number {
    return ++this.lastId;
  }

  private stage(e: WatchEvent, now: number): void {
    // A staged new folder says nothing its new contents will not say better.
    for (let d = dirOf(e.path); d !== ''; d = dirOf(d)) {
      const parent = this.staged.get(d);
      if (parent?.dir && parent.kind === 'added') this.drop(parent);
    }
    const prev = this.staged.get(e.path);
    if (prev) {
      if (prev.kind === 'renamed' && e.kind === 'deleted') {
        // Renamed then deleted before publishing: what is left is the old path's deletion, or its
        // modification when a new file has taken the old name meanwhile.
        this.drop(prev);
        const taken = this.staged.get(prev.from!);
        const next = taken ?? Object.assign(prev, { path: prev.from!, kind: 'deleted', from: undefined });
        if (taken) Object.assign(taken, { kind: 'modified', before: prev.before });
        this.staged.set(next.path, next);
        Object.assign(next, { time: e.time, due: now + this.o.holdMs, rechecked: false });
        return this.analyze(next);
      } else if (prev.kind !== 'renamed') {
        const net = combineKinds(prev.kind, e.kind);
        if (net === undefined) return this.drop(prev);
        prev.kind = net;
      }
      Object.assign(prev, { time: e.time, dir: e.isDir, due: now + this.o.holdMs, rechecked: false });
      return this.analyze(prev);
    }
    const known = this.cache.get(e.path);
    // An "add" over a file the feed knew is a replacement (save by rename): report it as a modification.
    const kind = e.kind === 'added' && known ? 'modified' : e.kind;
    const s: Staged = { path: e.path, kind, dir: e.isDir, time: e.time, due: now + this.o.holdMs, gen: 0, ready: false };
    s.before = known ?? (kind === 'added' ? ABSENT : undefined);
    this.staged.set(e.path, s);
    this.analyze(s);
  }

  private analyze(s: Staged): void {
    const gen = ++s.gen;
    s.ready = false;
    const current = () => this.staged.get(s.path) === s && s.gen === gen;
    const job = (async () => {
      if (s.before === undefined && !s.dir) {
        const before = await loadBaseline(this.o.baseline, s.path);
        if (s.before === undefined) s.before = before;
      }
      if (!current()) return;
      if (s.dir || s.kind === 'deleted') {
        if (s.dir) this.cache.deleteUnder(s.path);
        else this.cache.delete(s.path);
        s.size = s.dir ? undefined : deletedSize(s.before ?? null);
        s.hash = undefined;
      } else {
        const a = await analyzeWrite(this.o.read, s.path, s.before ?? null, this.cache.limits.maxFileBytes);
        if (!current()) return;
        if (a.known) this.cache.set(s.path, a.known);
        else this.cache.delete(s.path);
        if (s.kind === 'modified' && a.hash !== undefined && a.hash === s.before?.hash) return this.drop(s); // touched, not changed
        s.hash = a.hash;
        s.size = s.kind === 'renamed' ? undefined : a.size;
      }
      s.ready = true;
      this.pairRename(s);
      if (this.staged.get(s.path) === s) this.settle(s);
    })();
    this.inflight.add(job);
    job.finally(() => this.inflight.delete(job));
  }

  /** A staged delete and a staged add of the same content are one rename. */
  private pairRename(s: Staged): void {
    const wanted = s.kind === 'added' ? s.hash : s.kind === 'deleted' && !s.dir ? s.before?.hash : undefined;
    if (!wanted) return;
    for (const other of this.staged.values()) {
      if (other === s || !other.ready || other.dir) continue;
      const [add, del] = s.kind === 'added' ? [s, other] : [other, s];
      if (add.kind !== 'added' || del.kind !== 'deleted' || add.hash !== wanted || del.before?.hash !== wanted) continue;
      this.drop(del);
      Object.assign(add, { kind: 'renamed', from: del.path, before: del.before, size: undefined, due: Math.max(add.due, del.due) });
      return;
    }
  }

  private settle(s: Staged): void {
    if (!s.ready || this.disposed) return;
    const agent = s.hash !== undefined ? this.registrations.take(s.path, s.hash, s.time) : undefined;
    if (agent !== undefined) return this.publish(s, { kind: 'agent', name: agent });
    const now = this.clock.now();
    if (now < s.due) {
      if (s.timer !== undefined) this.clock.clearTimeout(s.timer);
      s.timer = this.clock.setTimeout(() => {
        s.timer = undefined;
        if (this.staged.get(s.path) === s) this.settle(s);
      }, s.due - now);
      return;
    }
    if (!s.rechecked && s.hash !== undefined && this.registrations.has(s.path)) {
      // Announced but the hash differs: the read may have caught the write half done. Read once more.
      s.rechecked = true;
      return this.analyze(s);
    }
    const pane = this.o.guessOwner?.(s.path);
    this.publish(s, pane !== undefined ? { kind: 'guess', pane } : { kind: 'outside' });
  }

  private drop(s: Staged): void {
    if (s.timer !== undefined) this.clock.clearTimeout(s.timer);
    s.timer = undefined;
    if (this.staged.get(s.path) === s) this.staged.delete(s.path);
  }

  private publish(s: Staged, who: Who): void {
    this.drop(s);
    const entry: FeedEntry = { id: this.nextId(), time: s.time, path: s.path, kind: s.kind, who };
    if (s.from !== undefined) entry.from = s.from;
    if (s.dir) entry.dir = true;
    if (s.size) entry.size = s.size;
    const claim = this.o.claimOf?.(s.path, who.kind === 'agent' ? who.name : who.kind === 'guess' ? who.pane : undefined);
    if (claim) entry.claim = claim;
    this.append(entry, [entry.path]);
  }

  /** `paths`: the files the entry stands for (all of a burst's tracked paths for a summary). */
  protected append(entry: FeedEntry, paths: Iterable<string>): void {
    this.list.push(entry);
    if (this.list.length > this.o.maxEntries) this.droppedUpTo = this.list.splice(0, this.list.length - this.o.maxEntries).at(-1)!.id;
    this.emit('entry', entry);
    this.published(entry, paths);
  }

  /** For the per-agent layer: who touched what, conflicts. */
  protected published(_entry: FeedEntry, _paths: Iterable<string>): void {}

  private startBurst(now: number): void {
    this.burst = new Burst(now);
    this.burstArrival = now;
    for (const s of [...this.staged.values()]) {
      if (this.registrations.has(s.path) || (s.dir && s.kind === 'added')) continue;
      this.drop(s);
      if (s.kind === 'renamed') {
        this.absorb(s.from!, 'deleted', false, s.time);
        this.absorb(s.path, 'added', false, s.time);
      } else this.absorb(s.path, s.kind, s.dir, s.time);
    }
    this.armBurstTimer();
  }

  private absorb(path: string, kind: WatchEvent['kind'], dir: boolean, time: number): void {
    // Nothing is read in a burst, so whatever the cache held for these paths is now unreliable.
    if (dir) this.cache.deleteUnder(path);
    else this.cache.delete(path);
    if (dir && kind === 'added') return; // its files come as their own events
    this.burst!.add(path, kind, time);
    this.burstArrival = this.clock.now();
  }

  private armBurstTimer(): void {
    const b = this.burst!;
    const quietAt = this.burstArrival + this.o.burstQuietMs;
    const cutAt = b.startedAt + this.o.burstMaxMs;
    this.burstTimer = this.clock.setTimeout(() => {
      this.burstTimer = undefined;
      const now = this.clock.now();
      const quiet = now >= this.burstArrival + this.o.burstQuietMs;
      if (!quiet && now < b.startedAt + this.o.burstMaxMs) return this.armBurstTimer(); // more came in
      this.closeBurst(b);
      if (!quiet) {
        this.burst = new Burst(now);
        this.armBurstTimer();
      }
    }, Math.max(0, Math.min(quietAt, cutAt) - this.clock.now()));
  }

  private closeBurst(b: Burst): void {
    this.burst = undefined;
    if (b.files === 0) return; // everything in it cancelled out (temporary files)
    const { path, summary } = b.summary();
    const pane = this.o.guessOwner?.(path);
    const who: Who = pane !== undefined ? { kind: 'guess', pane } : { kind: 'outside' };
    const kinds = Object.entries(summary.kinds).filter(([, n]) => n > 0);
    const kind: EntryKind = kinds.length === 1 ? (kinds[0][0] as EntryKind) : 'modified';
    const entry: FeedEntry = { id: this.nextId(), time: b.lastAt, path, kind, who, summary };
    this.append(entry, b.trackedPaths());
  }
}
