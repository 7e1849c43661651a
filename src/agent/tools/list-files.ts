/** list_files: files matching a glob, as git would see the project (ignore files respected). */
import { isAbsolute, relative, resolve } from 'node:path';
import * as z from 'zod';
import { globToRegExp, hasGlobChars, staticPrefix } from '../../util/glob.js';
import { Project, type Found } from './confined.js';
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
    const project = await Project.open(ctx.root);
    try {
      return await list(project, ctx.root, input.pattern, ctx.signal);
    } finally {
      await project.close();
    }
  },
});

async function list(project: Project, root: string, raw: string, signal: AbortSignal) {
  const pattern = await normalisePattern(project, root, raw);
  const prefix = staticPrefix(pattern);
  const start = await resolveInRoot(root, prefix === '' ? '.' : prefix);
  const found = await findQuietly(project, start.rel);
  if (found?.kind !== 'dir') return noMatch(raw);
  if (prefix !== '' && (await isIgnored(project, start.rel, true))) {
    return {
      content: `${start.rel} is ignored (by .gitignore, or it is .git or node_modules, which are always skipped), so list_files does not look inside it. Use run_command (e.g. ls) if you really need to.`,
      isError: false,
      summary: `listed ${raw} (ignored folder)`,
    };
  }
  let matcher;
  try {
    matcher = globToRegExp(pattern);
  } catch (err) {
    const why = (err instanceof Error ? err.message : String(err)).replace(/^error parsing regexp: /, '');
    throw new ToolError(`Invalid glob pattern ${raw}: ${why}. Put a backslash before * ? [ ] { } to match them literally.`, `list_files: invalid pattern`);
  }
  const stats: WalkStats = { visited: 0, truncated: false };
  const files: string[] = [];
  for await (const file of walkFiles({ project, start: found.dir, shownAs: start.rel === '.' ? '' : start.rel, signal, stats })) {
    if (matcher.test(file.rel)) files.push(file.rel);
  }
  if (files.length === 0) return noMatch(raw, stats.truncated);
  files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const shown = files.slice(0, MAX_LISTED);
  const notes: string[] = [];
  if (files.length > shown.length) {
    notes.push(`[${files.length - shown.length} more files not shown (${files.length} in all). Use a narrower pattern.]`);
  }
  if (stats.truncated) notes.push(`[The scan stopped after ${stats.visited} entries; some matches may be missing.]`);
  return {
    content: [...shown, ...notes].join('\n'),
    isError: false,
    summary: `listed ${raw} (${plural(files.length, 'file')})`,
  };
}

/** What `rel` is, or undefined when it does not exist (a link outside is still refused). */
async function findQuietly(project: Project, rel: string): Promise<Found | undefined> {
  try {
    return await project.find(rel, 'read', rel);
  } catch (err) {
    if (err instanceof ToolError) throw err;
    return undefined;
  }
}

/**
 * Makes the pattern root-relative: an absolute pattern inside the project is accepted, `..` never
 * is, and a plain folder name means everything under it.
 */
async function normalisePattern(project: Project, root: string, raw: string): Promise<string> {
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
  if (!hasGlobChars(pattern) && (await findQuietly(project, pattern).catch(() => undefined))?.kind === 'dir') return `${pattern}/**`;
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
