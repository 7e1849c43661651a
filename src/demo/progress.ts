// Reads a Messages request the way the demo script needs it: which agent is asking, whether the last
// user message is a new instruction or tool results, and which tool calls of the current scripted run
// came back with what. Pure functions of the request, so the demo replies are deterministic.
import type { MessagesBody } from './types.js';

type Block = Record<string, unknown>;

export interface ToolOutcome {
  name: string;
  input: Record<string, unknown>;
  result: string;
  isError: boolean;
}

export type Progress =
  /** The first instruction of a fresh conversation: the script starts. */
  | { phase: 'start'; name: string | undefined }
  /** Tool results of the scripted run came back: `done` lists its tool calls in order. */
  | { phase: 'continue'; name: string | undefined; done: ToolOutcome[] }
  /** Anything else (a redirect, a follow-up question): outside the script. */
  | { phase: 'offline'; name: string | undefined; instruction: string };

const blocksOf = (content: unknown): Block[] =>
  typeof content === 'string' ? [{ type: 'text', text: content }] : Array.isArray(content) ? (content as Block[]) : [];

export const textOf = (content: unknown): string =>
  blocksOf(content)
    .filter((b) => b.type === 'text')
    .map((b) => String(b.text))
    .join('\n');

function systemText(body: MessagesBody): string {
  const parts = [textOf(body.system)];
  // The SDK also accepts system-role messages in `messages`.
  for (const m of body.messages) if (m.role === 'system') parts.push(textOf(m.content));
  return parts.join('\n');
}

/** The agent's name, from the `You are "NAME"` line its system prompt carries. */
export function agentNameOf(body: MessagesBody): string | undefined {
  return /You are "([^"]+)"/.exec(systemText(body))?.[1];
}

/** A user message that answers tool calls; one whose results say the user interrupted is a redirect. */
function isToolResults(blocks: Block[]): boolean {
  const results = blocks.filter((b) => b.type === 'tool_result');
  if (!results.length) return false;
  return !results.some((r) => r.is_error === true && /interrupt/i.test(textOf(r.content)));
}

export function progressOf(body: MessagesBody): Progress {
  const name = agentNameOf(body);
  const msgs = body.messages.filter((m) => m.role !== 'system');
  const last = msgs[msgs.length - 1];
  if (!last || last.role !== 'user') return { phase: 'offline', name, instruction: '' };
  const lastBlocks = blocksOf(last.content);

  if (!isToolResults(lastBlocks)) {
    const fresh = !msgs.some((m) => m.role === 'assistant');
    return fresh ? { phase: 'start', name } : { phase: 'offline', name, instruction: textOf(last.content) };
  }

  // Tool results: the run belongs to the script only if it started at the conversation's first instruction.
  let start = -1;
  for (let i = msgs.length - 1; i >= 0; i--) {
    if (msgs[i].role === 'user' && !isToolResults(blocksOf(msgs[i].content))) {
      start = i;
      break;
    }
  }
  if (msgs.slice(0, Math.max(start, 0)).some((m) => m.role === 'assistant'))
    return { phase: 'offline', name, instruction: textOf(last.content) };

  const done: ToolOutcome[] = [];
  for (let i = start + 1; i < msgs.length; i++) {
    if (msgs[i].role !== 'assistant') continue;
    const results = blocksOf(msgs[i + 1]?.content).filter((b) => b.type === 'tool_result');
    for (const call of blocksOf(msgs[i].content).filter((b) => b.type === 'tool_use')) {
      const r = results.find((x) => x.tool_use_id === call.id);
      done.push({
        name: String(call.name),
        input: (call.input ?? {}) as Record<string, unknown>,
        result: r ? textOf(r.content) : '',
        isError: r?.is_error === true,
      });
    }
  }
  return { phase: 'continue', name, done };
}
