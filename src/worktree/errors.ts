/**
 * Refusals a person can act on. Each `kind` is a state of the repository (not a bug), and each
 * message says what was found and what to do about it. Failures of git itself are `GitError`
 * (src/worktree/git.ts), with git's stderr.
 */
export type WorktreeErrorKind =
  /** The project folder is not inside a git repository (or is a bare one). */
  | 'not-a-repo'
  /** HEAD has no commit yet: there is nothing to branch from. */
  | 'unborn-head'
  /** HEAD is detached and no base branch was named. */
  | 'detached-head'
  /** The named base is not a local branch. */
  | 'bad-base'
  /** The name cannot be a folder and branch name. */
  | 'bad-name'
  /** The project's index has staged changes the new worktree would not include. */
  | 'staged-changes'
  /** The branch `agents/<name>` is checked out in another worktree. */
  | 'branch-in-use'
  /** Something (not a worktree of ours) is already at the folder the worktree would use. */
  | 'path-exists'
  /** `worktree.dir` would put worktrees inside the project where git and the watcher see them. */
  | 'dir-inside-project'
  /** A worktree of this name already exists. */
  | 'exists'
  /** No worktree of this name. */
  | 'not-found'
  /** The worktree has uncommitted changes (merge without a commit message, remove). */
  | 'worktree-dirty'
  /** The branch holds commits its base does not have (remove). */
  | 'not-merged'
  /** The worktree is locked (`git worktree lock`): it stays until unlocked (remove). */
  | 'locked'
  /** The project's own tree has uncommitted changes to tracked files (merge). */
  | 'project-dirty'
  /** The project's tree has another branch checked out than the base (merge). */
  | 'base-not-checked-out'
  /** Merging would conflict (merge), listed in `files`. */
  | 'conflict'
  /** Untracked files in the project's tree are where the merge would write (merge). */
  | 'untracked-in-the-way'
  /** The worktree has another branch (or a detached HEAD) checked out than its own (merge). */
  | 'off-branch'
  /** ff mode, but the base has commits the branch does not. */
  | 'not-fast-forward'
  /** Copying `worktree.copy` files into a new worktree failed. */
  | 'copy-failed';

export class WorktreeError extends Error {
  override readonly name = 'WorktreeError';
  constructor(
    readonly kind: WorktreeErrorKind,
    message: string,
    /** The files the refusal is about (conflicts, staged paths, uncommitted changes), when any. */
    readonly files: readonly string[] = [],
  ) {
    super(message);
  }
}

/** `a, b, c and 4 more`: file lists in one-line messages. */
export function fileList(files: readonly string[], max = 5): string {
  if (files.length <= max) return files.join(', ');
  return `${files.slice(0, max).join(', ')} and ${files.length - max} more`;
}
