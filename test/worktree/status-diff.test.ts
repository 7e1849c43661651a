// A worktree's state and its change for review, uncommitted work included, and the files two
// branches both change.
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conflictsAcross } from '../../src/worktree/conflicts.js';
import { diff, parseNameStatus, parseNumstat } from '../../src/worktree/diff.js';
import { status } from '../../src/worktree/status.js';
import { commit, fingerprint, repo, sh, write } from './rig.js';

describe('status', () => {
  it('clean and merged when new; dirty, ahead and not merged as work arrives; behind when the base moves', async () => {
    const r = repo({ 'a.txt': 'a\n' });
    const { worktree: wt } = await (await r.open()).create({ name: 'w' });
    expect(await status(wt)).toMatchObject({ exists: true, dirty: false, changes: [], ahead: 0, behind: 0, merged: true });
    write(wt.path, { 'new file ü.txt': 'n\n' });
    expect(await status(wt)).toMatchObject({ dirty: true, changes: ['new file ü.txt'], ahead: 0, merged: true });
    commit(wt.path, {});
    commit(wt.path, { 'a.txt': 'a2\n' });
    commit(r.dir, { 'b.txt': 'b\n' });
    expect(await status(wt)).toMatchObject({ dirty: false, ahead: 2, behind: 1, merged: false });
  });

  it('a squash-merged branch counts as merged (its content is in the base); a reverted one does not', async () => {
    const r = repo({ 'a.txt': 'a\n' });
    const { worktree: wt } = await (await r.open()).create({ name: 'w' });
    commit(wt.path, { 'a.txt': 'a2\n', 'c.txt': 'c\n' });
    expect((await status(wt)).merged).toBe(false);
    sh(r.dir, 'merge', '--squash', '--quiet', 'agents/w');
    sh(r.dir, 'commit', '--quiet', '-m', 'squashed');
    expect((await status(wt)).merged).toBe(true);
    sh(r.dir, 'revert', '--no-edit', 'HEAD');
    expect((await status(wt)).merged).toBe(false);
  });

  it('notices a switched branch and a missing folder', async () => {
    const r = repo();
    const { worktree: wt } = await (await r.open()).create({ name: 'w' });
    sh(wt.path, 'checkout', '--quiet', '--detach');
    expect((await status(wt)).offBranch).toBe('(detached HEAD)');
    rmSync(wt.path, { recursive: true, force: true });
    expect(await status(wt)).toMatchObject({ exists: false, dirty: false });
  });
});

