/**
 * The Linux backend: inotify read on Node's own event loop through our addon (native/src/inotify.c),
 * one watch per kept folder, no thread.
 *
 * Why it exists: @parcel/watcher reads inotify on a thread whose poll() wakes every 500 ms whether
 * anything changed or not. That was about half of an idle detached workspace's CPU on this machine
 * (docs/profile.md). Here nothing runs until the kernel has events; the kernel's records also say
 * which paths are folders (IN_ISDIR), so no event needs a stat.
 *
 * How (invariants):
 * - A folder's watch is placed just before the folder is read (listFolders' `enter`): what the read
 *   misses, the watch reports. A folder created or moved in is read the same way, and what the read
 *   finds is reported as added; a create event for a path that read already reported is dropped.
 * - Records are handled one buffer at a time, in order, on one chain: a new folder's read finishes
 *   before the records after it are looked at.
 * - A folder moved away loses its watch and those of every folder below it (the kernel's watch
 *   follows the folder, and would go on reporting under the old path). A deleted folder's watch is
 *   removed by the kernel (IN_IGNORED).
 * - Folders the rules ignore get no watch; ALWAYS_IGNORED ones are never read. The others are
 *   remembered, for when an ignore file stops ignoring them.
 * - A record's path is looked up when its turn comes, after the records before it moved folders.
 * - If the kernel's queue overflowed, every kept folder is watched again (nothing below a new
 *   folder is lost for good), the watches of folders gone unseen are let go, and an error says
 *   changes of that moment may be missing.
 * - The process's watchers share one inotify instance (inotify.ts).
 */
import { join } from 'node:path';
import { listFolders, type IgnoreRules } from './ignore-rules.js';
import {
  IN_ATTRIB,
  IN_CREATE,
  IN_DELETE,
  IN_DELETE_SELF,
  IN_DONT_FOLLOW,
  IN_IGNORED,
  IN_ISDIR,
  IN_MODIFY,
  IN_MOVE_SELF,
  IN_MOVED_FROM,
  IN_MOVED_TO,
  IN_Q_OVERFLOW,
  MASK,
  type InotifyHub,
  type InotifyListener,
  type InotifyRecord,
} from './inotify.js';
import { BaseWatcher, LISTED_WINDOW_MS, type WatcherOptions } from './watcher-base.js';

export class InotifyWatcher extends BaseWatcher implements InotifyListener {
  readonly backend = 'inotify';
  private joined = false;
  /** Watched folders ('' = the root) by watch descriptor, and the other way round. */
  private byWd = new Map<number, string>();
  private byDir = new Map<string, number>();
  /** Folders (not ALWAYS_IGNORED) seen ignored: watched once the rules stop ignoring them. */
  private ignoredDirs = new Set<string>();
  private chain: Promise<void> = Promise.resolve();
  /** Paths reported from reading a new folder, by time: the kernel's create for them is a repeat. */
  private listed = new Map<string, number>();
  private warnedLimit = false;

  constructor(root: string, rules: IgnoreRules, opts: WatcherOptions, private readonly hub: InotifyHub) {
    super(root, rules, opts);
  }

  /** The hub's records (every watcher's: each keeps those of its own watches). */
  onRecords(records: InotifyRecord[], time: number): void {
    if (this.closed) return;
    this.chain = this.chain.then(() => this.handleRecords(records, time)).catch((e: unknown) => this.fail(e));
  }

  onFailure(err: Error): void {
    this.fail(err);
  }

  protected async start(): Promise<void> {
    if (this.closed) return;
    this.hub.join(this);
    this.joined = true;
    try {
      // The root must be watchable: otherwise `ready` rejects with the reason.
      this.watch('', true);
    } catch (e) {
      this.leave();
      throw e;
    }
    // `all`: the root, already watched, is read too (inotify_add_watch again is a no-op).
    await this.watchTree('', false, Date.now(), true);
  }

  protected async stop(): Promise<void> {
    this.leave();
    await this.chain;
  }

  private leave(): void {
    if (!this.joined) return;
    this.joined = false;
    this.hub.leave(this);
    this.byWd.clear();
    this.byDir.clear();
  }

  protected async rewatch(): Promise<void> {
    const now = [...this.ignoredDirs].filter((d) => !this.rules.isIgnored(d, true));
    for (const d of now) this.ignoredDirs.delete(d);
    for (const d of now) await this.watchTree(d, false, Date.now());
  }

