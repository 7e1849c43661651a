/**
 * What session memory's search works on and returns, as data: a record of the project's memory (a
 * message, tool call, note or change) and a hit on one. One schema for the index, the formatter and
 * the agent channel, which carries hits to the built-in agent's search_memory tool.
 */
import * as z from 'zod';
import { lazy } from '../util/lazy.js';

/** The schemas, built on first use (the first search, or an agent channel's first line). */
function build() {
  const MemoryRecordSchema = z.object({
    id: z.string(),
    sessionId: z.string(),
    sessionStarted: z.number(),
    agent: z.string().optional(),
    time: z.number(),
    kind: z.enum(['message', 'tool', 'note', 'change']),
    role: z.enum(['user', 'assistant']).optional(),
    text: z.string(),
  });

  /** Character offsets into a record's text. */
  const PassageSchema = z.object({ start: z.number().int(), end: z.number().int() });

  const HitSchema = z.object({
    record: MemoryRecordSchema,
    score: z.number(),
    /** about 160 characters around the best match, on one line, matches wrapped by the `mark` option */
    snippet: z.string(),
    /** the indexed words that matched (lower case), to highlight a plain snippet later */
    terms: z.array(z.string()),
    /** the matching passage */
    passage: PassageSchema,
  });
  return { MemoryRecordSchema, PassageSchema, HitSchema };
}
type Schemas = ReturnType<typeof build>;
export const hitSchemas = lazy(build);

export type MemoryRecord = z.infer<Schemas['MemoryRecordSchema']>;
export type Passage = z.infer<Schemas['PassageSchema']>;
export type Hit = z.infer<Schemas['HitSchema']>;