describe('diff', () => {
  it('committed and uncommitted work, new and untracked files, renames, deletions, binary files, odd names', async () => {
    const r = repo({ 'keep.txt': 'k\n', 'old name.txt': 'same content\n'.repeat(10), 'gone.txt': 'g\n', 'mode.sh': 'echo\n' });
    const { worktree: wt } = await (await r.open()).create({ name: 'w' });
    commit(wt.path, { 'keep.txt': 'k\nadded line\n' });
    sh(wt.path, 'mv', 'old name.txt', 'new näme.txt');
    sh(wt.path, 'rm', '--quiet', 'gone.txt');
    write(wt.path, { 'untracked 文件.md': 'one\ntwo\n', 'tab\tname.txt': 'x\n' });
    writeFileSync(join(wt.path, 'blob.bin'), Buffer.from([0, 1, 2, 0, 255]));
    chmodSync(join(wt.path, 'mode.sh'), 0o755);
    const before = fingerprint(wt.path);
    const d = await diff(wt);
    // Review changes nothing in the worktree: not its files, not its index.
    expect(fingerprint(wt.path)).toBe(before);
    expect(d.includesUncommitted).toBe(true);
    expect(d.truncated).toBe(false);
    const byPath = Object.fromEntries(d.files.map((f) => [f.path, f]));
    expect(Object.keys(byPath).sort()).toEqual(['blob.bin', 'gone.txt', 'keep.txt', 'mode.sh', 'new näme.txt', 'tab\tname.txt', 'untracked 文件.md']);
    expect(byPath['keep.txt']).toMatchObject({ kind: 'modified', added: 1, removed: 0 });
    expect(byPath['new näme.txt']).toMatchObject({ kind: 'renamed', from: 'old name.txt', added: 0, removed: 0 });
    expect(byPath['gone.txt']).toMatchObject({ kind: 'deleted', added: 0, removed: 1 });
    expect(byPath['untracked 文件.md']).toMatchObject({ kind: 'added', added: 2, removed: 0 });
    expect(byPath['blob.bin']).toMatchObject({ kind: 'added', binary: true });
    expect(byPath['blob.bin'].added).toBeUndefined();
    expect(byPath['mode.sh']).toMatchObject({ kind: 'modified', added: 0, removed: 0 });
    expect(d.text).toContain('diff --git a/keep.txt b/keep.txt');
    expect(d.text).toContain('+added line');
    expect(d.text).toContain('rename from old name.txt');
    expect(d.text).toContain('+two');
    expect(d.text).not.toContain('\x1b');
  });

  it('colour-free whatever the person configured', async () => {
    const r = repo({ 'a.txt': 'a\n' });
    sh(r.dir, 'config', 'color.ui', 'always');
    sh(r.dir, 'config', 'color.diff', 'always');
    sh(r.dir, 'config', 'diff.noprefix', 'true');
    const { worktree: wt } = await (await r.open()).create({ name: 'w' });
    write(wt.path, { 'a.txt': 'b\n' });
    const d = await diff(wt);
    expect(d.text).not.toContain('\x1b');
    expect(d.text).toContain('--- a/a.txt\n+++ b/a.txt');
  });

  it('a huge diff is cut at a line end and says so; the file list stays complete', async () => {
    const r = repo({ 'a.txt': 'a\n' });
    const { worktree: wt } = await (await r.open()).create({ name: 'w' });
    const files: Record<string, string> = {};
    for (let i = 0; i < 50; i++) files[`f${i}.txt`] = `line ${i}\n`.repeat(200);
    write(wt.path, files);
    const d = await diff(wt, { maxBytes: 20_000 });
    expect(d.truncated).toBe(true);
    expect(d.text.length).toBeLessThanOrEqual(20_000);
    expect(d.text.endsWith('\n')).toBe(true);
    expect(d.files).toHaveLength(50);
  });

  it('parses git -z output with renames next to plain entries', () => {
    expect(parseNameStatus('M\0a b\0R087\0old\0new\0D\0x\0')).toEqual([
      { path: 'a b', kind: 'modified', binary: false },
      { path: 'new', from: 'old', kind: 'renamed', binary: false },
      { path: 'x', kind: 'deleted', binary: false },
    ]);
    const n = parseNumstat('1\t2\ta b\0' + '3\t0\t\0old\0new\0' + '-\t-\tbin\0');
    expect([...n]).toEqual([
      ['a b', { added: 1, removed: 2, binary: false }],
      ['new', { added: 3, removed: 0, binary: false }],
      ['bin', { added: 0, removed: 0, binary: true }],
    ]);
  });
});

describe('conflictsAcross', () => {
  it('flags a file two branches change (committed or not), and nothing else', async () => {
    const r = repo({ 'cart.js': '1\n', 'only-a.js': 'a\n', 'only-b.js': 'b\n' });
    const m = await r.open();
    const a = (await m.create({ name: 'a' })).worktree;
    const b = (await m.create({ name: 'b' })).worktree;
    const c = (await m.create({ name: 'c' })).worktree;
    commit(a.path, { 'cart.js': 'from a\n', 'only-a.js': 'a2\n' });
    write(b.path, { 'cart.js': 'from b, not committed\n', 'only-b.js': 'b2\n' });
    write(c.path, { 'brand new.txt': 'c\n' });
    write(a.path, { 'brand new.txt': 'a\n' });
    expect(await conflictsAcross([a, b, c])).toEqual([
      { path: 'brand new.txt', worktrees: [{ name: 'a', branch: 'agents/a' }, { name: 'c', branch: 'agents/c' }] },
      { path: 'cart.js', worktrees: [{ name: 'a', branch: 'agents/a' }, { name: 'b', branch: 'agents/b' }] },
    ]);
    // Only reads: nothing in any tree changed (the untracked file is still untracked).
    expect(readFileSync(join(b.path, 'cart.js'), 'utf8')).toBe('from b, not committed\n');
    expect(sh(b.path, 'status', '--porcelain')).toBe(' M cart.js\n M only-b.js\n');
  });
});
