/**
 * The notes board: short messages from the agents (post_note) and the person (the context panel),
 * delivered to the others with the changes.
 *
 * Invariants: ids come from the feed's one sequence, so they interleave with change entries and one
 * cursor per agent covers both; notes are kept in id order; at most `maxNotes` are kept (oldest
 * dropped); a note's text is trimmed and at most `maxChars` long; it holds no secret (a key pasted into
 * a note would reach every agent's API, the session store and context.md) and no control character
 * (shown escaped, so the panel, context.md and every agent read it as text; newlines stay).
 */
import { printable, scrubSecrets } from '../util/safe-text.js';
import type { Note } from './feed-types.js';

export const MAX_NOTE_CHARS = 2000;

export class NoteBoard {
  private list: Note[] = [];

  constructor(private maxNotes = 500) {}

  /** Stores a note under an id the caller allocated; returns undefined for empty text. */
  post(id: number, time: number, author: string, text: string, to?: string): Note | undefined {
    let body = printable(scrubSecrets(text).replace(/\r\n?/g, '\n').replace(/\t/g, ' '), { newlines: true }).trim();
    if (body === '') return undefined;
    if (body.length > MAX_NOTE_CHARS) body = `${body.slice(0, MAX_NOTE_CHARS - 1)}…`;
    const note: Note = to ? { id, time, author, text: body, to } : { id, time, author, text: body };
    this.list.push(note);
    if (this.list.length > this.maxNotes) this.list.splice(0, this.list.length - this.maxNotes);
    return note;
  }

  /** Notes with an id greater than `since` (all kept notes when omitted), oldest first. */
  since(since = 0): Note[] {
    let i = this.list.length;
    while (i > 0 && this.list[i - 1].id > since) i--;
    return this.list.slice(i);
  }

  get latestId(): number {
    return this.list.length === 0 ? 0 : this.list[this.list.length - 1].id;
  }
}
