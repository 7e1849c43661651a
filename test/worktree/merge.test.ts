// Merging a worktree's branch into its base in the project's tree. Every refusal is checked the
// same way: both trees fingerprinted (every file's bytes and mode, git status, the index, HEAD,
// every ref) before and after, and required to be equal.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorktreeError } from '../../src/worktree/errors.js';
import { git, GitError } from '../../src/worktree/git.js';
import { commitAll, merge, mergeCheck } from '../../src/worktree/merge.js';
import type { Worktree } from '../../src/worktree/types.js';
import { commit, fingerprint, repo, sh, write, type Repo } from './rig.js';

async function setup(files: Record<string, string> = { 'cart.js': 'one\ntwo\nthree\n' }): Promise<{ r: Repo; wt: Worktree }> {
  const r = repo(files);
  const { worktree } = await (await r.open()).create({ name: 'w' });
  return { r, wt: worktree };
}

/** Runs `act`, expects a WorktreeError of `kind`, and that neither tree changed at all. */
async function refusedUntouched(r: Repo, wt: Worktree, kind: string, act: () => Promise<unknown>): Promise<WorktreeError> {
  const before = [fingerprint(r.dir), fingerprint(wt.path)];
  const err = await act().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WorktreeError);
  expect((err as WorktreeError).kind).toBe(kind);
  expect([fingerprint(r.dir), fingerprint(wt.path)]).toEqual(before);
  return err as WorktreeError;
}

const log = (dir: string) => sh(dir, 'log', '--format=%s|%p', 'main').trim().split('\n');

describe('commitAll', () => {
  it('commits tracked and untracked work; nothing to commit is not an error', async () => {
    const { wt } = await setup();
    expect(await commitAll(wt, 'nothing')).toEqual({ committed: false, files: [] });
    write(wt.path, { 'cart.js': 'changed\n', 'new ü.txt': 'n\n' });
    const c = await commitAll(wt, 'Add the cart\x1b]52;c;evil\x07 fix');
    expect(c.committed).toBe(true);
    expect(c.files).toEqual(['cart.js', 'new ü.txt']);
    expect(sh(wt.path, 'status', '--porcelain')).toBe('');
    // An escape sequence in the summary does not reach the commit message (or anyone's git log).
    expect(sh(wt.path, 'log', '-1', '--format=%B').trim()).toBe('Add the cart fix');
  });

  it('a pre-commit hook that refuses: GitError with its words, and the index as it was', async () => {
    const { r, wt } = await setup();
    const hooks = sh(r.dir, 'rev-parse', '--path-format=absolute', '--git-path', 'hooks').trim();
    writeFileSync(join(hooks, 'pre-commit'), '#!/bin/sh\necho "lint failed" >&2\nexit 1\n', { mode: 0o755 });
    write(wt.path, { 'cart.js': 'changed\n', 'untracked.txt': 'u\n' });
    const before = fingerprint(wt.path);
    const err = await commitAll(wt, 'x').catch((e: unknown) => e);
    expect((err as GitError).stderr).toMatch(/lint failed/);
    expect(fingerprint(wt.path)).toBe(before);
  });
});

