/**
 * The task board as tools for the built-in agent (the tools are described once, in
 * src/tasks/tool-specs.ts). The board lives in the workspace (it hands tasks out, runs their
 * checks, keeps claims and budgets); every tool is a request over the channel, answered in words
 * written for the model. Outside a workspace they say so.
 */
import type { BoardRequest } from '../tasks/requests.js';
import { boardToolSpecs } from '../tasks/tool-specs.js';
import { defineTool, ToolError, type ToolDef } from './tools/types.js';

export interface BoardPort {
  /** Sends the request; `sent` gets its id (ask_human: the person may answer in this pane). Undefined outside a workspace. */
  request(req: BoardRequest, sent?: (id: number) => void): Promise<{ ok: boolean; text: string }> | undefined;
  /** A question of this agent's is waiting for the person (shown in the pane), or answered (undefined). */
  asking(q: { id: number; question: string; choices?: string[] } | undefined): void;
}

const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The one line a board call shows in the pane: which task, agent or question, not only the tool. */
function summaryOf(req: BoardRequest, answer: string, label: string): string {
  if (req.op === 'create_task') return `create_task ${/Created Task (t\d+)/.exec(answer)?.[1] ?? ''} ${cut(req.title, 60)}`.replace(/ {2}/, ' ');
  if (req.op === 'spawn_agent') return `spawn_agent ${req.name}`;
  if (req.op === 'ask_human') return `ask_human ${cut(req.question, 60)}`;
  return label;
}

const NO_BOARD = 'The task board is not available: this agent runs outside a workspace.';

export function boardTools(port: BoardPort): ToolDef[] {
  return boardToolSpecs().map((t) =>
    defineTool({
      name: t.name,
      kind: t.kind,
      signature: t.signature,
      description: t.description,
      schema: t.schema,
      async run(input) {
        const req = t.request(input);
        const label = `${t.name}${'id' in req ? ` ${req.id}` : ''}`;
        const question = req.op === 'ask_human' ? req : undefined;
        const pending = port.request(req, question && ((id) => port.asking({ id, question: question.question, choices: question.choices })));
        if (!pending) throw new ToolError(NO_BOARD, `${t.name}: no board`);
        try {
          const r = await pending;
          return { content: r.text, isError: !r.ok, summary: `${summaryOf(req, r.text, label)}${r.ok ? '' : ' (refused)'}` };
        } finally {
          if (question) port.asking(undefined);
        }
      },
    }),
  );
}
