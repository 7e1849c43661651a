/**
 * The stored shapes, in zod: the one source of the types. Every stream record carries `v` (its
 * schema version) and `t` (ms since the epoch when it was written). Records are loose objects: the
 * listed fields are checked, anything else the caller adds is kept as it is.
 */
import * as z from 'zod';
import { lazy } from '../util/lazy.js';

export const RECORD_VERSION = 1;
export const INDEX_VERSION = 1;

/** Sortable by time at minute precision: 2026-11-27-2201-ab12 (local time, then 4 random chars). */
export const SESSION_ID = /^\d{4}-\d{2}-\d{2}-\d{4}-[a-z0-9]{4}$/;

export type StreamKind = 'events' | 'agent' | 'feed' | 'notes' | 'usage' | 'tasks';

/**
 * The schemas, built on first use: the workspace server opens the store on its way to its first
 * frame (the index is read, a session starts), and each stream's record schema is built at the
 * stream's first record, so a start builds only those of the streams it writes to.
 */
function build() {
  const AgentMetaSchema = z.object({
    name: z.string().min(1).max(100),
    kind: z.enum(['builtin', 'command', 'missing']),
    preset: z.string().optional(),
    command: z.string().optional(),
    args: z.array(z.string()),
    cwd: z.string(),
    model: z.string().optional(),
    /** An external CLI's own conversation id, for its resume flag. */
    resume: z.string().optional(),
    /** Extra environment the pane was started with (secret-looking names are never stored). */
    env: z.record(z.string(), z.string()).optional(),
    /** "worktree": it worked in a git worktree of its own, `worktree` (its name; branch agents/NAME). */
    isolation: z.enum(['shared', 'worktree']).optional(),
    worktree: z.string().optional(),
    /** Its folder's place inside the project, for an agent in a worktree whose cwd was a subfolder. */
    worktreeSub: z.string().optional(),
    /** Opened by an agent (spawn_agent): it counts against maxAgents when the session is resumed. */
    spawned: z.boolean().optional(),
  });

  const SessionSummarySchema = z.object({
    id: z.string().regex(SESSION_ID),
    started: z.number(),
    ended: z.number().optional(),
    layout: z.string(),
    agents: z.array(AgentMetaSchema),
    messages: z.number().int().nonnegative(),
    tokens: z.number().nonnegative(),
    cost: z.number().nonnegative(),
    firstInstruction: z.string().optional(),
    /** Notes posted and change-feed entries recorded (absent in sessions stored before they were counted). */
    notes: z.number().int().nonnegative().optional(),
    changes: z.number().int().nonnegative().optional(),
    /** Task-board records (a task created or moved). */
    tasks: z.number().int().nonnegative().optional(),
  });

  const IndexSchema = z.object({
    version: z.literal(INDEX_VERSION),
    project: z.string(),
    sessions: z.array(SessionSummarySchema),
  });
  return {
    AgentMetaSchema,
    AgentMetaListSchema: z.array(AgentMetaSchema),
    SessionSummarySchema,
    /** A change to a summary: any fields but its id. */
    SummaryPatchSchema: SessionSummarySchema.omit({ id: true }).partial(),
    IndexSchema,
  };
}
type Schemas = ReturnType<typeof build>;
export const storeSchemas = lazy(build);

/** The fields every record has: its schema version and when it was written. */
const base = lazy(() => ({ v: z.literal(RECORD_VERSION), t: z.number() }));

const RECORD_SCHEMAS: Record<StreamKind, () => z.ZodType<Record<string, unknown>>> = {
  events: lazy(() => z.looseObject({ ...base(), type: z.string().min(1) })),
  agent: lazy(() => {
    const ContentSchema = z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]);
    return z.discriminatedUnion('kind', [
      /** One Messages API message: user text, assistant text and tool calls, tool results. */
      z.looseObject({ ...base(), kind: z.literal('message'), message: z.looseObject({ role: z.enum(['user', 'assistant']), content: ContentSchema }) }),
      /** A compaction summary that stands for the messages before it on resume. */
      z.looseObject({ ...base(), kind: z.literal('compaction'), summary: z.string() }),
      z.looseObject({ ...base(), kind: z.literal('interruption') }),
      /** Model changes and other agent settings. */
      z.looseObject({ ...base(), kind: z.literal('state') }),
    ]);
  }),
  feed: lazy(() => z.looseObject({ ...base(), path: z.string(), kind: z.string() })),
  notes: lazy(() => z.looseObject({ ...base(), author: z.string(), text: z.string() })),
  usage: lazy(() =>
    z.looseObject({
      ...base(),
      agent: z.string(),
      inputTokens: z.number().nonnegative(),
      outputTokens: z.number().nonnegative(),
      cost: z.number().nonnegative().optional(),
      model: z.string().optional(),
    }),
  ),
  /** A task of the board as it stood after a change (the newest record of an id is the task). */
  tasks: lazy(() => z.looseObject({ ...base(), task: z.looseObject({ id: z.string(), state: z.string() }) })),
};

/** The schema of a stream's records. */
export const recordSchema = (kind: StreamKind): z.ZodType<Record<string, unknown>> => RECORD_SCHEMAS[kind]();

export type AgentMeta = z.infer<Schemas['AgentMetaSchema']>;
export type SessionSummary = z.infer<Schemas['SessionSummarySchema']>;
export type IndexData = z.infer<Schemas['IndexSchema']>;

export type StoredRecord = Record<string, unknown> & { v: number; t: number };
