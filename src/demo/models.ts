// The models the local server lists, shaped like the SDK's ModelInfo (resources/models.ts) so a
// client reading max_input_tokens from models.list() sees what it would see against the real API.
// Figures are plausible, not authoritative: nothing here is a price or a promise.

export interface DemoModelInfo {
  type: 'model';
  id: string;
  display_name: string;
  created_at: string;
  deprecated_at: string | null;
  retires_at: string | null;
  lifecycle: 'active' | 'deprecated' | 'retired';
  line: 'haiku' | 'sonnet' | 'opus' | null;
  max_input_tokens: number | null;
  max_tokens: number | null;
  capabilities: null;
}

const model = (
  id: string,
  display_name: string,
  line: DemoModelInfo['line'],
  created_at: string,
  max_input_tokens: number,
  max_tokens: number,
): DemoModelInfo => ({
  type: 'model',
  id,
  display_name,
  created_at,
  deprecated_at: null,
  retires_at: null,
  lifecycle: 'active',
  line,
  max_input_tokens,
  max_tokens,
  capabilities: null,
});

/** Newest first, as the API lists them. */
export const DEMO_MODELS: readonly DemoModelInfo[] = [
  model('claude-opus-5-5', 'Claude Opus 5.5', 'opus', '2026-09-30T00:00:00Z', 1_000_000, 128_000),
  model('claude-sonnet-5-5', 'Claude Sonnet 5.5', 'sonnet', '2026-09-30T00:00:00Z', 1_000_000, 64_000),
  model('claude-sonnet-5', 'Claude Sonnet 5', 'sonnet', '2026-05-20T00:00:00Z', 1_000_000, 64_000),
  model('claude-haiku-4-5', 'Claude Haiku 4.5', 'haiku', '2025-10-01T00:00:00Z', 200_000, 64_000),
];

/** One page of GET /v1/models, honouring the SDK's cursor parameters. */
export function listModelsPage(
  models: readonly DemoModelInfo[],
  query: URLSearchParams,
): { data: DemoModelInfo[]; has_more: boolean; first_id: string | null; last_id: string | null } {
  const limit = Math.min(Math.max(Number(query.get('limit') ?? 20) || 20, 1), 1000);
  let start = 0;
  let end = models.length;
  const after = query.get('after_id');
  const before = query.get('before_id');
  if (after) start = models.findIndex((m) => m.id === after) + 1;
  if (before) end = Math.max(models.findIndex((m) => m.id === before), 0);
  // With before_id the page is the one right before the cursor, as the API pages backwards.
  const data = before ? models.slice(Math.max(start, end - limit), end) : models.slice(start, Math.min(end, start + limit));
  const has_more = before ? end - limit > start : start + limit < end;
  return { data, has_more, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null };
}
