// Listing, removing and pruning: only worktrees that are clean and merged ever go, and the
// refusals say where the worktree is and why it stays.
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorktreeError } from '../../src/worktree/errors.js';
import { merge } from '../../src/worktree/merge.js';
import { commit, exists, repo, sh, write } from './rig.js';

describe('list and records', () => {
  it('lists each worktree with branch, merged, dirty and the last agent; records are 0600', async () => {
    let now = 1_000;
    const r = repo();
    const m = await r.open({ now: () => now });
    const a = (await m.create({ name: 'a', agent: 'lead' })).worktree;
    const b = (await m.create({ name: 'b' })).worktree;
    commit(a.path, { 'x.txt': 'x\n' });
    write(b.path, { 'y.txt': 'y\n' });
    now = 2_000;
    m.recordUse(b, 'tests');
    const list = await m.list();
    expect(list.map((w) => [w.name, w.branch, w.merged, w.dirty, w.agent, w.usedAt, w.ahead])).toEqual([
      ['a', 'agents/a', false, false, 'lead', 1_000, 1],
      ['b', 'agents/b', true, true, 'tests', 2_000, 0],
    ]);
    expect(statSync(join(m.recordsDir, 'b.json')).mode & 0o777).toBe(0o600);
    expect(await m.find('a')).toEqual(a);
    expect(await m.find('zzz')).toBeUndefined();
  });

  it('a worktree whose record was lost is still listed (git is the truth), and a corrupt record is ignored', async () => {
    const r = repo();
    const m = await r.open();
    await m.create({ name: 'a' });
    await m.create({ name: 'b' });
    rmSync(join(m.recordsDir, 'a.json'));
    writeFileSync(join(m.recordsDir, 'b.json'), '{ not json');
    expect((await m.list()).map((w) => [w.name, w.base, w.agent])).toEqual([
      ['a', 'main', undefined],
      ['b', 'main', undefined],
    ]);
  });

  it("another project's worktrees and the person's own are not ours", async () => {
    const r = repo();
    sh(r.dir, 'worktree', 'add', '--quiet', '-b', 'agents/manual', join(r.dir, '..', 'manual'));
    const m = await r.open();
    expect(await m.list()).toEqual([]);
  });
});

describe('remove', () => {
  it('refuses a dirty worktree and an unmerged one, saying where and why; removes it once merged', async () => {
    const r = repo();
    const m = await r.open();
    const { worktree: wt } = await m.create({ name: 'w' });
    write(wt.path, { 'draft.txt': 'unsaved thoughts\n' });
    let err = (await m.remove(wt).catch((e: unknown) => e)) as WorktreeError;
    expect(err.kind).toBe('worktree-dirty');
    expect(err.message).toBe(`the worktree w stays at ${wt.path}: uncommitted changes (1 file: draft.txt)`);
    commit(wt.path, {});
    err = (await m.remove(wt).catch((e: unknown) => e)) as WorktreeError;
    expect(err.kind).toBe('not-merged');
    expect(err.message).toBe(`the worktree w stays at ${wt.path}: not merged (1 commit not in main)`);
    expect(readFileSync(join(wt.path, 'draft.txt'), 'utf8')).toBe('unsaved thoughts\n');
    await merge(wt, { mode: 'merge', message: 'm' });
    await m.remove(wt);
    expect(exists(wt.path)).toBe(false);
    expect(sh(r.dir, 'branch', '--list', 'agents/w')).toBe('');
    expect(exists(join(m.recordsDir, 'w.json'))).toBe(false);
    expect(sh(r.dir, 'show', 'main:draft.txt')).toBe('unsaved thoughts\n');
  });

  it('ignored files (build output, the copied .env) go with it; a locked worktree stays', async () => {
    const r = repo();
    write(r.dir, { '.env': 'K=1\n' });
    const m = await r.open();
    const { worktree: wt } = await m.create({ name: 'w' });
    write(wt.path, { 'build/out.js': 'built\n' });
    sh(r.dir, 'worktree', 'lock', wt.path);
    const err = (await m.remove(wt).catch((e: unknown) => e)) as WorktreeError;
    expect(err.kind).toBe('locked');
    expect(err.message).toMatch(/locked/);
    sh(r.dir, 'worktree', 'unlock', wt.path);
    await m.remove(wt);
    expect(exists(wt.path)).toBe(false);
  });

  it('a folder deleted by hand: a branch with unmerged commits stays; once merged, branch and registration go', async () => {
    const r = repo();
    const m = await r.open();
    const { worktree: wt } = await m.create({ name: 'w' });
    const tip = commit(wt.path, { 'work.txt': 'w\n' });
    rmSync(wt.path, { recursive: true, force: true });
    expect((await m.list())[0]).toMatchObject({ exists: false, merged: false, ahead: 1 });
    expect((await m.remove(wt).catch((e: unknown) => e)) as WorktreeError).toMatchObject({ kind: 'not-merged' });
    expect(sh(r.dir, 'rev-parse', 'agents/w').trim()).toBe(tip);
    sh(r.dir, 'merge', '--quiet', '--no-edit', 'agents/w');
    await m.remove(wt);
    expect(sh(r.dir, 'worktree', 'list', '--porcelain')).not.toContain('agents/w');
    expect(sh(r.dir, 'branch', '--list', 'agents/w')).toBe('');
  });
});

