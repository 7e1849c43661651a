/**
 * The agents' worktrees in the shared context: each is watched like the project, its changes join the
 * one feed marked with their branch (so every agent hears at its next turn what changed on the other
 * branches), and files changed on two branches at once are found before anyone merges.
 *
 * Invariants:
 * - one watcher per worktree, with the project's ignore rules (its .gitignore files, `watch.ignore`),
 *   and one FeedCore reading that worktree's files; its entries enter the project's feed through
 *   `adopt`, renumbered there and marked with the branch. A built-in agent in a worktree announces
 *   its writes to its own tree's feed, which is the one that sees them land.
 * - the overlap check (`conflictsAcross`, ~40–70 ms of git) never runs on the hot path: requests
 *   within `debounceMs` of the first become one run, at most one run at a time, and requests made
 *   during a run become one more run after it.
 * - each agent is told once (a note for it alone) about each file it shares with another branch;
 *   told again only if the overlap went away and came back.
 * - watchers and feeds are closed when their tree is removed or the service closes; errors are
 *   logged, never thrown at the workspace.
 */
import { log } from '../util/log.js';
import { conflictsAcross, type SharedFile } from '../worktree/conflicts.js';
import type { Worktree } from '../worktree/types.js';
import type { TreeSpec } from '../workspace/types.js';
import { FeedCore } from './feed-core.js';
import type { ChangeFeed } from './feed.js';
import { systemClock, type Clock, type WriteRegistration } from './feed-types.js';
import { fileReader, gitBaseline } from './reader.js';
import { createWatcher, type FileWatcher } from './watcher.js';

export interface BranchWatchOptions {
  feed: ChangeFeed;
  ignore: readonly string[];
  /** The badges changed (the view is stale). */
  changed: () => void;
  /** Files changed on more than one branch (default: git, conflictsAcross). */
  compare?: (wts: readonly Worktree[]) => Promise<SharedFile[]>;
  /** Watches a worktree (default: createWatcher, the project's backend). */
  watch?: (root: string, ignore: readonly string[]) => FileWatcher;
  clock?: Clock;
  /** How long changes gather before an overlap check (default 400 ms). */
  debounceMs?: number;
}

interface Tree {
  spec: TreeSpec;
  core: FeedCore;
  watcher?: FileWatcher;
}

/** Who tells an agent about another branch's overlap, in its notes. */
export const WORKSPACE_AUTHOR = 'the workspace';

export class BranchWatch {
  private trees = new Map<string, Tree>();
  private badgeText: Record<string, string> = {};
  /** `agent\0path\0branch` for every overlap an agent was told about and that still holds. */
  private told = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private again = false;
  private closed = false;
  /** Overlap checks run (tests, bench). */
  checks = 0;

  constructor(private o: BranchWatchOptions) {}

  /** The branch of the worktree `agent` works in; undefined for the project's own tree. */
  branchOf(agent: string): string | undefined {
    return this.trees.get(agent)?.spec.branch;
  }

  /** By agent: the file it shares with another branch, and which (`src/cart.js also on agents/tests`). */
  get badges(): Record<string, string> {
    return this.badgeText;
  }

  add(spec: TreeSpec): void {
    if (this.closed) return;
    if (this.trees.has(spec.agent)) this.remove(spec.agent);
    const core = new FeedCore({ read: fileReader(spec.root), baseline: gitBaseline(spec.root), guessOwner: spec.guess ? () => spec.agent : undefined, clock: this.o.clock ?? systemClock });
    core.on('entry', (e) => {
      this.o.feed.adopt(e, spec.branch);
      this.schedule();
    });
    const tree: Tree = { spec, core };
    try {
      const watcher = (this.o.watch ?? ((root, ignore) => createWatcher(root, { ignore })))(spec.root, this.o.ignore);
      watcher.on('events', (batch) => core.ingest(batch));
      watcher.on('error', (err) => log(`watcher of ${spec.branch}: ${err.message}`));
      watcher.ready.then(
        () => log(`watcher ready (${watcher.backend}) on ${spec.root} (${spec.branch})`),
        (err: Error) => log(`watcher of ${spec.branch} failed to start: ${err.message}`),
      );
      tree.watcher = watcher;
    } catch (err) {
      log(`watcher of ${spec.branch} failed to start: ${(err as Error).message}`);
    }
    this.trees.set(spec.agent, tree);
    this.schedule();
  }

  remove(agent: string): void {
    const tree = this.trees.get(agent);
    if (!tree) return;
    this.trees.delete(agent);
    void tree.watcher?.close().catch((err: Error) => log(`watcher of ${tree.spec.branch}: ${err.message}`));
    tree.core.dispose();
    this.schedule();
  }

  /** A built-in agent's write, to its own tree's feed; false when it works in the project's tree. */
  registerWrite(reg: WriteRegistration): boolean {
    const tree = this.trees.get(reg.agent);
    if (!tree) return false;
    tree.core.registerWrite(reg);
    return true;
  }

  /** Something moved that the feed does not see (a merge moved a base): check again soon. */
  recheck(): void {
    this.schedule();
  }

  private schedule(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.check();
    }, this.o.debounceMs ?? 400);
    this.timer.unref();
  }

  private async check(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      const trees = [...this.trees.values()];
      // One branch shares nothing with itself: no git at all until there are two.
      const shared = trees.length < 2 ? [] : await (this.o.compare ?? conflictsAcross)(trees.map((t) => t.spec.worktree));
      this.checks++;
      if (!this.closed) this.apply(shared);
    } catch (err) {
      log(`branch overlap check failed: ${(err as Error).message}`);
    } finally {
      this.running = false;
      if (this.again) {
        this.again = false;
        this.schedule();
      }
    }
  }

  private apply(shared: SharedFile[]): void {
    const byWorktree = new Map([...this.trees.values()].map((t) => [t.spec.worktree.name, t.spec]));
    const found = new Map<string, { path: string; others: string[] }[]>();
    for (const file of shared) {
      for (const w of file.worktrees) {
        const spec = byWorktree.get(w.name);
        if (!spec) continue;
        const others = file.worktrees.filter((x) => x.name !== w.name);
        const list = found.get(spec.agent) ?? [];
        list.push({ path: file.path, others: others.map((x) => x.branch) });
        found.set(spec.agent, list);
      }
    }
    const badges: Record<string, string> = {};
    const still = new Set<string>();
    for (const [agent, files] of found) {
      const [first] = files;
      badges[agent] = `${first.path} also on ${first.others.join(', ')}${files.length > 1 ? ` (+${files.length - 1} more)` : ''}`;
      for (const f of files) {
        for (const other of f.others) {
          const key = `${agent}\0${f.path}\0${other}`;
          still.add(key);
          if (this.told.has(key)) continue;
          this.told.add(key);
          const them = [...this.trees.values()].find((t) => t.spec.branch === other)?.spec.agent;
          this.o.feed.postNote(
            WORKSPACE_AUTHOR,
            `${f.path} is changed on your branch (${this.branchOf(agent)}) and on ${other}${them ? ` (${them}'s)` : ''} too: merging both will conflict there unless you agree who changes it.`,
            agent,
          );
        }
      }
    }
    for (const key of [...this.told]) if (!still.has(key)) this.told.delete(key);
    if (JSON.stringify(badges) !== JSON.stringify(this.badgeText)) {
      this.badgeText = badges;
      this.o.changed();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const trees = [...this.trees.values()];
    this.trees.clear();
    for (const t of trees) t.core.dispose();
    await Promise.all(trees.map((t) => t.watcher?.close().catch(() => undefined)));
  }
}
