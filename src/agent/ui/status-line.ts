/**
 * The agent pane's status line, laid out for a width: the state word always shows; the other parts
 * are kept in order of importance while they fit and dropped from the least important up, so a
 * narrow pane loses the cache share and token counts first, never the state. Pure: spans in, spans
 * out; the component only draws them.
 */
import type { TokenName } from '../../config/theme.js';
import type { Totals } from '../agent-types.js';
import { formatCost, formatTokens } from '../prices.js';
import type { Span } from './markdown.js';
import type { ChatView } from './chat-store.js';

export interface StatusInput {
  view: Pick<ChatView, 'status' | 'statusDetail' | 'totals' | 'context' | 'busy'>;
  name: string;
  model: string;
  contextWindow: number;
  /** The offline demo: its model and costs are made up, and say so. */
  simulated?: boolean;
}

const STATE: Record<ChatView['status'], { word: string; token: TokenName }> = {
  idle: { word: 'idle', token: 'status.idle' },
  thinking: { word: 'thinking', token: 'status.busy' },
  tool: { word: 'running', token: 'status.busy' },
  approval: { word: 'needs approval', token: 'status.waiting' },
  error: { word: 'error', token: 'text.error' },
};

const SEP = ' · ';
const SIMULATED = ' (simulated)';
/** A tool's detail is worth showing only with this many columns of it. */
const MIN_DETAIL = 8;

interface Part {
  text: string;
  token: TokenName;
}

/** Prompt tokens read from the cache, as a share of all prompt tokens. */
function cacheShare(t: Totals): number | undefined {
  const prompt = t.input + t.cacheRead + t.cacheWrite;
  return prompt > 0 && t.cacheRead > 0 ? Math.round((t.cacheRead / prompt) * 100) : undefined;
}

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

export function statusLine(s: StatusInput, width: number): Span[] {
  const t = s.view.totals;
  const sim = s.simulated ? SIMULATED : '';
  const state = STATE[s.view.status];
  const pct = s.contextWindow ? Math.round((s.view.context / s.contextWindow) * 100) : 0;
  const tokens = t ? t.input + t.output + t.cacheRead + t.cacheWrite : 0;
  const cost = t ? (t.priced ? formatCost(t.cost) : `${formatCost(t.cost)}+?`) : '$0';
  const cache = t ? cacheShare(t) : undefined;
  const muted = 'text.muted' as const;
  // Display order; `rank` is the order of importance (lower is kept longer).
  const parts: Array<Part & { rank: number }> = [
    { text: s.name, token: muted, rank: 5 },
    { text: `${s.model}${sim}`, token: muted, rank: 4 },
    { text: `ctx ${pct}%`, token: muted, rank: 3 },
    { text: `${formatTokens(tokens)} tok`, token: muted, rank: 7 },
    ...(cache === undefined ? [] : [{ text: `cache ${cache}%`, token: muted, rank: 8 }]),
    { text: `${cost}${sim}`, token: muted, rank: 1 },
    ...(s.view.busy ? [{ text: 'esc interrupts', token: muted, rank: 2 }] : []),
  ];
  let used = state.word.length;
  const kept = new Set<(typeof parts)[number]>();
  // Strictly by importance: once a part does not fit, nothing less important is shown either.
  for (const p of [...parts].sort((a, b) => a.rank - b.rank)) {
    if (used + SEP.length + p.text.length > width) break;
    kept.add(p);
    used += SEP.length + p.text.length;
  }
  // What a tool is doing goes right after its state word, in the room the other parts left.
  const detail = s.view.status === 'tool' && s.view.statusDetail ? s.view.statusDetail : '';
  const room = width - used - 1;
  const detailText = detail && room >= Math.min(MIN_DETAIL, detail.length) ? ` ${clip(detail, room)}` : '';
  const out: Span[] = [{ text: state.word, token: state.token }];
  if (detailText) out.push({ text: detailText, token: state.token });
  for (const p of parts) if (kept.has(p)) out.push({ text: SEP, token: muted }, { text: p.text, token: p.token });
  return out;
}
