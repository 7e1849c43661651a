/**
 * The conversation as the API sees it, and the rules that keep it valid and cache-friendly.
 *
 * Invariants:
 * - history alternates user / assistant and starts with a user message;
 * - a message is never edited once it was sent, except by compaction (which says so), so each
 *   request's prefix is byte-identical to the previous request's;
 * - cache breakpoints are added to the request copy only, never stored in history;
 * - after an interrupt, the rules the API enforces hold (FIELD-NOTES): finished text is kept, a
 *   half-streamed tool_use is dropped, a finished tool_use that did not run gets an error result.
 */
import type Anthropic from '@anthropic-ai/sdk';

export type Msg = Anthropic.MessageParam;
export type Block = Anthropic.ContentBlockParam;

export const INTERRUPTED = 'interrupted by the user';

export function userText(text: string): Msg {
  return { role: 'user', content: [{ type: 'text', text }] };
}

/**
 * Appends a user turn. When the history already ends with a user message that was never sent
 * (tool results waiting after an interrupt), the new blocks join it instead: the API wants turns to
 * alternate, and an unsent message cannot break the cached prefix.
 */
export function appendUser(history: Msg[], blocks: Block[]): void {
  const last = history[history.length - 1];
  if (last && last.role === 'user') {
    const content = typeof last.content === 'string' ? [{ type: 'text' as const, text: last.content }] : last.content;
    last.content = [...content, ...blocks];
    return;
  }
  history.push({ role: 'user', content: blocks });
}

/** The request's copy of the history with one cache breakpoint on the newest block. */
export function withCacheBreakpoint(history: Msg[]): Msg[] {
  if (history.length === 0) return history;
  const out = history.slice();
  const last = out[out.length - 1];
  const content: Block[] = typeof last.content === 'string' ? [{ type: 'text', text: last.content }] : last.content.slice();
  const i = content.length - 1;
  content[i] = { ...content[i], cache_control: { type: 'ephemeral' } } as Block;
  out[out.length - 1] = { ...last, content } as Msg;
  return out;
}

export interface PartialResponse {
  /** Blocks whose content_block_stop arrived, in order. */
  finished: Anthropic.ContentBlock[];
  /** Text of a text block still streaming when the turn stopped. */
  partialText?: string;
}

/**
 * What goes into history when a response was cut short: the assistant message (or undefined when
 * nothing usable arrived) and error results for finished tool calls that will not run.
 */
export function settleInterrupted(p: PartialResponse): { assistant?: Msg; toolResults: Block[] } {
  const content: Block[] = [];
  for (const b of p.finished) {
    if (b.type === 'text') {
      if (b.text) content.push({ type: 'text', text: b.text });
    } else if (b.type === 'tool_use') {
      content.push({ type: 'tool_use', id: b.id, name: b.name, input: b.input });
    }
  }
  if (p.partialText) content.push({ type: 'text', text: `${p.partialText}\n\n[${INTERRUPTED}]` });
  else if (content.length && content[content.length - 1].type === 'text') content.push({ type: 'text', text: `[${INTERRUPTED}]` });
  const toolResults: Block[] = content
    .filter((b): b is Anthropic.ToolUseBlockParam => b.type === 'tool_use')
    .map((b) => ({ type: 'tool_result', tool_use_id: b.id, content: INTERRUPTED, is_error: true }));
  return { assistant: content.length ? { role: 'assistant', content } : undefined, toolResults };
}

/** Rough token estimate (about 4 characters a token) for deciding when to compact. */
export function estimateTokens(value: unknown): number {
  return Math.ceil(JSON.stringify(value).length / 4);
}
