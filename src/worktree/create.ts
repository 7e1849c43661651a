/**
 * Making a worktree for an agent: checks first, then `git worktree add`, the `worktree.copy` files,
 * and the record. Every refusal is decided before anything is made.
 *
 * Invariant: on any failure after `git worktree add` started (a post-checkout hook that exits
 * non-zero, a copy that fails, a record that cannot be written) everything this call made is taken
 * away again: the worktree's folder and registration, and the branch if this call created it and it
 * still points where it was made. A branch that existed before (and may hold commits) is never
 * deleted.
 */
import { existsSync, mkdirSync, rmdirSync, rmSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { AGENT_NAME_MAX, AGENT_NAME_PATTERN } from '../config/schema.js';
import { plural } from '../util/text.js';
import { ensurePrivateDir } from '../util/paths.js';
import type { CopyResult } from './copy.js';
import { fileList, WorktreeError } from './errors.js';
import { git } from './git.js';
import { branchExists, currentBranch, listGitWorktrees, resolveCommit, treeState, validBranchName } from './repo.js';
import { writeRecord } from './records.js';
import { branchFor } from './types.js';

export interface CreatePlan {
  name: string;
  branch: string;
  base: string;
  baseHead: string;
  path: string;
  /** The branch exists already (and is checked out nowhere): the worktree takes it as it is. */
  reuse: boolean;
  /** git still has this worktree registered, but its folder is gone: the registration is cleared first. */
  stale: boolean;
}

export interface CreateContext {
  top: string;
  projectDir: string;
  dir: string;
  recordsDir: string;
  /** The worktrees folder is the private one under the data folder (0700), not one the config chose. */
  privateDir: boolean;
  copy: readonly string[];
  now: () => number;
}

export interface CreateRequest {
  name: string;
  /** The local branch to start from and merge back into; default `worktree.base`, else the current branch. */
  base?: string;
  /** The agent that will run in it (recorded for `agents worktrees`). */
  agent?: string;
  /** Create even though the project's index has staged changes (the person has been asked). */
  allowStaged?: boolean;
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** Every check, in the order a person would fix them; throws the first refusal. */
export async function planCreate(ctx: CreateContext, req: CreateRequest, defaultBase: string | undefined): Promise<CreatePlan> {
  const { top } = ctx;
  if (!AGENT_NAME_PATTERN.test(req.name) || req.name.length > AGENT_NAME_MAX) {
    throw new WorktreeError('bad-name', `"${req.name}" cannot name a worktree: use up to ${AGENT_NAME_MAX} letters, digits, - and _`);
  }
  const branch = branchFor(req.name);
  if (!(await validBranchName(top, branch))) throw new WorktreeError('bad-name', `"${branch}" is not a valid git branch name: pick another agent name`);
  if (!(await resolveCommit(top, 'HEAD'))) {
    throw new WorktreeError('unborn-head', `${top} has no commit yet, so there is nothing to start a worktree from: make a first commit`);
  }
  const base = req.base ?? defaultBase ?? (await currentBranch(top));
  if (base === undefined) {
    throw new WorktreeError('detached-head', `${top} is on a detached HEAD: check out a branch there, or set "worktree.base" to the branch to start from`);
  }
  const baseHead = await resolveCommit(top, `refs/heads/${base}`);
  if (!baseHead) throw new WorktreeError('bad-base', `"${base}" is not a local branch of ${top}: name one that "git branch" lists`);
  if (!req.allowStaged) {
    const staged = (await treeState(top, { untracked: false })).staged;
    if (staged.length > 0) {
      throw new WorktreeError(
        'staged-changes',
        `the project has staged changes the new worktree would not include (${plural(staged.length, 'file')}: ${fileList(staged)}): commit them, or unstage them (git restore --staged .), then try again`,
        staged,
      );
    }
  }
  if (inside(top, ctx.dir)) {
    const rel = relative(top, ctx.dir);
    const ignored = rel !== '' && (await git(top, ['check-ignore', '-q', '--', `${rel}/`], { okCodes: [0, 1] })).code === 0;
    if (!ignored) {
      throw new WorktreeError(
        'dir-inside-project',
        `"worktree.dir" (${ctx.dir}) is inside the project and not ignored by git, so every worktree would show up as new files in it: add it to .gitignore, or choose a folder outside the project`,
      );
    }
  }
  const path = join(ctx.dir, req.name);
  const holder = (await listGitWorktrees(top)).find((w) => w.branch === branch);
  const stale = holder !== undefined && holder.path === path && holder.prunable && !existsSync(path);
  if (holder && !stale) {
    if (holder.path === path) throw new WorktreeError('exists', `the worktree ${req.name} exists already at ${path}`);
    throw new WorktreeError('branch-in-use', `the branch ${branch} is checked out in ${holder.path}: close what runs there, or give the agent another name`);
  }
  if (existsSync(path)) throw new WorktreeError('path-exists', `${path} exists already and is not a worktree of ${branch}: move it away, or give the agent another name`);
  return { name: req.name, branch, base, baseHead, path, reuse: await branchExists(top, branch), stale };
}

export interface Made {
  plan: CreatePlan;
  copied: CopyResult;
}

/** Carries out a plan; on failure, takes away what it made and rethrows. */
export async function makeWorktree(ctx: CreateContext, plan: CreatePlan, agent: string | undefined): Promise<Made> {
  const newDir = !existsSync(ctx.dir);
  if (ctx.privateDir) ensurePrivateDir(ctx.dir);
  else mkdirSync(ctx.dir, { recursive: true });
  const args = plan.reuse ? ['worktree', 'add', '--quiet', plan.path, plan.branch] : ['worktree', 'add', '--quiet', '--no-track', '-b', plan.branch, plan.path, `refs/heads/${plan.base}`];
  // Only the registration goes: the folder is gone, and the branch (with its commits) stays.
  if (plan.stale) await git(ctx.top, ['worktree', 'remove', plan.path]);
  try {
    await git(ctx.top, args);
    const subdir = relative(ctx.top, ctx.projectDir);
    const dest = subdir === '' ? plan.path : `${plan.path}${sep}${subdir}`;
    let copied: CopyResult;
    // Imported here: its glob matcher (tinyglobby, picomatch: ~85 KB of code) is not loaded on the
    // workspace's way to its first frame.
    const { copyIgnoredFiles } = await import('./copy.js');
    try {
      copied = await copyIgnoredFiles(ctx.projectDir, dest, ctx.copy);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new WorktreeError('copy-failed', `copying the "worktree.copy" files into ${plan.path} failed (${e.code ?? e.message}${e.path ? `: ${e.path}` : ''}); the worktree was not kept`);
    }
    const t = ctx.now();
    writeRecord(ctx.recordsDir, { version: 1, name: plan.name, branch: plan.branch, base: plan.base, path: plan.path, createdAt: t, ...(agent ? { agent, usedAt: t } : {}) });
    return { plan, copied };
  } catch (err) {
    await undo(ctx, plan);
    if (newDir) rmdirQuietly(ctx.dir);
    throw err;
  }
}

/** Removes the folder if it is empty (a folder this call made for nothing). */
function rmdirQuietly(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // Not empty (or gone): it stays.
  }
}

async function undo(ctx: CreateContext, plan: CreatePlan): Promise<void> {
  // The folder did not exist before this call (planCreate checked): all of it is ours.
  const registered = (await listGitWorktrees(ctx.top).catch(() => [])).some((w) => w.path === plan.path);
  if (registered) await git(ctx.top, ['worktree', 'remove', '--force', plan.path]).catch(() => undefined);
  rmSync(plan.path, { recursive: true, force: true });
  if (!plan.reuse) {
    // Deleted only while it still points where it was made: then it holds nothing of anyone's.
    await git(ctx.top, ['update-ref', '-d', `refs/heads/${plan.branch}`, plan.baseHead]).catch(() => undefined);
  }
}
