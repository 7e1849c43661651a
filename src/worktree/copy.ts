/**
 * Copying the files a checkout lacks (`.env`, local settings) from the project into a new worktree:
 * the files matching `worktree.copy` globs that git IGNORES. Tracked files are in the checkout
 * already, and untracked-but-not-ignored ones are work in progress the person has not decided about.
 *
 * Invariants:
 * - Nothing is read from outside the project folder: globs are matched inside it and no symlink is
 *   followed (a symlinked folder is not entered, a symlinked file is not copied: tinyglobby with
 *   followSymbolicLinks off does not return them; one named literally in a pattern is reported as
 *   skipped). The real path of each file is checked to be inside the project all the same.
 * - Nothing is written outside the worktree, and nothing in it is overwritten (exclusive create): a
 *   destination folder whose real path leaves the worktree is refused.
 * - Modes are kept (the executable bit of a local script, 0600 of a secrets file).
 * - "Ignored" is git's own answer (`git check-ignore`: nested .gitignore files, info/exclude and the
 *   person's global excludes), not a re-implementation of its rules.
 */
import { chmod, copyFile, lstat, mkdir, realpath } from 'node:fs/promises';
import { constants } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { glob } from 'tinyglobby';
import { git, splitNul } from './git.js';

export interface CopyResult {
  /** Paths relative to the project folder, in the order copied. */
  copied: string[];
  skipped: { path: string; reason: string }[];
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

async function existingAncestor(path: string): Promise<string> {
  for (let p = path; ; p = dirname(p)) {
    if (await lstat(p).then(() => true, () => false)) return p;
    if (dirname(p) === p) return p;
  }
}

/** Which of `paths` (relative to `dir`) git ignores. */
async function ignoredOf(dir: string, paths: string[]): Promise<Set<string>> {
  if (paths.length === 0) return new Set();
  // Exit 1 means "none of them is ignored".
  const r = await git(dir, ['check-ignore', '-z', '--stdin'], { input: paths.join('\0') + '\0', okCodes: [0, 1] });
  return new Set(splitNul(r.stdout));
}

/**
 * Copies ignored files matching `patterns` from `projectDir` to the same places under `destDir`.
 * Throws on the first copy that fails (the caller removes the half-made worktree).
 */
export async function copyIgnoredFiles(projectDir: string, destDir: string, patterns: readonly string[]): Promise<CopyResult> {
  const result: CopyResult = { copied: [], skipped: [] };
  if (patterns.length === 0) return result;
  const root = await realpath(projectDir);
  const destRoot = await realpath(destDir);
  const found = await glob([...patterns], {
    cwd: root,
    dot: true,
    onlyFiles: true,
    followSymbolicLinks: false,
    expandDirectories: false,
    ignore: ['**/.git/**'],
  });
  // A pattern such as `../x/*` matches outside the folder it is given: not ours to copy.
  const candidates = found.filter((p) => !isAbsolute(p) && inside(root, join(root, p))).sort();
  const ignored = await ignoredOf(root, candidates);
  for (const literal of patterns.filter((p) => !/[*?[\]{}()!]/.test(p))) {
    const st = await lstat(join(root, literal)).catch(() => undefined);
    if (st?.isSymbolicLink()) result.skipped.push({ path: literal, reason: 'a symlink (symlinks are never followed)' });
  }
  for (const rel of candidates) {
    if (!ignored.has(rel)) continue;
    const src = join(root, rel);
    const real = await realpath(src);
    const st = await lstat(real);
    if (!inside(root, real) || !st.isFile()) {
      result.skipped.push({ path: rel, reason: 'not a regular file' });
      continue;
    }
    const dest = join(destRoot, rel);
    // A tracked symlink in the checkout could turn the destination's folder into a way out: check
    // the part that exists before making the rest (mkdir would follow the link and create outside).
    if (!inside(destRoot, await realpath(await existingAncestor(dirname(dest))))) {
      result.skipped.push({ path: rel, reason: 'its folder in the worktree leads out of it (symlink)' });
      continue;
    }
    await mkdir(dirname(dest), { recursive: true });
    const existing = await lstat(dest).catch(() => undefined);
    if (existing) {
      result.skipped.push({ path: rel, reason: 'the worktree has its own already' });
      continue;
    }
    await copyFile(real, dest, constants.COPYFILE_EXCL);
    await chmod(dest, st.mode & 0o777);
    result.copied.push(rel);
  }
  return result;
}
