/**
 * Which paths of the project the file watcher ignores, decided the way git decides.
 *
 * Rules, in order:
 * - `.git`, `node_modules` (and `.hg`, `.svn`, as the agent tools' walker does) are ignored at any
 *   depth, whatever the ignore files say.
 * - Files editors and tools write beside the one being edited (EDITOR_TEMP_FILES: swap files, backups,
 *   lock files, save-by-rename temporaries) are ignored at any depth, as if a .gitignore above the
 *   root listed them: the project's .gitignore or the config can re-include one (`!*.tmp`).
 * - Every `.gitignore` applies to its own folder and below, relative to that folder; a deeper file
 *   overrides a shallower one (its `!pattern` re-includes); `.git/info/exclude` applies at the root.
 * - A path inside an ignored folder is ignored: git never enters an excluded folder, so nothing in it
 *   can be re-included, and the watcher never descends into it.
 * - The config's `watch.ignore` entries are read as .gitignore lines relative to the root (`dist/**`,
 *   `*.log`, `tmp/`). A `dir/**` entry also ignores `dir` itself, so the watcher does not even keep
 *   a watch on the empty shell of an excluded folder.
 *
 * Invariants (why it is fast enough to call per event):
 * - Each folder's `.gitignore` is read at most once, the first time a path below that folder is
 *   asked about (lazily, so a startup crawl and later events share one cache), until `invalidate()`
 *   says it changed.
 * - The verdict for each folder is cached; a path's verdict is its parent's cached verdict plus one
 *   match for the path itself. Any `invalidate()` drops the folder verdicts (a .gitignore edit can
 *   flip any folder below it, and edits are rare), never the parsed files of other folders.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import ignore, { type Ignore } from 'ignore';

/** Folder names skipped at every depth, whatever the ignore files say. */
export const ALWAYS_IGNORED: readonly string[] = ['.git', 'node_modules', '.hg', '.svn'];
const ALWAYS = new Set(ALWAYS_IGNORED);
/**
 * Editor and tool temporary files (.gitignore syntax, files only). One vim edit made five feed entries,
 * four of them its swap file, and marked every agent with unread changes; none of these is a change
 * anyone needs to know about. What writes them (seen with vim 9.0 under a real pty, the others from
 * their documentation):
 */
export const EDITOR_TEMP_FILES: readonly string[] = [
  // vim and nano: swap files `.name.swp` (then .swo, .swn… while one exists); vim first creates and
  // removes `.name.swx` to test the folder. Hidden ones take any letter: `.*.swf` is no Flash file.
  '*.swp', '*.swo', '*.swn', '*.swx', '.*.sw[a-p]',
  // vim: `4913`, created and removed to learn whether a new file there gets the same owner.
  '4913',
  // Backups (vim's backup/writebackup and undo files `.name.un~`, emacs, nano, gedit, kate): `name~`.
  '*~',
  // emacs: lock symlinks `.#name` and auto-save files `#name#` (a leading # must be escaped, or the
  // line is a comment).
  '.#*', '\\#*#',
  // JetBrains IDEs' "safe write": the new content in `name___jb_tmp___`, the old in `name___jb_old___`.
  '*___jb_tmp___', '*___jb_old___', '*___jb_bak___',
  // gedit and other GIO programs save through `.goutputstream-XXXXXX`; Kate keeps `.name.kate-swp`.
  '.goutputstream-*', '*.kate-swp',
  // Chrome's File System Access API (VS Code for the web) writes through `name.crswap`.
  '*.crswap',
  // Office lock files: LibreOffice `.~lock.name#`, Microsoft Office `~$name`.
  '.~lock.*#', '~$*',
  // Written then renamed over the real file (steno/lowdb `.name.tmp`, many others).
  '*.tmp',
];

/** Past this many cached folder verdicts the cache starts over, so a huge tree cannot grow it unbounded. */
const MAX_CACHED_DIRS = 200_000;

