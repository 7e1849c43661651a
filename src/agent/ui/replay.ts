/**
 * A stored conversation turned back into the events a live turn produces, so the pane draws a
 * resumed conversation with the very code that drew it live (chat-store.ts): the person's words
 * without the workspace's context block, the assistant's text as markdown, one line per tool call
 * with the summary its result had, and the "interrupted" marker where a turn was cut short.
 *
 * The history is the API's record and has no place for what the pane showed of a tool result (its
 * one-line summary, e.g. "edited src/a.ts (+3 -1)", which the result's text does not give back). So
 * the copy that goes to session memory carries it in an extra `summary` key on each tool_result
 * block; `forApi` takes it off again before a restored history is used for requests (the API
 * refuses unknown keys).
 */
import { SUMMARY_INTRO } from '../compaction.js';
import { conversationSchemas, type ContentBlock, type ConversationMessage } from '../../store/conversation.js';
import { INTERRUPTED, type Msg } from '../conversation.js';
import { isUpdateBlock } from '../../context/delivery.js';
import type { AgentEvent } from '../agent-types.js';
import { describeCall } from '../tools/index.js';

/** What the pane draws: the agent's events, plus the person's own words (which the agent does not echo). */
export type ChatEvent = AgentEvent | { type: 'user'; text: string; redirect?: boolean } | { type: 'summarised' };

export type StoredMessage = ConversationMessage;
type Block = ContentBlock;

/** Messages from session memory, checked; unreadable ones are skipped rather than breaking the resume. */
export function parseStored(records: readonly unknown[]): StoredMessage[] {
  return records.flatMap((r) => {
    const parsed = conversationSchemas().ConversationMessageSchema.safeParse(r);
    return parsed.success ? [parsed.data] : [];
  });
}

const blocksOf = (m: StoredMessage): Block[] => (typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content);

/** The history as the API takes it: the pane's `summary` notes removed. */
export function forApi(messages: StoredMessage[]): Msg[] {
  return messages.map((m) => ({
    role: m.role,
    content: typeof m.content === 'string' ? m.content : m.content.map((b) => (b.type === 'tool_result' && 'summary' in b ? withoutSummary(b) : b)),
  })) as Msg[];
}

function withoutSummary(b: Block): Block {
  const { summary: _summary, ...rest } = b;
  return rest as Block;
}

/** The history for session memory: each tool result with the line the pane showed for it, when known. */
export function withSummaries(messages: Msg[], shown: ReadonlyMap<string, string>): StoredMessage[] {
  return parseStored(messages).map((m) => {
    if (typeof m.content === 'string' || !m.content.some((b) => b.type === 'tool_result' && shown.has(String(b.tool_use_id)))) return m;
    return { ...m, content: m.content.map((b) => (b.type === 'tool_result' && shown.has(String(b.tool_use_id)) ? { ...b, summary: shown.get(String(b.tool_use_id)) } : b)) };
  });
}

function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((c: { text?: unknown }) => (typeof c?.text === 'string' ? c.text : '')).join('\n');
  return '';
}

const MARK = `[${INTERRUPTED}]`;

/** The events a live pane saw for this history, in order. */
export function historyEvents(messages: StoredMessage[]): ChatEvent[] {
  const out: ChatEvent[] = [];
  const calls = new Map<string, { name: string; input: unknown }>();
  let open = false;
  let interrupted = false;
  const endTurn = () => {
    if (open) out.push({ type: 'turn_end', reason: interrupted ? 'interrupted' : 'done' });
    open = false;
    interrupted = false;
  };
  for (const m of messages) {
    const blocks = blocksOf(m);
    if (m.role === 'assistant') {
      for (const b of blocks) {
        if (b.type === 'tool_use') calls.set(String(b.id), { name: String(b.name), input: b.input });
        if (b.type !== 'text') continue;
        let text = String(b.text);
        // An interrupted answer keeps its text and says so (conversation.ts settleInterrupted).
        if (text === MARK || text.endsWith(`\n\n${MARK}`)) {
          interrupted = true;
          text = text.slice(0, -MARK.length).replace(/\n\n$/, '');
        }
        if (text) out.push({ type: 'text', delta: text }, { type: 'text_end' });
      }
      continue;
    }
    let earlier = false;
    for (const b of blocks) {
      if (b.type === 'tool_result') {
        earlier = true;
        const content = resultText(b.content);
        if (content === INTERRUPTED || content.startsWith(`${INTERRUPTED}.`)) interrupted = true;
        const summary = typeof b.summary === 'string' ? b.summary : undefined;
        // A call that never ran (the turn was interrupted before it) had no line in the pane.
        if (summary === undefined && content === INTERRUPTED) continue;
        const call = calls.get(String(b.tool_use_id));
        const name = call?.name ?? 'tool';
        out.push({ type: 'tool_end', id: String(b.tool_use_id), name, result: { content, isError: b.is_error === true, summary: summary ?? describeCall(name, call?.input) } });
      } else if (b.type === 'text') {
        const text = String(b.text);
        if (isUpdateBlock(text)) continue;
        if (text.startsWith(SUMMARY_INTRO)) {
          out.push({ type: 'summarised' });
          continue;
        }
        // The person's words. Anything before them in the same message means the previous turn
        // never finished (an interrupt before the reply, or after tool results).
        if (earlier) interrupted = true;
        endTurn();
        out.push({ type: 'user', text });
        open = true;
        earlier = true;
      }
    }
  }
  endTurn();
  return out;
}
