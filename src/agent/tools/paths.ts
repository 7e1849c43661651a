/**
 * The lexical half of keeping tools inside the project: `../x` and absolute paths elsewhere are
 * refused here, with a message the model can act on. Symbolic links are the other half, and are
 * resolved only while opening (confined.ts): a check made here on path strings could be raced, and
 * would have to resolve links exactly as the kernel does (a relative target from the link's real
 * folder, not its lexical one).
 */
import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { ToolError } from './types.js';

export interface ProjectPath {
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

/** `input` as a path under the root, normalised lexically (`a/../b` is `b`); refused when outside. */
export async function resolveInRoot(root: string, input: string): Promise<ProjectPath> {
  if (input.includes('\0')) throw new ToolError('The path contains a NUL character.', 'bad path');
  const rootAbs = resolve(root);
  const abs = isAbsolute(input) ? resolve(input) : resolve(rootAbs, input);
  // An absolute path may name the project through its real path (e.g. /private/var vs /var on macOS).
  const base = isInside(rootAbs, abs) ? rootAbs : isInside(await realRoot(root), abs) ? await realRoot(root) : undefined;
  if (base === undefined) {
    throw new ToolError(
      `Refused: ${input} is outside the project folder. Use a path relative to the project root (e.g. src/index.ts).`,
      `refused ${input} (outside the project)`,
    );
  }
  return { rel: toDisplay(relative(base, abs)) };
}
