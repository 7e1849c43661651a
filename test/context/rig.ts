// A change feed on a real temporary folder, with a fake clock: tests write real files, hand the feed
// the events a watcher would, and move time by hand (no sleeps).
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ChangeFeed } from '../../src/context/feed.js';
import type { ChangeFeedOptions, Clock, Conflict, FeedEntry, WatchEvent } from '../../src/context/feed-types.js';
import { fileReader } from '../../src/context/reader.js';

export class FakeClock implements Clock {
  t = 1_700_000_000_000;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private seq = 0;

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.push({ at: this.t + Math.max(0, ms), fn, id });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  /** Moves time forward, running each timer at its own time, in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.t = due.at;
      due.fn();
    }
    this.t = end;
  }

  get pending(): number {
    return this.timers.length;
  }
}

export function sha(content: string): string {
  return createHash('sha256').update(content).digest('hex');
}

export interface Rig {
  root: string;
  clock: FakeClock;
  feed: ChangeFeed;
  entries: FeedEntry[];
  conflicts: Conflict[];
  /** Writes a real file and returns the hash an agent would register. */
  write(path: string, content: string | Buffer): string;
  remove(path: string): void;
  move(from: string, to: string): void;
  ev(path: string, kind: WatchEvent['kind'], isDir?: boolean): WatchEvent;
  /** Ingests events and waits until every read they started is done. */
  push(...events: WatchEvent[]): Promise<void>;
  /** Advances the clock, then waits for reads started by timers (a re-check). */
  wait(ms: number): Promise<void>;
  dispose(): void;
}

export function rig(options: Partial<ChangeFeedOptions> = {}): Rig {
  const root = mkdtempSync(join(tmpdir(), 'agents-feed-'));
  const clock = new FakeClock();
  const feed = new ChangeFeed({ read: fileReader(root), clock, ...options });
  const entries: FeedEntry[] = [];
  const conflicts: Conflict[] = [];
  feed.on('entry', (e) => entries.push(e));
  feed.on('conflict', (c) => conflicts.push(c));
  return {
    root,
    clock,
    feed,
    entries,
    conflicts,
    write(path, content) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
      return createHash('sha256').update(content).digest('hex');
    },
    remove(path) {
      rmSync(join(root, path), { recursive: true, force: true });
    },
    move(from, to) {
      mkdirSync(dirname(join(root, to)), { recursive: true });
      renameSync(join(root, from), join(root, to));
    },
    ev(path, kind, isDir = false) {
      return { path, kind, isDir, time: clock.now() };
    },
    async push(...events) {
      feed.ingest(events);
      await feed.settled();
    },
    async wait(ms) {
      clock.advance(ms);
      await feed.settled();
    },
    dispose() {
      feed.dispose();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
