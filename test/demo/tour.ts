// Plays the `agents --demo` script without a workspace: the real SDK against the local server, the
// built-in agent's real tools on a copy of demo/sample-project, and the real task board (TaskDesk,
// the instruction texts, CheckRunner) handing tasks out as the supervisor does, one at a time.
import Anthropic from '@anthropic-ai/sdk';
import { boardTools } from '../../src/agent/board-tools.js';
import { runTool, toolDefinitionsForApi, type ToolDef } from '../../src/agent/tools/index.js';
import { CheckRunner } from '../../src/tasks/check.js';
import { instructionText } from '../../src/tasks/text.js';
import type { Task } from '../../src/tasks/task.js';
import { DEFAULT_TASK_SETTINGS, TaskDesk } from '../../src/workspace/tasks.js';

export interface Played {
  msg: Anthropic.Message;
  /** Tool calls of this run, by name, in order. */
  calls: string[];
  /** The texts of every reply of this run, joined. */
  text: string;
}

export interface TourOptions {
  /** The person's answer to a run_command (the demo's tests agent asks). Default: yes. */
  approve?: (agent: string, command: string) => boolean;
}

export class Tour {
  readonly histories = new Map<string, Anthropic.MessageParam[]>();
  /** What the board told each task's creator (given at its next turn, as the change feed is). */
  readonly told: Array<{ to: string; text: string }> = [];
  /** Every instruction the board handed out, in order. */
  readonly handed: Array<{ to: string; text: string }> = [];
  readonly desk: TaskDesk;
  private checks: CheckRunner;
  private client: Anthropic;

  constructor(
    private url: string,
    private dir: string,
    private o: TourOptions = {},
  ) {
    this.client = new Anthropic({ apiKey: 'demo', baseURL: url, maxRetries: 0 });
    this.checks = new CheckRunner({ cwd: dir, timeoutMs: 60_000 });
    this.desk = new TaskDesk(
      {
        panes: () => [],
        changed: () => undefined,
        alert: () => undefined,
        tell: (to, text) => void this.told.push({ to, text }),
        spawn: () => 'no panes here',
        pause: () => undefined,
        touch: () => undefined,
      },
      { ...DEFAULT_TASK_SETTINGS },
    );
  }

  private toolsFor(name: string): ToolDef[] {
    return boardTools({ request: (req) => Promise.resolve(this.desk.request(name, req)), asking: () => undefined });
  }

  /** Gives `name` an instruction and plays its turn to the end, running its tools for real. */
  async play(name: string, instruction: string): Promise<Played> {
    const messages = this.histories.get(name) ?? [];
    this.histories.set(name, messages);
    messages.push({ role: 'user', content: instruction });
    const board = this.toolsFor(name);
    const tools = [...toolDefinitionsForApi(), ...board.map((t) => ({ name: t.name, description: t.description, input_schema: t.jsonSchema }))] as Anthropic.Tool[];
    const calls: string[] = [];
    const texts: string[] = [];
    for (let turn = 0; turn < 12; turn++) {
      const msg = await this.client.messages
        .stream({ model: 'claude-sonnet-5', max_tokens: 4096, system: `You are "${name}", a coding agent.`, tools, messages })
        .finalMessage();
      messages.push({
        role: 'assistant',
        content: msg.content.map((b): Anthropic.ContentBlockParam =>
          b.type === 'tool_use' ? { type: 'tool_use', id: b.id, name: b.name, input: b.input } : { type: 'text', text: b.type === 'text' ? b.text : '' },
        ),
      });
      for (const b of msg.content) if (b.type === 'text') texts.push(b.text);
      if (msg.stop_reason !== 'tool_use') return { msg, calls, text: texts.join('\n') };
      const results: Anthropic.ToolResultBlockParam[] = [];
      for (const b of msg.content) {
        if (b.type !== 'tool_use') continue;
        calls.push(b.name);
        const input = b.input as Record<string, unknown>;
        const ctx = { root: this.dir, signal: new AbortController().signal };
        const onBoard = board.find((t) => t.name === b.name);
        const declined = b.name === 'run_command' && !(this.o.approve?.(name, String(input.command)) ?? true);
        // What the built-in agent answers when the person says n (src/agent/agent.ts).
        const r = declined ? { content: 'the user declined to run this', isError: true } : onBoard ? await onBoard.run(input, ctx) : await runTool(b.name, input, ctx);
        results.push({ type: 'tool_result', tool_use_id: b.id, content: r.content, is_error: r.isError });
      }
      messages.push({ role: 'user', content: results });
    }
    throw new Error(`${name} did not finish its turn`);
  }

  /**
   * The supervisor's part, one step at a time until nothing moves: a ready task goes to its owner
   * (with what its dependencies produced), a completed one gets its check run. The checks of an
   * agent's tasks are approved here as the person would (the workspace does it unasked for agents
   * with `permissions: auto`, as the demo's lead; this board has no panes to ask).
   */
  async settle(): Promise<void> {
    const b = this.desk.board;
    for (let step = 0; step < 20; step++) {
      const ready = b.ready().find((t) => !b.current(t.owner!));
      if (ready) {
        const deps = ready.deps.map((d) => b.get(d)).filter((d): d is Task => d !== undefined);
        const text = instructionText(ready, deps, { tools: true });
        this.desk.started(ready.id);
        this.handed.push({ to: ready.owner!, text });
        await this.play(ready.owner!, text);
        continue;
      }
      const checking = b.list().find((t) => t.state === 'checking' && t.check);
      if (checking) {
        if (!checking.checkApproved) this.desk.approveCheck(checking.id);
        this.desk.checked(checking.id, await this.checks.run(checking.check!));
        continue;
      }
      return;
    }
    throw new Error('the board did not settle in 20 steps');
  }
}
