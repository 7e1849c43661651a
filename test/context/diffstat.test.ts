import { describe, expect, it } from 'vitest';
import { ContentCache } from '../../src/context/content-cache.js';
import { countLines, lineDiff, looksLikeText, splitLines } from '../../src/context/diffstat.js';
import { seeded as mulberry32 } from '../helpers/random.js';

/** The textbook O(N·M) longest common subsequence: the reference the fast count must agree with. */
function reference(a: string[], b: string[]): { added: number; removed: number } {
  const dp = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) dp[i][j] = a[i] === b[j] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
  return { added: b.length - dp[0][0], removed: a.length - dp[0][0] };
}


describe('lineDiff', () => {
  it('counts the usual edits', () => {
    expect(lineDiff('a\nb\nc\n', 'a\nB\nc\n')).toEqual({ added: 1, removed: 1, exact: true });
    expect(lineDiff('', 'a\nb\n')).toEqual({ added: 2, removed: 0, exact: true });
    expect(lineDiff('a\nb\n', '')).toEqual({ added: 0, removed: 2, exact: true });
    expect(lineDiff('a\nb', 'a\nb\n')).toEqual({ added: 0, removed: 0, exact: true }); // final newline only
    expect(lineDiff('a\nb\nc\nd\n', 'b\nc\nd\na\n')).toEqual({ added: 1, removed: 1, exact: true }); // a moved line
  });

  it('agrees with a plain LCS on random small edits', () => {
    const rand = mulberry32(7);
    const alphabet = ['x', 'y', 'z', 'w', ''];
    for (let n = 0; n < 500; n++) {
      const a = Array.from({ length: Math.floor(rand() * 30) }, () => alphabet[Math.floor(rand() * alphabet.length)]);
      const b = a.filter(() => rand() > 0.2);
      for (let k = Math.floor(rand() * 5); k > 0; k--) b.splice(Math.floor(rand() * (b.length + 1)), 0, alphabet[Math.floor(rand() * alphabet.length)]);
      const got = lineDiff(a.map((l) => `${l}\n`).join(''), b.map((l) => `${l}\n`).join(''));
      expect({ added: got.added, removed: got.removed }).toEqual(reference(a, b));
    }
  });

  it('falls back to a multiset difference for a wholesale rewrite, quickly', () => {
    const a = Array.from({ length: 20_000 }, (_, i) => `old ${i}`).join('\n');
    const b = Array.from({ length: 20_000 }, (_, i) => `new ${i}`).join('\n');
    const t0 = performance.now();
    expect(lineDiff(a, b)).toEqual({ added: 20_000, removed: 20_000, exact: false });
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('splits and classifies', () => {
    expect(splitLines('a\n\nb')).toEqual(['a', '', 'b']);
    expect(countLines('')).toBe(0);
    expect(looksLikeText(Buffer.from('héllo\n'))).toBe(true);
    expect(looksLikeText(Buffer.from([1, 0, 2]))).toBe(false);
  });
});

describe('ContentCache', () => {
  it('evicts the least recently used past the file and byte limits', () => {
    const c = new ContentCache({ maxFiles: 3, maxBytes: 10_000, maxFileBytes: 1000 });
    for (const p of ['a', 'b', 'c']) c.set(p, { hash: p, text: p });
    c.get('a');
    c.set('d', { hash: 'd' });
    expect(['a', 'b', 'c', 'd'].filter((p) => c.get(p))).toEqual(['a', 'c', 'd']);

    const small = new ContentCache({ maxFiles: 100, maxBytes: 1000, maxFileBytes: 600 });
    small.set('x', { hash: 'x', text: 'x'.repeat(500) });
    small.set('y', { hash: 'y', text: 'y'.repeat(500) });
    expect(small.get('x')).toBeUndefined();
    expect(small.bytes).toBeLessThanOrEqual(1000);
    small.set('big', { hash: 'b', text: 'b'.repeat(700) }); // over maxFileBytes: hash only
    expect(small.get('big')).toEqual({ hash: 'b' });
    small.deleteUnder('.');
    expect(small.files).toBe(0);
    expect(small.bytes).toBe(0);
  });
});
