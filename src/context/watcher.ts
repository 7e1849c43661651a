/**
 * The project file watcher: one small interface, three backends, batched events with relative paths.
 *
 * Which backend `auto` picks, in order:
 * - inotify (inotify-watcher.ts): Linux with our native part built. inotify read on Node's own event
 *   loop, one watch per kept folder, no thread: an idle workspace does not wake for it. On 50k files
 *   in 2k folders (plus 50k under an ignored node_modules) it is ready in ~0.2 s with ~60 MB RSS.
 * - @parcel/watcher, wherever its prebuilt binary loads: it crawls on a native thread and keeps one
 *   watch per folder, ready in ~0.6 s with ~70 MB; but on Linux its thread wakes every 500 ms.
 * - chokidar 5, pure JS, the last resort: 6-10 s until ready, one inotify watch per file (~52k) and
 *   ~500 MB RSS on that tree, past what a watcher may cost here (ready <= 1 s, <= 100 MB).
 * (Measured by bench/watcher.js into docs/watcher-bench.md.)
 *
 * Invariants:
 * - Paths are relative to the root, `/`-separated; the root itself is never reported.
 * - Nothing the rules ignore is reported: the backends' own ignore options only save work (folders
 *   not entered, no watches); every event is checked against the rules.
 * - A change to an ignore file invalidates the rules before its batch is filtered; a folder the
 *   rules stop ignoring is brought under watch (inotify, parcel: before that batch is delivered).
 * - Batching never drops a change: a batch ends after `debounceMs` of quiet or `maxWaitMs` after
 *   its first change, however large. Each path appears once per batch with its net change
 *   (added+modified = added, deleted+added = modified, added+deleted = nothing at all, for what was
 *   reported inside an added folder too).
 * - Renames are deleted + added (the feed may pair them). parcel may report a save by rename as
 *   'added' alone. A folder moved away is reported alone, not what was in it.
 * - close() delivers the pending batch, then nothing more; the backend's handles are released, so
 *   a closed watcher does not keep the process alive.
 * - Errors go to 'error' listeners, and are dropped without one: a failing watcher must not take
 *   the workspace down.
 */
