/**
 * search_memory: the built-in agent's way into earlier sessions of this project, over the same index
 * as `agents search`. The caller supplies the search (the store owns the index); this file only
 * checks the input and writes the hits compactly for the model.
 */
import * as z from 'zod';
import { defineTool, type ToolDef } from './types.js';
import { plural } from '../../util/text.js';
import { isoDay, isoMinute, kindLabel, quoteQuery } from '../../store/search-format.js';
import type { Hit } from '../../store/search.js';

export const SEARCH_MEMORY_DEFAULT = 8;
export const SEARCH_MEMORY_MAX = 20;

export const searchMemorySchema = z.object({
  query: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(500)
    .describe('Words to look for. Put an exact phrase in double quotes, e.g. "rate limit" retries.'),
  limit: z
    .number()
    .int()
    .min(1)
    .max(SEARCH_MEMORY_MAX)
    .optional()
    .describe(`Most results to return (default ${SEARCH_MEMORY_DEFAULT}).`),
});

export function searchMemoryTool(search: (query: string, limit: number) => Promise<Hit[]>): ToolDef {
  return defineTool({
    name: 'search_memory',
    kind: 'read',
    signature: '{query, limit?}',
    description:
      'Search the messages, notes, tool calls and file changes of earlier sessions in this project (all agents), ' +
      'to find what was decided, tried or explained before. Ranked full-text search: words also match by prefix and ' +
      'small typos; put an exact phrase in double quotes. Returns the best matches, newest sessions first among equals, ' +
      'each with its session, date, agent and a snippet.',
    schema: searchMemorySchema,
    async run(input) {
      const limit = input.limit ?? SEARCH_MEMORY_DEFAULT;
      const hits = (await search(input.query, limit)).slice(0, limit);
      const label = `search_memory ${quoteQuery(clip(input.query, 40))}`;
      if (hits.length === 0) {
        return {
          content: `Nothing in earlier sessions matched ${quoteQuery(input.query)}. Try fewer or more general words, or drop the quotes around a phrase.`,
          isError: false,
          summary: `${label}: no matches`,
        };
      }
      const lines = [`${plural(hits.length, 'match', 'matches')} for ${quoteQuery(input.query)}, best first:`];
      hits.forEach((hit, i) => {
        const r = hit.record;
        lines.push(
          `[${i + 1}] ${isoMinute(r.time)} · session ${r.sessionId} (started ${isoDay(r.sessionStarted)}) · ${r.agent ?? (r.role === 'user' ? 'user' : 'unknown agent')} · ${kindLabel(r)}`,
          `    ${hit.snippet}`,
        );
      });
      return { content: lines.join('\n'), isError: false, summary: `${label}: ${plural(hits.length, 'match', 'matches')}` };
    },
  });
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
