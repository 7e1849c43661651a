/** search: a JavaScript regular expression over the project's text files, line by line. */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { realRoot, resolveInRoot } from './paths.js';
import { looksBinary } from './text.js';
import { defineTool, ToolError } from './types.js';
import { plural } from '../../util/text.js';
import { isIgnored, walkFiles, type WalkFile, type WalkStats } from './walk.js';

export const MAX_SEARCH_MATCHES = 200;
export const MAX_SEARCH_CHARS = 30_000;
const MAX_SHOWN_LINE = 300;
/** Bigger files are generated or data, rarely what a code search wants, and slow to scan. */
const MAX_SEARCHED_BYTES = 2 * 1024 * 1024;

export const searchSchema = z.object({
  pattern: z.string().min(1).describe('JavaScript regular expression, matched against each line. Start with (?i) to ignore case.'),
  path: z.string().min(1).optional().describe('File or folder to search, relative to the project root (default: the whole project).'),
});

export const searchTool = defineTool({
  name: 'search',
  kind: 'read',
  signature: '{pattern, path?}',
  description:
    'Search text files for a regular expression (JavaScript syntax, one line at a time; start the pattern with (?i) to ignore case). ' +
    `Prints matching lines as file:line: text. Respects .gitignore and skips .git/, node_modules/, binary files and files over 2 MB. At most ${MAX_SEARCH_MATCHES} matches are shown.`,
  schema: searchSchema,
  async run(input, ctx) {
    const regex = compile(input.pattern);
    const label = `/${clip(input.pattern, 40)}/`;
    const target = await resolveInRoot(ctx.root, input.path ?? '.');
    let st;
    try {
      st = await stat(target.abs);
    } catch {
      throw new ToolError(`${target.rel} does not exist. Use list_files to find the right path.`, `search ${label}: ${target.rel} not found`);
    }
    const root = resolve(ctx.root);
    const stats: WalkStats = { visited: 0, truncated: false };
    let files: AsyncIterable<WalkFile> | WalkFile[];
    if (st.isDirectory()) {
      if (target.rel !== '.' && (await isIgnored(root, target.rel, true))) {
        return {
          content: `${target.rel} is ignored (by .gitignore, or it is .git or node_modules), so search does not look inside it. Use run_command with grep if you really need to.`,
          isError: false,
          summary: `search ${label}: ignored folder`,
        };
      }
      files = walkFiles({ root, rootReal: await realRoot(ctx.root), start: target.abs, signal: ctx.signal, stats });
    } else {
      files = [target];
    }

    const out: string[] = [];
    let chars = 0;
    let matches = 0;
    let matchedFiles = 0;
    let skipped = 0;
    for await (const file of files) {
      if (ctx.signal.aborted) throw new ToolError('Interrupted by the user.', `search ${label}: interrupted`);
      const text = await readText(file.abs);
      if (text === undefined) {
        skipped++;
        continue;
      }
      let inFile = 0;
      text.split('\n').forEach((raw, i) => {
        const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
        if (!regex.test(line)) return;
        inFile++;
        matches++;
        const entry = `${file.rel}:${i + 1}: ${clip(line.trim(), MAX_SHOWN_LINE)}`;
        if (out.length < MAX_SEARCH_MATCHES && chars + entry.length <= MAX_SEARCH_CHARS) {
          out.push(entry);
          chars += entry.length + 1;
        }
      });
      if (inFile > 0) matchedFiles++;
    }

    const where = target.rel === '.' ? 'the project' : target.rel;
    const notes: string[] = [];
    if (matches > out.length) notes.push(`[${matches - out.length} more matches not shown (${matches} in all). Narrow the pattern or the path.]`);
    if (skipped > 0) notes.push(`[${plural(skipped, 'file')} skipped: binary or over 2 MB.]`);
    if (stats.truncated) notes.push(`[The scan stopped after ${stats.visited} entries; give a narrower path.]`);
    const content = matches === 0 ? [`No matches for ${label} in ${where}.`, ...notes].join(' ') : [...out, ...notes].join('\n');
    return {
      content,
      isError: false,
      summary: `search ${label} (${plural(matches, 'match', 'matches')} in ${plural(matchedFiles, 'file')})`,
    };
  },
});

function compile(pattern: string): RegExp {
  // (?i) is how ripgrep and PCRE spell "ignore case"; Node 20's RegExp has no inline flags.
  const caseless = pattern.startsWith('(?i)');
  const source = caseless ? pattern.slice(4) : pattern;
  try {
    return new RegExp(source, caseless ? 'i' : '');
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new ToolError(
      `Invalid regular expression: ${why}. The pattern is a JavaScript regular expression; put a backslash before ( ) [ ] { } . * + ? | ^ $ to match them literally.`,
      `search: invalid regex`,
    );
  }
}

async function readText(abs: string): Promise<string | undefined> {
  try {
    if ((await stat(abs)).size > MAX_SEARCHED_BYTES) return undefined;
    const buf = await readFile(abs);
    return looksBinary(buf) ? undefined : buf.toString('utf8');
  } catch {
    return undefined;
  }
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
