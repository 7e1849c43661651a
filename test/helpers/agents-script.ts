// A responder for the local Messages API server that plays several built-in agents at once, each by
// a script of its own: the agent is told by its system prompt (`You are "NAME"`), and each script
// answers from what the agent's last message holds (the person's or the board's instruction, or the
// results of the tools it called). Lets end-to-end tests run a lead and workers through real panes.
import type { MessagesBody, RecordedRequest, ReplyBlock, Step } from '../../src/demo/types.js';

export interface Turn {
  agent: string;
  /** The text blocks of the newest user message (an instruction, and the workspace's context block). */
  text: string;
  /** Tool results in the newest user message, by tool name of the call they answer. */
  results: Array<{ name: string; content: string; isError: boolean }>;
  /** Requests this agent made before this one. */
  n: number;
}

export type Script = (turn: Turn) => ReplyBlock[] | Step;

let ids = 0;
export const tool = (name: string, input: unknown): ReplyBlock => ({ type: 'tool_use', id: `toolu_script_${++ids}`, name, input });
export const say = (text: string): ReplyBlock => ({ type: 'text', text });

function agentOf(body: MessagesBody): string {
  const system = typeof body.system === 'string' ? body.system : (body.system ?? []).map((b) => String(b.text ?? '')).join('\n');
  return /You are "([^"]+)"/.exec(system)?.[1] ?? 'agent';
}

function turnOf(body: MessagesBody, n: number): Turn {
  const agent = agentOf(body);
  const msgs = body.messages;
  const last = msgs[msgs.length - 1];
  const blocks = typeof last?.content === 'string' ? [{ type: 'text', text: last.content }] : (last?.content ?? []);
  // Tool names come from the assistant message before: tool_use ids to names.
  const names = new Map<string, string>();
  for (const m of msgs) if (m.role === 'assistant' && Array.isArray(m.content)) for (const b of m.content) if (b.type === 'tool_use') names.set(String(b.id), String(b.name));
  const text = blocks.filter((b) => b.type === 'text').map((b) => String(b.text)).join('\n');
  const results = blocks
    .filter((b) => b.type === 'tool_result')
    .map((b) => ({ name: names.get(String(b.tool_use_id)) ?? '?', content: typeof b.content === 'string' ? b.content : JSON.stringify(b.content), isError: b.is_error === true }));
  return { agent, text, results, n };
}

/** A responder playing `scripts[agent]` for each agent; an agent without a script says it has nothing to do. */
export function scripted(scripts: Record<string, Script>, seen: Turn[] = []): (r: RecordedRequest) => Step {
  const counts = new Map<string, number>();
  return (r) => {
    const agent = agentOf(r.body);
    const n = counts.get(agent) ?? 0;
    counts.set(agent, n + 1);
    const turn = turnOf(r.body, n);
    seen.push(turn);
    const out = scripts[agent]?.(turn) ?? [say('Nothing to do.')];
    return Array.isArray(out) ? { kind: 'reply', content: out } : out;
  };
}
