/**
 * The five tools the workspace offers external agent CLIs over MCP, written for a model to read:
 * plain-text results that stand on their own, with the same data as structuredContent.
 *
 * Invariants: a caller's cursors only move forward, so omitting `since` never shows a change or a
 * note twice and an explicit `since` (a look back) never loses the caller's place; every refusal is
 * a tool error result (isError) naming the fix, never a thrown protocol error.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';
import { lazy } from '../util/lazy.js';
import type { BoardRequest } from '../tasks/requests.js';
import { registerBoardTools } from './board-tools.js';
import { MAX_NOTE_CHARS } from '../context/notes.js';
import { log } from '../util/log.js';
import { plural } from '../util/text.js';

export interface McpAgentInfo {
  name: string;
  preset: string;
  status: 'busy' | 'waiting' | 'idle' | 'exited' | 'starting';
  /** The status is a guess from output timing, not reported by the agent or read by a rule from its screen. */
  guessed: boolean;
  focused: boolean;
}
export interface McpChange {
  id: number;
  time: number;
  who: string;
  kind: string;
  path: string;
  size?: string;
}
export interface McpNote {
  id: number;
  time: number;
  author: string;
  text: string;
}
export interface McpHost {
  /** Changes with id > since, oldest first, at most `limit`; `next` is the id to pass next time. */
  changes(since: number, limit: number): { changes: McpChange[]; next: number; more: boolean };
  /** Notes for `reader` (public ones and those addressed to it) after `since`. */
  notes(since: number, reader: string): McpNote[];
  postNote(author: string, text: string): McpNote;
  agents(): McpAgentInfo[];
  /** A task-board request from agent `by` (create_task, complete_task, ask_human...). */
  board(by: string, request: BoardRequest): Promise<{ ok: boolean; text: string }>;
  /** Deliver `text` to agent `to` as a new instruction from `from`; resolves with what happened. */
  sendMessage(from: string, to: string, text: string): Promise<{ ok: boolean; detail: string }>;
  /**
   * An event from `agent`'s CLI hooks (POST /hook?cli=NAME, src/hooks): the JSON answer for the CLI.
   * Throws a HookInputError for input that is not a hook event. Absent: hooks are not served (404).
   */
  hook?(agent: string, cli: string | null, body: unknown): object;
}

/** Who is calling (from the bearer token) and where they left off; lives as long as the server. */
export interface Caller {
  name: string;
  cursors: { changes: number; notes: number };
}

export const DEFAULT_CHANGES = 50;
export const MAX_CHANGES = 200;
export const MAX_MESSAGE_CHARS = 4000;

const hhmmss = (t: number) => new Date(t).toTimeString().slice(0, 8);
const notBlank = (s: string) => s.trim().length > 0;

const ok = (text: string, structuredContent?: Record<string, unknown>): CallToolResult => ({
  content: [{ type: 'text', text }],
  ...(structuredContent ? { structuredContent } : {}),
});
const refuse = (text: string): CallToolResult => ({ content: [{ type: 'text', text }], isError: true });

/**
 * The tools' input schemas, built on first use: the workspace server loads this module (with the MCP
 * server) on its way to its first frame, and an external CLI opens its first MCP session later.
 */
function build() {
  // Strict objects: a model that misnames an argument ("message" for "text") gets told so instead of
  // having it silently dropped.
  const ReadChangesInput = z.strictObject({
    since: z.number().int().min(0).optional().describe('A change id; only later changes are returned. Omit to continue where you last read.'),
    limit: z.number().int().min(1).max(MAX_CHANGES).optional().describe(`How many changes at most (default ${DEFAULT_CHANGES}, max ${MAX_CHANGES}).`),
  });
  const ReadNotesInput = z.strictObject({
    since: z.number().int().min(0).optional().describe('A note id; only later notes are returned. Omit to continue where you last read.'),
  });
  const PostNoteInput = z.strictObject({
    text: z.string().min(1).max(MAX_NOTE_CHARS).refine(notBlank, 'text must not be blank').describe('The note, in a sentence or two.'),
  });
  const SendMessageInput = z.strictObject({
    to: z.string().min(1).describe('The name of the agent, as list_agents shows it.'),
    text: z.string().min(1).max(MAX_MESSAGE_CHARS).refine(notBlank, 'text must not be blank').describe('What you ask the agent to do, self-contained.'),
  });
  return { ReadChangesInput, ReadNotesInput, PostNoteInput, SendMessageInput };
}
const inputs = lazy(build);

