import { isAbsolute, relative, resolve, sep } from 'node:path';
import { realPathOf } from '../util/real-path.js';

/**
 * watch.ignore patterns for those of `folders` (agents' own data, cache and sockets) that lie inside
 * the project `root`. Without them a workspace whose data folder is inside its project (the project
 * is the home folder, or AGENTS_HOME points into it) fed on itself: every change the watcher saw was
 * stored, every store write was a change (found: a detached server 22,000 entries and 25% of a core
 * in 40 minutes). Real paths on both sides, of the part that exists (a cache folder may not be made
 * yet), so a symlink on the way cannot hide one; each pattern is anchored at the root and escaped, so
 * a folder name can neither match elsewhere nor be read as a glob.
 */
export function ownFolderPatterns(root: string, folders: readonly string[]): string[] {
  const top = realPathOf(resolve(root));
  const out: string[] = [];
  for (const f of folders) {
    const rel = relative(top, realPathOf(resolve(f)));
    if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) continue;
    const escaped = rel
      .split(sep)
      .join('/')
      .replace(/[\\*?[\]]/g, '\\$&')
      .replace(/ $/, '\\ ');
    out.push(`/${escaped}/**`);
  }
  return out;
}
