// The demo agents' parts (see scenario.ts for the whole story): each turn is a pure function of the
// run's task (its id and attempt, read from the instruction) and the tool calls made since the
// instruction, with their results.
import type { ToolOutcome } from './progress.js';
import { APPROVAL_HINT, BUGGY_LINE, CHECK, FIX_TITLE, FIXED_LINE, NEW_TEST_FILE, TEST_TITLE, WRONG_LINE } from './script-text.js';

export interface Turn {
  text: string;
  calls?: Array<{ name: string; input: Record<string, unknown> }>;
}

const call = (text: string, name: string, input: Record<string, unknown>): Turn => ({ text, calls: [{ name, input }] });

/** `node --test` output: both the TAP (`# fail 1`) and spec (`ℹ fail 1`) reporters say so. */
function count(output: string, what: 'pass' | 'fail'): number | undefined {
  const all = [...output.matchAll(new RegExp(`\\b${what}\\s+(\\d+)`, 'g'))];
  const last = all[all.length - 1];
  return last ? Number(last[1]) : undefined;
}

const tests = (n: number) => `${n} test${n === 1 ? '' : 's'}`;

function failedTool(t: ToolOutcome): Turn {
  const why = t.result.split('\n')[0]?.slice(0, 200) || 'no details';
  return { text: `The \`${t.name}\` call did not go through (${why}). In this offline demo I stop here.` };
}

/** lead's part: finds the bug, then plans the fix as two tasks on the board. */
export function leadTurn(done: ToolOutcome[]): Turn {
  const last = done[done.length - 1];
  if (!last) return call("I'll start with the project layout.", 'list_files', { pattern: '**/*.js' });
  if (last.isError) return failedTool(last);
  const created = done.filter((t) => t.name === 'create_task').map((t) => /Created Task (t\d+)/.exec(t.result)?.[1] ?? '?');
  switch (last.name) {
    case 'list_files':
      return call('One module and its tests. Reading the cart.', 'read_file', { path: 'src/cart.js' });
    case 'read_file':
      if (!last.result.includes(BUGGY_LINE)) return { text: 'The loop in `cartTotal` already starts at index 0; I see nothing to plan.' };
      return call(
        'Found it: the loop in `cartTotal` starts at index `1`, so the first item of every cart is never counted. ' +
          'I split the work on the task board (**Ctrl-a t** shows it beside the panes): fixer fixes the loop, then tests adds a test that would have caught it.',
        'create_task',
        {
          title: FIX_TITLE,
          to: 'fixer',
          details: 'cartTotal in src/cart.js never counts items[0]: its loop starts at 1.\nMake every item count, and change nothing else.',
          claims: ['src/cart.js'],
          check: CHECK,
        },
      );
    case 'create_task':
      if (created.length === 1)
        return call(`And the test, to start once ${created[0]} is done:`, 'create_task', {
          title: TEST_TITLE,
          to: 'tests',
          after: [created[0]],
          details: "Add a test with a cart of one item: its total is that item's price times\nits quantity, the case the bug got most wrong. Keep the other tests.",
          check: CHECK,
        });
      return {
        text: [
          '## Planned: two tasks on the board',
          '',
          `- **${created[0]}** → fixer: fix the loop (only fixer may write \`src/cart.js\` meanwhile)`,
          `- **${created[1]}** → tests: a test for a one-item cart, after ${created[0]}`,
          '',
          `The workspace hands each task to its agent once that agent is idle, runs \`${CHECK}\` when it is completed, and sends it back if the check fails.`,
          '',
          'Press **Ctrl-a t** to watch the board (Esc gives the keyboard back to the panes; Ctrl-a t again closes it).',
        ].join('\n'),
      };
    default:
      return failedTool({ ...last, result: 'not part of the script' });
  }
}

