/**
 * The workspace <-> built-in agent protocol: one JSON object per line over a private unix socket,
 * every line validated on arrival. Agents report; the workspace commands.
 */
import { z } from 'zod';

export const AgentStatusSchema = z.enum(['idle', 'thinking', 'tool', 'approval', 'error']);
export type AgentStatusName = z.infer<typeof AgentStatusSchema>;

export const UsageReportSchema = z.object({
  input: z.number(),
  output: z.number(),
  cacheRead: z.number(),
  cacheWrite: z.number(),
  cost: z.number(),
  priced: z.boolean(),
  context: z.number(),
  contextWindow: z.number(),
});
export type UsageReport = z.infer<typeof UsageReportSchema>;

export const NoteSchema = z.object({ id: z.number().int(), time: z.number(), author: z.string(), text: z.string() });
export type NoteData = z.infer<typeof NoteSchema>;

export const AgentMessageSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('hello'), pane: z.number().int(), token: z.string(), name: z.string(), model: z.string(), pid: z.number().int() }),
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
  z.object({ t: z.literal('history'), start: z.number().int().min(0), messages: z.array(z.record(z.string(), z.unknown())), reset: z.boolean().optional() }),
  z.object({ t: z.literal('search'), id: z.number().int(), query: z.string().min(1).max(500), limit: z.number().int().min(1).max(50) }),
]);
export type AgentMessage = z.infer<typeof AgentMessageSchema>;

export const WorkspaceMessageSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('interrupt') }),
  z.object({ t: z.literal('redirect'), text: z.string() }),
  /** What changed since this agent's last turn; replaces any earlier undelivered block. */
  z.object({ t: z.literal('context'), text: z.string(), upTo: z.number().int().optional() }),
  /** Another party changed a file: the agent's edit tools warn when it edits it without re-reading. */
  z.object({ t: z.literal('touched'), path: z.string(), by: z.string(), time: z.number() }),
  z.object({ t: z.literal('conflict'), path: z.string(), with: z.string() }),
  z.object({ t: z.literal('notes'), id: z.number().int(), notes: z.array(NoteSchema) }),
  /** A conversation from session memory, sent once on hello when the session is resumed. */
  z.object({ t: z.literal('restore'), messages: z.array(z.record(z.string(), z.unknown())), totals: z.record(z.string(), z.number()).optional() }),
  /** Hits of a memory search (src/store/search.ts Hit, as plain data); `available` false without a store. */
  z.object({ t: z.literal('search_results'), id: z.number().int(), hits: z.array(z.record(z.string(), z.unknown())), available: z.boolean() }),
]);
export type WorkspaceMessage = z.infer<typeof WorkspaceMessageSchema>;

/** Splits a byte stream into lines and parses each with `schema`; bad lines go to `onBad`. */
export function lineReader<T>(schema: z.ZodType<T>, onMessage: (m: T) => void, onBad: (line: string, why: string) => void): (chunk: Buffer | string) => void {
  let buffered = '';
  return (chunk) => {
    buffered += String(chunk);
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (!line.trim()) continue;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        onBad(line, 'not JSON');
        continue;
      }
      const parsed = schema.safeParse(json);
      if (parsed.success) onMessage(parsed.data);
      else onBad(line, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    }
    // A line with no end this long is not ours: drop it rather than grow without bound.
    if (buffered.length > 1_000_000) {
      onBad(buffered.slice(0, 200), 'line too long');
      buffered = '';
    }
  };
}

export const encode = (m: AgentMessage | WorkspaceMessage): string => JSON.stringify(m) + '\n';
