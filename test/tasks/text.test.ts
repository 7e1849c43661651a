// The board's words: every instruction about a task starts with `Task <id>: ` (the contract in the
// design notes), carries what its dependencies produced, and after a failed check the end of the
// check's output; the one-line board shows an unknown cost as unknown, never as zero.
import { describe, expect, it } from 'vitest';
import { TaskBoard } from '../../src/tasks/board.js';
import type { Task } from '../../src/tasks/task.js';
import { boardText, instructionText, outcomeText, taskDetails, taskLine } from '../../src/tasks/text.js';

function twoTasks(): { b: TaskBoard; t1: Task; t2: Task } {
  const b = new TaskBoard();
  const t1 = b.add({ title: 'Make hello', to: 'w1' }, 'lead', 1);
  const t2 = b.add({ title: 'Test hello', to: 'w2', after: ['t1'], details: '  Cover the greeting.  ', check: 'npm test', claims: ['test/hello.test.ts'] }, 'lead', 1);
  b.start('t1', 2);
  b.complete('t1', 'hello() returns "hello"', 3);
  return { b, t1, t2 };
}

describe('instructionText', () => {
  it('starts with "Task <id>: <title>" and gives details, what the dependencies produced, claims and the check', () => {
    const { t1, t2 } = twoTasks();
    const text = instructionText(t2, [t1], { tools: true });
    expect(text.split('\n')[0]).toBe('Task t2: Test hello');
    expect(text).toContain('\n\nCover the greeting.\n');
    expect(text).toContain('t1 (Make hello) is done: hello() returns "hello"');
    expect(text).toContain('nobody else may write them: test/hello.test.ts');
    expect(text).toContain('`npm test` runs in the project; it must exit 0');
    expect(text).toContain('call complete_task with id "t2"');
    expect(text).not.toContain('attempt');
  });

  it('leaves out a dependency without a summary, and tells an agent without tools to say so instead', () => {
    const b = new TaskBoard();
    const dep = b.add({ title: 'dep' }, 'you', 1);
    const t = b.add({ title: 'Plain', to: 'aider', after: ['t1'] }, 'you', 1);
    const text = instructionText(t, [dep], { tools: false });
    expect(text).toBe('Task t2: Plain\n\nWhen it is done, say so; the person marks t2 done on the task board.');
  });

  it('after a failed check: which attempt this is, why, and the end of the check\'s output', () => {
    const b = new TaskBoard();
    b.add({ title: 'Fix', to: 'w1', check: 'npm test' }, 'you', 1);
    b.start('t1', 2);
    b.complete('t1', 'x', 3);
    const t = b.checked('t1', { ok: false, code: 2, output: '\nexpected 2, got 3\n', at: 4, ms: 9 }, 4).task;
    const text = instructionText(t, [], { tools: true });
    expect(text.startsWith('Task t1: Fix\n')).toBe(true);
    expect(text).toContain('This is attempt 2 of 3: the check failed (exit 2).');
    expect(text).toContain("The end of the check's output:\n```\nexpected 2, got 3\n```");
  });

  it('gives a review step the files the reviewed work changed', () => {
    const { t1, t2 } = twoTasks();
    expect(instructionText(t2, [t1], { tools: true, changedByDeps: ['src/hello.js', 'README.md'] })).toContain('Files changed by the work you are to review: src/hello.js, README.md');
  });
});

describe('outcomeText', () => {
  it('tells the creator done (with the owner and the check), blocked (with why) and failed', () => {
    const { b, t1 } = twoTasks();
    expect(outcomeText(t1)).toBe('Task t1: Make hello is done (by w1): hello() returns "hello"');
    b.start('t2', 4);
    b.complete('t2', 'tested', 5);
    const t2 = b.checked('t2', { ok: true, code: 0, output: '', at: 6, ms: 1 }, 6).task;
    expect(outcomeText(t2)).toBe('Task t2: Test hello is done (by w2), and its check passed: tested');
    const t3 = b.add({ title: 'c', to: 'w1' }, 'lead', 7);
    b.block('t3', 'its budget is spent', 8);
    expect(outcomeText(t3)).toMatch(/^Task t3: c is blocked: its budget is spent\. Tasks waiting for it wait too/);
    b.retry('t3', 9);
    b.fail('t3', 'no access', 9);
    expect(outcomeText(t3)).toBe('Task t3: c failed: no access.');
  });
});

describe('taskLine and boardText', () => {
  it('shows id, state, owner, dependencies, attempts, cost, the last check and the note', () => {
    const b = new TaskBoard();
    b.add({ title: 'a', to: 'w1', check: 'false' }, 'you', 1);
    b.add({ title: 'b', after: ['t1'] }, 'you', 1);
    b.start('t1', 2);
    b.spend('w1', 0.1234, 12_345, true, 3);
    b.complete('t1', 'x', 4);
    b.checked('t1', { ok: false, code: 1, output: 'no', at: 5, ms: 1 }, 5);
    expect(boardText(b.list())).toBe(
      't1 [todo] a · → w1 · attempt 1/3 · $0.12 · 12.3k tok · check failed (1) · — the check failed (exit 1)\n' + 't2 [todo] b · (no owner) · after t1',
    );
    expect(boardText([])).toBe('The task board is empty.');
  });

  it('an unknown price is shown as unknown, never as zero', () => {
    const b = new TaskBoard();
    b.add({ title: 'a', to: 'cc' }, 'you', 1);
    b.add({ title: 'b', to: 'w1' }, 'you', 1);
    b.start('t1', 2);
    b.start('t2', 2);
    // A CLI whose cost cannot be known: nothing priced, nothing counted.
    b.spend('cc', 0, 0, false, 3);
    expect(taskLine(b.get('t1')!)).toContain('cost unknown');
    expect(taskLine(b.get('t1')!)).not.toContain('$0');
    expect(taskDetails(b.get('t1')!)).toContain('spent: cost unknown');
    // Part of it priced: the figure is a lower bound.
    b.spend('w1', 0.5, 2000, true, 3);
    b.spend('w1', 0, 100, false, 4);
    expect(taskLine(b.get('t2')!)).toContain('$0.50+? · 2.1k tok');
    // Nothing spent yet and nothing unknown: no cost at all.
    expect(taskLine(b.add({ title: 'c' }, 'you', 5))).toBe('t3 [todo] c · (no owner)');
  });

  it('taskDetails lists everything known, the check\'s output last', () => {
    const b = new TaskBoard();
    b.add({ title: 'a', to: 'w1', details: 'one\ntwo', check: 'make', claims: ['src/'], budget: { usd: 2, tokens: 5000 } }, 'lead', 1);
    b.start('t1', 2);
    b.complete('t1', 'made it', 3);
    b.checked('t1', { ok: true, code: 0, output: 'all good\n', at: 4, ms: 1500 }, 4);
    const lines = taskDetails(b.get('t1')!);
    expect(lines[0]).toBe('t1 · done · w1 · attempt 1 of 3');
    expect(lines).toContain('check: make  (waits for your approval: y on the board)');
    expect(lines).toContain('claims: src/');
    expect(lines).toContain('spent: nothing yet of a budget of $2, 5000 tokens');
    expect(lines.slice(-2)).toEqual([expect.stringMatching(/^last check: passed in 1\.5 s, at /), 'all good']);
  });
});
