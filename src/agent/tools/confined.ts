/**
 * Opens files and folders under the project root so that nothing a tool reads, writes or creates is
 * outside it, even while the tree changes under the tool.
 *
 * How: a path is walked one component at a time from an open descriptor of the root. Each step is
 * opened relative to the descriptor of the folder before it, with O_NOFOLLOW, so the kernel never
 * follows a symbolic link for us; Node has no openat(), so on Linux "relative to a descriptor" is
 * the path /proc/self/fd/N/name, which the kernel resolves through the open folder itself, not the
 * path it was reached by. A link met on the way is read and its target walked the same way: a
 * relative target from the folder that really holds the link (not the lexical parent of the path,
 * which is how `sub/up -> ..` plus `evil -> ../outside/x` once wrote outside), an absolute target
 * only when it names a place under the root. `..` pops our own stack of open folders, so it can
 * never climb above the root.
 *
 * Invariants:
 * - every descriptor a Project opens is closed by `close()` (or earlier by `release()`);
 * - only regular files are opened as files: the entry is lstat'ed first (FIFOs, sockets and devices
 *   are reported, not opened), then opened O_NONBLOCK and fstat'ed, so one swapped for a FIFO in
 *   between cannot block the open and is refused all the same;
 * - a folder is created only inside a folder the walk holds open (mkdir relative to its descriptor);
 * - a file found for writing is never truncated here, and one with more than one name (hard links)
 *   is refused for edit and write: an in-place write would change every name, and nothing tells
 *   where the others are (another project, pnpm's shared store, a `cp -al` backup);
 * - on Linux the opened file's own path (/proc/self/fd) is checked to be under the root after the
 *   open, which catches a folder moved out of the project while the walk was inside it.
 * Elsewhere than Linux the walk runs on real path strings instead of descriptors: links are still
 * resolved by hand, but a folder swapped for a link between two steps is no longer caught.
 */
import { constants, type Stats } from 'node:fs';
import { lstat, mkdir, open, readlink, realpath, unlink, type FileHandle } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { isInside } from './paths.js';
import { plural, ToolError } from './types.js';

const { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_DIRECTORY } = constants;
const VIA_PROC = process.platform === 'linux';
/** Linux's own limit on links followed in one lookup (MAXSYMLINKS). */
const MAX_LINKS = 40;
/** Components, links and retries of one lookup: a tree that keeps changing under the walk ends it. */
const MAX_STEPS = 4096;

export type Mode = 'read' | 'edit' | 'write';

export class Dir {
  constructor(
    readonly handle: FileHandle,
    /** The folder's real path when it was entered. */
    readonly abs: string,
    /** Relative to the root with `/`, '' for the root. */
    readonly rel: string,
  ) {}

  /** A path naming `name` in this very folder, whatever has happened since to the path it was entered by. */
  at(name: string): string {
    return VIA_PROC ? `/proc/self/fd/${this.handle.fd}/${name}` : join(this.abs, name);
  }

  /** A path naming this very folder. */
  get self(): string {
    return VIA_PROC ? `/proc/self/fd/${this.handle.fd}` : this.abs;
  }

  child(name: string): string {
    return this.rel === '' ? name : `${this.rel}/${name}`;
  }
}

export interface OpenedFile {
  handle: FileHandle;
  stat: Stats;
  /** The file's real place, relative to the root with `/` (differs from the input through links). */
  rel: string;
}

export type Found =
  | { kind: 'file'; file: OpenedFile }
  /** read mode only */
  | { kind: 'dir'; dir: Dir }
  /** write mode only: the file does not exist yet; `create` makes it in that folder. */
  | { kind: 'missing'; dir: Dir; name: string; rel: string };

const code = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | undefined)?.code;

function fsError(errno: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code: errno });
}

/** `a named pipe (FIFO)`: what a non-regular, non-folder entry is, for messages. */
export function describeKind(st: Stats): string {
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isDirectory()) return 'a folder';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

export function notRegular(display: string, st: Stats): ToolError {
  const kind = describeKind(st);
  return new ToolError(
    `${display} is ${kind}, not a regular file. The file tools only read and write regular files (a pipe or device could block or never end); use run_command if you really need it.`,
    `${display}: ${kind.replace(/^an? /, '')}, not a file`,
  );
}

export function leadsOutside(display: string): ToolError {
  return new ToolError(
    `Refused: ${display} leads outside the project folder through a symbolic link. Only files inside the project can be used.`,
    `refused ${display} (symlink outside the project)`,
  );
}

export class Project {
  private handles = new Set<FileHandle>();
  private constructor(
    readonly rootReal: string,
    private rootGiven: string,
    readonly root: Dir,
  ) {
    this.handles.add(root.handle);
  }

