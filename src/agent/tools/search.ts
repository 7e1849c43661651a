/**
 * search: a regular expression over the project's text files, line by line.
 *
 * Patterns run on RE2 (re2js, a pure-JavaScript port of Go's regexp): matching takes time linear in
 * the text whatever the pattern, so a pattern like `^(a+)+$` cannot pin a core (with JavaScript's
 * backtracking RegExp it took 1.6 s on 25 characters, doubling with each one more), and a search
 * stops between files when interrupted. The syntax is RE2's, as in ripgrep and Go: no lookaround
 * and no backreferences. Measured on 25 MB of source in 4,479 files: 1.3-3x the time of
 * JavaScript's RegExp for common patterns, about 15x for (?i), i.e. 50-600 ms in all.
 */
import type { RE2JS } from 're2js';
import { re2 } from '../../util/re2.js';
import * as z from 'zod';
import { Project, type Found, type OpenedFile } from './confined.js';
import { resolveInRoot } from './paths.js';
import { looksBinary, readCapped } from './text.js';
import { defineTool, ToolError } from './types.js';
import { plural } from '../../util/text.js';
import { isIgnored, walkFiles, type WalkFile, type WalkStats } from './walk.js';

export const MAX_SEARCH_MATCHES = 200;
export const MAX_SEARCH_CHARS = 30_000;
const MAX_SHOWN_LINE = 300;
/** Bigger files are generated or data, rarely what a code search wants, and slow to scan. */
const MAX_SEARCHED_BYTES = 2 * 1024 * 1024;

export const searchSchema = z.object({
  pattern: z
    .string()
    .min(1)
    .describe('Regular expression in RE2 syntax (as in ripgrep), matched against each line. Start with (?i) to ignore case.'),
  path: z.string().min(1).optional().describe('File or folder to search, relative to the project root (default: the whole project).'),
});

export const searchTool = defineTool({
  name: 'search',
  kind: 'read',
  signature: '{pattern, path?}',
  description:
    'Search text files for a regular expression (RE2 syntax, as in ripgrep: no lookaround or backreferences; one line at a time; start the pattern with (?i) to ignore case). ' +
    `Prints matching lines as file:line: text. Respects .gitignore and skips .git/, node_modules/, binary files and files over 2 MB. At most ${MAX_SEARCH_MATCHES} matches are shown.`,
  schema: searchSchema,
  async run(input, ctx) {
    const matcher = compile(input.pattern);
    const label = `/${clip(input.pattern, 40)}/`;
    const target = await resolveInRoot(ctx.root, input.path ?? '.');
    const project = await Project.open(ctx.root);
    try {
      let found: Found;
      try {
        found = await project.find(target.rel, 'read', target.rel);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
        throw new ToolError(`${target.rel} does not exist. Use list_files to find the right path.`, `search ${label}: ${target.rel} not found`);
      }
      const stats: WalkStats = { visited: 0, truncated: false };
      let files: AsyncIterable<WalkFile> | WalkFile[];
      if (found.kind === 'dir') {
        if (target.rel !== '.' && (await isIgnored(project, target.rel, true))) {
          return {
            content: `${target.rel} is ignored (by .gitignore, or it is .git or node_modules), so search does not look inside it. Use run_command with grep if you really need to.`,
            isError: false,
            summary: `search ${label}: ignored folder`,
          };
        }
        files = walkFiles({ project, start: found.dir, shownAs: target.rel === '.' ? '' : target.rel, signal: ctx.signal, stats });
      } else if (found.kind === 'file') {
        const { file } = found;
        files = [{ rel: target.rel, open: () => Promise.resolve(file) }];
      } else {
        files = [];
      }
      return await scan(files, matcher, label, target.rel, stats, ctx.signal);
    } finally {
      await project.close();
    }
  },
});

