/**
 * Keeping a long conversation inside the context window. First the cheap step: results of old tool
 * calls (usually the bulk: file contents, command output) are replaced by a one-line note. If that
 * is not enough, older turns are summarised by a model call and replaced by the summary; the most
 * recent turns stay verbatim. Either way the history stays valid: alternating roles, every
 * tool_use answered by its tool_result.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { estimateTokens, type Block, type Msg } from './conversation.js';
import type { UsageCounts } from './prices.js';

export const CLEARED = '[tool result cleared to save context]';
/** How the user message that replaces summarised turns begins. */
export const SUMMARY_INTRO = 'Summary of the earlier conversation (older turns were compacted):';
/** Recent messages kept verbatim by both steps. */
const KEEP_RECENT = 6;

export interface CompactionResult {
  history: Msg[];
  before: number;
  after: number;
  clearedResults: number;
  summarised: boolean;
  usage?: UsageCounts;
  reason?: string;
}

export interface CompactOptions {
  client: Anthropic;
  model: string;
  /** Aim for at most this many tokens of history. */
  targetTokens: number;
  summarise: boolean;
  /** Recent messages kept verbatim (default 6). */
  keepRecent?: number;
  /** Aborts the summarising request (an interrupt). */
  signal?: AbortSignal;
}

export async function compactHistory(history: Msg[], o: CompactOptions): Promise<CompactionResult> {
  const keep = o.keepRecent ?? KEEP_RECENT;
  const before = estimateTokens(history);
  const { history: cleared, count } = clearOldToolResults(history, keep);
  let after = estimateTokens(cleared);
  if (after <= o.targetTokens || !o.summarise) return { history: cleared, before, after, clearedResults: count, summarised: false };
  const cut = summaryCut(cleared, keep);
  if (cut <= 0) return { history: cleared, before, after, clearedResults: count, summarised: false };
  const { text, usage } = await summarise(cleared.slice(0, cut), o);
  const summary: Msg = { role: 'user', content: [{ type: 'text', text: `${SUMMARY_INTRO}\n\n${text || '(empty summary)'}` }] };
  // Roles must alternate: before a kept user message the summary needs an assistant reply; before a
  // kept assistant message (a cut inside a long tool loop) the summary is the user turn itself.
  const next: Msg[] =
    cleared[cut].role === 'user'
      ? [summary, { role: 'assistant', content: [{ type: 'text', text: 'Understood. I will continue from that summary.' }] }, ...cleared.slice(cut)]
      : [summary, ...cleared.slice(cut)];
  after = estimateTokens(next);
  return { history: next, before, after, clearedResults: count, summarised: true, usage };
}

/** Replaces tool_result contents older than the last `keep` messages. Returns new message objects. */
export function clearOldToolResults(history: Msg[], keep: number): { history: Msg[]; count: number } {
  let count = 0;
  const limit = history.length - keep;
  const out = history.map((m, i) => {
    if (i >= limit || m.role !== 'user' || typeof m.content === 'string') return m;
    let changed = false;
    const content = m.content.map((b) => {
      if (b.type !== 'tool_result' || b.content === CLEARED) return b;
      changed = true;
      count++;
      return { ...b, content: CLEARED };
    });
    return changed ? ({ ...m, content } as Msg) : m;
  });
  return { history: out, count };
}

/**
 * Index of the first message kept verbatim, keeping at least `keep` messages (0: no cut). Either a
 * plain user message (no tool results, so nothing before it is needed to answer a tool call), or an
 * assistant message: its tool calls are answered by the message after it, so a cut there is valid
 * too, which is what lets one long turn of tool calls be summarised.
 */
export function summaryCut(history: Msg[], keep: number): number {
  for (let i = Math.min(history.length - 1, Math.max(1, history.length - keep)); i > 0; i--) {
    const m = history[i];
    if (m.role === 'assistant' && history[i - 1].role === 'user') return i;
    if (m.role === 'user' && (typeof m.content === 'string' || m.content.every((b) => b.type !== 'tool_result'))) return i;
  }
  return 0;
}

function transcript(history: Msg[]): string {
  const lines: string[] = [];
  for (const m of history) {
    const blocks: Block[] = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content;
    for (const b of blocks) {
      if (b.type === 'text') lines.push(`${m.role}: ${b.text}`);
      else if (b.type === 'tool_use') lines.push(`${m.role} called ${b.name} ${JSON.stringify(b.input).slice(0, 300)}`);
      else if (b.type === 'tool_result') lines.push(`tool result: ${String(typeof b.content === 'string' ? b.content : JSON.stringify(b.content)).slice(0, 500)}`);
    }
  }
  return lines.join('\n');
}

async function summarise(history: Msg[], o: CompactOptions): Promise<{ text: string; usage: UsageCounts }> {
  const res = await o.client.messages.create(
    {
      model: o.model,
      max_tokens: 2000,
      system: 'You compact a coding agent\'s conversation. Write a concise summary that keeps: the task and the person\'s instructions, decisions made, files read or changed (with paths) and why, commands run and their outcomes, open problems and next steps. Plain text, no preamble.',
      messages: [{ role: 'user', content: [{ type: 'text', text: `Summarise this conversation:\n\n${transcript(history)}` }] }],
    },
    { signal: o.signal },
  );
  const text = res.content
    .filter((b): b is Anthropic.TextBlock => b.type === 'text')
    .map((b) => b.text)
    .join('\n');
  return { text, usage: res.usage };
}
