// Small word helpers shared by every message the program writes: counts with the right plural, and
// "did you mean" suggestions by edit distance.

/** `1 pane`, `2 panes`, `0 panes`; irregular plurals as the third argument (`match`, `matches`). */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/**
 * Edit distance counting insertions, deletions, substitutions and swaps of two neighbouring
 * characters as 1 each (optimal string alignment): `laed` is 1 from `lead`, as a person sees it.
 */
export function editDistance(a: string, b: string): number {
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j], before[j - 2] + 1);
    }
    [before, prev] = [prev, row];
  }
  return prev[b.length];
}

/**
 * The option closest to `word` (case-insensitive), if it is close enough to be a typo: at most a
 * third of the word's length wrong, and never more than `max` edits (default 2).
 */
export function closestWord(word: string, options: readonly string[], max = 2): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestScore = Math.min(max, Math.max(1, Math.floor(w.length / 3))) + 1;
  for (const option of options) {
    const score = editDistance(w, option.toLowerCase());
    if (score < bestScore) [best, bestScore] = [option, score];
  }
  return best;
}
