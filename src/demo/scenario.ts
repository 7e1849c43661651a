/**
 * The script of `agents --demo`: a Responder for the local Messages API server under which two
 * built-in agents, "lead" and "tests", work on demo/sample-project (cartTotal skips the first item).
 *
 * lead:  list_files -> search -> read_file -> edit_file (the fix) -> summary.
 * tests: read_file (the tests) -> run_command `node --test` -> (re-run while lead is still fixing,
 *        at most three runs) -> report. The demo runs tests with commands needing approval, so the
 *        tour shows an agent waiting for the person once: the text before its first run says
 *        which keys to press (APPROVAL_HINT).
 *
 * Invariants: every reply is a pure function of the request (agent name from `You are "NAME"` in the
 * system prompt, plus the tool results so far), so the demo is deterministic and can be replayed; a
 * failed tool ends the script with a text that says what happened; an instruction outside the script
 * gets a short text saying this is the offline demo. Tool names and inputs follow the agent's tool
 * contract (read_file, write_file, edit_file, list_files, search, run_command).
 */
import { progressOf, type ToolOutcome } from './progress.js';
import type { ReplyBlock, Responder, Step } from './types.js';

export const DEMO_AGENTS = ['lead', 'tests'] as const;
export type DemoAgent = (typeof DEMO_AGENTS)[number];

/** The first instruction the demo workspace gives each agent. Any first message starts the script. */
export const DEMO_TASKS: Record<DemoAgent, string> = {
  lead: 'cartTotal in src/cart.js returns the wrong total for some carts. Find the bug and fix it.',
  tests: 'Read the tests in test/, run the suite with `node --test` and report what fails and why.',
};

export interface DemoOptions {
  /** Characters per streamed delta. Default 4. */
  chunkChars?: number;
  /** Pause between SSE frames; ~30 ms reads like a person watching a fast typist. Default 30. */
  chunkDelayMs?: number;
  /** How long "tests" waits for lead's fix before running the suite again. Default 3 s. */
  retestDelaySeconds?: number;
}

export const BUGGY_LINE = 'for (let i = 1; i < items.length; i++) {';
export const FIXED_LINE = 'for (let i = 0; i < items.length; i++) {';

/** Said by tests right before its first run_command, which waits for the person's approval. */
export const APPROVAL_HINT =
  'I ask before running commands, so this one waits for you: press y in this pane to let it run ' +
  '(Ctrl-a a jumps to whoever waits; a allows my commands for the rest of the session).';

export const OFFLINE_TEXT =
  'This is the offline demo (`agents --demo`): no model is connected, so I can only play my scripted ' +
  'part. Set `ANTHROPIC_API_KEY` and start `agents` to work with a real model.';

const LEAD_SUMMARY = [
  '## Fixed: `cartTotal` skipped the first item',
  '',
  '- **Cause:** the loop in `src/cart.js` started at index `1`, so `items[0]` was never added.',
  '- **Fix:** start the loop at `0`:',
  '',
  '```js',
  FIXED_LINE,
  '```',
  '',
  'The `tests` agent can confirm it with `node --test`.',
].join('\n');

type Turn = { text: string; call?: { name: string; input: Record<string, unknown> } };

/** A failing `node --test` run; both the TAP (`# fail 1`) and spec (`ℹ fail 1`) reporters say so. */
function failures(output: string): number | undefined {
  const m = /\bfail\s+(\d+)/.exec(output);
  return m ? Number(m[1]) : undefined;
}

function failedTool(t: ToolOutcome): Turn {
  const why = t.result.split('\n')[0]?.slice(0, 200) || 'no details';
  return { text: `The \`${t.name}\` call did not go through (${why}). In this offline demo I stop here.` };
}

function leadTurn(done: ToolOutcome[]): Turn {
  const last = done[done.length - 1];
  if (!last) return { text: "I'll start with the project layout.", call: { name: 'list_files', input: { pattern: '**/*.js' } } };
  if (last.isError) return failedTool(last);
  switch (last.name) {
    case 'list_files':
      return {
        text: 'A small module with one test file. Let me find where `cartTotal` is defined.',
        call: { name: 'search', input: { pattern: 'function cartTotal', path: 'src' } },
      };
    case 'search':
      return { text: "It's in `src/cart.js`. Reading it.", call: { name: 'read_file', input: { path: 'src/cart.js' } } };
    case 'read_file':
      if (!last.result.includes(BUGGY_LINE))
        return { text: 'The loop in `cartTotal` already starts at index 0; I see nothing to fix.' };
      return {
        text: 'Found it: the loop starts at index `1`, so the first item of every cart is never counted. Fixing it.',
        call: { name: 'edit_file', input: { path: 'src/cart.js', old_text: BUGGY_LINE, new_text: FIXED_LINE } },
      };
    default:
      return { text: LEAD_SUMMARY };
  }
}

function testsTurn(done: ToolOutcome[], retestDelaySeconds: number): Turn {
  const last = done[done.length - 1];
  if (!last) return { text: 'Let me see what the tests expect first.', call: { name: 'read_file', input: { path: 'test/cart.test.js' } } };
  const runs = done.filter((t) => t.name === 'run_command').length;
  if (last.name === 'read_file' && !last.isError)
    return {
      text: `Three tests: an empty cart, a two-item cart, and formatting. Running the suite. ${APPROVAL_HINT}`,
      call: { name: 'run_command', input: { command: 'node --test', timeout_ms: 60_000 } },
    };
  if (last.name !== 'run_command') return failedTool(last);
  if (last.isError && /declined/i.test(last.result))
    return { text: 'You said no, so the suite did not run. That ends my part of the demo; `agents --demo` plays it again.' };
  const failed = failures(last.result);
  if (failed === 0) return { text: `All tests pass${runs > 1 ? ' now: the fix works' : ''}. Nothing left to do on my side.` };
  if (failed === undefined && last.isError) return failedTool(last);
  const what =
    '1 test fails: "every item counts, the first one too" gets 300 instead of 1200, because ' +
    '`cartTotal` skips the first item.';
  if (runs < 3) {
    const wait = retestDelaySeconds > 0 ? `sleep ${retestDelaySeconds} && ` : '';
    return {
      text: `${runs > 1 ? 'Still failing. ' : ''}${what} That's the bug lead is fixing; I'll wait a moment and run the suite again (if I ask, y lets it run).`,
      call: { name: 'run_command', input: { command: `${wait}node --test`, timeout_ms: 60_000 } },
    };
  }
  return { text: `Still failing after ${runs} runs. ${what} The fix belongs in \`src/cart.js\`.` };
}

export function createDemoResponder(opts: DemoOptions = {}): Responder {
  const pace = { chunkChars: opts.chunkChars ?? 4, chunkDelayMs: opts.chunkDelayMs ?? 30 };
  const retest = opts.retestDelaySeconds ?? 3;
  return (request): Step => {
    const p = progressOf(request.body);
    const done = p.phase === 'continue' ? p.done : p.phase === 'start' ? [] : undefined;
    let turn: Turn;
    if (done === undefined || (p.name !== 'lead' && p.name !== 'tests')) turn = { text: OFFLINE_TEXT };
    else turn = p.name === 'lead' ? leadTurn(done) : testsTurn(done, retest);
    const content: ReplyBlock[] = [{ type: 'text', text: turn.text }];
    if (turn.call) content.push({ type: 'tool_use', name: turn.call.name, input: turn.call.input });
    return { kind: 'reply', content, ...pace };
  };
}

/** The responder `agents --demo` uses, paced for people. */
export const demoResponder: Responder = createDemoResponder();
