/**
 * Line counts for a change: how many lines were added and removed between two versions of a file.
 *
 * Choice: the exact count from a shortest edit script (Myers' O((N+M)·D) greedy algorithm, distance
 * only, after trimming the common prefix and suffix), which is what `git diff --stat` reports for the
 * usual small edit. Its cost grows with the size of the edit, so it is capped; past the cap (a file
 * rewritten wholesale) the count falls back to a multiset difference of the lines, which is linear and
 * equal to the exact count except that moved lines are not counted. That is good enough to tell a
 * person or an agent "+3 -1" from "+400 -380".
 */

export interface LineDiff {
  added: number;
  removed: number;
  /** false when the capped exact count gave way to the multiset difference. */
  exact: boolean;
}

/** Work budget for the exact count, in (N+M)·D steps: a few milliseconds at most. */
const WORK_BUDGET = 4_000_000;
const MIN_EDIT_CAP = 64;

/** Lines as an editor counts them: a final newline does not start another line. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function countLines(text: string): number {
  return splitLines(text).length;
}

/** git's heuristic: a NUL byte in the first 8000 bytes makes the content binary. */
export function looksLikeText(bytes: Uint8Array): boolean {
  return !bytes.subarray(0, 8000).includes(0);
}

export function lineDiff(before: string, after: string): LineDiff {
  if (before === after) return { added: 0, removed: 0, exact: true };
  const a = splitLines(before);
  const b = splitLines(after);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const n = endA - start;
  const m = endB - start;
  if (n === 0 || m === 0) return { added: m, removed: n, exact: true };

  // Lines become small integers so the inner loop compares numbers, not strings.
  const ids = new Map<string, number>();
  const toIds = (lines: string[], from: number, to: number): Int32Array => {
    const out = new Int32Array(to - from);
    for (let i = from; i < to; i++) {
      let id = ids.get(lines[i]);
      if (id === undefined) ids.set(lines[i], (id = ids.size));
      out[i - from] = id;
    }
    return out;
  };
  const x = toIds(a, start, endA);
  const y = toIds(b, start, endB);
  const cap = Math.max(MIN_EDIT_CAP, Math.floor(WORK_BUDGET / (n + m)));
  const d = editDistance(x, y, cap);
  if (d !== undefined) {
    // With only insertions and deletions, d = n + m - 2·LCS.
    const common = (n + m - d) / 2;
    return { added: m - common, removed: n - common, exact: true };
  }
  return { ...multisetDiff(x, y), exact: false };
}

/** Myers' greedy forward search for the length of the shortest edit script, or undefined past `cap`. */
function editDistance(a: Int32Array, b: Int32Array, cap: number): number | undefined {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, cap);
  const offset = max + 1;
  // v[k + offset]: the furthest x reached on diagonal k (y = x - k).
  const v = new Int32Array(2 * max + 3);
  for (let d = 0; d <= max; d++) {
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return d;
    }
  }
  return undefined;
}

function multisetDiff(a: Int32Array, b: Int32Array): { added: number; removed: number } {
  const counts = new Map<number, number>();
  for (const id of a) counts.set(id, (counts.get(id) ?? 0) + 1);
  let added = 0;
  for (const id of b) {
    const c = counts.get(id) ?? 0;
    if (c > 0) counts.set(id, c - 1);
    else added++;
  }
  let removed = 0;
  for (const c of counts.values()) removed += c;
  return { added, removed };
}
