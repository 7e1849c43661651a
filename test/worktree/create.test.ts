// Making a worktree: where it goes, what is copied in, and for every refusal and every failure half
// way, that nothing is left behind (the project's tree, git's worktree list, the branches and the
// records folder are exactly as before).
import { chmodSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorktreeError } from '../../src/worktree/errors.js';
import { GitError } from '../../src/worktree/git.js';
import { WorktreeManager } from '../../src/worktree/manager.js';
import { recordsDir } from '../../src/worktree/records.js';
import { projectKey } from '../../src/store/locations.js';
import { commit, exists, fingerprint, mode, repo, sh, tempDir, write, type Repo } from './rig.js';

/** Everything create could leave: the project's state, the worktrees folder, the records. */
function everything(r: Repo, m: WorktreeManager): string {
  const listing = (d: string) => (exists(d) ? readdirSync(d).sort().join(',') : '(none)');
  return [fingerprint(r.dir), listing(m.dir), listing(m.recordsDir), sh(r.dir, 'branch', '--list', '--format=%(refname)')].join('\n===\n');
}

async function refusal(p: Promise<unknown>): Promise<WorktreeError> {
  const err = await p.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WorktreeError);
  return err as WorktreeError;
}

describe('create', () => {
  it('makes agents/<name> from HEAD under <data>/worktrees/<project-key>/<name>, outside the project', async () => {
    const r = repo({ 'src/a.js': 'a\n' });
    const m = await r.open();
    const { worktree: wt, reused } = await m.create({ name: 'lead', agent: 'lead' });
    const top = realpathSync(r.dir);
    expect(reused).toBe(false);
    expect(wt.branch).toBe('agents/lead');
    expect(wt.base).toBe('main');
    expect(wt.path).toBe(join(realpathSync(r.home), 'worktrees', projectKey(top), 'lead'));
    expect(wt.path.startsWith(top + sep)).toBe(false);
    expect(wt.cwd).toBe(wt.path);
    expect(sh(wt.path, 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe('agents/lead');
    expect(sh(wt.path, 'rev-parse', 'HEAD')).toBe(sh(r.dir, 'rev-parse', 'HEAD'));
    expect(readFileSync(join(wt.path, 'src/a.js'), 'utf8')).toBe('a\n');
    // The project's own tree does not see it: nothing new in git status.
    expect(sh(r.dir, 'status', '--porcelain')).toBe('');
    // Folders and the record are private.
    expect(mode(m.dir)).toBe(0o700);
    expect(mode(join(m.recordsDir, 'lead.json'))).toBe(0o600);
    expect(JSON.parse(readFileSync(join(m.recordsDir, 'lead.json'), 'utf8'))).toMatchObject({ name: 'lead', branch: 'agents/lead', base: 'main', agent: 'lead' });
    expect(m.recordsDir).toBe(recordsDir(top, realpathSync(r.home)));
  });

  it('starts from a named base branch', async () => {
    const r = repo();
    sh(r.dir, 'branch', 'release');
    const { worktree } = await (await r.open()).create({ name: 'x', base: 'release' });
    expect(worktree.base).toBe('release');
    const viaConfig = await (await r.open({ settings: { base: 'release' } })).create({ name: 'y' });
    expect(viaConfig.worktree.base).toBe('release');
  });

  it('copies ignored files matching worktree.copy, keeping modes, never through a symlink out of the project', async () => {
    const r = repo({ 'config/settings.json': '{}' });
    const outside = tempDir();
    writeFileSync(join(outside, 'secret'), 'NOT YOURS');
    write(r.dir, { '.env': 'KEY=1\n', '.env.local': 'LOCAL=1\n', 'config/.env': 'NESTED=1\n', 'build/out.js': 'built', '.envrc.untracked': '' });
    chmodSync(join(r.dir, '.env'), 0o600);
    chmodSync(join(r.dir, '.env.local'), 0o755);
    symlinkSync(join(outside, 'secret'), join(r.dir, '.env.escape'));
    symlinkSync(join(r.dir, '.env'), join(r.dir, '.env.link'));
    symlinkSync(outside, join(r.dir, 'linkdir'));
    // Tracked files that match are in the checkout already and are not overwritten.
    write(r.dir, { '.envtracked': 'tracked\n' });
    sh(r.dir, 'add', '-f', '.envtracked');
    sh(r.dir, 'commit', '--quiet', '-m', 'tracked env');
    write(r.dir, { '.envtracked': 'local edit\n' });
    const m = await r.open({ settings: { copy: ['.env*', '**/.env', 'linkdir/*', '.env.escape'] } });
    const { worktree: wt, copied } = await m.create({ name: 'a' });
    expect(copied.copied).toEqual(['.env', '.env.local', '.envrc.untracked', 'config/.env']);
    expect(copied.skipped).toEqual([{ path: '.env.escape', reason: 'a symlink (symlinks are never followed)' }]);
    expect(readFileSync(join(wt.path, '.env'), 'utf8')).toBe('KEY=1\n');
    expect(mode(join(wt.path, '.env'))).toBe(0o600);
    expect(mode(join(wt.path, '.env.local'))).toBe(0o755);
    expect(readFileSync(join(wt.path, '.envtracked'), 'utf8')).toBe('tracked\n');
    expect(exists(join(wt.path, '.env.escape'))).toBe(false);
    expect(exists(join(wt.path, '.env.link'))).toBe(false);
    expect(exists(join(wt.path, 'linkdir'))).toBe(false);
    expect(exists(join(wt.path, 'build'))).toBe(false);
    // The copies are ignored in the worktree too: it starts clean.
    expect(sh(wt.path, 'status', '--porcelain')).toBe('');
  });

  it('attack: a tracked symlink in the checkout cannot make the copy write outside the worktree', async () => {
    const outside = tempDir();
    const r = repo();
    // HEAD has `conf` as a symlink to a folder outside; the person's tree has a real folder there.
    symlinkSync(outside, join(r.dir, 'conf'));
    sh(r.dir, 'add', 'conf');
    sh(r.dir, 'commit', '--quiet', '-m', 'link');
    rmSync(join(r.dir, 'conf'));
    write(r.dir, { 'conf/deep/.env': 'X=1\n' });
    const { copied } = await (await r.open({ settings: { copy: ['**/.env'] } })).create({ name: 'a' });
    expect(copied.copied).toEqual([]);
    expect(copied.skipped).toEqual([{ path: 'conf/deep/.env', reason: 'its folder in the worktree leads out of it (symlink)' }]);
    expect(readdirSync(outside)).toEqual([]);
  });

  it('a project in a subfolder of the repository: the agent runs in the same subfolder', async () => {
    const r = repo({ 'app/index.js': '1\n' });
    write(r.dir, { 'app/.env': 'X=1\n' });
    const m = await WorktreeManager.open(join(r.dir, 'app'), { home: r.home });
    const { worktree: wt, copied } = await m.create({ name: 'sub' });
    expect(wt.subdir).toBe('app');
    expect(wt.cwd).toBe(join(wt.path, 'app'));
    expect(copied.copied).toEqual(['.env']);
    expect(readFileSync(join(wt.cwd, '.env'), 'utf8')).toBe('X=1\n');
  });

  it('takes an existing branch that no worktree has checked out, commits and all', async () => {
    const r = repo();
    sh(r.dir, 'branch', 'agents/back');
    sh(r.dir, 'checkout', '--quiet', 'agents/back');
    const tip = commit(r.dir, { 'work.txt': 'kept\n' });
    sh(r.dir, 'checkout', '--quiet', 'main');
    const { worktree: wt, reused } = await (await r.open()).create({ name: 'back' });
    expect(reused).toBe(true);
    expect(sh(wt.path, 'rev-parse', 'HEAD').trim()).toBe(tip);
  });

  it('remakes a worktree whose folder was deleted, from its branch (resume after a clean-up)', async () => {
    const r = repo();
    const m = await r.open();
    const { worktree: wt } = await m.create({ name: 'gone' });
    const tip = commit(wt.path, { 'work.txt': 'kept\n' });
    sh(r.dir, 'worktree', 'list'); // git notices lazily; the folder goes now
    rmSync(wt.path, { recursive: true, force: true });
    const again = await m.create({ name: 'gone' });
    expect(again.reused).toBe(true);
    expect(sh(again.worktree.path, 'rev-parse', 'HEAD').trim()).toBe(tip);
  });
});

describe('create refuses, and leaves nothing behind', () => {
  it('not a git repository', async () => {
    const dir = tempDir();
    const e = await refusal(WorktreeManager.open(dir, { home: tempDir() }));
    expect(e.kind).toBe('not-a-repo');
    expect(e.message).toMatch(/is not in a git repository.*git init/);
  });

  it('no commit yet (unborn HEAD)', async () => {
    const r = repo({}, { commit: false });
    const m = await r.open();
    const before = everything(r, m);
    const e = await refusal(m.create({ name: 'a' }));
    expect(e.kind).toBe('unborn-head');
    expect(e.message).toMatch(/no commit yet.*make a first commit/);
    expect(everything(r, m)).toBe(before);
  });

  it('staged changes the person must decide about', async () => {
    const r = repo();
    write(r.dir, { 'README.md': 'staged edit\n', 'new file.txt': 'n\n' });
    sh(r.dir, 'add', 'README.md', 'new file.txt');
    const m = await r.open();
    const before = everything(r, m);
    const e = await refusal(m.create({ name: 'a' }));
    expect(e.kind).toBe('staged-changes');
    expect(e.files).toEqual(['README.md', 'new file.txt']);
    expect(e.message).toMatch(/2 files: README.md, new file.txt\): commit them, or unstage them/);
    expect(everything(r, m)).toBe(before);
    // Unstaged edits are the person's work in progress, not a question: allowed.
    sh(r.dir, 'restore', '--staged', '.');
    await m.create({ name: 'a' });
  });

  it('the branch is checked out in another worktree', async () => {
    const r = repo();
    const elsewhere = join(tempDir(), 'mine');
    sh(r.dir, 'worktree', 'add', '--quiet', '-b', 'agents/taken', elsewhere);
    const m = await r.open();
    const before = everything(r, m);
    const e = await refusal(m.create({ name: 'taken' }));
    expect(e.kind).toBe('branch-in-use');
    expect(e.message).toContain(realpathSync(elsewhere));
    expect(everything(r, m)).toBe(before);
  });

  it('a detached HEAD with no base named, a base that is not a branch, a bad name', async () => {
    const r = repo();
    sh(r.dir, 'checkout', '--quiet', '--detach');
    const m = await r.open();
    const before = everything(r, m);
    expect((await refusal(m.create({ name: 'a' }))).kind).toBe('detached-head');
    expect((await refusal(m.create({ name: 'a', base: 'nope' }))).kind).toBe('bad-base');
    expect((await refusal(m.create({ name: '../escape' }))).kind).toBe('bad-name');
    expect((await refusal(m.create({ name: 'x.lock' }))).kind).toBe('bad-name');
    expect(everything(r, m)).toBe(before);
    await m.create({ name: 'a', base: 'main' });
  });

  it('worktree.dir inside the project and not ignored', async () => {
    const r = repo();
    const m = await r.open({ settings: { dir: 'trees' } });
    const before = everything(r, m);
    expect((await refusal(m.create({ name: 'a' }))).kind).toBe('dir-inside-project');
    expect(everything(r, m)).toBe(before);
    commit(r.dir, { '.gitignore': '.env*\ntrees/\n' });
    const { worktree } = await m.create({ name: 'a' });
    expect(worktree.path).toBe(join(realpathSync(r.dir), 'trees', 'a'));
    expect(sh(r.dir, 'status', '--porcelain')).toBe('');
  });

  it('something else is already where the worktree would go', async () => {
    const r = repo();
    const m = await r.open();
    mkdirSync(join(m.dir, 'busy'), { recursive: true });
    writeFileSync(join(m.dir, 'busy', 'mine.txt'), 'do not touch');
    const before = everything(r, m);
    expect((await refusal(m.create({ name: 'busy' }))).kind).toBe('path-exists');
    expect(everything(r, m)).toBe(before);
    expect(readFileSync(join(m.dir, 'busy', 'mine.txt'), 'utf8')).toBe('do not touch');
  });

  it('a worktree of that name exists', async () => {
    const r = repo();
    const m = await r.open();
    await m.create({ name: 'a' });
    const before = everything(r, m);
    expect((await refusal(m.create({ name: 'a' }))).kind).toBe('exists');
    expect(everything(r, m)).toBe(before);
  });

  it('git fails half way (a post-checkout hook exits 1 after git made the worktree)', async () => {
    const r = repo();
    writeFileSync(join(r.dir, '.git', 'hooks', 'post-checkout'), '#!/bin/sh\necho "hook says no" >&2\nexit 1\n', { mode: 0o755 });
    const m = await r.open();
    const before = everything(r, m);
    const err = await m.create({ name: 'a' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitError);
    expect((err as GitError).stderr).toMatch(/hook says no/);
    expect(everything(r, m)).toBe(before);
    expect(sh(r.dir, 'worktree', 'list', '--porcelain')).not.toContain('agents/a');
  });

  it('a hook failure does not delete an existing branch it was reusing', async () => {
    const r = repo();
    sh(r.dir, 'branch', 'agents/keep');
    sh(r.dir, 'checkout', '--quiet', 'agents/keep');
    const tip = commit(r.dir, { 'precious.txt': 'p\n' });
    sh(r.dir, 'checkout', '--quiet', 'main');
    writeFileSync(join(r.dir, '.git', 'hooks', 'post-checkout'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    const m = await r.open();
    await m.create({ name: 'keep' }).catch(() => undefined);
    expect(sh(r.dir, 'rev-parse', 'agents/keep').trim()).toBe(tip);
    expect(exists(join(m.dir, 'keep'))).toBe(false);
  });

  it('a copy fails half way (a copied file where the checkout has a file for its folder)', async () => {
    // HEAD has a file `conf`; the person's tree has replaced it with a folder holding an ignored .env.
    const r = repo({ conf: 'a file in HEAD\n' });
    sh(r.dir, 'rm', '--quiet', '--cached', 'conf');
    sh(r.dir, 'commit', '--quiet', '-m', 'untrack conf');
    sh(r.dir, 'checkout', '--quiet', 'HEAD~1', '--', 'conf');
    sh(r.dir, 'commit', '--quiet', '-m', 'conf back');
    rmSync(join(r.dir, 'conf'));
    write(r.dir, { 'conf/.env': 'X=1\n' });
    const m = await r.open({ settings: { copy: ['**/.env'] } });
    const before = everything(r, m);
    const e = await refusal(m.create({ name: 'a' }));
    expect(e.kind).toBe('copy-failed');
    expect(e.message).toMatch(/ENOTDIR|EEXIST/);
    expect(e.message).toMatch(/the worktree was not kept/);
    expect(everything(r, m)).toBe(before);
  });
});
