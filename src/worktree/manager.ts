/**
 * A project's agent worktrees: make, find, list, remove and prune them. No React, no workspace: the
 * workspace and the CLI both drive it.
 *
 * Invariants:
 * - git is the truth about which worktrees exist; the records (records.ts) only add the base and
 *   which agent used each. A worktree of ours is one with a record, or one on an `agents/` branch
 *   in our worktrees folder (its record lost).
 * - Nothing that holds work is ever deleted: `remove` and `prune` take away only worktrees that are
 *   clean (no uncommitted change, no untracked file that is not ignored) and whose branch is in its
 *   base. git checks again as it removes (`worktree remove` without --force refuses a tree that
 *   changed meanwhile; the branch is deleted only if it still points at the commit that was checked).
 *   Ignored files (build output, the copied .env) go with the worktree.
 * - In one process, a repository's worktrees are made, listed and removed one call at a time (every
 *   manager of that repository shares the queue): `git worktree add` and `git worktree list` read
 *   every entry of .git/worktrees, and one being made beside them has no commondir yet ("fatal:
 *   failed to read .git/worktrees/NAME/commondir"), so panes opening together would fail at random.
 *   Another process (`agents worktrees prune` in a second terminal) is not queued.
 */
import { basename, dirname, join, relative } from 'node:path';
import { plural } from '../util/text.js';
import { dataDir } from '../util/paths.js';
import { realPathOf } from '../util/real-path.js';
import { makeWorktree, planCreate, type CreateContext, type CreateRequest } from './create.js';
import type { CopyResult } from './copy.js';
import { fileList, WorktreeError, type WorktreeErrorKind } from './errors.js';
import { git } from './git.js';
import { listGitWorktrees, topLevel } from './repo.js';
import { deleteRecord, readRecord, readRecords, recordsDir, worktreesDir, writeRecord, type WorktreeRecord } from './records.js';
import { status, type WorktreeStatus } from './status.js';
import { BRANCH_PREFIX, type Worktree } from './types.js';

export interface WorktreeSettings {
  /** Globs of ignored files copied into each new worktree. */
  copy: readonly string[];
  /** Where worktrees go (relative to the project folder); default under the data folder. */
  dir?: string;
  /** The branch new worktrees start from and merge into; default the project's current branch. */
  base?: string;
}

export interface ManagerOptions {
  settings?: Partial<WorktreeSettings>;
  /** The data folder (default dataDir(): AGENTS_HOME or the XDG data folder). */
  home?: string;
  now?: () => number;
}

export interface Created {
  worktree: Worktree;
  /** The branch existed (checked out nowhere) and was taken as it was. */
  reused: boolean;
  copied: CopyResult;
}

export interface WorktreeInfo extends WorktreeStatus {
  /** The agent that last ran in it, when recorded. */
  agent?: string;
  usedAt?: number;
  createdAt?: number;
  locked: boolean;
}

export interface PruneReport {
  removed: WorktreeInfo[];
  kept: { info: WorktreeInfo; reason: string }[];
}

/** Each repository's queue (by its top's real path): the last call's end, failures included. */
const queues = new Map<string, Promise<unknown>>();

/** Runs `fn` after every call queued for `key` before it has ended. */
function queued<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const run = (queues.get(key) ?? Promise.resolve()).then(fn);
  const end = run.catch(() => undefined);
  queues.set(key, end);
  void end.then(() => {
    if (queues.get(key) === end) queues.delete(key);
  });
  return run;
}

export class WorktreeManager {
  private constructor(
    /** The project folder (real path). */
    readonly projectDir: string,
    /** Its repository worktree's top (real path). */
    readonly top: string,
    readonly recordsDir: string,
    /** Where new worktrees go. */
    readonly dir: string,
    private readonly settings: WorktreeSettings,
    private readonly now: () => number,
    private readonly privateDir: boolean,
  ) {}

  /** Throws WorktreeError `not-a-repo` when the folder is not in a git repository. */
  static async open(projectDir: string, opts: ManagerOptions = {}): Promise<WorktreeManager> {
    const project = realPathOf(projectDir);
    const top = realPathOf(await topLevel(project));
    const home = opts.home ?? dataDir();
    const settings: WorktreeSettings = { copy: opts.settings?.copy ?? ['.env*'], dir: opts.settings?.dir, base: opts.settings?.base };
    const dir = realPathOf(worktreesDir({ topLevel: top, projectDir: project, dir: settings.dir, home }));
    const records = recordsDir(top, home);
    return new WorktreeManager(project, top, records, dir, settings, opts.now ?? Date.now, settings.dir === undefined);
  }

  /** The handle of a worktree made from a record or found in git. */
  private handle(name: string, branch: string, base: string, path: string): Worktree {
    const subdir = relative(this.top, this.projectDir);
    return { name, branch, base, path, projectTop: this.top, subdir, cwd: subdir === '' ? path : join(path, subdir) };
  }

  private context(): CreateContext {
    return { top: this.top, projectDir: this.projectDir, dir: this.dir, recordsDir: this.recordsDir, privateDir: this.privateDir, copy: this.settings.copy, now: this.now };
  }

  /**
   * A new worktree on `agents/<name>`, from the base's tip; or the existing branch of that name when
   * no worktree has it checked out (a resumed agent gets its commits back). Refusals (WorktreeError):
   * bad-name, unborn-head, detached-head, bad-base, staged-changes, dir-inside-project, exists,
   * branch-in-use, path-exists, copy-failed. On any failure nothing is left behind.
   */
  create(req: CreateRequest): Promise<Created> {
    return queued(this.top, () => this.createNow(req));
  }