export function registerTools(server: McpServer, host: McpHost, caller: Caller): void {
  const { ReadChangesInput, ReadNotesInput, PostNoteInput, SendMessageInput } = inputs();
  server.registerTool(
    'read_changes',
    {
      title: 'Read file changes',
      description:
        'List file changes in the project made by anyone (other agents, the person, outside tools), oldest first: time, who, ' +
        'kind, path and size. Without `since` you get only what you have not read yet; pass `since` to look back from a ' +
        'change id. The result ends with the `next` id and whether more changes are waiting (call again to get them).',
      inputSchema: ReadChangesInput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ since, limit }) => {
      const from = since ?? caller.cursors.changes;
      const r = host.changes(from, limit ?? DEFAULT_CHANGES);
      caller.cursors.changes = Math.max(caller.cursors.changes, r.next);
      const lines = r.changes.map((c) => `#${c.id} ${hhmmss(c.time)}  ${c.who}  ${c.kind}  ${c.path}${c.size ? `  (${c.size})` : ''}`);
      const head = r.changes.length ? `${plural(r.changes.length, 'change')} after #${from}:` : `No changes after #${from}.`;
      const tail = `next: ${r.next}; more waiting: ${r.more ? 'yes, call read_changes again' : 'no'}.`;
      return ok([head, ...lines, tail].join('\n'), { changes: r.changes, next: r.next, more: r.more });
    },
  );

  server.registerTool(
    'read_notes',
    {
      title: 'Read notes',
      description:
        'Read the workspace notes board: short notes posted by the other agents and by the person at the keyboard (who ' +
        'is taking what, decisions, warnings). Without `since` you get only notes you have not read yet.',
      inputSchema: ReadNotesInput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ since }) => {
      const from = since ?? caller.cursors.notes;
      const notes = host.notes(from, caller.name);
      const next = notes.length ? notes[notes.length - 1].id : from;
      caller.cursors.notes = Math.max(caller.cursors.notes, next);
      const by = (a: string) => (a === caller.name ? `${a} (you)` : a);
      const lines = notes.map((n) => `#${n.id} ${hhmmss(n.time)}  ${by(n.author)}: ${n.text}`);
      const head = notes.length ? `${plural(notes.length, 'note')} after #${from}:` : `No notes after #${from}.`;
      return ok([head, ...lines].join('\n'), { notes, next });
    },
  );

  server.registerTool(
    'post_note',
    {
      title: 'Post a note',
      description:
        'Post a short note on the workspace notes board, read by the person and the other agents on this project, e.g. ' +
        '"I am refactoring src/db; please do not edit it" or "the API now returns 404 for missing users". Signed with your name.',
      inputSchema: PostNoteInput,
      annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
    },
    ({ text }) => {
      const note = host.postNote(caller.name, text);
      return ok(`Posted note #${note.id} as ${caller.name}.`, { note });
    },
  );

  server.registerTool(
    'list_agents',
    {
      title: 'List agents',
      description:
        'List the agents in this workspace: name, preset (which CLI or model), status (busy, waiting for input, idle, ' +
        'exited, starting), which one the person is looking at, and which one is you.',
      inputSchema: z.strictObject({}),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    () => {
      const agents = host.agents();
      const lines = agents.map((a) => {
        const marks = [a.name === caller.name && 'you', a.focused && 'focused by the person'].filter(Boolean);
        const status = a.guessed ? `${a.status} (a guess from its output)` : a.status;
        return `- ${a.name}: preset ${a.preset}, ${status}${marks.length ? `; ${marks.join(', ')}` : ''}`;
      });
      const you = agents.some((a) => a.name === caller.name) ? '' : `\nYou are ${caller.name}.`;
      return ok([`${plural(agents.length, 'agent')}:`, ...lines].join('\n') + you, {
        agents: agents.map((a) => ({ ...a, you: a.name === caller.name })),
      });
    },
  );

  server.registerTool(
    'send_message',
    {
      title: 'Send a message to an agent',
      description:
        'Ask another agent in this workspace to do something: `text` reaches it as a new instruction from you. Use it to ' +
        'hand off work or ask a question; use post_note for things everyone should know. Names come from list_agents.',
      inputSchema: SendMessageInput,
      annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
    },
    async ({ to, text }) => {
      const others = host.agents().map((a) => a.name).filter((n) => n !== caller.name);
      const known = others.length ? `Agents you can message: ${others.join(', ')}.` : 'There are no other agents in this workspace.';
      if (to === caller.name) return refuse(`You are ${caller.name}; send_message goes to another agent. ${known}`);
      if (!others.includes(to)) return refuse(`No agent named "${to}". ${known}`);
      try {
        const r = await host.sendMessage(caller.name, to, text);
        return r.ok ? ok(`Sent to ${to}: ${r.detail}`, { ok: true, detail: r.detail }) : refuse(`Not sent to ${to}: ${r.detail}`);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        log(`mcp: send_message from ${caller.name} to ${to} failed: ${why}`);
        return refuse(`Not sent to ${to}: ${why}`);
      }
    },
  );
  registerBoardTools(server, host, caller);
}
