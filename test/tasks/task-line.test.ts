// A task typed as one line on the board (or by `agents task add`): quoting as a shell would, options,
// clear errors for bad input, and a task written back as a line that parses to the same task.
import { describe, expect, it } from 'vitest';
import { TaskBoard } from '../../src/tasks/board.js';
import { parseTaskLine, taskToLine, words } from '../../src/tasks/task-line.js';

describe('words', () => {
  it('splits like a shell: quotes keep spaces, backslashes escape, nothing runs', () => {
    expect(words(`  a "b c"  'd "e"' f\\ g "h\\"i" $(rm -rf x) `)).toEqual(['a', 'b c', 'd "e"', 'f g', 'h"i', '$(rm', '-rf', 'x)']);
    expect(words(`""  ''`)).toEqual(['', '']);
    expect(words(`'a\\b'`)).toEqual(['a\\b']);
  });

  it('says which quote is not closed', () => {
    expect(words('fix "the cart')).toEqual({ error: 'a " quote is not closed' });
    expect(words("fix 'the cart")).toEqual({ error: "a ' quote is not closed" });
  });
});

describe('parseTaskLine', () => {
  it('takes the title and every option', () => {
    expect(parseTaskLine('Fix the cart total --to lead --after t1,t2 --check "npm test" --claim src/cart.js --claim "src/a b/" --details \'all of it\'')).toEqual({
      title: 'Fix the cart total',
      to: 'lead',
      after: ['t1', 't2'],
      check: 'npm test',
      claims: ['src/cart.js', 'src/a b/'],
      details: 'all of it',
    });
    // Options may come before the title words, and --after may repeat.
    expect(parseTaskLine('--after t1 Fix --after " t3 ," it')).toEqual({ title: 'Fix it', after: ['t1', 't3'] });
  });

  it('refuses bad input with a message that says what is wrong', () => {
    expect(parseTaskLine('')).toEqual({ error: 'a task needs a title before its options' });
    expect(parseTaskLine('--to w1')).toEqual({ error: 'a task needs a title before its options' });
    expect(parseTaskLine('Fix --to')).toEqual({ error: '--to needs a value' });
    expect(parseTaskLine('Fix --to --check x')).toEqual({ error: '--to needs a value' });
    expect(parseTaskLine('Fix --after t1,task2')).toEqual({ error: '--after takes task ids like t1,t2; found "task2"' });
    expect(parseTaskLine('Fix --owner w1')).toEqual({ error: 'unknown option --owner; the options are --to, --after, --check, --claim, --details' });
    expect(parseTaskLine('Fix "it')).toEqual({ error: 'a " quote is not closed' });
  });
});

describe('taskToLine', () => {
  it('writes a task back as a line that parses to the same task, quoting what needs it', () => {
    const b = new TaskBoard();
    b.add({ title: 'first' }, 'you', 1);
    const t = b.add({ title: 'Fix "the" cart', to: 'w 1', after: ['t1'], check: 'npm test -- --grep "cart"', claims: ['src/a b\\c.js', 'src/x.js'] }, 'you', 1);
    const line = taskToLine(t);
    expect(line).toBe('"Fix \\"the\\" cart" --to "w 1" --after t1 --check "npm test -- --grep \\"cart\\"" --claim "src/a b\\\\c.js" --claim src/x.js');
    expect(parseTaskLine(line)).toEqual({ title: 'Fix "the" cart', to: 'w 1', after: ['t1'], check: 'npm test -- --grep "cart"', claims: ['src/a b\\c.js', 'src/x.js'] });
  });

  // A title with quotes or a word starting with -- is written back quoted whole, so it survives
  // an edit on the board (unquoted, `Fix "the" cart` came back as `Fix the cart`, and `Remove --force
  // flag` as an unknown option).
  it('a title with quotes or an option-like word survives the round trip', () => {
    const b = new TaskBoard();
    for (const title of ['Fix "the" cart', 'Remove --force flag']) {
      const t = b.add({ title }, 'you', 1);
      expect(parseTaskLine(taskToLine(t))).toEqual({ title });
    }
  });
});