  static async open(root: string): Promise<Project> {
    let rootReal: string;
    let handle: FileHandle;
    try {
      rootReal = await realpath(resolve(root));
      handle = await open(rootReal, O_RDONLY | O_DIRECTORY);
    } catch {
      throw new ToolError(`The project folder ${root} is not accessible.`, 'project folder missing');
    }
    return new Project(rootReal, resolve(root), new Dir(handle, rootReal, ''));
  }

  async close(): Promise<void> {
    const all = [...this.handles];
    this.handles.clear();
    await Promise.all(all.map((h) => h.close().catch(() => undefined)));
  }

  /** Closes one descriptor early (walks open many). */
  async release(h: FileHandle | Dir): Promise<void> {
    const handle = h instanceof Dir ? h.handle : h;
    if (!this.handles.delete(handle)) return;
    await handle.close().catch(() => undefined);
  }

  private async track<T extends FileHandle>(p: Promise<T>): Promise<T> {
    const h = await p;
    this.handles.add(h);
    return h;
  }

  /**
   * Finds `rel` (root-relative, `/`-separated, already lexically inside the root) for `mode`.
   * `create` makes missing folders on the way (write mode). Missing entries reject with ENOENT or
   * ENOTDIR as the file system would; leaving the root rejects with a ToolError.
   */
  async find(rel: string, mode: Mode, display: string, create = false): Promise<Found> {
    // Folders this lookup opened: all closed when it ends, except the one it returns.
    const opened: Dir[] = [];
    let result: Found | undefined;
    try {
      result = await this.lookup(rel.split('/'), opened, mode, display, create);
      return result;
    } finally {
      const keep = result && result.kind !== 'file' ? result.dir : undefined;
      await Promise.all(opened.filter((d) => d !== keep).map((d) => this.release(d)));
    }
  }

