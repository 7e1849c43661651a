/** The plain data a worktree is known by: no live objects, safe to store, send and compare. */
export interface Worktree {
  /** The agent name it was made for; also its folder's name. */
  name: string;
  /** `agents/<name>`. */
  branch: string;
  /** The local branch it was made from and merges back into. */
  base: string;
  /** The worktree's top folder. */
  path: string;
  /** The project's own worktree top (where merges land). */
  projectTop: string;
  /** The project folder's place inside the repository ('' at its top). */
  subdir: string;
  /** Where an agent working on the project runs: `path` joined with `subdir`. */
  cwd: string;
}

export const BRANCH_PREFIX = 'agents/';

export function branchFor(name: string): string {
  return `${BRANCH_PREFIX}${name}`;
}