describe('merge', () => {
  it('merge mode: a merge commit on main in the project tree, with the branch as second parent', async () => {
    const { r, wt } = await setup();
    const tip = commit(wt.path, { 'cart.js': 'one\ntwo\nthree\nfour\n' });
    commit(r.dir, { 'other.txt': 'base moved\n' });
    const check = await mergeCheck(wt);
    expect(check).toMatchObject({ ok: true, conflicts: [], fastForward: false, upToDate: false, files: ['cart.js'] });
    const res = await merge(wt, { mode: 'merge', message: 'Merge the cart work' });
    expect(res).toMatchObject({ status: 'merged', mode: 'merge', files: ['cart.js'] });
    expect(log(r.dir)[0]).toMatch(new RegExp(`^Merge the cart work\\|[0-9a-f]+ ${tip.slice(0, 7)}`));
    expect(sh(r.dir, 'show', 'HEAD:cart.js')).toBe('one\ntwo\nthree\nfour\n');
    // The project's tree has the result and nothing uncommitted.
    expect(sh(r.dir, 'status', '--porcelain')).toBe('');
    expect(sh(r.dir, 'rev-parse', 'HEAD')).toBe(sh(r.dir, 'rev-parse', 'main'));
  });

  it('ff mode moves main to the branch tip; squash makes one commit with one parent', async () => {
    const { r, wt } = await setup();
    const tip = commit(wt.path, { 'a.txt': 'a\n' });
    commit(wt.path, { 'b.txt': 'b\n' });
    const res = await merge(wt, { mode: 'ff', message: 'unused' });
    expect(res.status).toBe('merged');
    expect(sh(r.dir, 'rev-parse', 'main').trim()).toBe(sh(wt.path, 'rev-parse', 'HEAD').trim());
    expect(sh(r.dir, 'log', '--format=%H', 'main')).toContain(tip);

    const { worktree: sq } = await (await r.open()).create({ name: 'sq' });
    commit(sq.path, { 'c.txt': 'c\n' });
    commit(sq.path, { 'd.txt': 'd\n' });
    await merge(sq, { mode: 'squash', message: 'All of sq in one' });
    const [top] = log(r.dir);
    expect(top).toMatch(/^All of sq in one\|[0-9a-f]+$/);
    expect(sh(r.dir, 'ls-files').split('\n')).toEqual(expect.arrayContaining(['c.txt', 'd.txt']));
  });

  it('commits uncommitted work first when given a commit message; nothing to merge is "up-to-date"', async () => {
    const { r, wt } = await setup();
    expect(await merge(wt, { mode: 'merge', message: 'm' })).toEqual({ status: 'up-to-date', committed: undefined });
    write(wt.path, { 'cart.js': 'rewritten\n' });
    const res = await merge(wt, { mode: 'merge', message: 'Merge', commitMessage: 'Rewrite the cart' });
    expect(res).toMatchObject({ status: 'merged', committed: { committed: true, files: ['cart.js'] } });
    expect(sh(r.dir, 'log', '-1', '--format=%s', 'main').trim()).toBe('Merge');
    // Commits made in the same second list in any order: ask for the merge's second parent.
    expect(sh(r.dir, 'log', '-1', '--format=%s', 'main^2').trim()).toBe('Rewrite the cart');
    expect(sh(r.dir, 'show', 'main:cart.js')).toBe('rewritten\n');
  });

  it('a conflict stops it and leaves both trees exactly as they were, uncommitted work uncommitted', async () => {
    const { r, wt } = await setup();
    commit(r.dir, { 'cart.js': 'one\nTWO from main\nthree\n' });
    commit(wt.path, { 'cart.js': 'one\nTWO from agent\nthree\n', 'clean.txt': 'fine\n' });
    write(wt.path, { 'notes ü.txt': 'uncommitted\n' });
    const check = await mergeCheck(wt);
    expect(check).toMatchObject({ ok: false, conflicts: ['cart.js'], includesUncommitted: true });
    expect(check.refusal?.kind).toBe('conflict');
    const e = await refusedUntouched(r, wt, 'conflict', () => merge(wt, { mode: 'merge', message: 'm', commitMessage: 'would commit' }));
    expect(e.files).toEqual(['cart.js']);
    expect(e.message).toContain(`conflicts with main in 1 file: cart.js`);
    expect(e.message).toContain(wt.path);
    for (const mode of ['ff', 'squash'] as const) await refusedUntouched(r, wt, 'conflict', () => merge(wt, { mode, message: 'm', commitMessage: 'c' }));
  });

  it('a conflict only with uncommitted work is found before anything is committed', async () => {
    const { r, wt } = await setup();
    commit(r.dir, { 'cart.js': 'main version\n' });
    write(wt.path, { 'cart.js': 'agent version, not committed\n' });
    expect((await mergeCheck(wt)).conflicts).toEqual(['cart.js']);
    await refusedUntouched(r, wt, 'conflict', () => merge(wt, { mode: 'merge', message: 'm', commitMessage: 'c' }));
  });

  it('a dirty project tree stops it, both trees untouched', async () => {
    const { r, wt } = await setup();
    commit(wt.path, { 'a.txt': 'a\n' });
    write(r.dir, { 'cart.js': 'the person is editing this\n' });
    const e = await refusedUntouched(r, wt, 'project-dirty', () => merge(wt, { mode: 'merge', message: 'm' }));
    expect(e.files).toEqual(['cart.js']);
    sh(r.dir, 'add', 'cart.js');
    await refusedUntouched(r, wt, 'project-dirty', () => merge(wt, { mode: 'merge', message: 'm' }));
  });

  it('untracked files in the way, another branch checked out, a moved base in ff mode, uncommitted work without a message', async () => {
    const { r, wt } = await setup();
    commit(wt.path, { 'new.txt': 'from the agent\n' });
    write(r.dir, { 'new.txt': 'the person made this and never committed it\n' });
    const e = await refusedUntouched(r, wt, 'untracked-in-the-way', () => merge(wt, { mode: 'merge', message: 'm' }));
    expect(e.files).toEqual(['new.txt']);
    rmSync(join(r.dir, 'new.txt'));

    sh(r.dir, 'checkout', '--quiet', '-b', 'elsewhere');
    await refusedUntouched(r, wt, 'base-not-checked-out', () => merge(wt, { mode: 'merge', message: 'm' }));
    sh(r.dir, 'checkout', '--quiet', 'main');

    commit(r.dir, { 'other.txt': 'main moved\n' });
    await refusedUntouched(r, wt, 'not-fast-forward', () => merge(wt, { mode: 'ff', message: 'm' }));

    write(wt.path, { 'scratch.txt': 's\n' });
    await refusedUntouched(r, wt, 'worktree-dirty', () => merge(wt, { mode: 'merge', message: 'm' }));
  });

  it('the final step refuses a merge commit built on a base that has moved since, changing nothing', async () => {
    // merge() builds its commit on the base it checked, then moves the base with `merge --ff-only`.
    // If the person commits on main in between, that commit is not a descendant any more: git refuses.
    const { r, wt } = await setup();
    commit(wt.path, { 'a.txt': 'a\n' });
    const checkedBase = sh(r.dir, 'rev-parse', 'main').trim();
    const tree = sh(r.dir, 'rev-parse', 'agents/w^{tree}').trim();
    const built = sh(r.dir, 'commit-tree', '-p', checkedBase, '-p', 'agents/w', '-m', 'built', tree).trim();
    commit(r.dir, { 'racer.txt': 'the person committed meanwhile\n' });
    const before = fingerprint(r.dir);
    const err = await git(r.dir, ['merge', '--ff-only', '--quiet', built]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitError);
    expect(fingerprint(r.dir)).toBe(before);
  });
});