/** What the check's output (in the instruction of attempt 2 and later) says went wrong. */
function checkVerdict(instruction: string): string {
  const failed = count(instruction, 'fail');
  const errors = [...instruction.matchAll(/error: ['"](.+)['"]\s*$/gm)];
  const error = errors[errors.length - 1]?.[1];
  return `${failed ? `${tests(failed)} failed` : 'it failed'}${error ? ` with "${error}"` : ''}`;
}

/** fixer's part: a first try the check rejects, then the right bound. */
export function fixerTurn(id: string, attempt: number, instruction: string, done: ToolOutcome[]): Turn {
  const last = done[done.length - 1];
  if (last?.isError) return failedTool(last);
  if (attempt === 1) {
    if (!last) return call('Reading the cart.', 'read_file', { path: 'src/cart.js' });
    if (last.name === 'read_file') {
      if (!last.result.includes(BUGGY_LINE))
        return call(`The loop no longer starts at \`1\`: nothing for me to change. Completing ${id}, so its check tells.`, 'complete_task', { id, summary: 'Found nothing to change: the loop in cartTotal no longer starts at 1.' });
      return call('The loop starts at `1`. Making it start at `0` and run to the end of the cart.', 'edit_file', { path: 'src/cart.js', old_text: BUGGY_LINE, new_text: WRONG_LINE });
    }
    if (last.name === 'edit_file') return call('Done.', 'complete_task', { id, summary: 'The loop in cartTotal now starts at 0, so the first item counts.' });
    return { text: `Completed ${id}. The board runs its check (\`${CHECK}\`) now.` };
  }
  if (!last)
    return call(
      `${id} came back: its check caught my mistake (${checkVerdict(instruction)}). \`i <= items.length\` reads one item past the end of the cart; the bound must stay \`<\`.`,
      'edit_file',
      { path: 'src/cart.js', old_text: WRONG_LINE, new_text: FIXED_LINE },
    );
  if (last.name === 'edit_file')
    return call('Fixed for real this time.', 'complete_task', {
      id,
      summary: 'cartTotal loops from 0 while i < items.length: the first item counts,\nand nothing reads past the end (my first try used <=; the check caught it).',
    });
  return { text: `Completed ${id} again; tests gets its task once this check passes.` };
}

const ONE_ITEM_TEST = `import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cartTotal } from '../src/cart.js';

test('a cart of one item costs that item', () => {
  assert.equal(cartTotal([{ name: 'tea', price: 450, qty: 2 }]), 900);
});
`;

/** tests' part: a new test, a run the person approves, and the task completed. */
export function testsTurn(id: string, done: ToolOutcome[]): Turn {
  const last = done[done.length - 1];
  if (!last) return call('Reading the tests first.', 'read_file', { path: 'test/cart.test.js' });
  if (last.name === 'run_command' && last.isError && /declined/i.test(last.result))
    return call(`You said no, so I did not run it. Completing ${id} anyway: the board runs its check, \`${CHECK}\`, on its own.`, 'complete_task', {
      id,
      summary: `Added ${NEW_TEST_FILE}: a cart of one item costs that item.\nThe person chose not to run the suite in my pane.`,
    });
  if (last.isError && last.name !== 'run_command') return failedTool(last);
  switch (last.name) {
    case 'read_file':
      return call('No test has a cart of one item, where the first item is the whole total. Adding one in its own file.', 'write_file', { path: NEW_TEST_FILE, content: ONE_ITEM_TEST });
    case 'write_file':
      return call(`Running the suite. ${APPROVAL_HINT}`, 'run_command', { command: CHECK, timeout_ms: 60_000 });
    case 'run_command': {
      const failed = count(last.result, 'fail');
      if (failed === undefined) return failedTool(last);
      const passed = count(last.result, 'pass') ?? 0;
      if (failed === 0)
        return call(`${tests(passed)} pass, the new one too. Completing ${id}.`, 'complete_task', { id, summary: `Added ${NEW_TEST_FILE}: a cart of one item costs that item.\n${CHECK}: ${passed} pass, 0 fail.` });
      return call(`${tests(failed)} failed. Completing ${id} all the same: its check will send it back with the output.`, 'complete_task', { id, summary: `Added ${NEW_TEST_FILE}; ${CHECK} had ${failed} failing.` });
    }
    default:
      return { text: `Completed ${id}. Its check runs next; when it passes, both tasks are done.` };
  }
}
