/**
 * The workspace <-> built-in agent protocol: one JSON object per line over a private unix socket,
 * every line validated on arrival. Agents report; the workspace commands. The first line of a
 * connection is the agent's hello with its pane's token; the workspace answers `welcome` and from
 * then on every line of that connection speaks for that pane, and only that pane.
 */
import * as z from 'zod';
import { lazy } from '../util/lazy.js';
import { hitSchemas } from '../store/hit.js';
import { conversationSchemas } from '../store/conversation.js';
import { boardRequestSchema } from '../tasks/requests.js';

/**
 * The schemas, built on first use (a connection's first line): the workspace server loads this module
 * with its IPC server on its way to its first frame, where building ~60 schemas cost a few ms, and a
 * workspace without built-in agents never needs them.
 */
function build() {
  const { ConversationSchema } = conversationSchemas();
  const { HitSchema } = hitSchemas();
  const AgentStatusSchema = z.enum(['idle', 'thinking', 'tool', 'approval', 'error']);

  const UsageReportSchema = z.object({
    input: z.number(),
    output: z.number(),
    cacheRead: z.number(),
    cacheWrite: z.number(),
    cost: z.number(),
    priced: z.boolean(),
    context: z.number(),
    contextWindow: z.number(),
  });

  const NoteSchema = z.object({ id: z.number().int(), time: z.number(), author: z.string(), text: z.string() });

  const AgentMessageSchema = z.discriminatedUnion('t', [
    /** The pane is the one `token` was issued for: a connection cannot choose it. */
    z.object({ t: z.literal('hello'), token: z.string(), name: z.string(), model: z.string(), pid: z.number().int() }),
    z.object({ t: z.literal('status'), status: AgentStatusSchema, detail: z.string().optional() }),
    z.object({ t: z.literal('usage'), usage: UsageReportSchema }),
    z.object({ t: z.literal('wrote'), path: z.string(), hash: z.string() }),
    z.object({ t: z.literal('turn'), reason: z.enum(['done', 'interrupted', 'error']) }),
    /** The context block up to this feed id went out in a request: never send those entries again. */
    z.object({ t: z.literal('delivered'), upTo: z.number().int() }),
    z.object({ t: z.literal('read'), path: z.string() }),
    z.object({ t: z.literal('note'), text: z.string().min(1).max(4000) }),
    z.object({ t: z.literal('read_notes'), id: z.number().int(), since: z.number().int().optional() }),
    /** The conversation changed (session memory): replace from `start` on with `messages`. */
    z.object({ t: z.literal('history'), start: z.number().int().min(0), messages: ConversationSchema, reset: z.boolean().optional() }),
    z.object({ t: z.literal('search'), id: z.number().int(), query: z.string().min(1).max(500), limit: z.number().int().min(1).max(50) }),
    /** A task-board tool call (create_task, complete_task, ask_human...); answered by `board_reply` with the same id. */
    z.object({ t: z.literal('board'), id: z.number().int(), request: boardRequestSchema() }),
    /** A tool call ended in an error (the workspace counts the same error repeated in one turn). */
    z.object({ t: z.literal('tool_error'), tool: z.string().max(100), summary: z.string().max(500) }),
    /** The person answered the agent's pending ask_human (request `id`) in its own pane instead of on the board. */
    z.object({ t: z.literal('answered'), id: z.number().int(), text: z.string().max(4000) }),
  ]);

  const WorkspaceMessageSchema = z.discriminatedUnion('t', [
    /** The hello was accepted: this connection now speaks for its pane. */
    z.object({ t: z.literal('welcome') }),
    z.object({ t: z.literal('interrupt') }),
    z.object({ t: z.literal('redirect'), text: z.string() }),
    /** What changed since this agent's last turn; replaces any earlier undelivered block. */
    z.object({ t: z.literal('context'), text: z.string(), upTo: z.number().int().optional() }),
    /** Another party changed a file: the agent's edit tools warn when it edits it without re-reading. */
    z.object({ t: z.literal('touched'), path: z.string(), by: z.string(), time: z.number() }),
    z.object({ t: z.literal('conflict'), path: z.string(), with: z.string() }),
    z.object({ t: z.literal('notes'), id: z.number().int(), notes: z.array(NoteSchema) }),
    /** A conversation from session memory, sent once on hello when the session is resumed. */
    z.object({ t: z.literal('restore'), messages: ConversationSchema, totals: z.record(z.string(), z.number()).optional() }),
    /** Hits of a memory search; `available` false without a store. */
    z.object({ t: z.literal('search_results'), id: z.number().int(), hits: z.array(HitSchema), available: z.boolean() }),
    z.object({ t: z.literal('board_reply'), id: z.number().int(), ok: z.boolean(), text: z.string() }),
    /** Paths other tasks claim now: the agent's write tools refuse them (globs, with the owner and task). */
    z.object({ t: z.literal('claims'), claims: z.array(z.object({ glob: z.string(), owner: z.string(), task: z.string() })) }),
  ]);
  return { AgentStatusSchema, UsageReportSchema, NoteSchema, AgentMessageSchema, WorkspaceMessageSchema };
}
type Schemas = ReturnType<typeof build>;
export const ipcSchemas = lazy(build);

export type AgentStatusName = z.infer<Schemas['AgentStatusSchema']>;
export type UsageReport = z.infer<Schemas['UsageReportSchema']>;
export type NoteData = z.infer<Schemas['NoteSchema']>;
export type AgentMessage = z.infer<Schemas['AgentMessageSchema']>;
export type WorkspaceMessage = z.infer<Schemas['WorkspaceMessageSchema']>;


/** Longest first line: a hello is under 1 KB; anything longer before one is not an agent. */
export const MAX_HELLO_LINE = 4 * 1024;
/**
 * Longest line after the hello. The big ones are whole conversations (`restore`, and `history` after
 * a compaction or on resume): the agent compacts at 80% of its context window, at most 800k tokens
 * today, about 3 MB of JSON at the ~4 characters per token the agent itself estimates with. 32 MB
 * leaves room for text that tokenizes densely and for one more turn before compaction.
 */
export const MAX_LINE = 32 * 1024 * 1024;

export const encode = (m: AgentMessage | WorkspaceMessage): string => JSON.stringify(m) + '\n';
