/**
 * Bringing a worktree's branch into its base, in the project's own tree.
 *
 * The merge is decided and BUILT before anything a person can see changes: `git merge-tree
 * --write-tree` computes the merged tree in the object store alone, `commit-tree` makes the merge
 * (or squash) commit from it, and only then is the base moved to that commit with `git merge
 * --ff-only` in the project's tree. A fast-forward either completes or changes nothing (git checks
 * every file before writing any), so:
 *
 * Invariants:
 * - A conflict, a dirty project tree, the wrong branch checked out, untracked files in the way or a
 *   base that cannot be fast-forwarded stops the merge before any tree, index or ref changes; both
 *   trees are left exactly as they were (the only trace is unreachable objects, which gc removes).
 * - Uncommitted work in the worktree is committed only after the check passed on a snapshot of it
 *   (snapshot.ts), so a refused merge does not commit it either.
 * - Nothing here deletes a branch, a worktree or a file.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { typeable } from '../util/safe-text.js';
import { plural } from '../util/text.js';
import { fileList, WorktreeError } from './errors.js';
import { firstLine, git, splitNul } from './git.js';
import { changedPaths, currentBranch, isAncestor, mergeTree, resolveCommit, treeState } from './repo.js';
import { snapshot } from './snapshot.js';
import type { Worktree } from './types.js';

export type MergeMode = 'merge' | 'ff' | 'squash';

export interface CommitResult {
  committed: boolean;
  commit?: string;
  files: string[];
}

/** Commits every uncommitted change in the worktree (`git add -A`); nothing to commit is not an error. */
export async function commitAll(wt: Worktree, message: string): Promise<CommitResult> {
  const state = await treeState(wt.path);
  const files = changedPaths(state);
  if (files.length === 0) return { committed: false, files: [] };
  const text = cleanMessage(message, `agents: work of ${wt.name}`);
  // If the commit fails (a hook refuses it), the index goes back to what it was: what was staged
  // and what was not is the person's, and `git add -A` would otherwise have changed it.
  const index = firstLine(await git(wt.path, ['rev-parse', '--path-format=absolute', '--git-path', 'index']));
  const saved = await readFile(index).catch(() => undefined);
  try {
    await git(wt.path, ['add', '--all', '--', '.']);
    const staged = await git(wt.path, ['diff', '--cached', '--quiet'], { okCodes: [0, 1] });
    if (staged.code === 0) return { committed: false, files: [] };
    // Hooks run: they are the project's rules for a commit. A refusing hook is a GitError with its words.
    await git(wt.path, ['commit', '--quiet', '--no-edit', '-m', text]);
  } catch (err) {
    if (saved) {
      // Replaced whole (write aside, then rename), so no git reading it meanwhile sees half a file.
      const aside = `${index}.agents-restore`;
      await writeFile(aside, saved);
      await rename(aside, index);
    }
    throw err;
  }
  return { committed: true, commit: firstLine(await git(wt.path, ['rev-parse', 'HEAD'])), files };
}

/** A commit message from an agent's summary: no escape sequences or control characters, never empty. */
function cleanMessage(message: string, fallback: string): string {
  const text = typeable(message, { newlines: true }).trim();
  return text === '' ? fallback : text;
}

export interface MergeCheck {
  /** The merge can go ahead (in `merge` mode; `fastForward` says whether `ff` mode could). */
  ok: boolean;
  /** Why not, as a refusal the UI can show; undefined when ok. */
  refusal?: WorktreeError;
  /** The branch (with any uncommitted work) adds nothing to the base. */
  upToDate: boolean;
  /** The base has no commits the branch lacks. */
  fastForward: boolean;
  /** Files that would conflict. */
  conflicts: string[];
  /** Tracked files with uncommitted changes in the project's tree. */
  projectChanges: string[];
  /** Untracked files in the project's tree that the merge would overwrite. */
  untrackedInTheWay: string[];
  /** The check included the worktree's uncommitted work. */
  includesUncommitted: boolean;
  /** Files the merge changes in the base. */
  files: string[];
}

interface Plan {
  check: MergeCheck;
  baseHead: string;
  theirs: string;
  mergedTree: string;
}

async function plan(wt: Worktree, theirs: string, includesUncommitted: boolean): Promise<Plan> {
  const dir = wt.projectTop;
  const check: MergeCheck = {
    ok: false,
    upToDate: false,
    fastForward: false,
    conflicts: [],
    projectChanges: [],
    untrackedInTheWay: [],
    includesUncommitted,
    files: [],
  };
  const baseHead = await resolveCommit(dir, `refs/heads/${wt.base}`);
  if (!baseHead) {
    check.refusal = new WorktreeError('bad-base', `the base branch ${wt.base} no longer exists; nothing was changed`);
    return { check, baseHead: '', theirs, mergedTree: '' };
  }
  const [m, ff, upToDate, onProject, state] = await Promise.all([
    mergeTree(dir, baseHead, theirs),
    isAncestor(dir, baseHead, theirs),
    isAncestor(dir, theirs, baseHead),
    currentBranch(dir),
    treeState(dir),
  ]);
  check.fastForward = ff;
  check.conflicts = m.conflicts;
  check.projectChanges = [...new Set([...state.staged, ...state.unstaged])].sort();
  const changed = m.clean ? splitNul((await git(dir, ['diff', '--name-only', '-z', '--no-renames', baseHead, m.tree])).stdout) : [];
  check.files = changed;
  check.upToDate = upToDate || (m.clean && changed.length === 0);
  const untracked = new Set(state.untracked);
  check.untrackedInTheWay = changed.filter((f) => untracked.has(f));
  check.refusal = refusalOf(wt, check, onProject);
  check.ok = check.refusal === undefined;
  return { check, baseHead, theirs, mergedTree: m.tree };
}

