/**
 * Bursts: a branch switch or an install touches thousands of files in a second. They become one
 * summary entry (counts per folder and per kind) instead of thousands, and nothing is read or hashed
 * for them; but the fact that those files changed is kept.
 *
 * Invariants (Burst): each distinct path is counted once, under its latest net kind; a path created
 * and deleted inside the burst nets to nothing; at most `maxTracked` paths are tracked one by one,
 * events past that are still counted (as files, kinds and folders), just not de-duplicated.
 */
import type { BurstSummary, WatchEvent } from './feed-types.js';

export type FileKind = WatchEvent['kind'];

/**
 * Two changes to one path in quick succession, as one: undefined when they cancel out (a temporary
 * file). A delete then an add is a replacement, i.e. a modification (editors save by rename).
 */
export function combineKinds(first: FileKind, then: FileKind): FileKind | undefined {
  if (then === 'deleted') return first === 'added' ? undefined : 'deleted';
  return first === 'added' ? 'added' : 'modified';
}

/** Counts events over a sliding window of arrival times. */
export class RateWindow {
  private slots: Array<[time: number, n: number]> = [];
  private sum = 0;

  constructor(private windowMs: number) {}

  add(time: number, n: number): number {
    this.slots.push([time, n]);
    this.sum += n;
    while (this.slots.length > 0 && this.slots[0][0] <= time - this.windowMs) this.sum -= this.slots.shift()![1];
    return this.sum;
  }
}

export class Burst {
  private paths = new Map<string, FileKind>();
  private extra = { files: 0, kinds: { added: 0, modified: 0, deleted: 0 }, dirs: new Map<string, number>() };

  lastAt: number;

  constructor(
    readonly startedAt: number,
    private maxTracked = 100_000,
  ) {
    this.lastAt = startedAt;
  }

  add(path: string, kind: FileKind, at: number): void {
    this.lastAt = at;
    const prev = this.paths.get(path);
    if (prev !== undefined) {
      const net = combineKinds(prev, kind);
      if (net === undefined) this.paths.delete(path);
      else this.paths.set(path, net);
    } else if (this.paths.size < this.maxTracked) {
      this.paths.set(path, kind);
    } else {
      this.extra.files++;
      this.extra.kinds[kind]++;
      const dir = dirOf(path);
      this.extra.dirs.set(dir, (this.extra.dirs.get(dir) ?? 0) + 1);
    }
  }

  /** Takes a path back out (an agent announced that write after all), with its net kind. */
  take(path: string): FileKind | undefined {
    const kind = this.paths.get(path);
    this.paths.delete(path);
    return kind;
  }

  /** The tracked paths, so the feed can note who touched them. */
  trackedPaths(): IterableIterator<string> {
    return this.paths.keys();
  }

  get files(): number {
    return this.paths.size + this.extra.files;
  }

  summary(): { path: string; summary: BurstSummary } {
    const kinds = { ...this.extra.kinds };
    const dirs = new Map(this.extra.dirs);
    for (const [path, kind] of this.paths) {
      kinds[kind]++;
      const dir = dirOf(path);
      dirs.set(dir, (dirs.get(dir) ?? 0) + 1);
    }
    return { path: commonFolder(dirs.keys()), summary: { files: this.files, folders: folderCounts(dirs), kinds } };
  }
}

export function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** The deepest folder containing all of `dirs`; '.' for the root. */
export function commonFolder(dirs: Iterable<string>): string {
  let common: string[] | undefined;
  for (const dir of dirs) {
    const parts = dir === '' ? [] : dir.split('/');
    if (!common) {
      common = parts;
      continue;
    }
    let i = 0;
    while (i < common.length && i < parts.length && common[i] === parts[i]) i++;
    common.length = i;
  }
  return !common || common.length === 0 ? '.' : common.join('/');
}

/**
 * Counts per folder one level below the common folder (so a burst all inside node_modules/ still says
 * which packages), the largest first; past `maxKeys` the rest are summed under 'other/'.
 */
export function folderCounts(dirs: Map<string, number>, maxKeys = 8): Record<string, number> {
  const common = commonFolder(dirs.keys());
  const depth = common === '.' ? 0 : common.split('/').length;
  const counts = new Map<string, number>();
  for (const [dir, n] of dirs) {
    const parts = dir === '' ? [] : dir.split('/');
    const key = parts.length > depth ? `${parts.slice(0, depth + 1).join('/')}/` : common === '.' ? './' : `${common}/`;
    counts.set(key, (counts.get(key) ?? 0) + n);
  }
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const out: Record<string, number> = {};
  const shown = sorted.length > maxKeys ? sorted.slice(0, maxKeys - 1) : sorted;
  for (const [key, n] of shown) out[key] = n;
  const rest = sorted.slice(shown.length).reduce((sum, [, n]) => sum + n, 0);
  if (rest > 0) out['other/'] = rest;
  return out;
}