  private async createNow(req: CreateRequest): Promise<Created> {
    const ctx = this.context();
    const plan = await planCreate(ctx, req, this.settings.base ?? readRecord(this.recordsDir, req.name)?.base);
    const made = await makeWorktree(ctx, plan, req.agent);
    return { worktree: this.handle(plan.name, plan.branch, plan.base, plan.path), reused: plan.reuse, copied: made.copied };
  }

  /** This project's worktree `name`, if it exists (its folder may be gone: see `status`). */
  find(name: string): Promise<Worktree | undefined> {
    return queued(this.top, async () => (await this.all()).find((w) => w.worktree.name === name)?.worktree);
  }

  /** Remembers which agent last ran in the worktree (shown by `agents worktrees`). */
  recordUse(wt: Worktree, agent: string): void {
    const t = this.now();
    const record: WorktreeRecord = readRecord(this.recordsDir, wt.name) ?? { version: 1, name: wt.name, branch: wt.branch, base: wt.base, path: wt.path, createdAt: t };
    writeRecord(this.recordsDir, { ...record, agent, usedAt: t });
  }

  private async all(): Promise<{ worktree: Worktree; record?: WorktreeRecord; locked: boolean }[]> {
    const records = new Map(readRecords(this.recordsDir).map((r) => [r.name, r]));
    const git = await listGitWorktrees(this.top);
    const out = new Map<string, { worktree: Worktree; record?: WorktreeRecord; locked: boolean }>();
    for (const r of records.values()) {
      const g = git.find((w) => w.path === r.path);
      out.set(r.name, { worktree: this.handle(r.name, r.branch, r.base, r.path), record: r, locked: g?.locked ?? false });
    }
    for (const g of git) {
      if (!g.branch?.startsWith(BRANCH_PREFIX) || dirname(g.path) !== this.dir) continue;
      const name = basename(g.path);
      if (out.has(name)) continue;
      // Its record was lost: the base is unknown, so it is the default one; `merged` is judged against that.
      const base = this.settings.base ?? (await this.defaultBase());
      out.set(name, { worktree: this.handle(name, g.branch, base, g.path), locked: g.locked });
    }
    return [...out.values()].sort((a, b) => a.worktree.name.localeCompare(b.worktree.name));
  }

  private async defaultBase(): Promise<string> {
    const r = await git(this.top, ['symbolic-ref', '--quiet', '--short', 'HEAD'], { okCodes: [0, 1] });
    return r.stdout.trim() || 'HEAD';
  }

  /** Every worktree of this project with its state and last agent. */
  list(): Promise<WorktreeInfo[]> {
    return queued(this.top, () => this.listNow());
  }

  private async listNow(): Promise<WorktreeInfo[]> {
    const all = await this.all();
    return Promise.all(
      all.map(async ({ worktree, record, locked }) => ({
        ...(await status(worktree)),
        agent: record?.agent,
        usedAt: record?.usedAt,
        createdAt: record?.createdAt,
        locked,
      })),
    );
  }

  /** Why a worktree must stay, or undefined when removing it loses nothing. */
  static keepReason(s: WorktreeStatus & { locked?: boolean }): { kind: WorktreeErrorKind; reason: string } | undefined {
    if (s.problem) return { kind: 'bad-base', reason: s.problem };
    if (s.locked) return { kind: 'locked', reason: 'it is locked (git worktree unlock allows removing it)' };
    if (s.offBranch) return { kind: 'off-branch', reason: `it has ${s.offBranch} checked out instead of ${s.branch}` };
    if (s.dirty) return { kind: 'worktree-dirty', reason: `uncommitted changes (${plural(s.changes.length, 'file')}: ${fileList(s.changes, 3)})` };
    if (!s.merged) return { kind: 'not-merged', reason: `not merged (${plural(s.ahead, 'commit')} not in ${s.base})` };
    return undefined;
  }

  /**
   * Removes the worktree, its branch and its record, only when it is clean and merged; otherwise a
   * WorktreeError (worktree-dirty, not-merged, locked, off-branch, bad-base) saying where it is and
   * why it stays.
   */
  remove(wt: Worktree): Promise<void> {
    return queued(this.top, () => this.removeNow(wt));
  }

  private async removeNow(wt: Worktree): Promise<void> {
    const s = await status(wt);
    const registered = (await listGitWorktrees(this.top)).find((g) => g.path === wt.path);
    const keep = WorktreeManager.keepReason({ ...s, locked: registered?.locked });
    if (keep) throw new WorktreeError(keep.kind, `the worktree ${wt.name} stays at ${wt.path}: ${keep.reason}`, keep.kind === 'worktree-dirty' ? s.changes : []);
    // No --force: git refuses if anything changed since the check above.
    if (registered) await git(this.top, ['worktree', 'remove', wt.path]);
    if (s.head) await git(this.top, ['update-ref', '-d', `refs/heads/${wt.branch}`, s.head]);
    deleteRecord(this.recordsDir, wt.name);
  }

  /** Removes every merged, clean worktree; says which stayed and why. */
  prune(): Promise<PruneReport> {
    return queued(this.top, () => this.pruneNow());
  }

  private async pruneNow(): Promise<PruneReport> {
    const report: PruneReport = { removed: [], kept: [] };
    for (const info of await this.listNow()) {
      const keep = WorktreeManager.keepReason(info);
      if (keep) {
        report.kept.push({ info, reason: keep.reason });
        continue;
      }
      const wt = this.handle(info.name, info.branch, info.base, info.path);
      try {
        await this.removeNow(wt);
        report.removed.push(info);
      } catch (err) {
        report.kept.push({ info, reason: (err as Error).message });
      }
    }
    return report;
  }
}
