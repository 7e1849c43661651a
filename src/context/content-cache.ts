/**
 * The last known content of recently changed files, so the next change to one of them can be counted
 * in lines without asking git, and a delete can be paired with an add of the same content (a rename).
 *
 * Invariants: least recently used first (Map insertion order; `get` moves an entry to the end);
 * `files <= maxFiles` and `bytes <= maxBytes` after every `set`; text is kept only for files of at
 * most `maxFileBytes`, larger or binary files keep just their hash. `bytes` is the sum of the charged
 * sizes of the entries present.
 */

export interface Known {
  hash: string;
  /** The content, for text files small enough to diff. */
  text?: string;
}

export interface ContentCacheLimits {
  maxFiles: number;
  maxBytes: number;
  maxFileBytes: number;
}

export const DEFAULT_CACHE_LIMITS: ContentCacheLimits = { maxFiles: 2000, maxBytes: 20 * 1024 * 1024, maxFileBytes: 256 * 1024 };

/** What an entry costs beyond its text: the key, the hash and the Map's own bookkeeping. */
const ENTRY_OVERHEAD = 200;

export class ContentCache {
  private entries = new Map<string, Known>();
  private charged = 0;

  constructor(readonly limits: ContentCacheLimits = DEFAULT_CACHE_LIMITS) {}

  get files(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.charged;
  }

  get(path: string): Known | undefined {
    const k = this.entries.get(path);
    if (k) {
      this.entries.delete(path);
      this.entries.set(path, k);
    }
    return k;
  }

  set(path: string, known: Known): void {
    this.delete(path);
    // String length counts UTF-16 units: close enough to bytes for a budget.
    const entry = known.text !== undefined && known.text.length > this.limits.maxFileBytes ? { hash: known.hash } : known;
    this.entries.set(path, entry);
    this.charged += cost(entry);
    for (const [oldest, k] of this.entries) {
      if (this.entries.size <= this.limits.maxFiles && this.charged <= this.limits.maxBytes) break;
      this.entries.delete(oldest);
      this.charged -= cost(k);
    }
  }

  delete(path: string): void {
    const k = this.entries.get(path);
    if (!k) return;
    this.entries.delete(path);
    this.charged -= cost(k);
  }

  /** Forgets a folder's files, after the folder was deleted or a burst rewrote it unseen. */
  deleteUnder(dir: string): void {
    const prefix = dir === '.' || dir === '' ? '' : `${dir}/`;
    for (const path of [...this.entries.keys()]) if (path.startsWith(prefix)) this.delete(path);
  }
}

function cost(k: Known): number {
  return ENTRY_OVERHEAD + (k.text?.length ?? 0);
}
