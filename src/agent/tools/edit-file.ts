/**
 * edit_file: replace an exact piece of text. The text must be unique unless replace_all is set, so
 * an edit lands where the model meant it; when it does not match, the error shows the nearby lines
 * the model most likely meant, so the next attempt can succeed without another read.
 */
import * as z from 'zod';
import { Project } from './confined.js';
import { resolveInRoot } from './paths.js';
import { numberLines, openTextFile, splitLines } from './text.js';
import { defineTool, ToolError, type ToolContext, type ToolResult } from './types.js';
import { landWrite } from './write-file.js';

export const editFileSchema = z.object({
  path: z.string().min(1).describe('File path, relative to the project root.'),
  old_text: z.string().min(1).describe('The exact text to replace, including whitespace; without read_file line numbers.'),
  new_text: z.string().describe('The text to put in its place.'),
  replace_all: z.boolean().optional().describe('Replace every occurrence instead of requiring exactly one.'),
});

export const editFileTool = defineTool({
  name: 'edit_file',
  kind: 'edit',
  signature: '{path, old_text, new_text, replace_all?}',
  description:
    'Replace old_text with new_text in a file. old_text must match the file exactly (whitespace included) and occur exactly once, unless replace_all is true; include a few surrounding lines to make it unique. ' +
    'Read the file first. To create a file or rewrite it whole, use write_file.',
  schema: editFileSchema,
  async run(input, ctx) {
    const { rel } = await resolveInRoot(ctx.root, input.path);
    const project = await Project.open(ctx.root);
    try {
      return await edit(project, rel, input, ctx);
    } finally {
      await project.close();
    }
  },
});

/** Reads and writes back through one open file, so the file edited is the file that was read. */
async function edit(project: Project, rel: string, input: z.output<typeof editFileSchema>, ctx: ToolContext): Promise<ToolResult> {
  const { file, text } = await openTextFile(project, rel, 'edit', 'edit');
  let oldText = input.old_text;
  let newText = input.new_text;
  if (oldText === newText) throw new ToolError('old_text and new_text are the same; there is nothing to change.', `edit ${rel}: no change`);

  let starts = occurrences(text, oldText);
  // read_file shows lines without their \r, so an edit to a CRLF file arrives with bare \n.
  if (starts.length === 0 && text.includes('\r\n') && oldText.includes('\n') && !oldText.includes('\r')) {
    const crlf = oldText.replace(/\n/g, '\r\n');
    if (occurrences(text, crlf).length > 0) {
      oldText = crlf;
      newText = newText.replace(/\r?\n/g, '\r\n');
      starts = occurrences(text, oldText);
    }
  }
  const lines = splitLines(text);
  if (starts.length === 0) throw new ToolError(notFoundMessage(rel, lines, oldText), `edit ${rel}: old_text not found`);
  if (starts.length > 1 && input.replace_all !== true) {
    const at = starts.map((s) => lineOf(text, s));
    const shown = at.slice(0, 3).map((n) => `Near line ${n}:\n${excerpt(lines, n, 1)}`);
    throw new ToolError(
      `old_text occurs ${starts.length} times in ${rel} (lines ${at.join(', ')}); it must occur exactly once. ` +
        `Include more surrounding lines to make it unique, or set replace_all: true to change every occurrence.\n\n${shown.join('\n\n')}`,
      `edit ${rel}: old_text occurs ${starts.length} times`,
    );
  }

  const updated = text.split(oldText).join(newText);
  await landWrite(ctx, file, updated);

  const { added, removed } = lineDelta(oldText, newText);
  const firstLine = lineOf(updated, starts[0]);
  const newLines = splitLines(updated);
  const span = Math.max(1, splitLines(newText).length);
  const what = starts.length === 1 ? '1 occurrence' : `all ${starts.length} occurrences`;
  return {
    content: `Edited ${rel}: replaced ${what}. The changed region now reads:\n${excerpt(newLines, firstLine, span, 30)}`,
    isError: false,
    summary: `edited ${rel} (+${added * starts.length} -${removed * starts.length})`,
  };
}

function occurrences(text: string, needle: string): number[] {
  const found: number[] = [];
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) found.push(i);
  return found;
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** Lines `line`..`line+span-1` with two lines of context either side, numbered like read_file. */
function excerpt(lines: string[], line: number, span: number, maxLines = 12): string {
  const from = Math.max(1, line - 2);
  const to = Math.min(lines.length, line + span - 1 + 2, from + maxLines - 1);
  return numberLines(lines.slice(from - 1, to), from, 300).join('\n');
}

/** Lines added and removed by one replacement, not counting lines both texts share at either end. */
function lineDelta(oldText: string, newText: string): { added: number; removed: number } {
  const a = oldText.split('\n');
  const b = newText.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  return { added: b.length - head - tail, removed: a.length - head - tail };
}

function notFoundMessage(rel: string, lines: string[], oldText: string): string {
  const parts = [`old_text was not found in ${rel} (0 occurrences). It must match the file exactly, including indentation and line breaks.`];
  const wanted = oldText.split('\n').map((l) => l.replace(/\r$/, ''));
  if (wanted.some((l) => /^\s*\d+\t/.test(l))) {
    parts.push('old_text seems to include line numbers from read_file; leave them out.');
  }
  const probe = wanted.map((l) => l.trim()).find((l) => l.length > 0);
  const near: number[] = [];
  if (probe !== undefined) {
    lines.forEach((l, i) => {
      if (near.length < 2 && l.trim() === probe) near.push(i + 1);
    });
    if (near.length === 0) {
      lines.forEach((l, i) => {
        if (near.length < 2 && probe.length >= 4 && l.includes(probe)) near.push(i + 1);
      });
    }
  }
  if (near.length > 0) {
    parts.push(`The first line of old_text appears (ignoring indentation) here; compare carefully:`);
    for (const n of near) parts.push(excerpt(lines, n, wanted.length));
  } else {
    parts.push('No line of the file resembles its first line. Read the file again (read_file) to see its current content.');
  }
  return parts.join('\n\n');
}
