/**
 * Claims: the paths a task's owner alone may write while the task is doing. Globs relative to the
 * project (`src/cart.js`, `src/cart/**`; a path ending in `/` means everything under it), matched
 * in linear time. The workspace pushes the active claims to built-in agents (their write tools
 * refuse) and answers Claude Code's pre-tool hook with them; the change feed marks writes by anyone
 * else into a claim.
 */
import { globToRegExp } from '../util/glob.js';
import type { Task } from './task.js';

export interface Claim {
  glob: string;
  owner: string;
  task: string;
}

/** The claims of every task being worked on. */
export function activeClaims(tasks: readonly Task[]): Claim[] {
  return tasks.flatMap((t) => (t.state === 'doing' && t.owner ? t.claims.map((glob) => ({ glob, owner: t.owner!, task: t.id })) : []));
}

export class ClaimMatcher {
  private compiled: Array<Claim & { test(path: string): boolean }>;

  constructor(claims: readonly Claim[]) {
    this.compiled = claims.map((c) => {
      const glob = c.glob.replace(/^\.\//, '');
      const re = globToRegExp(glob.endsWith('/') ? `${glob}**` : glob);
      const under = glob.endsWith('/') ? undefined : globToRegExp(`${glob}/**`);
      // A claim on a folder's name covers what is inside it too.
      return { ...c, test: (path: string) => re.test(path) || (under?.test(path) ?? false) };
    });
  }

  /** The claim `path` (relative, posix) falls under that belongs to someone other than `writer`. */
  others(path: string, writer: string): Claim | undefined {
    const p = path.replace(/^\.\//, '');
    return this.compiled.find((c) => c.owner !== writer && c.test(p));
  }
}

/** The refusal a writer gets for a claimed path: who has it, for which task, and what to do instead. */
export function claimRefusal(path: string, c: Claim): string {
  return `Refused: ${path} is claimed by ${c.owner} for task ${c.task} (${c.glob}) while ${c.owner} works on it. Leave it to ${c.owner}; if you need a change there, say so in a note or ask the task's creator.`;
}
