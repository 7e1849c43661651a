/** read_file: numbered lines of a text file, a window at a time. */
import * as z from 'zod';
import { Project } from './confined.js';
import { resolveInRoot } from './paths.js';
import { numberLines, openTextFile, splitLines } from './text.js';
import { defineTool, ToolError } from './types.js';
import { plural } from '../../util/text.js';

export const DEFAULT_READ_LINES = 2000;
/** About 12k tokens: enough for most source files, small enough to keep the context usable. */
export const MAX_READ_CHARS = 50_000;

export const readFileSchema = z.object({
  path: z.string().min(1).describe('File path, relative to the project root.'),
  offset: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('Line number to start at (1 = first line; 0 is treated as 1).'),
  limit: z.number().int().min(1).optional().describe(`Most lines to return (default ${DEFAULT_READ_LINES}).`),
});

export const readFileTool = defineTool({
  name: 'read_file',
  kind: 'read',
  signature: '{path, offset?, limit?}',
  description:
    'Read a text file from the project. Each output line starts with its line number and a tab; that prefix is not part of the file (leave it out of edit_file old_text). ' +
    `Returns up to ${DEFAULT_READ_LINES} lines or ${MAX_READ_CHARS} characters; for longer files the output ends with the offset to continue from. Binary files, and anything that is not a regular file (pipes, devices), are refused.`,
  schema: readFileSchema,
  async run(input, ctx) {
    const { rel } = await resolveInRoot(ctx.root, input.path);
    const project = await Project.open(ctx.root);
    let text: string;
    try {
      ({ text } = await openTextFile(project, rel, 'read', 'read'));
    } finally {
      await project.close();
    }
    const lines = splitLines(text);
    const total = lines.length;
    if (total === 0) return { content: `${rel} is empty.`, isError: false, summary: `read ${rel} (empty)` };

    const first = Math.max(1, input.offset ?? 1);
    if (first > total) {
      throw new ToolError(`${rel} has ${plural(total, 'line')}; offset ${first} is past the end.`, `read ${rel}: offset past end`);
    }
    const wanted = lines.slice(first - 1, first - 1 + (input.limit ?? DEFAULT_READ_LINES));
    const out: string[] = [];
    let used = 0;
    for (const line of numberLines(wanted, first)) {
      // Always show at least one line, so a continuation offset can make progress.
      if (out.length > 0 && used + line.length + 1 > MAX_READ_CHARS) break;
      out.push(line);
      used += line.length + 1;
    }
    const last = first + out.length - 1;
    const partial = first > 1 || last < total;
    if (last < total) {
      const why = out.length < wanted.length ? `output capped at ${MAX_READ_CHARS} characters` : 'line limit reached';
      out.push(`[${why}: showed lines ${first}-${last} of ${total}. To read further, call read_file with offset: ${last + 1}.]`);
    }
    const summary = partial ? `read ${rel} (lines ${first}-${last} of ${total})` : `read ${rel} (${plural(total, 'line')})`;
    return { content: out.join('\n'), isError: false, summary };
  },
});
