/**
 * Walks the project the way git sees it, for list_files and search.
 *
 * - .gitignore files apply at every level, relative to their own folder, deeper ones overriding
 *   shallower ones (a `!pattern` deeper down re-includes); .git/info/exclude applies at the root.
 *   An ignored folder is never entered, which is also git's rule: nothing under an excluded folder
 *   can be re-included.
 * - .git, node_modules (and other VCS folders) are skipped whatever the ignore files say.
 * - Symbolic links to folders are not followed (loops, and escapes we would have to re-check);
 *   links to files are yielded only when their target is inside the project.
 * - Entries are visited in sorted order, so output is stable from run to run.
 */
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { isInside, toDisplay } from './paths.js';
import { ToolError } from './types.js';

const ALWAYS_SKIPPED = new Set(['.git', 'node_modules', '.hg', '.svn']);

interface Level {
  /** Folder of the ignore file, relative to the root with `/`, '' for the root. */
  base: string;
  ig: Ignore;
}

export interface WalkStats {
  visited: number;
  /** The walk stopped at `maxEntries`; results are incomplete. */
  truncated: boolean;
}

export interface WalkFile {
  abs: string;
  /** Relative to the root with `/` separators. */
  rel: string;
}

export interface WalkOptions {
  root: string;
  rootReal: string;
  /** Absolute folder to start from, inside the root. */
  start: string;
  signal: AbortSignal;
  stats: WalkStats;
  maxEntries?: number;
}

export async function* walkFiles(opts: WalkOptions): AsyncGenerator<WalkFile> {
  const maxEntries = opts.maxEntries ?? 200_000;
  const startRel = toDisplay(relative(opts.root, opts.start));
  const levels = await ancestorLevels(opts.root, startRel === '.' ? '' : startRel);
  yield* walkDir(opts, opts.start, startRel === '.' ? '' : startRel, levels, maxEntries);
}

/** Whether `rel` (a path under the root) is ignored by the ignore files on its way from the root. */
export async function isIgnored(root: string, rel: string, isDir: boolean): Promise<boolean> {
  const parts = rel.split('/');
  if (parts.some((p) => ALWAYS_SKIPPED.has(p))) return true;
  // Levels for every ancestor folder; each applies only to paths under its own folder.
  const levels = await ancestorLevels(root, parts.slice(0, -1).join('/'));
  for (let i = 1; i <= parts.length; i++) {
    if (ignoredBy(levels, parts.slice(0, i).join('/'), i < parts.length || isDir)) return true;
  }
  return false;
}

async function* walkDir(
  opts: WalkOptions,
  dirAbs: string,
  dirRel: string,
  levels: Level[],
  maxEntries: number,
): AsyncGenerator<WalkFile> {
  if (opts.signal.aborted) throw new ToolError('Interrupted by the user.', 'interrupted');
  let entries;
  try {
    entries = await readdir(dirAbs, { withFileTypes: true });
  } catch {
    return; // Unreadable folders are skipped, as git does.
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (opts.stats.visited >= maxEntries) {
      opts.stats.truncated = true;
      return;
    }
    opts.stats.visited++;
    if (ALWAYS_SKIPPED.has(entry.name)) continue;
    const abs = join(dirAbs, entry.name);
    const rel = dirRel === '' ? entry.name : `${dirRel}/${entry.name}`;
    if (entry.isDirectory()) {
      if (ignoredBy(levels, rel, true)) continue;
      const own = await loadLevel(abs, rel);
      yield* walkDir(opts, abs, rel, own ? [...levels, own] : levels, maxEntries);
    } else if (entry.isFile()) {
      if (!ignoredBy(levels, rel, false)) yield { abs, rel };
    } else if (entry.isSymbolicLink()) {
      if (ignoredBy(levels, rel, false)) continue;
      try {
        const [target, st] = await Promise.all([realpath(abs), stat(abs)]);
        if (st.isFile() && isInside(opts.rootReal, target)) yield { abs, rel };
      } catch {
        // Dangling link: nothing to list or search.
      }
    }
  }
}

function ignoredBy(levels: Level[], rel: string, isDir: boolean): boolean {
  let ignored = false;
  for (const level of levels) {
    if (level.base !== '' && !rel.startsWith(`${level.base}/`)) continue;
    const sub = level.base === '' ? rel : rel.slice(level.base.length + 1);
    const verdict = level.ig.test(isDir ? `${sub}/` : sub);
    if (verdict.ignored) ignored = true;
    else if (verdict.unignored) ignored = false;
  }
  return ignored;
}

/** Ignore rules from the root down to (and including) the folder `rel`. */
async function ancestorLevels(root: string, rel: string): Promise<Level[]> {
  const levels: Level[] = [];
  const rootLevel = await loadLevel(root, '', [join(root, '.git', 'info', 'exclude')]);
  if (rootLevel) levels.push(rootLevel);
  if (rel === '') return levels;
  const parts = rel.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const sub = parts.slice(0, i).join('/');
    const level = await loadLevel(join(root, ...parts.slice(0, i)), sub);
    if (level) levels.push(level);
  }
  return levels;
}

async function loadLevel(dirAbs: string, base: string, extra: string[] = []): Promise<Level | undefined> {
  let found = false;
  const ig = ignore();
  for (const file of [...extra, join(dirAbs, '.gitignore')]) {
    try {
      ig.add(await readFile(file, 'utf8'));
      found = true;
    } catch {
      // No ignore file here.
    }
  }
  return found ? { base, ig } : undefined;
}
