/**
 * What the review dialog (prefix+v) and a refused merge show, as lines with a tone the chrome colours
 * by theme token. Pure. Every line came from git (file names, file contents): each is shown through
 * `printable`, tabs expanded first, so a diff cannot move the cursor or retitle the terminal.
 */
import type { WorktreeDiff, FileChange } from '../worktree/diff.js';
import type { Worktree } from '../worktree/types.js';
import { printable } from '../util/safe-text.js';
import { plural } from '../util/text.js';
import { wrap } from './help.js';

export type ReviewTone = 'head' | 'file' | 'add' | 'del' | 'hunk' | 'meta' | 'text' | 'muted' | 'warn';

export interface ReviewLine {
  text: string;
  tone: ReviewTone;
}

const TAB = 4;

/** Escaped, tabs to spaces (to the next multiple of TAB of what is shown): a line as the dialog may draw it. */
export function shownLine(line: string): string {
  const [first, ...rest] = line.split('\t');
  let out = printable(first);
  for (const part of rest) out += ' '.repeat(TAB - (out.length % TAB)) + printable(part);
  return out;
}

const KIND_MARK: Record<FileChange['kind'], string> = { added: 'A', modified: 'M', deleted: 'D', renamed: 'R', copied: 'C', 'type-changed': 'T' };

function fileLine(f: FileChange, width: number): ReviewLine {
  const name = f.from !== undefined ? `${f.from} → ${f.path}` : f.path;
  const counts = f.binary ? 'binary' : `+${f.added ?? 0} -${f.removed ?? 0}`;
  return { text: `${KIND_MARK[f.kind]} ${shownLine(name).padEnd(Math.max(1, width))}  ${counts}`, tone: 'file' };
}

/** The change of a worktree against its base: a summary, the files with +/- counts, then the diff. */
export function reviewLines(d: WorktreeDiff, wt: Worktree): ReviewLine[] {
  const added = d.files.reduce((n, f) => n + (f.added ?? 0), 0);
  const removed = d.files.reduce((n, f) => n + (f.removed ?? 0), 0);
  const head: ReviewLine[] = [
    {
      text: `${shownLine(wt.branch)} against ${shownLine(wt.base)}: ${plural(d.files.length, 'file')}, +${added} -${removed}${d.includesUncommitted ? ' (uncommitted work included)' : ''}`,
      tone: 'head',
    },
    { text: shownLine(wt.path), tone: 'muted' },
  ];
  if (d.files.length === 0) return [...head, { text: '', tone: 'text' }, { text: `No change: ${shownLine(wt.branch)} holds nothing that ${shownLine(wt.base)} does not.`, tone: 'text' }];
  const width = Math.min(60, Math.max(...d.files.map((f) => (f.from !== undefined ? f.from.length + 3 : 0) + f.path.length)));
  const lines: ReviewLine[] = [...head, { text: '', tone: 'text' }, ...d.files.map((f) => fileLine(f, width)), { text: '', tone: 'text' }];
  for (const raw of d.text.split('\n')) lines.push({ text: shownLine(raw), tone: toneOf(raw) });
  if (lines.at(-1)?.text === '') lines.pop();
  if (d.truncated) lines.push({ text: `… the diff is longer than shown (${plural(d.files.length, 'file')} listed above); see it whole with git diff in ${shownLine(wt.path)}`, tone: 'warn' });
  return lines;
}

/** A unified diff line's tone: file headers, hunk headers, additions, removals, context. */
function toneOf(line: string): ReviewTone {
  if (line.startsWith('diff --git ') || line.startsWith('+++ ') || line.startsWith('--- ')) return 'meta';
  if (line.startsWith('@@')) return 'hunk';
  if (line.startsWith('+')) return 'add';
  if (line.startsWith('-')) return 'del';
  if (/^(index |new file mode|deleted file mode|similarity index|rename (from|to) |old mode|new mode|Binary files)/.test(line)) return 'meta';
  return 'text';
}

/** A refusal (a merge that would conflict, a dirty tree) in the dialog: its words, then the files. */
export function refusalLines(message: string, files: readonly string[], width: number): ReviewLine[] {
  const lines: ReviewLine[] = wrap(shownLine(message), Math.max(20, width)).map((text) => ({ text, tone: 'warn' as const }));
  if (files.length === 0) return lines;
  return [...lines, { text: '', tone: 'text' }, ...files.map((f) => ({ text: `  ${shownLine(f)}`, tone: 'file' as const }))];
}
