/**
 * Files changed on more than one worktree's branch (each against its own base, uncommitted work
 * included): the early warning that two agents are heading for a merge conflict, before either
 * merges. Reads only; writes no objects, so it is cheap enough to run after every change.
 */
import { changedSinceBase } from './status.js';
import type { Worktree } from './types.js';

export interface SharedFile {
  /** Relative to the repository's top. */
  path: string;
  /** The worktrees changing it, two or more. */
  worktrees: { name: string; branch: string }[];
}

export async function conflictsAcross(wts: readonly Worktree[]): Promise<SharedFile[]> {
  const changed = await Promise.all(
    wts.map(async (wt) => {
      try {
        return await changedSinceBase(wt);
      } catch {
        // A worktree whose folder is gone or whose base was deleted changes nothing we can see.
        return [];
      }
    }),
  );
  const byPath = new Map<string, { name: string; branch: string }[]>();
  wts.forEach((wt, i) => {
    for (const path of changed[i]) {
      const list = byPath.get(path) ?? [];
      list.push({ name: wt.name, branch: wt.branch });
      byPath.set(path, list);
    }
  });
  return [...byPath]
    .filter(([, list]) => list.length > 1)
    .map(([path, worktrees]) => ({ path, worktrees }))
    .sort((a, b) => a.path.localeCompare(b.path));
}
