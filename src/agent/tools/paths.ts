/**
 * Keeps every path a tool touches inside the project root.
 *
 * Two checks, both needed: the lexical one catches `../x` and absolute paths elsewhere; the real-path
 * one catches symbolic links inside the project that lead out of it. For a file that does not exist
 * yet, the nearest existing ancestor is resolved instead, so `link/new.txt` under a link to /tmp is
 * refused before anything is created. Dangling links are followed by hand, because writing through
 * one would create its (outside) target.
 */
import { lstat, readlink, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ToolError } from './types.js';

export interface ProjectPath {
  /** Absolute path to operate on (lexical, under the root as given). */
  abs: string;
  /** Relative to the root with `/` separators; `.` for the root itself. Shown to the model and UI. */
  rel: string;
}

export function isInside(base: string, target: string): boolean {
  const rel = relative(base, target);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

export function toDisplay(rel: string): string {
  return rel === '' ? '.' : rel.split(sep).join('/');
}

export async function realRoot(root: string): Promise<string> {
  try {
    return await realpath(resolve(root));
  } catch {
    throw new ToolError(`The project folder ${root} is not accessible.`, 'project folder missing');
  }
}

export async function resolveInRoot(root: string, input: string): Promise<ProjectPath> {
  if (input.includes('\0')) throw new ToolError('The path contains a NUL character.', 'bad path');
  const rootAbs = resolve(root);
  const rootReal = await realRoot(root);
  const abs = isAbsolute(input) ? resolve(input) : resolve(rootAbs, input);
  // An absolute path may name the project through its real path (e.g. /private/var vs /var on macOS).
  const base = isInside(rootAbs, abs) ? rootAbs : isInside(rootReal, abs) ? rootReal : undefined;
  if (base === undefined) {
    throw new ToolError(
      `Refused: ${input} is outside the project folder. Use a path relative to the project root (e.g. src/index.ts).`,
      `refused ${input} (outside the project)`,
    );
  }
  const rel = toDisplay(relative(base, abs));
  const real = await realpathOfNearest(abs, 0);
  if (!isInside(rootReal, real)) {
    throw new ToolError(
      `Refused: ${rel} leads outside the project folder through a symbolic link. Only files inside the project can be used.`,
      `refused ${rel} (symlink outside the project)`,
    );
  }
  return { abs, rel };
}

/** The real path of `p`, or of its nearest existing ancestor with the missing part appended. */
async function realpathOfNearest(p: string, depth: number): Promise<string> {
  if (depth > 40) throw new ToolError(`Too many levels of symbolic links at ${p}.`, 'symlink loop');
  try {
    return await realpath(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
  }
  let isLink = false;
  try {
    isLink = (await lstat(p)).isSymbolicLink();
  } catch {
    // Missing: fall through to the parent.
  }
  if (isLink) {
    const target = resolve(dirname(p), await readlink(p));
    return realpathOfNearest(target, depth + 1);
  }
  const parent = dirname(p);
  if (parent === p) return p;
  return join(await realpathOfNearest(parent, depth + 1), basename(p));
}
