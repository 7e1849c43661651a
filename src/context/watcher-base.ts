/**
 * What every file watcher backend shares: the interface, the options, and the batching (see
 * watcher.ts for the invariants all backends keep).
 */
import { EventEmitter } from 'node:events';
import { isAbsolute, relative, sep } from 'node:path';
import { isIgnoreFile, type IgnoreRules } from './ignore-rules.js';

/** No 'renamed': no backend pairs a rename reliably, so it arrives as deleted + added. */
export type ChangeKind = 'added' | 'modified' | 'deleted';
export type BackendName = 'inotify' | 'parcel' | 'chokidar';

export interface FileEvent {
  /** Relative to the root, `/`-separated. */
  path: string;
  kind: ChangeKind;
  isDir: boolean;
  /** Date.now() when the backend reported the change. */
  time: number;
}

export interface FileWatcher {
  readonly backend: BackendName;
  /** Resolves once the initial crawl is done: changes after it are reported. Rejects if watching failed. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
  on(event: 'events', listener: (batch: FileEvent[]) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  off(event: 'events', listener: (batch: FileEvent[]) => void): this;
  off(event: 'error', listener: (error: Error) => void): this;
}

export interface WatcherOptions {
  /** Ignore rules, or just the config's `watch.ignore` globs (rules are then built for the root). */
  ignore: IgnoreRules | readonly string[];
  backend?: BackendName | 'auto';
  /** Quiet time that ends a batch (default 40 ms). */
  debounceMs?: number;
  /** A batch is delivered at most this long after its first event, even mid-burst (default 1000 ms). */
  maxWaitMs?: number;
}

/** Merges a new change into the pending one for the same path (see the header); null = nothing. */
function merge(prev: FileEvent, next: FileEvent): FileEvent | null {
  if (prev.kind === 'added' && next.kind === 'deleted') return null;
  if (prev.kind === 'added') return { ...next, kind: 'added', time: prev.time };
  // The same deletion reported twice (parcel: two subscriptions over one folder): once it is gone
  // only the first report could still tell that it was a folder.
  if (next.kind === 'deleted') return { ...next, isDir: prev.isDir || next.isDir, time: prev.time };
  // Replaced in place (a save by rename): the path existed before and exists after.
  return { ...next, kind: next.kind === 'added' ? 'modified' : next.kind, time: prev.time };
}

export abstract class BaseWatcher extends EventEmitter implements FileWatcher {
  abstract readonly backend: BackendName;
  readonly ready: Promise<void>;
  protected closed = false;
  private pending = new Map<string, FileEvent>();
  private timer: NodeJS.Timeout | undefined;
  private firstAt = 0;
  private readonly debounceMs: number;
  private readonly maxWaitMs: number;

  constructor(
    protected readonly root: string,
    protected readonly rules: IgnoreRules,
    opts: WatcherOptions,
  ) {
    super();
    this.debounceMs = opts.debounceMs ?? 40;
    this.maxWaitMs = opts.maxWaitMs ?? 1000;
    this.ready = Promise.resolve().then(() => this.start());
    // A caller that never awaits `ready` must not crash the process with an unhandled rejection.
    this.ready.catch((err: unknown) => this.fail(err));
  }

  protected abstract start(): Promise<void>;
  protected abstract stop(): Promise<void>;
  /** Called after ignore files changed: watch folders the rules no longer ignore. */
  protected abstract rewatch(): Promise<void>;

  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    await this.ready.catch(() => undefined);
    await this.stop();
  }

  protected fail(err: unknown): void {
    if (this.closed || this.listenerCount('error') === 0) return;
    this.emit('error', err instanceof Error ? err : new Error(String(err)));
  }

  /** Absolute backend path -> relative posix path; null for the root and anything outside it. */
  protected toRel(abs: string): string | null {
    const rel = relative(this.root, abs);
    if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return null;
    return sep === '/' ? rel : rel.split(sep).join('/');
  }

  /** Ignored whatever the path turns out to be (used before we know whether it is a folder). */
  protected ignoredEither(rel: string): boolean {
    return this.rules.isIgnored(rel, false) && this.rules.isIgnored(rel, true);
  }

  /** Lets ignore-file changes in `rels` update the rules; resolves once un-ignored folders are watched. */
  protected async noteIgnoreFiles(rels: Iterable<string>): Promise<void> {
    let changed = false;
    for (const rel of rels) if (isIgnoreFile(rel) && this.rules.invalidate(rel)) changed = true;
    if (changed) await this.rewatch().catch((err: unknown) => this.fail(err));
  }

  /** Queues one change (already known not ignored) into the current batch. */
  protected push(ev: FileEvent): void {
    if (this.closed) return;
    const prev = this.pending.get(ev.path);
    const merged = prev ? merge(prev, ev) : ev;
    if (prev) this.pending.delete(ev.path);
    // Re-inserted at the end: a batch lists paths in the order of their latest change.
    if (merged) this.pending.set(ev.path, merged);
    else if (ev.isDir) {
      // A folder added and gone within the batch: what was reported in it never existed either.
      const prefix = `${ev.path}/`;
      for (const p of [...this.pending.keys()]) if (p.startsWith(prefix)) this.pending.delete(p);
    }
    const now = Date.now();
    if (this.timer === undefined) this.firstAt = now;
    clearTimeout(this.timer);
    const wait = Math.max(0, Math.min(this.debounceMs, this.firstAt + this.maxWaitMs - now));
    this.timer = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.closed || this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    this.emit('events', batch);
  }
}

/** How long a path reported from listing a new folder absorbs the backend's own create for it. */
export const LISTED_WINDOW_MS = 1000;
