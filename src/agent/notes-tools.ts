/**
 * The notes board as tools for the built-in agent: post_note and read_notes go to the workspace,
 * which keeps the board and shows it to the person and to the other agents.
 */
import * as z from 'zod';
import type { NoteData } from '../ipc/protocol.js';
import { defineTool, ToolError, type ToolDef } from './tools/types.js';
import { plural } from '../util/text.js';

export interface NotesPort {
  post(text: string): boolean;
  read(since?: number): Promise<NoteData[] | undefined>;
}

const NO_BOARD = 'The notes board is not available (this agent runs outside a workspace).';

export function notesTools(port: NotesPort): ToolDef[] {
  return [
    defineTool({
      name: 'post_note',
      kind: 'read',
      signature: '{text}',
      description:
        'Post a short note on the workspace notes board, read by the person and the other agents working on this project ' +
        '(e.g. "I am refactoring src/db; please do not edit it", "the API now returns 404 for missing users").',
      schema: z.strictObject({ text: z.string().min(1).max(4000) }),
      async run({ text }) {
        if (!port.post(text)) throw new ToolError(NO_BOARD, 'post_note: no board');
        return { content: 'Posted.', isError: false, summary: `posted a note (${text.length} chars)` };
      },
    }),
    defineTool({
      name: 'read_notes',
      kind: 'read',
      signature: '{since?}',
      description: 'Read the workspace notes board: notes from the person and other agents. `since` is a note id; only newer notes are returned.',
      schema: z.strictObject({ since: z.number().int().min(0).optional() }),
      async run({ since }) {
        const notes = await port.read(since);
        if (!notes) throw new ToolError(NO_BOARD, 'read_notes: no board');
        const text = notes.length
          ? notes.map((n) => `#${n.id} ${new Date(n.time).toISOString().slice(11, 19)} ${n.author}: ${n.text}`).join('\n')
          : `No notes${since !== undefined ? ` after #${since}.` : ' yet.'}`;
        return { content: text, isError: false, summary: `read ${plural(notes.length, 'note')}` };
      },
    }),
  ];
}
