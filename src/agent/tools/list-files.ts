/** list_files: files matching a glob, as git would see the project (ignore files respected). */
import { stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { z } from 'zod';
import { globToRegExp, hasGlobChars, staticPrefix } from './glob.js';
import { isInside, realRoot, resolveInRoot, toDisplay } from './paths.js';
import { defineTool, ToolError } from './types.js';
import { plural } from '../../util/text.js';
import { isIgnored, walkFiles, type WalkStats } from './walk.js';

export const MAX_LISTED = 500;

export const listFilesSchema = z.object({
  pattern: z
    .string()
    .min(1)
    .describe('Glob relative to the project root, e.g. "src/**/*.ts", "**/*.{js,json}", "*.md" (root only), or a folder name.'),
});

export const listFilesTool = defineTool({
  name: 'list_files',
  kind: 'read',
  signature: '{pattern}',
  description:
    'List project files matching a glob pattern, sorted. `*` and `?` stay within one folder, `**` spans folders, `{a,b}` and `[abc]` work. ' +
    `Files ignored by .gitignore, and .git/ and node_modules/, are left out. At most ${MAX_LISTED} paths are shown.`,
  schema: listFilesSchema,
  async run(input, ctx) {
    const pattern = await normalisePattern(ctx.root, input.pattern);
    const prefix = staticPrefix(pattern);
    const start = await resolveInRoot(ctx.root, prefix === '' ? '.' : prefix);
    try {
      if (!(await stat(start.abs)).isDirectory()) return noMatch(input.pattern);
    } catch {
      return noMatch(input.pattern);
    }
    if (prefix !== '' && (await isIgnored(resolve(ctx.root), start.rel, true))) {
      return {
        content: `${start.rel} is ignored (by .gitignore, or it is .git or node_modules, which are always skipped), so list_files does not look inside it. Use run_command (e.g. ls) if you really need to.`,
        isError: false,
        summary: `listed ${input.pattern} (ignored folder)`,
      };
    }
    const matcher = globToRegExp(pattern);
    const stats: WalkStats = { visited: 0, truncated: false };
    const rootReal = await realRoot(ctx.root);
    const found: string[] = [];
    for await (const file of walkFiles({ root: resolve(ctx.root), rootReal, start: start.abs, signal: ctx.signal, stats })) {
      if (matcher.test(file.rel)) found.push(file.rel);
    }
    if (found.length === 0) return noMatch(input.pattern, stats.truncated);
    found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const shown = found.slice(0, MAX_LISTED);
    const notes: string[] = [];
    if (found.length > shown.length) {
      notes.push(`[${found.length - shown.length} more files not shown (${found.length} in all). Use a narrower pattern.]`);
    }
    if (stats.truncated) notes.push(`[The scan stopped after ${stats.visited} entries; some matches may be missing.]`);
    return {
      content: [...shown, ...notes].join('\n'),
      isError: false,
      summary: `listed ${input.pattern} (${plural(found.length, 'file')})`,
    };
  },
});

/**
 * Makes the pattern root-relative: an absolute pattern inside the project is accepted, `..` never
 * is, and a plain folder name means everything under it.
 */
async function normalisePattern(root: string, raw: string): Promise<string> {
  let pattern = raw;
  if (isAbsolute(pattern)) {
    const rootAbs = resolve(root);
    const rootReal = await realRoot(root);
    const base = isInside(rootAbs, pattern) ? rootAbs : isInside(rootReal, pattern) ? rootReal : undefined;
    if (base === undefined) {
      throw new ToolError(`Refused: ${raw} is outside the project folder. Patterns are relative to the project root.`, `refused ${raw} (outside the project)`);
    }
    pattern = toDisplay(relative(base, pattern));
  }
  pattern = pattern.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  if (pattern.split('/').includes('..')) {
    throw new ToolError(`Refused: ${raw} reaches outside the project folder ("..").`, `refused ${raw} (outside the project)`);
  }
  if (pattern === '' || pattern === '.') return '**';
  if (!hasGlobChars(pattern)) {
    try {
      if ((await stat(resolve(root, pattern))).isDirectory()) return `${pattern}/**`;
    } catch {
      // Not a folder: match it as a file path.
    }
  }
  return pattern;
}

function noMatch(pattern: string, truncated = false): { content: string; isError: boolean; summary: string } {
  const hints = [`No files match ${pattern}.`];
  if (!pattern.includes('/') && !pattern.startsWith('**')) {
    hints.push(`Patterns match from the project root; use **/${pattern} to look in every folder.`);
  }
  if (truncated) hints.push('The scan stopped early in a very large tree; try a pattern that starts with a folder.');
  return { content: hints.join(' '), isError: false, summary: `listed ${pattern} (no files)` };
}
