/**
 * A worktree's current state, uncommitted work included, as a commit object, without touching its
 * index, its files or any ref (what `git stash create` does, minus the stash's odd shape):
 * a private copy of the worktree's index gets `git add -A`, `write-tree` turns it into a tree, and
 * `commit-tree` makes a dangling commit on top of HEAD (gc removes it in time).
 *
 * Used where a question must include work not yet committed: the diff for review and the merge
 * check before the commit that the merge will make.
 */
import { copyFile, mkdtemp, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstLine, git } from './git.js';
import { treeOf } from './repo.js';

export interface Snapshot {
  /** HEAD of the worktree. */
  head: string;
  /** HEAD itself when nothing is uncommitted; else a dangling commit whose parent is HEAD. */
  commit: string;
  tree: string;
  /** Whether anything was uncommitted (tracked changes or untracked files that are not ignored). */
  dirty: boolean;
}

/** The fixed identity of snapshot commits: they are never shown or kept, and the person may have none configured. */
const SNAPSHOT_IDENTITY = {
  GIT_AUTHOR_NAME: 'agents',
  GIT_AUTHOR_EMAIL: 'agents@localhost',
  GIT_COMMITTER_NAME: 'agents',
  GIT_COMMITTER_EMAIL: 'agents@localhost',
};

export async function snapshot(dir: string): Promise<Snapshot> {
  const head = firstLine(await git(dir, ['rev-parse', '--verify', 'HEAD^{commit}']));
  const indexPath = firstLine(await git(dir, ['rev-parse', '--path-format=absolute', '--git-path', 'index']));
  const tmp = await mkdtemp(join(tmpdir(), 'agents-snapshot-'));
  try {
    const index = join(tmp, 'index');
    const env = { GIT_INDEX_FILE: index };
    // Starting from the real index keeps its stat cache: only changed files are read and hashed. The
    // copy keeps the index's own mtime too: git re-reads an entry whose file changed in the same
    // clock tick as the index was written ("racily clean"), and judges that by the index file's
    // mtime; a fresh mtime would let a same-size edit made right after a checkout look unchanged.
    await copyFile(indexPath, index)
      .then(async () => {
        const st = await stat(indexPath);
        await utimes(index, st.atime, st.mtime);
      })
      .catch(async () => {
        await git(dir, ['read-tree', 'HEAD'], { env });
      });
    await git(dir, ['add', '--all', '--', '.'], { env: { ...env, GIT_OPTIONAL_LOCKS: '0' } });
    const tree = firstLine(await git(dir, ['write-tree'], { env }));
    if (tree === (await treeOf(dir, head))) return { head, commit: head, tree, dirty: false };
    const commit = firstLine(
      await git(dir, ['commit-tree', '--no-gpg-sign', '-p', head, '-m', 'agents: uncommitted work (snapshot)', tree], { env: SNAPSHOT_IDENTITY }),
    );
    return { head, commit, tree, dirty: true };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
