/**
 * Claude Code's cost and tokens, from the JSON it hands its status-line command. For panes of the
 * workspace that command only saves the JSON to a private file (settings.ts), which status-files.ts
 * reads back after each change. Pure: no I/O.
 *
 * What the JSON holds (2.1.197, its own description of the fields): `cost.total_cost_usd` is the
 * session's cost so far as Claude Code prices it; `context_window.current_usage` is the usage of the
 * latest API call (input, cache writes and reads, output), and `total_input_tokens` is what is in the
 * context window now, not a running total. So the session's tokens are summed here, one API call at
 * a time: a status line repeating the same call's usage (it is redrawn after tool results too) is
 * counted once. A cost that goes down means a new Claude Code session in the pane (a restart): the
 * totals carry on from where the last one left off.
 */
import * as z from 'zod';
import type { UsageReport } from '../ipc/protocol.js';
import { lazy } from '../util/lazy.js';

/** The fields read; anything else in it is ignored. Built at the first status line. */
const statusLineSchema = lazy(() => {
  const count = z.number().finite().nonnegative().catch(0);
  return z.looseObject({
    cost: z.looseObject({ total_cost_usd: z.number().finite().nonnegative() }),
    context_window: z
      .looseObject({
        context_window_size: count,
        current_usage: z
          .looseObject({ input_tokens: count, output_tokens: count, cache_read_input_tokens: count, cache_creation_input_tokens: count })
          .nullable()
          .catch(null),
      })
      .optional()
      .catch(undefined),
  });
});

/** A pane's usage as summed so far, with what is needed to take the next status line. */
export interface ClaudeUsage {
  report: UsageReport;
  /** The latest API call's usage, as counted (a repeat is not counted again). */
  lastCall: string;
  /** Claude Code's own session cost at the last status line, and what earlier sessions in the pane cost. */
  sessionCost: number;
  earlierCost: number;
}

const ZERO: UsageReport = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0, priced: true, context: 0, contextWindow: 0 };

/** The usage after one more status line; undefined when the text is not one (half-written, another shape). */
export function nextUsage(prev: ClaudeUsage | undefined, text: string): ClaudeUsage | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  const r = statusLineSchema().safeParse(raw);
  if (!r.success) return undefined;
  const sessionCost = r.data.cost.total_cost_usd;
  const earlierCost = prev ? (sessionCost < prev.sessionCost ? prev.earlierCost + prev.sessionCost : prev.earlierCost) : 0;
  const call = r.data.context_window?.current_usage ?? undefined;
  const key = call ? `${call.input_tokens}/${call.cache_creation_input_tokens}/${call.cache_read_input_tokens}/${call.output_tokens}` : (prev?.lastCall ?? '');
  const base = prev?.report ?? ZERO;
  const fresh = call !== undefined && key !== prev?.lastCall;
  const report: UsageReport = {
    input: base.input + (fresh ? call.input_tokens : 0),
    output: base.output + (fresh ? call.output_tokens : 0),
    cacheRead: base.cacheRead + (fresh ? call.cache_read_input_tokens : 0),
    cacheWrite: base.cacheWrite + (fresh ? call.cache_creation_input_tokens : 0),
    cost: earlierCost + sessionCost,
    priced: true,
    context: call ? call.input_tokens + call.cache_read_input_tokens + call.cache_creation_input_tokens : base.context,
    contextWindow: r.data.context_window?.context_window_size || base.contextWindow,
  };
  return { report, lastCall: key, sessionCost, earlierCost };
}