export interface IgnoreRules {
  /** Absolute project root the relative paths are resolved against. */
  readonly root: string;
  /** The config globs, as given (the parcel backend also hands them to the native matcher). */
  readonly extraGlobs: readonly string[];
  /**
   * Whether `relPath` (relative to the root, `/`-separated, no leading `./`) is ignored. `isDir`
   * matters only for folder-only patterns (`build/`); when unknown the path is judged as a file.
   */
  isIgnored(relPath: string, isDir?: boolean): boolean;
  /** Whether the last segment of `relPath` is one of ALWAYS_IGNORED (cheap, no ignore files involved). */
  isAlwaysIgnored(relPath: string): boolean;
  /**
   * Forgets the parsed ignore file at `relPath` (a `.gitignore`, or `.git/info/exclude`) so the next
   * question re-reads it. Returns false when `relPath` is not an ignore file (nothing to do).
   */
  invalidate(relPath: string): boolean;
}

export interface IgnoreRulesOptions {
  /** Extra patterns from the config's `watch.ignore`, in .gitignore syntax relative to the root. */
  extra?: readonly string[];
  /** Also read `.git/info/exclude` (default true). */
  gitInfoExclude?: boolean;
}

/** Whether `relPath` names a file that holds ignore rules (the watcher then calls `invalidate`). */
export function isIgnoreFile(relPath: string): boolean {
  return relPath === '.gitignore' || relPath.endsWith('/.gitignore') || relPath === '.git/info/exclude';
}

export function createIgnoreRules(root: string, opts: IgnoreRulesOptions = {}): IgnoreRules {
  return new GitIgnoreRules(root, opts.extra ?? [], opts.gitInfoExclude ?? true);
}

/** `dir/**` also excludes `dir/` itself (see the header). */
function expandExtra(globs: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of globs) {
    const g = raw.trim().replace(/^\.\//, '');
    if (g === '' || g.startsWith('#')) continue;
    out.push(g);
    const m = /^(!?)(.+)\/\*\*\/?$/.exec(g);
    if (m && !m[2].includes('*')) out.push(`${m[1]}${m[2]}/`);
  }
  return out;
}

class GitIgnoreRules implements IgnoreRules {
  readonly extraGlobs: readonly string[];
  /** Config patterns; they apply like a root-level ignore file read after the real ones. */
  private readonly extra: Ignore | null;
  /** EDITOR_TEMP_FILES; they apply (to files) before any ignore file, which can re-include them. */
  private readonly temp: Ignore = ignore().add([...EDITOR_TEMP_FILES]);
  /** Parsed ignore file per folder ('' = root); null = the folder has none. */
  private readonly files = new Map<string, Ignore | null>();
  /** Cached verdict per folder path. */
  private readonly dirVerdicts = new Map<string, boolean>();

  constructor(
    readonly root: string,
    extraGlobs: readonly string[],
    private readonly gitInfoExclude: boolean,
  ) {
    this.extraGlobs = [...extraGlobs];
    const expanded = expandExtra(extraGlobs);
    this.extra = expanded.length > 0 ? ignore().add(expanded) : null;
  }

  isAlwaysIgnored(relPath: string): boolean {
    const slash = relPath.lastIndexOf('/');
    return ALWAYS.has(slash < 0 ? relPath : relPath.slice(slash + 1));
  }

  isIgnored(relPath: string, isDir = false): boolean {
    if (relPath === '' || relPath === '.') return false;
    const slash = relPath.lastIndexOf('/');
    const parent = slash < 0 ? '' : relPath.slice(0, slash);
    if (parent !== '' && this.dirIgnored(parent)) return true;
    if (this.isAlwaysIgnored(relPath)) return true;
    return this.matches(relPath, parent, isDir);
  }

  invalidate(relPath: string): boolean {
    if (!isIgnoreFile(relPath)) return false;
    const dir = relPath === '.git/info/exclude' ? '' : relPath.slice(0, Math.max(0, relPath.lastIndexOf('/')));
    this.files.delete(dir);
    this.dirVerdicts.clear();
    return true;
  }

  /** Folder verdict, cached; walks up only as far as the first cached ancestor. */
  private dirIgnored(dir: string): boolean {
    const cached = this.dirVerdicts.get(dir);
    if (cached !== undefined) return cached;
    const slash = dir.lastIndexOf('/');
    const parent = slash < 0 ? '' : dir.slice(0, slash);
    const verdict =
      (parent !== '' && this.dirIgnored(parent)) || this.isAlwaysIgnored(dir) || this.matches(dir, parent, true);
    if (this.dirVerdicts.size >= MAX_CACHED_DIRS) this.dirVerdicts.clear();
    this.dirVerdicts.set(dir, verdict);
    return verdict;
  }

