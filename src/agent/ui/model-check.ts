/**
 * `/model NAME`: what is known about a model name before the agent switches to it. With an API key
 * the API's own model list decides (a model it lists is accepted, with a warning when the price
 * table has no price for it); without one, or when the list cannot be had in time, the price table
 * decides. An unknown name is refused with the names that would work, so a typo never silently
 * turns every next request into a 404.
 */
import { priceFor, priceTable, pricedModels, type PriceTable } from '../prices.js';

export interface ListedModel {
  id: string;
  max_input_tokens?: number | null;
}

export type ModelCheck =
  | { ok: true; model: string; message: string; contextWindow?: number }
  /** `known`: the names that would work, and who says so. */
  | { ok: false; message: string; known: string };

export interface CheckOptions {
  /** The API's models (throws when it cannot be asked); absent without an API key. */
  list?: () => Promise<ListedModel[]>;
  table?: PriceTable;
}

export async function checkModel(name: string, o: CheckOptions = {}): Promise<ModelCheck> {
  const table = o.table ?? priceTable();
  const priced = priceFor(name, table) !== undefined;
  const noPrice = `its price is not in the price table (data/prices.json, as of ${table.asOf}), so its cost shows as unknown`;
  let fallback = 'no API key to ask the API which models exist';
  if (o.list) {
    try {
      const models = await o.list();
      const found = models.find((m) => m.id === name);
      if (found) {
        const window = found.max_input_tokens ?? undefined;
        return { ok: true, model: name, message: priced ? `model: ${name}` : `model: ${name} (⚠ ${noPrice})`, contextWindow: window };
      }
      if (models.length > 0) return { ok: false, message: `unknown model ${name}`, known: `the API lists ${models.map((m) => m.id).join(', ')}` };
      fallback = 'the API listed no models';
    } catch (err) {
      fallback = `could not get the API's model list: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
  if (priced) return { ok: true, model: name, message: `model: ${name} (known to the price table; not checked with the API: ${fallback})` };
  return { ok: false, message: `unknown model ${name} (${fallback})`, known: `the price table knows ${pricedModels(table).join(', ')}` };
}