import { lstat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type { FSWatcher } from 'chokidar';
import { ALWAYS_IGNORED, createIgnoreRules, listFolders, type IgnoreRules } from './ignore-rules.js';
import { inotifyHub, loadInotify } from './inotify.js';
import { InotifyWatcher } from './inotify-watcher.js';
import { BaseWatcher, LISTED_WINDOW_MS, type ChangeKind, type FileWatcher, type WatcherOptions } from './watcher-base.js';

export type { BackendName, ChangeKind, FileEvent, FileWatcher, WatcherOptions } from './watcher-base.js';
export { loadInotify } from './inotify.js';

type Parcel = typeof import('@parcel/watcher');
type ParcelSub = Awaited<ReturnType<Parcel['subscribe']>>;

/** The ALWAYS_IGNORED names at any depth, for parcel's native matcher (saves watches and crawling). */
const ALWAYS_RE = new RegExp(`(?:^|/)(?:${ALWAYS_IGNORED.map((n) => n.replace(/\./g, '\\.')).join('|')})(?:/|$)`);

const NATIVE_BACKEND = process.platform === 'linux' ? 'inotify' : process.platform === 'darwin' ? 'fs-events' : process.platform === 'win32' ? 'windows' : undefined;

let parcelModule: Parcel | null | undefined;
/** @parcel/watcher, or null when its native binary cannot be loaded here. Loaded once. */
export function loadParcel(): Parcel | null {
  if (parcelModule === undefined) {
    try {
      parcelModule = createRequire(import.meta.url)('@parcel/watcher') as Parcel;
    } catch {
      parcelModule = null;
    }
  }
  return parcelModule;
}

export function createWatcher(root: string, opts: WatcherOptions): FileWatcher {
  const abs = resolve(root);
  const rules = Array.isArray(opts.ignore)
    ? createIgnoreRules(abs, { extra: opts.ignore as readonly string[] })
    : (opts.ignore as IgnoreRules);
  if (resolve(rules.root) !== abs) throw new Error(`ignore rules for ${rules.root} cannot watch ${abs}`);
  const wanted = opts.backend ?? 'auto';
  const inotify = wanted === 'auto' || wanted === 'inotify' ? loadInotify() : null;
  if (wanted === 'inotify' && !inotify) throw new Error('the inotify backend needs Linux and the native part (npm install)');
  if (inotify) return new InotifyWatcher(abs, rules, opts, inotifyHub(inotify));
  const parcel = wanted === 'chokidar' ? null : loadParcel();
  if (wanted === 'parcel' && !parcel) throw new Error('@parcel/watcher cannot be loaded on this platform');
  return parcel ? new ParcelWatcher(abs, rules, opts, parcel) : new ChokidarWatcher(abs, rules, opts);
}

/**
 * @parcel/watcher backend. Before subscribing we list the folders ourselves (readdir, no stat) to
 * learn which folders the rules ignore (parcel then neither enters nor watches them) and which paths
 * are folders (parcel's events do not say, and a deleted path cannot be stat'ed).
 *
 * Extra subscriptions, for folders parcel would miss: one the rules stop ignoring (parcel caches its
 * crawl per root folder whatever the ignore options, so re-subscribing the root would not help), and
 * a new folder holding subfolders parcel did not see created (see adoptFolder). Limitation: a folder
 * un-ignored while running, then deleted and created again, is watched again from the next start.
 */
class ParcelWatcher extends BaseWatcher {
  readonly backend = 'parcel';
  /** Subscriptions by folder ('' = the root; others: folders un-ignored while running). */
  private subs = new Map<string, ParcelSub>();
  /** Folders (not ALWAYS_IGNORED) some subscription was told to ignore. */
  private ignoredDirs = new Set<string>();
  /** Folders known to exist: parcel's events do not say which paths are folders. */
  private dirs = new Set<string>();
  /** Serializes batch handling: events stay in order although creates need an async lstat. */
  private chain: Promise<void> = Promise.resolve();
  /** Paths reported from our own listing of a new folder, by time: parcel's late create is a repeat. */
  private listed = new Map<string, number>();

  constructor(root: string, rules: IgnoreRules, opts: WatcherOptions, private readonly parcel: Parcel) {
    super(root, rules, opts);
  }

  protected start(): Promise<void> {
    return this.watchFolder('');
  }

  protected async stop(): Promise<void> {
    const subs = [...this.subs.values()];
    this.subs.clear();
    await this.chain;
    await Promise.all(subs.map((s) => s.unsubscribe()));
  }

  protected async rewatch(): Promise<void> {
    const now = [...this.ignoredDirs].filter((d) => !this.subs.has(d) && !this.rules.isIgnored(d, true));
    for (const d of now) this.ignoredDirs.delete(d);
    await Promise.all(now.map((d) => this.watchFolder(d)));
  }

  private async watchFolder(dir: string): Promise<void> {
    const { dirs, ignored } = await listFolders(this.rules, dir);
    if (this.closed) return;
    // Config globs (root-relative) only on the root, and only when none is a negation: picomatch
    // would read `!x` as "everything but x". Folder paths are absolute: parcel compares prefixes.
    const globs = dir !== '' || this.rules.extraGlobs.some((g) => g.trim().startsWith('!')) ? [] : this.rules.extraGlobs;
    const sub = await this.parcel.subscribe(
      join(this.root, dir),
      (err, events) => {
        if (err) this.fail(err);
        else if (!this.closed && events.length > 0) {
          const time = Date.now();
          this.chain = this.chain.then(() => this.handle(events, time)).catch((e: unknown) => this.fail(e));
        }
      },
      // The kernel's own backend, named: left to choose, parcel first looks for watchman with popen()
      // and, when it is not installed, neither reaps that `sh` (a zombie for the whole session) nor
      // closes its pipe (inherited by every pane started later).
      { ignore: [ALWAYS_RE, ...ignored.map((d) => join(this.root, d)), ...globs], backend: NATIVE_BACKEND },
    );
    if (this.closed) {
      await sub.unsubscribe();
      return;
    }
    this.subs.set(dir, sub);
    if (dir !== '') this.dirs.add(dir);
    for (const d of dirs) this.dirs.add(d);
    for (const d of ignored) this.ignoredDirs.add(d);
  }

  private async handle(events: Array<{ path: string; type: string }>, time: number): Promise<void> {
    const rels = events.map((e) => this.toRel(e.path));
    // The batch that carries an ignore-file change is delivered once un-ignored folders are watched.
    await this.noteIgnoreFiles(rels.filter((r): r is string => r !== null));
    // Only creates need a stat to learn whether they are folders; all run in parallel.
    const isDir = await Promise.all(
      events.map(async (e, i) => {
        const rel = rels[i];
        if (rel === null) return false;
        if (e.type !== 'create') return this.dirs.has(rel);
        if (this.ignoredEither(rel)) return false;
        return lstat(e.path).then((st) => st.isDirectory(), () => false);
      }),
    );
    for (const [p, t] of this.listed) {
      if (time - t < LISTED_WINDOW_MS) break;
      this.listed.delete(p);
    }
    const newDirs: string[] = [];
    events.forEach((e, i) => {
      const rel = rels[i];
      if (rel === null) return;
      const kind = e.type === 'create' ? 'added' : e.type === 'delete' ? 'deleted' : 'modified';
      // Already reported from our own listing of its new folder (see adoptFolder).
      if (this.listed.delete(rel) && kind === 'added') return;
      if (kind === 'deleted' && isDir[i]) this.forgetDir(rel);
      if (this.rules.isIgnored(rel, isDir[i])) return;
      if (kind === 'added' && isDir[i]) newDirs.push(rel);
      this.push({ path: rel, kind, isDir: isDir[i], time });
    });
    const reported = new Set(rels as string[]);
    for (const dir of newDirs) {
      this.dirs.add(dir);
      if (!newDirs.some((d) => dir.startsWith(`${d}/`))) await this.adoptFolder(dir, reported, time);
    }
  }

  /**
   * parcel watches a new folder, but what was put in it before that watch was in place is never
   * reported, and its subfolders are never watched (seen with a folder moved in, and with a burst
   * writing into new folders). So we list the new folder ourselves and report what parcel did not;
   * if it holds folders parcel did not report, it gets a subscription of its own first.
   */
  private async adoptFolder(dir: string, reported: Set<string>, time: number): Promise<void> {
    let found = await listFolders(this.rules, dir, true);
    if ([...found.dirs].some((d) => !reported.has(d)) && !this.subs.has(dir) && !this.closed) {
      await this.watchFolder(dir);
      // Listed again: what was created between the first listing and the new watches.
      found = await listFolders(this.rules, dir, true);
    }
    const now = Date.now();
    for (const [rel, isDir] of [...[...found.dirs].map((d) => [d, true] as const), ...found.files.map((f) => [f, false] as const)]) {
      if (isDir) this.dirs.add(rel);
      if (reported.has(rel) || this.listed.has(rel)) continue;
      this.listed.set(rel, now);
      this.push({ path: rel, kind: 'added', isDir, time });
    }
  }

  /** A folder moved away reports only itself: forget everything known below it too. */
  private forgetDir(rel: string): void {
    const under = (p: string) => p === rel || p.startsWith(`${rel}/`);
    for (const d of this.dirs) if (under(d)) this.dirs.delete(d);
    // Subscriptions of their own died with their folder (see the class comment).
    for (const [d, sub] of this.subs) {
      if (d === '' || !under(d)) continue;
      this.subs.delete(d);
      sub.unsubscribe().catch(() => undefined);
    }
  }
}

const CHOKIDAR_EVENTS = [
  ['add', 'added', false],
  ['addDir', 'added', true],
  ['change', 'modified', false],
  ['unlink', 'deleted', false],
  ['unlinkDir', 'deleted', true],
] as const;

/** chokidar 5 backend: the rules are its `ignored` function, so ignored folders are never entered. */
class ChokidarWatcher extends BaseWatcher {
  readonly backend = 'chokidar';
  private fsw: FSWatcher | undefined;
  /** Folders chokidar was told to skip, to re-add when the rules stop ignoring them. */
  private skipped = new Set<string>();

  protected async start(): Promise<void> {
    const { watch } = await import('chokidar');
    if (this.closed) return;
    const fsw = watch(this.root, {
      ignoreInitial: true,
      followSymlinks: false,
      // Our batches already net out delete+add; chokidar's own pairing would only delay deletes.
      atomic: false,
      ignored: (abs, stats) => {
        const rel = this.toRel(abs);
        if (rel === null) return false;
        if (!stats) return this.ignoredEither(rel);
        const dir = stats.isDirectory();
        const ignored = this.rules.isIgnored(rel, dir);
        if (ignored && dir) this.skipped.add(rel);
        return ignored;
      },
    });
    this.fsw = fsw;
    for (const [name, kind, isDir] of CHOKIDAR_EVENTS) fsw.on(name, (abs: string) => this.onEvent(abs, kind, isDir));
    fsw.on('error', (err) => this.fail(err));
    await new Promise<void>((resolve) => fsw.once('ready', resolve));
  }

  protected async stop(): Promise<void> {
    await this.fsw?.close();
  }

  /** chokidar's add() gives no signal when the folder is in: this resolves at once. */
  protected async rewatch(): Promise<void> {
    for (const rel of this.skipped) {
      if (this.rules.isIgnored(rel, true)) continue;
      this.skipped.delete(rel);
      this.fsw?.add(join(this.root, rel));
    }
  }

  private onEvent(abs: string, kind: ChangeKind, isDir: boolean): void {
    const rel = this.toRel(abs);
    if (rel === null || this.closed) return;
    void this.noteIgnoreFiles([rel]);
    if (!this.rules.isIgnored(rel, isDir)) this.push({ path: rel, kind, isDir, time: Date.now() });
  }
}
