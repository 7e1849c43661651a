/**
 * What state a worktree is in, answered from git each time (nothing cached): whether it holds
 * uncommitted work, how far its branch is ahead of its base, and whether everything on it is in the
 * base already. `merged` is the one question every removal rests on, so it errs towards "no".
 */
import { existsSync } from 'node:fs';
import { git, splitNul } from './git.js';
import { changedPaths, currentBranch, isAncestor, mergeBase, mergeTree, resolveCommit, treeOf, treeState, countCommits } from './repo.js';
import type { Worktree } from './types.js';

export interface WorktreeStatus {
  name: string;
  branch: string;
  base: string;
  path: string;
  /** The folder is there. When false, the branch may still hold commits. */
  exists: boolean;
  /** The branch's tip, undefined when the branch is gone. */
  head?: string;
  /** The branch checked out in the worktree, when it is not `branch` (someone switched it). */
  offBranch?: string;
  /** Uncommitted changes (tracked or untracked-not-ignored). */
  dirty: boolean;
  /** The paths with uncommitted changes. */
  changes: string[];
  /** Commits on the branch that the base does not have. */
  ahead: number;
  /** Commits on the base since the branch left it. */
  behind: number;
  /** Every commit's change on the branch is in the base (by ancestry, or by content after a squash). */
  merged: boolean;
  /** Why an answer could not be given (the base branch is gone). */
  problem?: string;
}

/**
 * Whether nothing on `branch` is missing from `base`: `branch` is an ancestor of `base`, or merging
 * it into `base` would change nothing (a squash merge or a cherry-pick brought it in). A change the
 * base reverted since is NOT in it, and so reads as not merged.
 */
export async function isMerged(dir: string, branch: string, base: string): Promise<boolean> {
  if (await isAncestor(dir, branch, base)) return true;
  if ((await mergeBase(dir, branch, base)) === undefined) return false;
  const m = await mergeTree(dir, base, branch);
  return m.clean && m.tree === (await treeOf(dir, base));
}

export async function status(wt: Worktree): Promise<WorktreeStatus> {
  const out: WorktreeStatus = {
    name: wt.name,
    branch: wt.branch,
    base: wt.base,
    path: wt.path,
    exists: existsSync(wt.path),
    dirty: false,
    changes: [],
    ahead: 0,
    behind: 0,
    merged: false,
  };
  if (out.exists) {
    const state = await treeState(wt.path);
    out.changes = changedPaths(state);
    out.dirty = out.changes.length > 0;
    const on = await currentBranch(wt.path);
    if (on !== wt.branch) out.offBranch = on ?? '(detached HEAD)';
  }
  const dir = wt.projectTop;
  out.head = await resolveCommit(dir, `refs/heads/${wt.branch}`);
  const baseHead = await resolveCommit(dir, `refs/heads/${wt.base}`);
  if (!baseHead) {
    out.problem = `its base branch ${wt.base} is gone`;
    return out;
  }
  if (!out.head) {
    // No branch, so no commits to keep: merged, as far as commits go.
    out.merged = true;
    return out;
  }
  out.ahead = await countCommits(dir, baseHead, out.head);
  out.behind = await countCommits(dir, out.head, baseHead);
  out.merged = out.ahead === 0 || (await isMerged(dir, out.head, baseHead));
  return out;
}

/**
 * Paths changed in the worktree since its branch left the base, committed or not (untracked files
 * included), cheaply: no objects are written. For the "same file on two branches" badge.
 */
export async function changedSinceBase(wt: Worktree): Promise<string[]> {
  const base = await mergeBase(wt.path, 'HEAD', `refs/heads/${wt.base}`);
  const files = new Set<string>();
  if (base) {
    // Against the working tree: committed and uncommitted changes to tracked files in one answer.
    const r = await git(wt.path, ['diff', '--name-only', '-z', '--no-renames', '--no-ext-diff', base], { env: { GIT_OPTIONAL_LOCKS: '0' } });
    for (const p of splitNul(r.stdout)) files.add(p);
  }
  const untracked = await git(wt.path, ['ls-files', '-z', '--others', '--exclude-standard']);
  for (const p of splitNul(untracked.stdout)) files.add(p);
  return [...files].sort();
}
