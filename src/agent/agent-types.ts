/**
 * The built-in agent's vocabulary: its options, its status and the events it emits. Plain types,
 * shared by the loop (agent.ts), its pane UI and the process that reports to the workspace.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { Awareness } from './awareness.js';
import type { CompactionResult } from './compaction.js';
import type { Msg } from './conversation.js';
import type { UsageCounts } from './prices.js';
import type { ToolDef, ToolResult } from './tools/index.js';

export type Policy = 'ask' | 'auto-edit' | 'auto';
export type AgentStatus = 'idle' | 'thinking' | 'tool' | 'approval' | 'error';
export type Approval = 'yes' | 'no' | 'always';

export interface Totals {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  cost: number;
  /** False when some response's model had no known price. */
  priced: boolean;
  turns: number;
}

export type AgentEvent =
  | { type: 'status'; status: AgentStatus; detail?: string }
  | { type: 'text'; delta: string }
  | { type: 'text_end' }
  | { type: 'tool_start'; id: string; name: string; input: unknown; call: string }
  | { type: 'tool_end'; id: string; name: string; result: ToolResult }
  | { type: 'approval'; id: string; call: string }
  | { type: 'usage'; usage: UsageCounts; cost: number | undefined; totals: Totals; context: number }
  | { type: 'notice'; text: string }
  | { type: 'error'; text: string }
  | { type: 'turn_end'; reason: 'done' | 'interrupted' | 'error' }
  | { type: 'wrote'; path: string; hash: string }
  | { type: 'read'; path: string }
  | { type: 'delivered'; upTo: number }
  /**
   * The conversation changed, for session memory: drop the stored messages from `start` on (all of
   * them when `reset`) and append `messages`. Emitted at stable points, so it costs what is new.
   */
  | { type: 'history'; start: number; messages: Msg[]; reset?: boolean }
  | { type: 'compacted'; result: CompactionResult };

export interface AgentOptions {
  client: Anthropic;
  model: string;
  system: string;
  root: string;
  policy?: Policy;
  maxTokens?: number;
  /** Asks the person; `signal` aborts when the turn is interrupted (the question is void then). */
  approve?: (call: string, id: string, signal: AbortSignal) => Promise<Approval>;
  idleTimeoutMs?: number;
  streamRetries?: number;
  retryBaseMs?: number;
  contextWindow?: number;
  compactAt?: number;
  /** Tools the workspace adds (the notes board). */
  extraTools?: ToolDef[];
  /** Other parties' changes, for warnings when editing a file changed under this agent. */
  awareness?: Awareness;
}
