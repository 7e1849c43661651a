/**
 * One writer per project. The lock file holds `{ pid, procStart, since, host }` and is created
 * whole (written under a temporary name, then hard-linked into place, which fails if a lock
 * exists), so no reader ever sees a half-written lock.
 *
 * Invariants:
 * - A lock whose pid is alive on this host (and, where /proc tells, started when the lock says) is
 *   never removed: the second process gets a `locked` StoreError naming that pid.
 * - A lock of a dead pid, of a reused pid, or with unreadable content is stale: it is renamed away
 *   (rename is atomic, so of two processes taking it over only one gets it) and ours linked in.
 * - release() removes the lock only while it is still ours.
 */
import { hostname } from 'node:os';
import { pidAlive } from '../util/pid.js';
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { describeFsError, errorCode, StoreError } from './errors.js';

export interface LockInfo {
  pid: number;
  /** The process's start time in clock ticks since boot (/proc/PID/stat field 22), to tell a reused pid. */
  procStart?: number;
  since: number;
  host: string;
}

export function procStartOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "pid (comm) ": comm may hold spaces and parentheses, so split after the last ')'.
    const start = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    return Number.isFinite(start) ? start : undefined;
  } catch {
    return undefined;
  }
}

function parseLock(text: string): LockInfo | undefined {
  try {
    const x = JSON.parse(text) as Partial<LockInfo>;
    if (typeof x.pid !== 'number' || !Number.isInteger(x.pid) || x.pid <= 0 || typeof x.since !== 'number') return undefined;
    return { pid: x.pid, procStart: typeof x.procStart === 'number' ? x.procStart : undefined, since: x.since, host: typeof x.host === 'string' ? x.host : hostname() };
  } catch {
    return undefined;
  }
}

export function isAlive(info: LockInfo): boolean {
  // Another machine (a shared home folder): its processes cannot be checked from here.
  if (info.host !== hostname()) return true;
  if (!pidAlive(info.pid)) return false;
  if (info.procStart === undefined) return true;
  const now = procStartOf(info.pid);
  return now === undefined || now === info.procStart;
}

export class ProjectLock {
  private constructor(
    readonly path: string,
    readonly info: LockInfo,
  ) {}

  /** Takes the lock, taking over a stale one; a live holder gives a `locked` error. */
  static acquire(path: string, now: number): ProjectLock | StoreError {
    const info: LockInfo = { pid: process.pid, procStart: procStartOf(process.pid), since: now, host: hostname() };
    const text = JSON.stringify(info) + '\n';
    const tag = `${process.pid}-${randomBytes(3).toString('hex')}`;
    const tmp = `${path}.${tag}.tmp`;
    try {
      for (let attempt = 0; attempt < 5; attempt++) {
        if (createWhole(tmp, path, text)) return new ProjectLock(path, info);
        let held: string;
        try {
          held = readFileSync(path, 'utf8');
        } catch (err) {
          if (errorCode(err) === 'ENOENT') continue; // released meanwhile
          throw err;
        }
        const holder = parseLock(held);
        if (holder && isAlive(holder)) return lockedError(path, holder);
        // Stale: move it aside under a name only we use, then check we moved what we judged.
        const aside = `${path}.stale-${tag}`;
        try {
          renameSync(path, aside);
        } catch (err) {
          if (errorCode(err) === 'ENOENT') continue; // someone else took it over first
          throw err;
        }
        const moved = readFileSync(aside, 'utf8');
        if (moved !== held) {
          // A fresh lock of a process that took over just before us: put it back.
          try {
            linkSync(aside, path);
          } catch {
            // The path is taken again; the next attempt reads whoever holds it.
          }
        }
        unlinkSync(aside);
      }
      return new StoreError('io', `Could not take the session store's lock ${path}: it kept changing hands. Try again.`, path);
    } catch (err) {
      return new StoreError('io', `Could not take the session store's lock ${path}: ${describeFsError(err)}.`, path);
    }
  }

  /** Removes the lock if it is still ours. Synchronous, so it can run in a process 'exit' handler. */
  release(): void {
    try {
      const holder = parseLock(readFileSync(this.path, 'utf8'));
      if (holder && holder.pid === this.info.pid && holder.since === this.info.since) unlinkSync(this.path);
    } catch {
      // Already gone, or the folder was removed: nothing of ours left to release.
    }
  }
}

/** Folders whose file system has no hard links (some network and FUSE mounts). */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/** Creates `path` holding `text`, or returns false if it exists. */
function createWhole(tmp: string, path: string, text: string): boolean {
  writeFileSync(tmp, text, { mode: 0o600 });
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    const code = errorCode(err);
    if (code === 'EEXIST') return false;
    if (code === undefined || !NO_LINKS.has(code)) throw err;
  } finally {
    unlinkSync(tmp);
  }
  // Without links: exclusive create, then write; a reader may briefly see it empty (read as stale,
  // but its rename-aside check then finds the content changed and puts it back).
  try {
    writeFileSync(path, text, { flag: 'wx', mode: 0o600 });
    return true;
  } catch (err) {
    if (errorCode(err) === 'EEXIST') return false;
    throw err;
  }
}

function lockedError(path: string, holder: LockInfo): StoreError {
  const since = new Date(holder.since).toLocaleString();
  const where = holder.host === hostname() ? '' : ` on ${holder.host}`;
  return new StoreError(
    'locked',
    `Another agents (pid ${holder.pid}${where}, since ${since}) is using this project's session store. ` +
      `Only one agents may write it at a time, so this one cannot save its session there. ` +
      `Quit the other one first (or, if pid ${holder.pid} is not agents, remove ${path}).`,
    path,
  );
}
