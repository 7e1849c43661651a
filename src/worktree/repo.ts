/**
 * Questions asked of a repository, each one git command with porcelain or NUL-separated output.
 * Read-only except where a name says otherwise. Paths in answers are relative to the worktree's top.
 */
import { GitError, firstLine, git, splitNul } from './git.js';
import { WorktreeError } from './errors.js';

/** The top folder of the worktree holding `dir`; a `not-a-repo` refusal when there is none. */
export async function topLevel(dir: string): Promise<string> {
  try {
    // LANGUAGE=en: the one answer read from git's prose below must not arrive translated.
    const r = await git(dir, ['rev-parse', '--is-bare-repository', '--show-toplevel'], { env: { LANGUAGE: 'en' } });
    const [bare, top] = r.stdout.split('\n');
    if (bare === 'true' || !top) throw new WorktreeError('not-a-repo', `${dir} is a bare git repository: worktrees need a checkout to start from`);
    return top;
  } catch (err) {
    // Only git's "not a git repository" means that; "dubious ownership" and the like are git's own
    // words to show as they are.
    if (err instanceof GitError && err.kind === 'failed' && /not a git repository/i.test(err.stderr)) {
      throw new WorktreeError('not-a-repo', `${dir} is not in a git repository: worktrees need one (run git init and make a first commit)`);
    }
    throw err;
  }
}

/** The commit `rev` names, or undefined when it names none. */
export async function resolveCommit(dir: string, rev: string): Promise<string | undefined> {
  const r = await git(dir, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], { okCodes: [0, 1] });
  return r.code === 0 ? firstLine(r) : undefined;
}

/** The branch checked out in `dir` (`main`), or undefined when HEAD is detached. */
export async function currentBranch(dir: string): Promise<string | undefined> {
  const r = await git(dir, ['symbolic-ref', '--quiet', '--short', 'HEAD'], { okCodes: [0, 1] });
  return r.code === 0 ? firstLine(r) : undefined;
}

export async function branchExists(dir: string, branch: string): Promise<boolean> {
  return (await resolveCommit(dir, `refs/heads/${branch}`)) !== undefined;
}

/** Whether `name` is a valid branch name (git's own rules). */
export async function validBranchName(dir: string, name: string): Promise<boolean> {
  const r = await git(dir, ['check-ref-format', '--branch', name], { okCodes: [0, 1, 128] });
  return r.code === 0;
}

export interface GitWorktree {
  path: string;
  head?: string;
  /** `agents/lead` (without refs/heads/), undefined when detached. */
  branch?: string;
  bare: boolean;
  locked: boolean;
  /** git would prune it: its folder is gone. */
  prunable: boolean;
}

/** `git worktree list --porcelain -z`: every worktree of the repository, the main one first. */
export async function listGitWorktrees(dir: string): Promise<GitWorktree[]> {
  const r = await git(dir, ['worktree', 'list', '--porcelain', '-z']);
  const out: GitWorktree[] = [];
  let cur: GitWorktree | undefined;
  // Records are attribute fields separated by NUL and ended by an empty field.
  for (const field of r.stdout.split('\0')) {
    if (field === '') {
      if (cur) out.push(cur);
      cur = undefined;
      continue;
    }
    const space = field.indexOf(' ');
    const key = space < 0 ? field : field.slice(0, space);
    const value = space < 0 ? '' : field.slice(space + 1);
    if (key === 'worktree') cur = { path: value, bare: false, locked: false, prunable: false };
    else if (!cur) continue;
    else if (key === 'HEAD') cur.head = value;
    else if (key === 'branch') cur.branch = value.replace(/^refs\/heads\//, '');
    else if (key === 'bare') cur.bare = true;
    else if (key === 'locked') cur.locked = true;
    else if (key === 'prunable') cur.prunable = true;
  }
  if (cur) out.push(cur);
  return out;
}

export interface TreeState {
  /** Paths with staged changes (index differs from HEAD), including unmerged ones. */
  staged: string[];
  /** Tracked paths changed in the working tree but not staged. */
  unstaged: string[];
  /** Untracked paths (not ignored). */
  untracked: string[];
}

/**
 * `git status --porcelain=v2 -z`. GIT_OPTIONAL_LOCKS=0: status would otherwise refresh the index
 * and take its lock, racing the person's own git commands in that tree.
 */
export async function treeState(dir: string, opts: { untracked?: boolean } = {}): Promise<TreeState> {
  const args = ['status', '--porcelain=v2', '-z', opts.untracked === false ? '--untracked-files=no' : '--untracked-files=all'];
  const r = await git(dir, args, { env: { GIT_OPTIONAL_LOCKS: '0' } });
  const state: TreeState = { staged: [], unstaged: [], untracked: [] };
  const fields = splitNul(r.stdout);
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    const kind = f[0];
    if (kind === '?') state.untracked.push(f.slice(2));
    else if (kind === '1' || kind === '2') {
      // `1 XY sub mH mI mW hH hI path`; `2 XY sub mH mI mW hH hI Xscore path` then the old path.
      const parts = f.split(' ');
      const xy = parts[1];
      const path = parts.slice(kind === '1' ? 8 : 9).join(' ');
      if (kind === '2') i++;
      if (xy[0] !== '.') state.staged.push(path);
      if (xy[1] !== '.') state.unstaged.push(path);
    } else if (kind === 'u') {
      // `u XY sub m1 m2 m3 mW h1 h2 h3 path`: an unfinished merge, which only the person can settle.
      const path = f.split(' ').slice(10).join(' ');
      state.staged.push(path);
    }
  }
  return state;
}

/** Every path with any uncommitted change, once each, sorted. */
export function changedPaths(s: TreeState): string[] {
  return [...new Set([...s.staged, ...s.unstaged, ...s.untracked])].sort();
}

/** Whether `a` is an ancestor of (or equal to) `b`. */
export async function isAncestor(dir: string, a: string, b: string): Promise<boolean> {
  const r = await git(dir, ['merge-base', '--is-ancestor', a, b], { okCodes: [0, 1] });
  return r.code === 0;
}

export async function mergeBase(dir: string, a: string, b: string): Promise<string | undefined> {
  const r = await git(dir, ['merge-base', a, b], { okCodes: [0, 1] });
  return r.code === 0 ? firstLine(r) : undefined;
}

/** Commits reachable from `to` but not from `from`. */
export async function countCommits(dir: string, from: string, to: string): Promise<number> {
  const r = await git(dir, ['rev-list', '--count', `${from}..${to}`]);
  return Number(firstLine(r)) || 0;
}

export async function treeOf(dir: string, commit: string): Promise<string> {
  return firstLine(await git(dir, ['rev-parse', '--verify', `${commit}^{tree}`]));
}

export interface MergeTreeResult {
  tree: string;
  clean: boolean;
  conflicts: string[];
}

/**
 * The result of merging `theirs` into `ours` without touching any worktree, index or ref
 * (`git merge-tree --write-tree`, git 2.38+): only new objects are written to the object store.
 */
export async function mergeTree(dir: string, ours: string, theirs: string): Promise<MergeTreeResult> {
  const r = await git(dir, ['merge-tree', '--write-tree', '-z', '--name-only', '--no-messages', ours, theirs], { okCodes: [0, 1] });
  const [tree, ...files] = splitNul(r.stdout);
  return { tree, clean: r.code === 0, conflicts: [...new Set(files.filter((f) => f !== ''))].sort() };
}
