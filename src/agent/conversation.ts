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
import * as z from 'zod';

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

/** The result a tool call gets when the conversation was stored before its answer was. */
export const WORKSPACE_STOPPED = 'interrupted: the workspace stopped';

/** A message of the two roles a conversation is made of. */
type Turn = { role: 'user' | 'assistant'; content: string | Block[] };

const textBlock = z.object({ type: z.literal('text'), text: z.string().refine((t) => t.trim() !== '') });
/**
 * The blocks this agent stores: text, tool calls, tool results. A tool call cut off mid-stream has
 * no object input; a text block of blanks is refused by the API.
 */
const storedBlock = z.discriminatedUnion('type', [
  textBlock,
  z.object({ type: z.literal('tool_use'), id: z.string().min(1), name: z.string().min(1), input: z.record(z.string(), z.unknown()) }),
  z.object({
    type: z.literal('tool_result'),
    tool_use_id: z.string().min(1),
    content: z.union([z.string(), z.array(textBlock)]).optional(),
    is_error: z.boolean().optional(),
  }),
]);
const storedMessage = z.object({ role: z.enum(['user', 'assistant']), content: z.union([z.string(), z.array(z.unknown())]) });

/**
 * A stored conversation made acceptable to the API again, the way an interrupt leaves it: the
 * workspace may have been killed between a tool call and its result (the API then refuses every
 * request), or mid-write. Pure: returns a new history and what was changed (empty when nothing was).
 * - messages whose role is not user/assistant, and blocks that are blank or malformed, are dropped;
 * - consecutive messages of one role are merged (the API wants turns to alternate);
 * - a history starting with the assistant gets a placeholder user message first;
 * - every tool call gets a result in the next message, `interrupted: the workspace stopped` when it
 *   has none; results answering no call of the message before are dropped; results come first in
 *   their message, as the API requires;
 * - a final assistant message loses trailing whitespace (the API refuses it there).
 */
export function repairHistory(stored: readonly unknown[]): { history: Msg[]; repairs: string[] } {
  const counts = { dropped: 0, merged: 0, answered: 0, orphaned: 0, placeholder: 0 };
  const sound: Turn[] = [];
  for (const item of stored) {
    const parsed = storedMessage.safeParse(item);
    if (!parsed.success) {
      counts.dropped++;
      continue;
    }
    const m = parsed.data;
    const raw: unknown[] = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content;
    const blocks = raw.flatMap((b): Block[] => {
      const block = storedBlock.safeParse(b);
      return block.success ? [block.data] : [];
    });
    if (blocks.length < raw.length || blocks.length === 0) counts.dropped++;
    // A sound string stays a string: the request's prefix stays byte-identical to the stored one.
    if (blocks.length > 0) sound.push({ role: m.role, content: typeof m.content === 'string' && blocks.length === 1 ? m.content : blocks });
  }
  // Dropping results that answer nothing can leave two turns of one role side by side: merge again.
  const history = merge(pairToolResults(merge(sound, counts), counts), counts);
  if (history[0]?.role === 'assistant') {
    counts.placeholder++;
    history.unshift({ role: 'user', content: [{ type: 'text', text: '[The start of this conversation was lost.]' }] });
  }
  const final = history[history.length - 1];
  if (final?.role === 'assistant' && Array.isArray(final.content)) {
    const tail = final.content[final.content.length - 1];
    if (tail.type === 'text' && tail.text !== tail.text.trimEnd()) final.content[final.content.length - 1] = { ...tail, text: tail.text.trimEnd() };
  } else if (final?.role === 'assistant' && typeof final.content === 'string') {
    final.content = final.content.trimEnd();
  }
  const repairs: string[] = [];
  if (counts.answered) repairs.push(`${counts.answered === 1 ? '1 tool call' : `${counts.answered} tool calls`} without a result marked "${WORKSPACE_STOPPED}"`);
  if (counts.orphaned) repairs.push(`${counts.orphaned === 1 ? '1 tool result' : `${counts.orphaned} tool results`} without their call dropped`);
  if (counts.dropped) repairs.push(`${counts.dropped === 1 ? '1 message' : `${counts.dropped} messages`} with empty or unreadable parts cleaned`);
  if (counts.merged) repairs.push(`${counts.merged === 1 ? '1 message' : `${counts.merged} messages`} merged into the one before (same role)`);
  if (counts.placeholder) repairs.push('a placeholder put before a conversation that started with the assistant');
  return { history, repairs };
}

function merge(turns: Turn[], counts: { merged: number }): Turn[] {
  const out: Turn[] = [];
  for (const t of turns) {
    const last = out[out.length - 1];
    if (last && last.role === t.role) {
      counts.merged++;
      out[out.length - 1] = { role: t.role, content: [...asBlocks(last.content), ...asBlocks(t.content)] };
    } else {
      out.push(t);
    }
  }
  return out;
}

function asBlocks(content: Turn['content']): Block[] {
  return typeof content === 'string' ? [{ type: 'text', text: content }] : content;
}

function pairToolResults(history: Turn[], counts: { answered: number; orphaned: number }): Turn[] {
  const out: Turn[] = [];
  for (let i = 0; i < history.length; i++) {
    const m = history[i];
    if (m.role === 'assistant') {
      out.push(m);
      const calls = asBlocks(m.content).filter((b): b is Anthropic.ToolUseBlockParam => b.type === 'tool_use');
      if (calls.length === 0) continue;
      const next = history[i + 1];
      const given = next ? asBlocks(next.content) : [];
      const results = given.filter((b): b is Anthropic.ToolResultBlockParam => b.type === 'tool_result' && calls.some((c) => c.id === b.tool_use_id));
      const missing = calls.filter((c) => !results.some((r) => r.tool_use_id === c.id));
      counts.answered += missing.length;
      const rest = given.filter((b) => b.type !== 'tool_result');
      counts.orphaned += given.length - rest.length - results.length;
      const filled = missing.map((c): Block => ({ type: 'tool_result', tool_use_id: c.id, content: WORKSPACE_STOPPED, is_error: true }));
      out.push({ role: 'user', content: [...results, ...filled, ...rest] });
      if (next) i++;
      continue;
    }
    const blocks = asBlocks(m.content);
    const kept = blocks.filter((b) => b.type !== 'tool_result');
    counts.orphaned += blocks.length - kept.length;
    if (kept.length === blocks.length) out.push(m);
    else if (kept.length > 0) out.push({ ...m, content: kept });
  }
  return out;
}