  /**
   * Places the watch on one folder. Returns whether to read it: false when it is gone, not a folder
   * or not readable; true when watched, and when past the system's watch limit (what is in it is
   * then still listed, though later changes in it are not seen).
   */
  private watch(dir: string, mustWork = false): boolean {
    if (!this.joined || this.closed) return false;
    try {
      // The root itself may be a symlink; nothing below it is followed.
      const wd = this.hub.add(this, dir === '' ? this.root : join(this.root, dir), dir === '' ? MASK & ~IN_DONT_FOLLOW : MASK);
      const before = this.byWd.get(wd);
      if (before !== undefined && before !== dir) this.byDir.delete(before);
      const stale = this.byDir.get(dir);
      if (stale !== undefined && stale !== wd) this.drop(stale);
      this.byWd.set(wd, dir);
      this.byDir.set(dir, wd);
      return true;
    } catch (e) {
      if (mustWork) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC') {
        if (!this.warnedLimit) {
          this.warnedLimit = true;
          this.fail(
            new Error(
              `the system's limit of inotify watches is reached (sysctl fs.inotify.max_user_watches): ` +
                `changes in ${dir} and other folders past the limit are not followed`,
            ),
          );
        }
        return true;
      }
      if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'EACCES' && code !== 'ELOOP') this.fail(e);
      return false;
    }
  }

  /** Forgets which folder a watch was on. */
  private unmap(wd: number): void {
    const dir = this.byWd.get(wd);
    this.byWd.delete(wd);
    if (dir !== undefined && this.byDir.get(dir) === wd) this.byDir.delete(dir);
  }

  /** Lets go of one watch of ours. */
  private drop(wd: number): void {
    this.unmap(wd);
    this.hub.release(this, wd);
  }

  /**
   * Watches `under` and every kept folder below it, each just before it is read; folders already
   * watched are skipped unless `all`. With `report`, what the reads find is reported as added (a
   * folder created or moved in).
   */
  private async watchTree(under: string, report: boolean, time: number, all = false): Promise<Set<string>> {
    const found = await listFolders(this.rules, under, report, (dir) => (all || !this.byDir.has(dir)) && this.watch(dir));
    for (const d of found.ignored) this.ignoredDirs.add(d);
    if (report && !this.closed) {
      for (const [rel, isDir] of [...[...found.dirs].map((d) => [d, true] as const), ...found.files.map((f) => [f, false] as const)]) {
        if (this.listed.has(rel)) continue;
        this.listed.set(rel, time);
        this.push({ path: rel, kind: 'added', isDir, time });
      }
    }
    return found.dirs;
  }

  /**
   * After the kernel dropped records: every kept folder watched again, and the watches of folders
   * no longer there (deleted or moved away unseen) let go.
   */
  private async rescan(time: number): Promise<void> {
    // The re-read lists every ignored folder there is now.
    this.ignoredDirs = new Set();
    const kept = await this.watchTree('', false, time, true);
    if (this.closed) return;
    kept.add('');
    for (const [dir, wd] of [...this.byDir]) if (!kept.has(dir)) this.drop(wd);
    for (const [wd, dir] of [...this.byWd]) if (this.byDir.get(dir) !== wd) this.drop(wd);
  }

  /** A record's path: looked up when its turn comes, after the records before it moved folders. */
  private relOf(r: InotifyRecord): string | null {
    const dir = r.name === '' ? undefined : this.byWd.get(r.wd);
    return dir === undefined ? null : dir === '' ? r.name : `${dir}/${r.name}`;
  }

  private async handleRecords(records: InotifyRecord[], time: number): Promise<void> {
    // The records that carry an ignore-file change are handled once un-ignored folders are watched
    // (paths looked up before the moves among them: at worst one extra re-read of a rule file).
    await this.noteIgnoreFiles(records.map((r) => this.relOf(r)).filter((r): r is string => r !== null));
    for (const [p, t] of this.listed) {
      if (time - t < LISTED_WINDOW_MS) break;
      this.listed.delete(p);
    }
    for (const r of records) {
      if (this.closed) return;
      const { wd, mask } = r;
      if (mask & IN_Q_OVERFLOW) {
        await this.rescan(time);
        this.fail(new Error('the kernel dropped file change events (inotify queue overflow): changes of that moment may be missing'));
        continue;
      }
      if (mask & IN_IGNORED) {
        this.unmap(wd); // the kernel's, and the hub's, already gone
        continue;
      }
      // A record of a watch let go earlier in this buffer (a folder moved away) resolves to null:
      // the folder's new place, if in the project, was read instead.
      const rel = this.relOf(r);
      if (rel === null) {
        // The folder's own end: a kept folder's is reported by its parent; the root has none.
        if (this.byWd.get(wd) === '' && mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
          this.fail(new Error(`the project folder ${this.root} was ${mask & IN_DELETE_SELF ? 'deleted' : 'moved'}: its changes are no longer followed`));
        }
        continue;
      }
      const isDir = (mask & IN_ISDIR) !== 0;
      const ignored = this.rules.isIgnored(rel, isDir);
      if (mask & (IN_DELETE | IN_MOVED_FROM)) {
        this.listed.delete(rel);
        if (isDir) this.forget(rel, (mask & IN_MOVED_FROM) !== 0);
        if (!ignored) this.push({ path: rel, kind: 'deleted', isDir, time });
      } else if (mask & (IN_CREATE | IN_MOVED_TO)) {
        if (ignored) {
          if (isDir && !this.rules.isAlwaysIgnored(rel)) this.ignoredDirs.add(rel);
          continue;
        }
        if (this.listed.delete(rel)) continue; // read with its new parent folder already
        this.push({ path: rel, kind: 'added', isDir, time });
        if (isDir) {
          // Whatever was watched under this name is another folder (one replaced by a rename).
          this.forget(rel, true);
          await this.watchTree(rel, true, time);
        }
      } else if (mask & (IN_MODIFY | IN_ATTRIB) && !isDir && !ignored) {
        this.push({ path: rel, kind: 'modified', isDir, time });
      }
    }
  }

  /** A folder gone from its place: its watch (and, when moved, those below it) no longer apply. */
  private forget(rel: string, moved: boolean): void {
    this.ignoredDirs.delete(rel);
    const one = this.byDir.get(rel);
    if (!moved) {
      // Deleted: the kernel removed its watch (IN_IGNORED follows); anything below went first.
      if (one !== undefined) this.drop(one);
      return;
    }
    const prefix = `${rel}/`;
    for (const [d, wd] of [...this.byDir]) if (d === rel || d.startsWith(prefix)) this.drop(wd);
    for (const d of this.ignoredDirs) if (d.startsWith(prefix)) this.ignoredDirs.delete(d);
  }
}
