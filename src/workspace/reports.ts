/**
 * What an external CLI tells about itself, where it has a way to: Claude Code runs a status-line
 * command with its session's cost, tokens and context as JSON on every update; for its panes that
 * command only copies the JSON to a file of the pane's own (see presets.ts), read here after the
 * pane's output — the status line changes when the screen does — and only when the file changed.
 *
 * The figures are the CLI's own (Claude Code prices at list price on the client side).
 */
import { readFileSync, statSync } from 'node:fs';
import type { UsageReport } from '../ipc/protocol.js';

/** The fields of Claude Code's status-line JSON this reads; anything else is ignored. */
interface StatusLineJson {
  cost?: { total_cost_usd?: unknown };
  context_window?: {
    total_input_tokens?: unknown;
    total_output_tokens?: unknown;
    context_window_size?: unknown;
    current_usage?: Record<string, unknown> | null;
  };
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);

/** Usage from Claude Code's status-line JSON; undefined when it is not that shape. */
export function usageFromStatusLine(raw: string): UsageReport | undefined {
  let j: StatusLineJson;
  try {
    j = JSON.parse(raw) as StatusLineJson;
  } catch {
    return undefined;
  }
  if (!j || typeof j !== 'object' || !j.cost || typeof j.cost.total_cost_usd !== 'number') return undefined;
  const cw = j.context_window ?? {};
  const current = cw.current_usage ?? {};
  return {
    // Session totals as it counts them (input includes cache reads and writes).
    input: num(cw.total_input_tokens),
    output: num(cw.total_output_tokens),
    cacheRead: 0,
    cacheWrite: 0,
    cost: num(j.cost.total_cost_usd),
    priced: true,
    context: num(current.input_tokens) + num(current.cache_read_input_tokens) + num(current.cache_creation_input_tokens),
    contextWindow: num(cw.context_window_size),
  };
}

/** Reads a report file when its modification time moved; a missing or half-written file reads as nothing new. */
export class ReportFile {
  private seen = 0;

  constructor(readonly path: string) {}

  poll(): UsageReport | undefined {
    let mtime: number;
    try {
      mtime = statSync(this.path).mtimeMs;
    } catch {
      return undefined;
    }
    if (mtime === this.seen) return undefined;
    this.seen = mtime;
    try {
      return usageFromStatusLine(readFileSync(this.path, 'utf8'));
    } catch {
      return undefined;
    }
  }
}
