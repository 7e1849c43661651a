// The review dialog's lines: summary, files with +/- counts, the diff coloured by tone, every line
// made safe to draw.
import { describe, expect, it } from 'vitest';
import { refusalLines, reviewLines, shownLine } from '../../src/workspace/review.js';
import type { WorktreeDiff } from '../../src/worktree/diff.js';
import type { Worktree } from '../../src/worktree/types.js';

const wt: Worktree = { name: 'tests', branch: 'agents/tests', base: 'main', path: '/w/tests', projectTop: '/p', subdir: '', cwd: '/w/tests' };

function diffOf(o: Partial<WorktreeDiff>): WorktreeDiff {
  return { from: 'a', to: 'b', includesUncommitted: false, files: [], text: '', truncated: false, ...o };
}

describe('reviewLines', () => {
  it('sums the change, lists each file with its counts, then the diff with a tone per line', () => {
    const lines = reviewLines(
      diffOf({
        files: [
          { path: 'src/cart.js', kind: 'modified', added: 2, removed: 1, binary: false },
          { path: 'src/new.js', from: 'src/old.js', kind: 'renamed', added: 0, removed: 0, binary: false },
          { path: 'logo.png', kind: 'added', binary: true },
        ],
        text: ['diff --git a/src/cart.js b/src/cart.js', 'index 1..2 100644', '--- a/src/cart.js', '+++ b/src/cart.js', '@@ -1,2 +1,3 @@', ' a', '-b', '+B', '+c', ''].join('\n'),
      }),
      wt,
    );
    expect(lines.map((l) => [l.tone, l.text])).toEqual([
      ['head', 'agents/tests against main: 3 files, +2 -1'],
      ['muted', '/w/tests'],
      ['text', ''],
      ['file', 'M src/cart.js              +2 -1'],
      ['file', 'R src/old.js → src/new.js  +0 -0'],
      ['file', 'A logo.png                 binary'],
      ['text', ''],
      ['meta', 'diff --git a/src/cart.js b/src/cart.js'],
      ['meta', 'index 1..2 100644'],
      ['meta', '--- a/src/cart.js'],
      ['meta', '+++ b/src/cart.js'],
      ['hunk', '@@ -1,2 +1,3 @@'],
      ['text', ' a'],
      ['del', '-b'],
      ['add', '+B'],
      ['add', '+c'],
    ]);
  });

  it('says when there is nothing to review, and when the diff was cut', () => {
    expect(reviewLines(diffOf({}), wt).at(-1)).toEqual({ text: 'No change: agents/tests holds nothing that main does not.', tone: 'text' });
    const cut = reviewLines(diffOf({ files: [{ path: 'a', kind: 'modified', added: 1, removed: 0, binary: false }], text: '+x\n', truncated: true }), wt);
    expect(cut.at(-1)).toEqual({ text: '… the diff is longer than shown (1 file listed above); see it whole with git diff in /w/tests', tone: 'warn' });
  });

  it('attack: file contents and names with escape sequences are shown, not obeyed; tabs become spaces', () => {
    const lines = reviewLines(diffOf({ files: [{ path: 'x\x1b[2J.js', kind: 'added', added: 1, removed: 0, binary: false }], text: '+\x1b]52;c;cHduZWQ=\x07\tx\n' }), wt);
    expect(lines.some((l) => l.text.includes('\x1b'))).toBe(false);
    expect(lines.find((l) => l.tone === 'add')?.text).toBe('+\\x1b]52;c;cHduZWQ=\\x07 x');
    expect(shownLine('a\tbc\td')).toBe('a   bc  d');
  });
});

describe('refusalLines', () => {
  it('wraps the refusal to the width and lists its files', () => {
    expect(refusalLines('agents/tests conflicts with main in 1 file: cart.js. Nothing was changed.', ['cart.js'], 40)).toEqual([
      { text: 'agents/tests conflicts with main in 1', tone: 'warn' },
      { text: 'file: cart.js. Nothing was changed.', tone: 'warn' },
      { text: '', tone: 'text' },
      { text: '  cart.js', tone: 'file' },
    ]);
  });
});