async function scan(
  files: AsyncIterable<WalkFile> | WalkFile[],
  matcher: Matcher,
  label: string,
  targetRel: string,
  stats: WalkStats,
  signal: AbortSignal,
) {
  const out: string[] = [];
  let chars = 0;
  let matches = 0;
  let matchedFiles = 0;
  let skipped = 0;
  for await (const file of files) {
    if (signal.aborted) throw new ToolError('Interrupted by the user.', `search ${label}: interrupted`);
    const opened = await file.open();
    const text = opened && (await readText(opened));
    if (text === undefined) {
      skipped++;
      continue;
    }
    let inFile = 0;
    for (const [i, line] of matchingLines(text, matcher)) {
      inFile++;
      matches++;
      const entry = `${file.rel}:${i + 1}: ${clip(line.trim(), MAX_SHOWN_LINE)}`;
      if (out.length < MAX_SEARCH_MATCHES && chars + entry.length <= MAX_SEARCH_CHARS) {
        out.push(entry);
        chars += entry.length + 1;
      }
    }
    if (inFile > 0) matchedFiles++;
  }

  const where = targetRel === '.' ? 'the project' : targetRel;
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
}

interface Matcher {
  line: RE2JS;
  /**
   * The same pattern with ^ and $ at line breaks, run over the whole file to find candidate lines:
   * most files and lines have no match, and one pass over the file is 2-6x faster than a call per
   * line. Any match in a line is also a match in the file, so it never hides one (a candidate is
   * still checked on its own line). It is left out for \A, \z and flag groups that turn
   * multi-line mode off, which anchor to the whole text.
   */
  whole?: RE2JS;
}

/** [index, text] of each line of `all` that matches (a final newline does not start another line). */
function* matchingLines(all: string, matcher: Matcher): Generator<[number, string]> {
  if (all === '') return;
  const text = all.endsWith('\n') ? all.slice(0, -1) : all;
  if (!matcher.whole) {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) if (matcher.line.test(lines[i])) yield [i, lines[i]];
    return;
  }
  const m = matcher.whole.matcher(text);
  let pos = 0;
  let lineNo = 0;
  let counted = 0;
  while (pos <= text.length && m.find(pos)) {
    const start = m.start();
    const lineStart = start === 0 ? 0 : text.lastIndexOf('\n', start - 1) + 1;
    let lineEnd = text.indexOf('\n', start);
    if (lineEnd === -1) lineEnd = text.length;
    for (let at = text.indexOf('\n', counted); at !== -1 && at < lineStart; at = text.indexOf('\n', at + 1)) lineNo++;
    counted = lineStart;
    const line = text.slice(lineStart, lineEnd);
    if (matcher.line.test(line)) yield [lineNo, line];
    pos = lineEnd + 1;
  }
}

function compile(pattern: string): Matcher {
  try {
    const RE2 = re2();
    const line = RE2.compile(pattern);
    const whole = /\\[Az]|\(\?[^)]*m/.test(pattern) ? undefined : RE2.compile(pattern, RE2.MULTILINE);
    return { line, whole };
  } catch (err) {
    const why = (err instanceof Error ? err.message : String(err)).replace(/^error parsing regexp: /, '');
    const hint = /\(\?[=!<]|\\[1-9]/.test(pattern)
      ? ' Lookahead, lookbehind and backreferences are not supported (RE2 syntax, as in ripgrep): match the text itself, or search twice.'
      : ' Put a backslash before ( ) [ ] { } . * + ? | ^ $ to match them literally.';
    throw new ToolError(`Invalid regular expression: ${why}.${hint}`, 'search: invalid regex');
  }
}

/** The file as lines joined by \n (a \r before each \n dropped), or undefined to skip it. */
async function readText(file: OpenedFile): Promise<string | undefined> {
  try {
    if (file.stat.size > MAX_SEARCHED_BYTES) return undefined;
    const buf = await readCapped(file, MAX_SEARCHED_BYTES);
    if (looksBinary(buf)) return undefined;
    const text = buf.toString('utf8');
    return text.includes('\r') ? text.replace(/\r(?=\n|$)/g, '') : text;
  } catch {
    return undefined;
  }
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