function refusalOf(wt: Worktree, c: MergeCheck, onProject: string | undefined): WorktreeError | undefined {
  if (c.conflicts.length > 0) {
    return new WorktreeError(
      'conflict',
      `${wt.branch} conflicts with ${wt.base} in ${plural(c.conflicts.length, 'file')}: ${fileList(c.conflicts)}. Nothing was changed; resolve it in the worktree (${wt.path}), e.g. by merging ${wt.base} there, then merge again.`,
      c.conflicts,
    );
  }
  if (onProject !== wt.base) {
    const on = onProject ? `has ${onProject} checked out` : 'is on a detached HEAD';
    return new WorktreeError('base-not-checked-out', `the project's tree (${wt.projectTop}) ${on}, not ${wt.base}: check out ${wt.base} there to merge into it. Nothing was changed.`);
  }
  if (c.projectChanges.length > 0) {
    return new WorktreeError(
      'project-dirty',
      `the project's tree has uncommitted changes (${fileList(c.projectChanges)}): commit or put them aside first. Nothing was changed.`,
      c.projectChanges,
    );
  }
  if (c.untrackedInTheWay.length > 0) {
    return new WorktreeError(
      'untracked-in-the-way',
      `untracked files in the project's tree would be overwritten by the merge (${fileList(c.untrackedInTheWay)}): move them away first. Nothing was changed.`,
      c.untrackedInTheWay,
    );
  }
  return undefined;
}

/** Whether the worktree (uncommitted work included) would merge into its base now. Changes nothing visible. */
export async function mergeCheck(wt: Worktree): Promise<MergeCheck> {
  const snap = await snapshot(wt.path);
  return (await plan(wt, snap.commit, snap.dirty)).check;
}

export interface MergeOptions {
  mode: MergeMode;
  /** The merge or squash commit's message. */
  message: string;
  /** Commit uncommitted work first with this message; without it, uncommitted work is a refusal. */
  commitMessage?: string;
}

export type MergeResult =
  | { status: 'up-to-date'; committed?: CommitResult }
  | { status: 'merged'; mode: MergeMode; commit: string; files: string[]; committed?: CommitResult };

/**
 * Merges the worktree's branch into its base in the project's tree, or throws a WorktreeError
 * (conflict, project-dirty, base-not-checked-out, untracked-in-the-way, not-fast-forward,
 * worktree-dirty, off-branch) having changed nothing.
 */
export async function merge(wt: Worktree, opts: MergeOptions): Promise<MergeResult> {
  const on = await currentBranch(wt.path);
  if (on !== wt.branch) {
    throw new WorktreeError('off-branch', `the worktree ${wt.path} has ${on ?? 'a detached HEAD'} checked out, not ${wt.branch}: switch it back to merge. Nothing was changed.`);
  }
  const snap = await snapshot(wt.path);
  if (snap.dirty && opts.commitMessage === undefined) {
    const changes = changedPaths(await treeState(wt.path));
    throw new WorktreeError('worktree-dirty', `${wt.branch} has uncommitted work in ${wt.path}: commit it first (or merge with a commit message). Nothing was changed.`, changes);
  }
  const first = await plan(wt, snap.commit, snap.dirty);
  if (first.check.refusal) throw first.check.refusal;
  if (opts.mode === 'ff' && !first.check.fastForward && !first.check.upToDate) {
    throw new WorktreeError('not-fast-forward', `${wt.base} has commits that ${wt.branch} does not: it cannot be fast-forwarded. Merge ${wt.base} into the worktree first, or use "merge" or "squash". Nothing was changed.`);
  }
  const committed = snap.dirty ? await commitAll(wt, opts.commitMessage ?? '') : undefined;
  const tip = await resolveCommit(wt.path, `refs/heads/${wt.branch}`);
  if (!tip) throw new WorktreeError('not-found', `the branch ${wt.branch} is gone`);
  // Planned again on the real commit: equal content, but a hook run by the commit may have changed it.
  const p = committed?.committed ? await plan(wt, tip, false) : { ...first, theirs: tip };
  if (p.check.refusal) throw p.check.refusal;
  if (p.check.upToDate) return { status: 'up-to-date', committed };
  const target = await targetCommit(wt, opts, p);
  // --ff-only: a base that moved since the plan, or a local change in the way, stops it untouched.
  await git(wt.projectTop, ['merge', '--ff-only', '--quiet', '--no-edit', target]);
  return { status: 'merged', mode: opts.mode, commit: target, files: p.check.files, committed };
}

async function targetCommit(wt: Worktree, opts: MergeOptions, p: Plan): Promise<string> {
  if (opts.mode === 'ff') {
    if (!p.check.fastForward) throw new WorktreeError('not-fast-forward', `${wt.base} has commits that ${wt.branch} does not: it cannot be fast-forwarded. Nothing was merged.`);
    return p.theirs;
  }
  const parents = opts.mode === 'merge' ? ['-p', p.baseHead, '-p', p.theirs] : ['-p', p.baseHead];
  const fallback = opts.mode === 'merge' ? `Merge branch '${wt.branch}'` : `${wt.branch} (squashed)`;
  const r = await git(wt.projectTop, ['commit-tree', ...parents, '-m', cleanMessage(opts.message, fallback), p.mergedTree]);
  return firstLine(r);
}
