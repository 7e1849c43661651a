// The words and facts of the `agents --demo` script (scenario.ts): the agents, lead's first
// instruction, the lines of src/cart.js before and after each edit, the tasks' titles, and the texts
// the tests and the tour rely on. Kept apart from the scripts so both can import them.

export const DEMO_AGENTS = ['lead', 'fixer', 'tests'] as const;
export type DemoAgent = (typeof DEMO_AGENTS)[number];

/** The instructions the demo workspace gives at the start: only lead's; the board gives the others theirs. */
export const DEMO_TASKS: Partial<Record<DemoAgent, string>> = {
  lead:
    'cartTotal in src/cart.js returns the wrong total for some carts. Find the bug, then split the fix into tasks on the ' +
    'task board: one for fixer to fix it, one for tests to add a test that would have caught it.',
};

export const BUGGY_LINE = 'for (let i = 1; i < items.length; i++) {';
/** fixer's first try: every item counts now, but the loop reads one past the end. */
export const WRONG_LINE = 'for (let i = 0; i <= items.length; i++) {';
export const FIXED_LINE = 'for (let i = 0; i < items.length; i++) {';

/** The titles of lead's two tasks: the board names them so, and the workers' scripts start on them. */
export const FIX_TITLE = 'Fix cartTotal: it skips the first item';
export const TEST_TITLE = 'Add a test for a one-item cart';
export const CHECK = 'node --test';
export const NEW_TEST_FILE = 'test/one-item.test.js';

/** Said by tests right before its run_command, which waits for the person's approval. */
export const APPROVAL_HINT =
  'I ask before running commands, so this one waits for you: press y in this pane to let it run ' +
  '(Ctrl-a a jumps to whoever waits; a allows my commands for the rest of the session).';

export const OFFLINE_TEXT =
  'This is the offline demo (`agents --demo`): no model is connected, so I can only play my scripted ' +
  'part. Set `ANTHROPIC_API_KEY` and start `agents` to work with a real model.';
