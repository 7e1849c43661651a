/**
 * A running workspace's use of the project's worktrees (the WorktreePort of src/workspace/worktrees.ts):
 * the manager opened once, on first use, with the config's worktree settings.
 *
 * Invariants:
 * - an agent's worktree is the one of its name when that is there (a resumed session, a pane opened
 *   again: its work, committed or not, is where it was left); otherwise a new one, which reuses the
 *   branch `agents/<name>` with its commits when it exists (the manager's create);
 * - a failure to open the manager (not a repository) is not kept: after `git init` a retry works;
 * - merges commit the worktree's uncommitted work with the message the person confirmed, and are
 *   refused whole by the manager (nothing changed) when they cannot go through.
 */
import { existsSync } from 'node:fs';
import type { MergeMode } from './merge.js';
import { diff, type WorktreeDiff } from './diff.js';
import { merge, type MergeResult } from './merge.js';
import { WorktreeManager } from './manager.js';
import type { Worktree } from './types.js';
import type { OpenedWorktree, WorktreePort } from '../workspace/worktrees.js';

export interface SessionSettings {
  copy: readonly string[];
  setup: readonly string[];
  /** Absolute, or relative to the project folder. */
  dir?: string;
  base?: string;
  merge: MergeMode;
}

export class WorktreeSession implements WorktreePort {
  private opening: Promise<WorktreeManager> | undefined;

  constructor(
    private readonly projectDir: string,
    private readonly settings: SessionSettings,
    readonly retryKey: string,
    /** The data folder (tests); default AGENTS_HOME or the XDG data folder. */
    private readonly home?: string,
  ) {}

  get mode(): MergeMode {
    return this.settings.merge;
  }

  get setup(): readonly string[] {
    return this.settings.setup;
  }

  private manager(): Promise<WorktreeManager> {
    if (!this.opening) {
      const { copy, dir, base } = this.settings;
      const opening = WorktreeManager.open(this.projectDir, { settings: { copy, dir, base }, home: this.home });
      this.opening = opening;
      opening.catch(() => {
        if (this.opening === opening) this.opening = undefined;
      });
    }
    return this.opening;
  }

  async open(name: string, agent: string): Promise<OpenedWorktree> {
    const m = await this.manager();
    const found = await m.find(name);
    if (found && existsSync(found.path)) {
      m.recordUse(found, agent);
      return { worktree: found, made: false, reused: true, copied: [] };
    }
    const made = await m.create({ name, agent });
    return { worktree: made.worktree, made: true, reused: made.reused, copied: made.copied.copied };
  }

  diff(wt: Worktree): Promise<WorktreeDiff> {
    return diff(wt);
  }

  merge(wt: Worktree, message: string): Promise<MergeResult> {
    return merge(wt, { mode: this.settings.merge, message, commitMessage: message });
  }

  async remove(wt: Worktree): Promise<void> {
    await (await this.manager()).remove(wt);
  }
}
