/**
 * The notes board as tools for the built-in agent: post_note and read_notes go to the workspace,
 * which keeps the board and shows it to the person and to the other agents.
 */
import { z } from 'zod';
import type { NoteData } from '../ipc/protocol.js';
import { errorResult, type ToolDef, type ToolResult } from './tools/types.js';

export interface NotesPort {
  post(text: string): boolean;
  read(since?: number): Promise<NoteData[] | undefined>;
}

const postSchema = z.strictObject({ text: z.string().min(1).max(4000) });
const readSchema = z.strictObject({ since: z.number().int().min(0).optional() });

function schemaJson(s: z.ZodType): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s) as Record<string, unknown>;
  return rest;
}

function badInput(tool: string, error: z.ZodError): ToolResult {
  const lines = error.issues.map((i) => `- ${i.path.join('.') || '(input)'}: ${i.message}`);
  return errorResult(`Invalid input for ${tool}:\n${lines.join('\n')}`, `${tool}: bad input`);
}

export function notesTools(port: NotesPort): ToolDef[] {
  return [
    {
      name: 'post_note',
      description:
        'Post a short note on the workspace notes board, read by the person and the other agents working on this project ' +
        '(e.g. "I am refactoring src/db; please do not edit it", "the API now returns 404 for missing users").',
      kind: 'read',
      inputSchema: postSchema,
      jsonSchema: schemaJson(postSchema),
      async run(input) {
        const parsed = postSchema.safeParse(input);
        if (!parsed.success) return badInput('post_note', parsed.error);
        if (!port.post(parsed.data.text)) return errorResult('The notes board is not available (this agent runs outside a workspace).', 'post_note: no board');
        return { content: 'Posted.', isError: false, summary: `posted a note (${parsed.data.text.length} chars)` };
      },
    },
    {
      name: 'read_notes',
      description: 'Read the workspace notes board: notes from the person and other agents. `since` is a note id; only newer notes are returned.',
      kind: 'read',
      inputSchema: readSchema,
      jsonSchema: schemaJson(readSchema),
      async run(input) {
        const parsed = readSchema.safeParse(input);
        if (!parsed.success) return badInput('read_notes', parsed.error);
        const notes = await port.read(parsed.data.since);
        if (!notes) return errorResult('The notes board is not available (this agent runs outside a workspace).', 'read_notes: no board');
        const text = notes.length
          ? notes.map((n) => `#${n.id} ${new Date(n.time).toISOString().slice(11, 19)} ${n.author}: ${n.text}`).join('\n')
          : 'No notes' + (parsed.data.since !== undefined ? ` after #${parsed.data.since}.` : ' yet.');
        return { content: text, isError: false, summary: `read ${notes.length} note${notes.length === 1 ? '' : 's'}` };
      },
    },
  ];
}

const searchSchema = z.strictObject({ query: z.string().min(1).max(500) });

/** search_memory: full-text search over this project's earlier sessions, answered by the workspace. */
export function searchMemoryTool(search: (query: string) => Promise<{ text: string; count: number } | undefined>): ToolDef {
  return {
    name: 'search_memory',
    description:
      "Search this project's session memory: earlier conversations of every agent, notes and file changes, across " +
      'sessions. Use it to find what was decided or done before. Quote a phrase to match it exactly.',
    kind: 'read',
    inputSchema: searchSchema,
    jsonSchema: schemaJson(searchSchema),
    async run(input) {
      const parsed = searchSchema.safeParse(input);
      if (!parsed.success) return badInput('search_memory', parsed.error);
      const r = await search(parsed.data.query);
      if (!r) return errorResult('Session memory is not available (this agent runs outside a workspace, or the store is in use).', 'search_memory: unavailable');
      return { content: r.text, isError: false, summary: `searched memory for "${parsed.data.query}" (${r.count} hits)` };
    },
  };
}