  /**
   * The ignore files from the root down to `parent` judge `rel` (its ancestors were already found
   * not ignored); the last file with an opinion wins, so deeper files override shallower ones.
   */
  private matches(rel: string, parent: string, isDir: boolean): boolean {
    const suffix = isDir ? '/' : '';
    // The patterns name files, not paths: only the name is matched (the matcher would otherwise also
    // apply them to every folder above, and a folder called 4913 would hide its contents).
    let ignored = !isDir && this.temp.ignores(rel.slice(rel.lastIndexOf('/') + 1));
    let base = '';
    for (;;) {
      const ig = this.fileFor(base);
      if (ig) {
        const verdict = ig.test((base === '' ? rel : rel.slice(base.length + 1)) + suffix);
        if (verdict.ignored) ignored = true;
        else if (verdict.unignored) ignored = false;
      }
      if (base === parent) break;
      const next = parent.indexOf('/', base === '' ? 0 : base.length + 1);
      base = next < 0 ? parent : parent.slice(0, next);
    }
    if (this.extra) {
      const verdict = this.extra.test(rel + suffix);
      if (verdict.ignored) ignored = true;
      else if (verdict.unignored) ignored = false;
    }
    return ignored;
  }

  private fileFor(dir: string): Ignore | null {
    const known = this.files.get(dir);
    if (known !== undefined) return known;
    const sources = [join(this.root, dir, '.gitignore')];
    if (dir === '' && this.gitInfoExclude) sources.unshift(join(this.root, '.git', 'info', 'exclude'));
    let ig: Ignore | null = null;
    for (const file of sources) {
      // existsSync first: most folders have no ignore file, and a failed read costs an exception.
      if (!existsSync(file)) continue;
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        continue; // Unreadable, or a folder: git would skip it too.
      }
      ig ??= ignore();
      ig.add(text);
    }
    this.files.set(dir, ig);
    return ig;
  }
}

/** Folders read at once while listing: enough to keep the disk busy; a whole level at once costs
 *  3-4x the time and ~20 MB of RSS on 2k folders (measured), for nothing. */
const LIST_CONCURRENCY = 8;

export interface FolderListing {
  /** Kept folders below the start (relative to the root). */
  dirs: Set<string>;
  /** Topmost ignored folders, except ALWAYS_IGNORED ones (a caller matches those by name). */
  ignored: string[];
  /** Kept non-folder entries, when asked for. */
  files: string[];
}

/**
 * What the rules keep below `under` ('' = the root): readdir only, no stat; a few folders at once.
 * Files are listed only with `withFiles` (the startup crawl needs folders alone). `enter`, when
 * given, is called for each kept folder (`under` included) just before it is read; false skips
 * reading it (the folder itself stays listed). The inotify watcher places its watch there: what
 * the read misses, the watch reports.
 */
export async function listFolders(
  rules: IgnoreRules,
  under = '',
  withFiles = false,
  enter?: (dir: string) => boolean,
): Promise<FolderListing> {
  const dirs = new Set<string>();
  const ignored: string[] = [];
  const files: string[] = [];
  const queue = [under];
  let active = 0;
  await new Promise<void>((resolve) => {
    const pump = (): void => {
      while (active < LIST_CONCURRENCY && queue.length > 0) {
        const dir = queue.pop() as string;
        if (enter && !enter(dir)) continue;
        active++;
        readdir(join(rules.root, dir), { withFileTypes: true })
          .then((entries) => {
            for (const e of entries) {
              const rel = dir === '' ? e.name : `${dir}/${e.name}`;
              if (!e.isDirectory()) {
                if (withFiles && !rules.isIgnored(rel, false)) files.push(rel);
                continue;
              }
              if (!rules.isIgnored(rel, true)) {
                dirs.add(rel);
                queue.push(rel);
              } else if (!rules.isAlwaysIgnored(rel)) ignored.push(rel);
            }
          })
          .catch(() => undefined) // An unreadable folder is skipped, as git does.
          .finally(() => {
            active--;
            if (active === 0 && queue.length === 0) resolve();
            else pump();
          });
      }
      if (active === 0 && queue.length === 0) resolve();
    };
    pump();
  });
  return { dirs, ignored, files };
}
