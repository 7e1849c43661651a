import { describe, expect, it } from 'vitest';
import { rowMeta } from '../../src/ui/TaskBoard.js';
import type { TaskView } from '../../src/workspace/workspace.js';

const task: TaskView = { id: 't1', title: 'Fix cartTotal: the loop skips the first item', state: 'doing', owner: 'fixer', deps: ['t0'], attempts: '2/3', cost: '$0.0123 1.2k tok', check: 'check failed (1)' };

describe('a task row on a narrow board', () => {
  it('shows every figure when there is room', () => {
    expect(rowMeta(task, 120)).toBe('→fixer after t0 #2/3 $0.0123 1.2k tok check failed (1)');
  });

  it('drops the cost first, then the dependencies, then the attempts; the owner and the check stay longest', () => {
    expect(rowMeta(task, 70)).toBe('→fixer after t0 #2/3 check failed (1)');
    expect(rowMeta(task, 62)).toBe('→fixer #2/3 check failed (1)');
    expect(rowMeta(task, 56)).toBe('→fixer check failed (1)');
    expect(rowMeta(task, 40)).toBe('→fixer');
    expect(rowMeta(task, 20)).toBe('');
  });
});
