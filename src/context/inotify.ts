/**
 * inotify through our addon (native/src/inotify.c): the functions, the kernel's record format, and
 * the process's one instance that every watcher shares (InotifyHub). The watcher built on it is
 * inotify-watcher.ts.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The addon's inotify functions (Linux only). */
export interface Inotify {
  /** onEvents() without a buffer: reading failed, and no more comes. */
  inotifyOpen(onEvents: (records?: Buffer) => void): object;
  inotifyAdd(handle: object, path: string, mask: number): number;
  inotifyRemove(handle: object, wd: number): void;
  inotifyClose(handle: object): void;
}

// From <sys/inotify.h>.
export const IN_MODIFY = 0x2;
export const IN_ATTRIB = 0x4;
export const IN_MOVED_FROM = 0x40;
export const IN_MOVED_TO = 0x80;
export const IN_CREATE = 0x100;
export const IN_DELETE = 0x200;
export const IN_DELETE_SELF = 0x400;
export const IN_MOVE_SELF = 0x800;
export const IN_Q_OVERFLOW = 0x4000;
export const IN_IGNORED = 0x8000;
const IN_ONLYDIR = 0x1000000;
export const IN_DONT_FOLLOW = 0x2000000;
const IN_EXCL_UNLINK = 0x4000000;
export const IN_ISDIR = 0x40000000;
/** What each folder's watch asks for: its entries' changes, and its own end. */
export const MASK =
  IN_MODIFY | IN_ATTRIB | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF |
  IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK;
/** wd, mask, cookie, len: then len bytes of NUL-padded name. */
const RECORD_HEADER = 16;

/** The build folder, from src/context (tests) and dist/chunks alike. */
const ADDON = fileURLToPath(new URL('../../native/build/Release/agents_native.node', import.meta.url));

let inotify: Inotify | null | undefined;
/** The addon's inotify functions, or null off Linux or when the native part is not built. Loaded once. */
export function loadInotify(): Inotify | null {
  if (inotify !== undefined) return inotify;
  inotify = null;
  if (process.platform !== 'linux') return inotify;
  try {
    const addon = createRequire(import.meta.url)(ADDON) as Partial<Inotify>;
    if (['inotifyOpen', 'inotifyAdd', 'inotifyRemove', 'inotifyClose'].every((f) => typeof addon[f as keyof Inotify] === 'function')) {
      inotify = addon as Inotify;
    }
  } catch {
    // Not built: the caller falls back to another backend.
  }
  return inotify;
}

export interface InotifyRecord {
  wd: number;
  mask: number;
  name: string;
}

function parseRecords(buf: Buffer): InotifyRecord[] {
  const out: InotifyRecord[] = [];
  for (let at = 0; at + RECORD_HEADER <= buf.length; ) {
    const len = buf.readUInt32LE(at + 12);
    const start = at + RECORD_HEADER;
    let end = Math.min(start + len, buf.length);
    while (end > start && buf[end - 1] === 0) end--;
    out.push({ wd: buf.readInt32LE(at), mask: buf.readUInt32LE(at + 4), name: buf.toString('utf8', start, end) });
    at = start + len;
  }
  return out;
}

/** What the hub hands each record buffer to (an InotifyWatcher). */
export interface InotifyListener {
  onRecords(records: InotifyRecord[], time: number): void;
  onFailure(err: Error): void;
}

/**
 * The process's one inotify instance, shared by its watchers (the project's and each worktree's):
 * instances are few (fs.inotify.max_user_instances, 128 by default, for all of the user's programs
 * together). The kernel gives one folder one watch per instance, so a watch is removed only when
 * the last watcher holding it lets go. Open while some watcher is.
 */
export class InotifyHub {
  private handle: object | undefined;
  private readonly watchers = new Set<InotifyListener>();
  private readonly holders = new Map<number, Set<InotifyListener>>();

  constructor(private readonly api: Inotify) {}

  join(w: InotifyListener): void {
    this.handle ??= this.api.inotifyOpen((records?: Buffer) => this.dispatch(records));
    this.watchers.add(w);
  }

  leave(w: InotifyListener): void {
    if (!this.watchers.delete(w)) return;
    for (const wd of [...this.holders.keys()]) this.release(w, wd);
    if (this.watchers.size > 0 || !this.handle) return;
    this.api.inotifyClose(this.handle);
    this.handle = undefined;
    this.holders.clear();
  }

  /** inotify_add_watch for `w`; throws the errno's error. */
  add(w: InotifyListener, path: string, mask: number): number {
    if (!this.handle) throw Object.assign(new Error('inotify is closed'), { code: 'EBADF' });
    const wd = this.api.inotifyAdd(this.handle, path, mask);
    const set = this.holders.get(wd) ?? new Set<InotifyListener>();
    set.add(w);
    this.holders.set(wd, set);
    return wd;
  }

  release(w: InotifyListener, wd: number): void {
    const set = this.holders.get(wd);
    if (!set?.delete(w) || set.size > 0) return;
    this.holders.delete(wd);
    if (this.handle) this.api.inotifyRemove(this.handle, wd);
  }

  private dispatch(buf: Buffer | undefined): void {
    const time = Date.now();
    if (!buf) {
      const err = new Error('reading inotify failed: file changes are no longer followed');
      for (const w of this.watchers) w.onFailure(err);
      return;
    }
    const records = parseRecords(buf);
    // Gone from the kernel (a deleted folder's, or one we removed): nobody holds it any more.
    for (const r of records) if (r.mask & IN_IGNORED) this.holders.delete(r.wd);
    for (const w of this.watchers) w.onRecords(records, time);
  }
}

let hub: InotifyHub | undefined;
/** The shared instance's keeper for `api` (one per process). */
export function inotifyHub(api: Inotify): InotifyHub {
  return (hub ??= new InotifyHub(api));
}
