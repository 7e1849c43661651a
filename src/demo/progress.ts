// Reads a Messages request the way the demo script needs it: which agent is asking, the newest
// instruction it was given (the person's, the task board's, a redirect), and which tool calls it has
// made since, with their results. Every instruction starts a run of its own, so a task the board
// hands out, or hands back after a failed check, is read like a first instruction. Pure functions of
// the request, so the demo's replies are deterministic and can be replayed.
import type { MessagesBody } from './types.js';

type Block = Record<string, unknown>;

export interface ToolOutcome {
  name: string;
  input: Record<string, unknown>;
  result: string;
  isError: boolean;
}

export interface Progress {
  /** From `You are "NAME"` in the system prompt. */
  name: string | undefined;
  /**
   * The newest instruction's own words: the first text of the newest user message that is not
   * only tool results (the workspace's context block, appended after it, is left out). Undefined
   * when the request ends with no user message.
   */
  instruction: string | undefined;
  /** Tool calls made since that instruction, in order, with what came back. Empty: the run starts. */
  done: ToolOutcome[];
}

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

/**
 * A user message that only answers tool calls. One whose results say the user interrupted carries
 * the instruction that follows the interrupt (a redirect), so it is an instruction.
 */
function isToolResults(blocks: Block[]): boolean {
  const results = blocks.filter((b) => b.type === 'tool_result');
  if (!results.length) return false;
  return !results.some((r) => r.is_error === true && /interrupt/i.test(textOf(r.content)));
}

export function progressOf(body: MessagesBody): Progress {
  const name = agentNameOf(body);
  const msgs = body.messages.filter((m) => m.role !== 'system');
  const last = msgs[msgs.length - 1];
  if (!last || last.role !== 'user') return { name, instruction: undefined, done: [] };

  let start = msgs.length - 1;
  while (start >= 0 && !(msgs[start].role === 'user' && !isToolResults(blocksOf(msgs[start].content)))) start--;
  if (start < 0) return { name, instruction: undefined, done: [] };
  const first = blocksOf(msgs[start].content).find((b) => b.type === 'text');
  const instruction = first ? String(first.text) : '';

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
  return { name, instruction, done };
}
