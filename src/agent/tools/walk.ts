/**
 * Walks the project the way git sees it, for list_files and search.
 *
 * - .gitignore files apply at every level, relative to their own folder, deeper ones overriding
 *   shallower ones (a `!pattern` deeper down re-includes); .git/info/exclude applies at the root.
 *   An ignored folder is never entered, which is also git's rule: nothing under an excluded folder
 *   can be re-included.
 * - .git, node_modules (and other VCS folders) are skipped whatever the ignore files say.
 * - Folders are entered through the descriptor of the folder above (confined.ts), never through a
 *   link: links to folders are not followed (loops, and escapes), and a folder swapped for a link
 *   while the walk runs is skipped. Links to files are yielded only when they resolve, by the same
 *   confined lookup, to a regular file inside the project.
 * - Only regular files are yielded; each is opened without following a link, non-blocking, and
 *   checked again after opening (a FIFO put in its place cannot hang a search).
 * - Entries are visited in sorted order, so output is stable from run to run.
 * - A yielded file's `open()` is valid until the walk resumes; the walk closes its folders as it
 *   leaves them, and the Project closes whatever is left.
 */
import { readdir } from 'node:fs/promises';
import ignore, { type Ignore } from 'ignore';
import { type Dir, type OpenedFile, type Project } from './confined.js';
import { ToolError } from './types.js';

const ALWAYS_SKIPPED = new Set(['.git', 'node_modules', '.hg', '.svn']);
/** Ignore files bigger than this are generated noise; they are not read. */
const MAX_IGNORE_FILE_BYTES = 1024 * 1024;

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
  /** Relative to the root with `/` separators, under the start folder as it was asked for (`shownAs`). */
  rel: string;
  /** The file, opened for reading (undefined when it is no longer a regular file inside). */
  open(): Promise<OpenedFile | undefined>;
}

export interface WalkOptions {
  project: Project;
  /** The folder to start from (found through the project, so inside it). */
  start: Dir;
  /**
   * The start folder as the caller named it ('' for the root): a link inside the project may have
   * led to it, and the files are shown under the name that was asked for. Default: its real place.
   */
  shownAs?: string;
  signal: AbortSignal;
  stats: WalkStats;
  maxEntries?: number;
}

export async function* walkFiles(opts: WalkOptions): AsyncGenerator<WalkFile> {
  const maxEntries = opts.maxEntries ?? 200_000;
  const levels = await ancestorLevels(opts.project, opts.start.rel);
  yield* walkDir(opts, opts.start, opts.shownAs ?? opts.start.rel, levels, maxEntries, false);
}

/** Whether `rel` (a path under the root) is ignored by the ignore files on its way from the root. */
export async function isIgnored(project: Project, rel: string, isDir: boolean): Promise<boolean> {
  const parts = rel.split('/');
  if (parts.some((p) => ALWAYS_SKIPPED.has(p))) return true;
  // Levels for every ancestor folder; each applies only to paths under its own folder.
  const levels = await ancestorLevels(project, parts.slice(0, -1).join('/'));
  for (let i = 1; i <= parts.length; i++) {
    if (ignoredBy(levels, parts.slice(0, i).join('/'), i < parts.length || isDir)) return true;
  }
  return false;
}

/**
 * `shown`: the folder's path as reported; ignore rules apply to its real place (`dir.rel`).
 * `loadOwn`: read the folder's own .gitignore (the start folder's came with its ancestors').
 */
async function* walkDir(opts: WalkOptions, dir: Dir, shown: string, levels: Level[], maxEntries: number, loadOwn = true): AsyncGenerator<WalkFile> {
  if (opts.signal.aborted) throw new ToolError('Interrupted by the user.', 'interrupted');
  const { project } = opts;
  let entries;
  try {
    entries = await readdir(dir.self, { withFileTypes: true });
  } catch {
    return; // Unreadable folders are skipped, as git does.
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // Looked up from the listing: most folders have no ignore file, and trying to open one costs.
  const ignoreFile = loadOwn ? entries.find((e) => e.name === '.gitignore' && (e.isFile() || e.isSymbolicLink())) : undefined;
  const own = ignoreFile && (await loadLevelAt(project, dir.rel, [dir.child('.gitignore')]));
  if (own) levels = [...levels, own];
  for (const entry of entries) {
    if (opts.stats.visited >= maxEntries) {
      opts.stats.truncated = true;
      return;
    }
    opts.stats.visited++;
    if (ALWAYS_SKIPPED.has(entry.name)) continue;
    const rel = dir.child(entry.name);
    const as = shown === '' ? entry.name : `${shown}/${entry.name}`;
    if (entry.isDirectory()) {
      if (ignoredBy(levels, rel, true)) continue;
      const sub = await project.openChildDir(dir, entry.name);
      if (!sub) continue;
      try {
        yield* walkDir(opts, sub, as, levels, maxEntries);
      } finally {
        await project.release(sub);
      }
    } else if (entry.isFile()) {
      if (!ignoredBy(levels, rel, false)) yield* yieldOpened(project, as, () => project.openChildFile(dir, entry.name), false);
    } else if (entry.isSymbolicLink()) {
      if (!ignoredBy(levels, rel, false)) yield* yieldOpened(project, as, () => openLinked(project, rel), true);
    }
  }
}

/**
 * Yields a file whose descriptor, if the consumer opened it, is closed as soon as the walk resumes.
 * A link is opened before it is yielded: it is listed only when it leads to a regular file inside.
 */
async function* yieldOpened(
  project: Project,
  rel: string,
  opener: () => Promise<OpenedFile | undefined>,
  lookFirst: boolean,
): AsyncGenerator<WalkFile> {
  let opened: OpenedFile | undefined;
  let tried = false;
  const open = async () => {
    if (!tried) {
      tried = true;
      opened = await opener();
    }
    return opened;
  };
  try {
    if (lookFirst && !(await open())) return;
    yield { rel, open };
  } finally {
    if (opened) await project.release(opened.handle);
  }
}

/** A link's target, when it is a regular file inside the project; never an error. */
function openLinked(project: Project, rel: string): Promise<OpenedFile | undefined> {
  return project
    .find(rel, 'read', rel)
    .then((found) => (found.kind === 'file' ? found.file : undefined))
    .catch(() => undefined);
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

/** Ignore rules from the root down to (and including) the folder `rel` ('' for the root). */
async function ancestorLevels(project: Project, rel: string): Promise<Level[]> {
  const levels: Level[] = [];
  const rootLevel = await loadLevelAt(project, '', ['.git/info/exclude', '.gitignore']);
  if (rootLevel) levels.push(rootLevel);
  if (rel === '') return levels;
  const parts = rel.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const sub = parts.slice(0, i).join('/');
    const level = await loadLevelAt(project, sub, [`${sub}/.gitignore`]);
    if (level) levels.push(level);
  }
  return levels;
}

async function loadLevelAt(project: Project, base: string, files: string[]): Promise<Level | undefined> {
  let found = false;
  const ig = ignore();
  for (const rel of files) {
    const text = await readSmall(project, rel);
    if (text === undefined) continue;
    ig.add(text);
    found = true;
  }
  return found ? { base, ig } : undefined;
}

/** A small regular file inside the project, or undefined (missing, a pipe, a link outside, too big). */
async function readSmall(project: Project, rel: string): Promise<string | undefined> {
  const file = await openLinked(project, rel);
  if (!file) return undefined;
  try {
    if (file.stat.size > MAX_IGNORE_FILE_BYTES) return undefined;
    return (await file.handle.readFile()).toString('utf8');
  } catch {
    return undefined;
  } finally {
    await project.release(file.handle);
  }
}