describe('prune', () => {
  it('removes only merged and clean worktrees, and says what it kept and why', async () => {
    const r = repo({ 'a.txt': 'a\n' });
    const m = await r.open();
    const merged = (await m.create({ name: 'merged' })).worktree;
    const fresh = (await m.create({ name: 'fresh' })).worktree;
    const dirty = (await m.create({ name: 'dirty' })).worktree;
    const ahead = (await m.create({ name: 'ahead' })).worktree;
    const squashed = (await m.create({ name: 'squashed' })).worktree;
    commit(merged.path, { 'm.txt': 'm\n' });
    await merge(merged, { mode: 'merge', message: 'merge it' });
    commit(squashed.path, { 's.txt': 's\n' });
    await merge(squashed, { mode: 'squash', message: 'squash it' });
    write(dirty.path, { 'a.txt': 'edited, not committed\n' });
    commit(ahead.path, { 'h.txt': 'h\n' });
    commit(ahead.path, { 'h2.txt': 'h\n' });
    const report = await m.prune();
    expect(report.removed.map((w) => w.name)).toEqual(['fresh', 'merged', 'squashed']);
    expect(report.kept.map((k) => [k.info.name, k.reason])).toEqual([
      ['ahead', 'not merged (2 commits not in main)'],
      ['dirty', 'uncommitted changes (1 file: a.txt)'],
    ]);
    for (const wt of [merged, fresh, squashed]) expect(exists(wt.path)).toBe(false);
    for (const wt of [dirty, ahead]) expect(exists(wt.path)).toBe(true);
    expect(readFileSync(join(dirty.path, 'a.txt'), 'utf8')).toBe('edited, not committed\n');
    expect((await m.list()).map((w) => w.name)).toEqual(['ahead', 'dirty']);
  });
});

describe('at once', () => {
  // Panes start together, and `git worktree add` reads every entry of .git/worktrees: one being made
  // beside it has no commondir yet ("fatal: failed to read .git/worktrees/NAME/commondir").
  it('worktrees made, listed and removed at the same time, by one manager or two, all go through', async () => {
    const r = repo();
    const [m1, m2] = await Promise.all([r.open(), r.open()]);
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    const made = await Promise.all(names.map((name, i) => (i % 2 ? m1 : m2).create({ name }).then((c) => c.worktree)));
    const listed = await Promise.all([m1.list(), m2.list(), m1.find('c')]);
    expect(listed[0].map((w) => w.name)).toEqual(names);
    expect(listed[1].map((w) => w.name)).toEqual(names);
    expect(listed[2]).toEqual(made[2]);
    await Promise.all([...made.slice(0, 3).map((wt) => m1.remove(wt)), m2.create({ name: 'g' }), ...made.slice(3).map((wt) => m2.remove(wt))]);
    expect((await m1.list()).map((w) => w.name)).toEqual(['g']);
    expect(sh(r.dir, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(2);
  });
});
