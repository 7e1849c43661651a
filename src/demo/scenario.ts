/**
 * The script of `agents --demo`: a Responder for the local Messages API server under which three
 * built-in agents work on demo/sample-project (cartTotal skips the first item) through the task
 * board. Only lead gets a first instruction; fixer and tests get theirs from the board's supervisor.
 *
 * lead:  list_files -> read_file -> create_task t1 for fixer (claims src/cart.js, check
 *        `node --test`) -> create_task t2 for tests, after t1 -> a summary pointing at the board.
 * fixer: on t1, read_file -> edit_file with a wrong bound (`i <= items.length` reads past the end)
 *        -> complete_task; the check fails and the board hands t1 back (attempt 2, with the check's
 *        output) -> edit_file to the right bound -> complete_task; the check passes.
 * tests: on t2 (handed out once t1 is done), read_file -> write_file a one-item-cart test ->
 *        run_command `node --test`, which waits for the person (the text before it says which keys
 *        to press: APPROVAL_HINT) -> complete_task; the check passes.
 *
 * Invariants: every reply is a pure function of the request (the agent's name from `You are "NAME"`
 * in the system prompt, its newest instruction's text, and the tool results since that instruction;
 * see progress.ts), so the demo is deterministic and can be replayed; each scripted run starts at an
 * instruction the script knows (lead's first instruction, or a board task by its title) and any
 * other instruction gets OFFLINE_TEXT; a failed tool ends the run with a text that says what
 * happened. Tool names and inputs follow the agent's tool contract (src/agent/tools) and the board's
 * (src/tasks/tool-specs.ts).
 */
import { progressOf, type ToolOutcome } from './progress.js';
import { DEMO_TASKS, FIX_TITLE, OFFLINE_TEXT, TEST_TITLE } from './script-text.js';
import { fixerTurn, leadTurn, testsTurn, type Turn } from './scripts.js';
import type { ReplyBlock, Responder, Step } from './types.js';

export * from './script-text.js';

export interface DemoOptions {
  /** Characters per streamed delta. Default 4. */
  chunkChars?: number;
  /** Pause between SSE frames; ~30 ms reads like a person watching a fast typist. Default 30. */
  chunkDelayMs?: number;
  /**
   * Characters of a tool's input per delta. Default 24: a pane shows nothing of a tool call until it
   * has run, so its input streaming at the pace of text would only be a wait.
   */
  toolChunkChars?: number;
}

/** Whose script a run belongs to, by the agent's name and the instruction that started the run. */
function scriptOf(name: string | undefined, instruction: string): ((done: ToolOutcome[]) => Turn) | undefined {
  if (name === 'lead' && instruction === DEMO_TASKS.lead) return leadTurn;
  const task = /^Task (t\d+): ([^\n]*)/.exec(instruction);
  if (!task) return undefined;
  const [, id, title] = task;
  if (name === 'fixer' && title === FIX_TITLE) {
    const attempt = Number(/This is attempt (\d+) of/.exec(instruction)?.[1] ?? 1);
    return (done) => fixerTurn(id, attempt, instruction, done);
  }
  if (name === 'tests' && title === TEST_TITLE) return (done) => testsTurn(id, done);
  return undefined;
}

export function createDemoResponder(opts: DemoOptions = {}): Responder {
  const pace = { chunkChars: opts.chunkChars ?? 4, chunkDelayMs: opts.chunkDelayMs ?? 30, toolChunkChars: opts.toolChunkChars ?? 24 };
  return (request): Step => {
    const p = progressOf(request.body);
    const script = p.instruction === undefined ? undefined : scriptOf(p.name, p.instruction);
    const turn: Turn = script ? script(p.done) : { text: OFFLINE_TEXT };
    const content: ReplyBlock[] = [{ type: 'text', text: turn.text }];
    for (const call of turn.calls ?? []) content.push({ type: 'tool_use', name: call.name, input: call.input });
    return { kind: 'reply', content, ...pace };
  };
}

/** The responder `agents --demo` uses, paced for people. */
export const demoResponder: Responder = createDemoResponder();