  private async lookup(queue: string[], opened: Dir[], mode: Mode, display: string, create: boolean): Promise<Found> {
    const stack: Dir[] = [this.root];
    let links = 0;
    const follow = async (dir: Dir, name: string) => {
      if (++links > MAX_LINKS) throw new ToolError(`Too many levels of symbolic links at ${display}.`, `${display}: symlink loop`);
      const target = await readlink(dir.at(name));
      if (isAbsolute(target)) {
        const rest = this.underRoot(target);
        if (rest === undefined) throw leadsOutside(display);
        stack.length = 1;
        queue.unshift(...rest);
      } else {
        queue.unshift(...target.split('/'));
      }
    };
    for (let steps = 0; ; steps++) {
      if (steps > MAX_STEPS) throw new ToolError(`${display} kept changing while the tool worked; try again.`, `${display}: changed while working`);
      while (queue.length > 0 && (queue[0] === '' || queue[0] === '.')) queue.shift();
      const top = stack[stack.length - 1];
      const name = queue.shift();
      if (name === undefined) {
        if (mode !== 'read') throw fsError('EISDIR', `${display} is a folder`);
        return { kind: 'dir', dir: top };
      }
      if (name === '..') {
        // Only a link's target can bring `..` here: the input was normalised lexically.
        if (stack.length === 1) throw leadsOutside(display);
        stack.pop();
        continue;
      }
      if (queue.length === 0) {
        const found = await this.last(top, name, mode, display);
        if (found === 'link') await follow(top, name);
        else if (found === 'retry') queue.unshift(name);
        else return found;
        continue;
      }
      try {
        const h = await this.track(open(top.at(name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
        const sub = new Dir(h, join(top.abs, name), top.child(name));
        opened.push(sub);
        stack.push(sub);
      } catch (err) {
        const c = code(err);
        if (c === 'ENOENT' && create) {
          await mkdir(top.at(name)).catch((e: unknown) => {
            if (code(e) !== 'EEXIST') throw e;
          });
          queue.unshift(name);
        } else if ((c === 'ENOTDIR' || c === 'ELOOP') && (await isLink(top.at(name)))) {
          await follow(top, name);
        } else {
          throw err;
        }
      }
    }
  }

  /** The last component: a link to follow, a lookup to retry (it changed), or what was found. */
  private async last(dir: Dir, name: string, mode: Mode, display: string): Promise<Found | 'link' | 'retry'> {
    let st: Stats;
    try {
      st = await lstat(dir.at(name));
    } catch (err) {
      if (code(err) === 'ENOENT' && mode === 'write') return { kind: 'missing', dir, name, rel: dir.child(name) };
      throw err;
    }
    if (st.isSymbolicLink()) return 'link';
    if (st.isDirectory()) {
      if (mode !== 'read') throw fsError('EISDIR', `${display} is a folder`);
      try {
        const h = await this.track(open(dir.at(name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
        await this.checkStillInside(h, display).catch(async (err: unknown) => {
          await this.release(h);
          throw err;
        });
        return { kind: 'dir', dir: new Dir(h, join(dir.abs, name), dir.child(name)) };
      } catch (err) {
        if (code(err) === 'ENOTDIR' || code(err) === 'ELOOP' || code(err) === 'ENOENT') return 'retry';
        throw err;
      }
    }
    if (!st.isFile()) throw notRegular(display, st);
    const flags = (mode === 'read' ? O_RDONLY : mode === 'edit' ? O_RDWR : O_WRONLY) | O_NOFOLLOW | O_NONBLOCK;
    let handle: FileHandle;
    try {
      handle = await this.track(open(dir.at(name), flags));
    } catch (err) {
      // Swapped for a link or removed between the lstat and the open: look again.
      if (code(err) === 'ELOOP' || code(err) === 'ENOENT') return 'retry';
      throw err;
    }
    try {
      return { kind: 'file', file: await this.vet(handle, dir.child(name), mode, display) };
    } catch (err) {
      await this.release(handle);
      throw err;
    }
  }

  /** Creates the missing file in the folder the walk holds, refusing anything already there. */
  async create(missing: Extract<Found, { kind: 'missing' }>, display: string): Promise<OpenedFile | 'exists'> {
    let handle: FileHandle;
    try {
      handle = await this.track(open(missing.dir.at(missing.name), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK, 0o666));
    } catch (err) {
      if (code(err) === 'EEXIST') return 'exists';
      throw err;
    }
    try {
      return await this.vet(handle, missing.rel, 'write', display);
    } catch (err) {
      await unlink(missing.dir.at(missing.name)).catch(() => undefined);
      await this.release(handle);
      throw err;
    }
  }

  /** Checks an opened file: regular, still inside the root, one name only when it will be written. */
  private async vet(handle: FileHandle, rel: string, mode: Mode, display: string): Promise<OpenedFile> {
    const stat = await handle.stat();
    if (!stat.isFile()) throw notRegular(display, stat);
    await this.checkStillInside(handle, display);
    if (mode !== 'read' && stat.nlink > 1) {
      throw new ToolError(
        `Refused: ${display} is a hard link (the same file has ${plural(stat.nlink, 'name')}), so changing it here would also change it under its other names, which may be outside the project. ` +
          'Ask the person whether to change it; to change only this name, they can replace it with a copy first (cp --remove-destination, or delete and re-create it).',
        `refused ${display} (hard link, ${plural(stat.nlink, 'name')})`,
      );
    }
    return { handle, stat, rel };
  }

  private async checkStillInside(handle: FileHandle, display: string): Promise<void> {
    if (!VIA_PROC) return;
    const where = await readlink(`/proc/self/fd/${handle.fd}`);
    if (!isInside(this.rootReal, where)) {
      throw new ToolError(`Refused: ${display} was moved outside the project folder while the tool worked.`, `refused ${display} (moved outside the project)`);
    }
  }

  /** The components of an absolute link target under the root, or undefined when it is elsewhere. */
  private underRoot(target: string): string[] | undefined {
    const parts = target.split('/').filter((p) => p !== '' && p !== '.');
    for (const root of [this.rootReal, this.rootGiven]) {
      const base = root.split('/').filter((p) => p !== '');
      if (base.every((p, i) => parts[i] === p)) return parts.slice(base.length);
    }
    return undefined;
  }

  /** A subfolder of a folder being walked, never through a link; undefined when it is not one (now). */
  async openChildDir(dir: Dir, name: string): Promise<Dir | undefined> {
    let h: FileHandle;
    try {
      h = await this.track(open(dir.at(name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
    } catch {
      return undefined;
    }
    try {
      await this.checkStillInside(h, dir.child(name));
    } catch {
      await this.release(h);
      return undefined;
    }
    return new Dir(h, join(dir.abs, name), dir.child(name));
  }

  /** A regular file in a folder being walked, opened for reading without following a link. */
  async openChildFile(dir: Dir, name: string): Promise<OpenedFile | undefined> {
    let handle: FileHandle;
    try {
      handle = await this.track(open(dir.at(name), O_RDONLY | O_NOFOLLOW | O_NONBLOCK));
    } catch {
      return undefined;
    }
    const stat = await handle.stat();
    if (stat.isFile()) return { handle, stat, rel: dir.child(name) };
    await this.release(handle);
    return undefined;
  }
}

async function isLink(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isSymbolicLink();
  } catch {
    return false;
  }
}
