// The git runner: arguments are never a shell's to read, failures carry git's words, porcelain -z
// output survives spaces, newlines and non-ASCII in paths, and the environment cannot point git at
// another repository.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git, GitError, splitNul } from '../../src/worktree/git.js';
import { WorktreeError } from '../../src/worktree/errors.js';
import { listGitWorktrees, topLevel, treeState } from '../../src/worktree/repo.js';
import { repo, sh, tempDir, write } from './rig.js';

const saved = { ...process.env };
afterEach(() => {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
});

describe('git runner', () => {
  it('a failure is a GitError with git stderr and exit code', async () => {
    const r = repo();
    const err = await git(r.dir, ['rev-parse', '--verify', 'no-such-branch']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitError);
    const e = err as GitError;
    expect(e.kind).toBe('failed');
    expect(e.code).toBe(128);
    expect(e.stderr).toMatch(/fatal/);
    expect(e.message).toMatch(/^git rev-parse --verify failed: fatal/);
  });

  it('okCodes turn an exit status into an answer', async () => {
    const r = repo();
    write(r.dir, { 'README.md': 'changed\n' });
    const res = await git(r.dir, ['diff', '--quiet'], { okCodes: [0, 1] });
    expect(res.code).toBe(1);
  });

  it('shell syntax in an argument is just text (attack: a branch or path name that runs a command)', async () => {
    const r = repo();
    const marker = join(r.dir, 'pwned');
    for (const evil of [`$(touch ${marker})`, `\`touch ${marker}\``, `x; touch ${marker}`, `x | touch ${marker}`]) {
      await git(r.dir, ['rev-parse', '--verify', '--quiet', evil], { okCodes: [0, 1, 128] });
      await git(r.dir, ['check-ignore', '-q', '--', evil], { okCodes: [0, 1, 128] });
    }
    expect(existsSync(marker)).toBe(false);
  });

  it('a GIT_DIR / GIT_INDEX_FILE in our environment (as inside a git hook) does not redirect it', async () => {
    const a = repo();
    const b = repo({ 'other.txt': 'b\n' });
    process.env.GIT_DIR = join(b.dir, '.git');
    process.env.GIT_WORK_TREE = b.dir;
    process.env.GIT_INDEX_FILE = join(b.dir, '.git', 'index');
    const files = splitNul((await git(a.dir, ['ls-files', '-z'])).stdout);
    expect(files).toEqual(['.gitignore', 'README.md']);
  });

  it('output past maxBytes: an error, or cut when the caller asked for that', async () => {
    const r = repo({ 'big.txt': 'x'.repeat(10_000) + '\n' });
    const err = await git(r.dir, ['show', 'HEAD:big.txt'], { maxBytes: 1000 }).catch((e: unknown) => e);
    expect((err as GitError).kind).toBe('too-large');
    const cut = await git(r.dir, ['show', 'HEAD:big.txt'], { maxBytes: 1000, truncate: true });
    expect(cut.truncated).toBe(true);
    expect(cut.stdout.length).toBeLessThanOrEqual(1000);
  });

  it('git missing from PATH is its own kind', async () => {
    const r = repo();
    process.env.PATH = '/nonexistent';
    const err = await git(r.dir, ['status']).catch((e: unknown) => e);
    expect((err as GitError).kind).toBe('missing');
  });
});

describe('porcelain parsing', () => {
  const names = ['with space.txt', 'ünïcødé 文件.md', 'new\nline.txt', 'tab\there.txt', 'quote"d.txt', '-dash.txt'];

  it('status -z reads staged, unstaged, untracked and renamed paths of every shape', async () => {
    const r = repo({ 'a.txt': 'a\n', 'old name.txt': 'x\n'.repeat(20) });
    write(r.dir, Object.fromEntries(names.map((n) => [n, n])));
    sh(r.dir, 'add', '--', names[0], names[1]);
    sh(r.dir, 'mv', 'old name.txt', 'new näme.txt');
    write(r.dir, { 'a.txt': 'changed\n' });
    const s = await treeState(r.dir);
    expect(s.staged.sort()).toEqual(['new näme.txt', names[0], names[1]].sort());
    expect(s.unstaged).toEqual(['a.txt']);
    expect(s.untracked.sort()).toEqual(names.slice(2).sort());
  });

  it('worktree list -z reads paths with spaces and non-ASCII letters', async () => {
    const r = repo();
    const path = join(r.dir, '..', 'wt ü 文件');
    sh(r.dir, 'worktree', 'add', '--quiet', '-b', 'x', path);
    sh(r.dir, 'worktree', 'lock', path);
    const list = await listGitWorktrees(r.dir);
    expect(list.map((w) => [w.path.endsWith('wt ü 文件') || w.path.endsWith('my project'), w.branch, w.locked])).toEqual([
      [true, 'main', false],
      [true, 'x', true],
    ]);
  });
});

describe('topLevel', () => {
  it('"not a repository" only when git says so; other refusals keep git\'s words', async () => {
    process.env.LANG = 'de_DE.UTF-8';
    const err = await topLevel(tempDir()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorktreeError);
    const r = repo();
    // A repository git will not use (as for another user's folder): its own message comes through.
    process.env.GIT_CONFIG_GLOBAL = join(r.dir, '..', 'no-such-global');
    process.env.GIT_TEST_ASSUME_DIFFERENT_OWNER = '1';
    const dubious = await topLevel(r.dir).catch((e: unknown) => e);
    expect(dubious).toBeInstanceOf(GitError);
    expect((dubious as GitError).stderr).toMatch(/dubious ownership/);
  });
});
