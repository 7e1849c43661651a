/**
 * A worktree's change against its base for review: what the branch did since it left the base,
 * uncommitted work included (through a snapshot commit, see snapshot.ts), as a file list with +/-
 * counts and renames, and as a plain unified diff (no colour codes: the UI colours hunks itself).
 *
 * The text is bounded: past `maxBytes` it is cut at a line end and `truncated` says so; the file
 * list is always complete. Output never depends on the person's diff settings (colour, external
 * diff drivers, textconv, prefixes).
 */
import { git, splitNul } from './git.js';
import { mergeBase } from './repo.js';
import { snapshot } from './snapshot.js';
import type { Worktree } from './types.js';

export type FileChangeKind = 'added' | 'modified' | 'deleted' | 'renamed' | 'copied' | 'type-changed';

export interface FileChange {
  path: string;
  /** The path before a rename or copy. */
  from?: string;
  kind: FileChangeKind;
  /** Lines added / removed; undefined for a binary file. */
  added?: number;
  removed?: number;
  binary: boolean;
}

export interface WorktreeDiff {
  /** The commit the change is measured from (where the branch left its base). */
  from: string;
  /** The snapshot commit (the branch tip when nothing is uncommitted). */
  to: string;
  /** Whether uncommitted work is part of it. */
  includesUncommitted: boolean;
  files: FileChange[];
  /** Unified diff text, no colour. */
  text: string;
  /** The text was cut at `maxBytes`: `files` still lists every file. */
  truncated: boolean;
}

export const DEFAULT_DIFF_BYTES = 1024 * 1024;

/** Flags that make git's diff output the same whatever the person's configuration says. */
const PLAIN = ['--no-color', '--no-ext-diff', '--no-textconv', '--src-prefix=a/', '--dst-prefix=b/', '-M'];

const KINDS: Record<string, FileChangeKind> = { A: 'added', M: 'modified', D: 'deleted', R: 'renamed', C: 'copied', T: 'type-changed' };

export async function diff(wt: Worktree, opts: { maxBytes?: number } = {}): Promise<WorktreeDiff> {
  const snap = await snapshot(wt.path);
  const from = (await mergeBase(wt.path, snap.commit, `refs/heads/${wt.base}`)) ?? snap.head;
  const range = [from, snap.commit];
  const [names, counts, text] = await Promise.all([
    git(wt.path, ['diff', ...PLAIN, '--name-status', '-z', ...range]),
    git(wt.path, ['diff', ...PLAIN, '--numstat', '-z', ...range]),
    git(wt.path, ['diff', ...PLAIN, ...range], { maxBytes: opts.maxBytes ?? DEFAULT_DIFF_BYTES, truncate: true }),
  ]);
  const files = parseNameStatus(names.stdout);
  const numbers = parseNumstat(counts.stdout);
  for (const f of files) {
    const n = numbers.get(f.path);
    if (!n) continue;
    f.binary = n.binary;
    if (!n.binary) {
      f.added = n.added;
      f.removed = n.removed;
    }
  }
  let body = text.stdout;
  // Cut at the last complete line, so the UI never colours half a line as something else.
  if (text.truncated) body = body.slice(0, body.lastIndexOf('\n') + 1);
  return { from, to: snap.commit, includesUncommitted: snap.dirty, files, text: body, truncated: text.truncated };
}

/** `--name-status -z`: `M\0path\0`, `R100\0old\0new\0`. */
export function parseNameStatus(out: string): FileChange[] {
  const fields = splitNul(out);
  const files: FileChange[] = [];
  for (let i = 0; i < fields.length; i++) {
    const code = fields[i];
    const kind = KINDS[code[0]] ?? 'modified';
    if (kind === 'renamed' || kind === 'copied') {
      files.push({ path: fields[i + 2], from: fields[i + 1], kind, binary: false });
      i += 2;
    } else {
      files.push({ path: fields[i + 1], kind, binary: false });
      i += 1;
    }
  }
  return files;
}

/** `--numstat -z`: `A\tR\tpath\0`, or for a rename `A\tR\t\0old\0new\0`; binary files have `-`. */
export function parseNumstat(out: string): Map<string, { added: number; removed: number; binary: boolean }> {
  const fields = splitNul(out);
  const map = new Map<string, { added: number; removed: number; binary: boolean }>();
  for (let i = 0; i < fields.length; i++) {
    const [a, r, ...rest] = fields[i].split('\t');
    let path = rest.join('\t');
    if (path === '') {
      path = fields[i + 2];
      i += 2;
    }
    const binary = a === '-' && r === '-';
    map.set(path, { added: binary ? 0 : Number(a), removed: binary ? 0 : Number(r), binary });
  }
  return map;
}
