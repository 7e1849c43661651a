/**
 * Token prices from the dated table in data/prices.json, and the cost of one response's usage.
 * Unknown models cost "unknown" rather than a guess: the UI shows tokens without a price.
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod';

const PriceSchema = z.object({
  /** The model's full name, for lists of known models; `match` is what finds its price. */
  id: z.string().optional(),
  match: z.string(),
  input: z.number(),
  cacheWrite5m: z.number(),
  cacheWrite1h: z.number(),
  cacheRead: z.number(),
  output: z.number(),
  longContext: z.object({ aboveInputTokens: z.number(), multiplier: z.number() }).optional(),
});
const TableSchema = z.object({ asOf: z.string(), models: z.array(PriceSchema) });
export type Price = z.infer<typeof PriceSchema>;
export type PriceTable = z.infer<typeof TableSchema>;

export interface UsageCounts {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation?: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number } | null;
}

let table: PriceTable | undefined;

export function priceTable(): PriceTable {
  table ??= TableSchema.parse(JSON.parse(readFileSync(new URL('../../data/prices.json', import.meta.url), 'utf8')));
  return table;
}

/** The longest `match` contained in the model id wins, so "sonnet-5-5" beats "sonnet-5". */
export function priceFor(model: string, t: PriceTable = priceTable()): Price | undefined {
  let best: Price | undefined;
  for (const p of t.models) if (model.includes(p.match) && (!best || p.match.length > best.match.length)) best = p;
  return best;
}

/** The models the table has a price for, by name. */
export function pricedModels(t: PriceTable = priceTable()): string[] {
  return t.models.map((p) => p.id ?? p.match);
}

/** Dollars for one response, or undefined when the model has no known price. */
export function costOf(model: string, u: UsageCounts, t?: PriceTable): number | undefined {
  const p = priceFor(model, t);
  if (!p) return undefined;
  const read = u.cache_read_input_tokens ?? 0;
  const created = u.cache_creation_input_tokens ?? 0;
  // The total is authoritative (message_delta updates it; the 5m/1h split comes with message_start):
  // the 1-hour share from the split, the rest at the 5-minute price.
  const w1h = Math.min(created, u.cache_creation?.ephemeral_1h_input_tokens ?? 0);
  const w5m = created - w1h;
  const prompt = u.input_tokens + read + created;
  // Some models price every token of a long request at a multiple (FIELD-NOTES: Haiku 5.5 above 100k).
  const k = p.longContext && prompt > p.longContext.aboveInputTokens ? p.longContext.multiplier : 1;
  const micro = u.input_tokens * p.input + w5m * p.cacheWrite5m + w1h * p.cacheWrite1h + read * p.cacheRead + u.output_tokens * p.output;
  return (micro * k) / 1_000_000;
}

export { formatCost, formatTokens } from '../util/format.js';
