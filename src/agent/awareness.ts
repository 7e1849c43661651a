/**
 * What this agent knows about other parties' changes, so its edit tools can warn before it
 * overwrites someone else's work: the workspace reports each file another party changed; the agent
 * records when it last read or wrote each file. An edit to a file changed by another party since
 * then gets a warning in the tool result (the model then re-reads it).
 */
import { posix, relative, resolve, isAbsolute } from 'node:path';
import { ClaimMatcher, claimRefusal, type Claim } from '../tasks/claims.js';

export class Awareness {
  private seen = new Map<string, number>();
  private others = new Map<string, { by: string; time: number }>();

  private claims = new ClaimMatcher([]);
  private me = '';

  constructor(private root: string) {}

  /** The paths other agents' tasks claim now (the workspace sends them whenever they change). */
  setClaims(claims: readonly Claim[], me: string): void {
    this.claims = new ClaimMatcher(claims);
    this.me = me;
  }

  /** Why this agent may not write `path` (another task claims it), or undefined. */
  refusalFor(path: string): string | undefined {
    const key = this.key(path);
    const c = this.claims.others(key, this.me);
    return c ? claimRefusal(key, c) : undefined;
  }

  /** A tool input path as the workspace names files: relative to the root, posix separators. */
  key(path: string): string {
    const abs = isAbsolute(path) ? path : resolve(this.root, path);
    return posix.normalize(relative(this.root, abs).split('\\').join('/'));
  }

  sawFile(path: string, time = Date.now()): void {
    this.seen.set(this.key(path), time);
  }

  touched(path: string, by: string, time: number): void {
    this.others.set(this.key(path), { by, time });
  }

  /** A warning when another party changed `path` after this agent last read or wrote it. */
  warningFor(path: string): string | undefined {
    const k = this.key(path);
    const other = this.others.get(k);
    if (!other) return undefined;
    const seen = this.seen.get(k);
    if (seen !== undefined && seen >= other.time) return undefined;
    const when = new Date(other.time).toISOString().slice(11, 19);
    return `Warning: ${k} was changed by ${other.by} at ${when}${seen === undefined ? '' : ', after you last read it'}. Re-read it and make sure your edit keeps their change.`;
  }
}
