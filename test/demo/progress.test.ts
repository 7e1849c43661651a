// How the demo script reads a request: the newest instruction starts a run of its own, whether it is
// the conversation's first, a task the board hands out later, or the same task handed back.
import { describe, expect, it } from 'vitest';
import { progressOf } from '../../src/demo/progress.js';
import type { MessagesBody } from '../../src/demo/types.js';

const body = (messages: MessagesBody['messages']): MessagesBody => ({ model: 'm', max_tokens: 1, system: 'You are "fixer", a coding agent.', messages });
const use = (id: string, name: string, input: Record<string, unknown> = {}) => ({ role: 'assistant', content: [{ type: 'tool_use', id, name, input }] });
const result = (id: string, content: string, isError = false) => ({ role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content, is_error: isError }] });

describe('progressOf', () => {
  it('a first instruction starts a run with nothing done', () => {
    expect(progressOf(body([{ role: 'user', content: 'Task t1: Fix it' }]))).toEqual({ name: 'fixer', instruction: 'Task t1: Fix it', done: [] });
  });

  it('a later instruction is a run of its own: only the calls since it count, and the context block is not part of it', () => {
    const p = progressOf(
      body([
        { role: 'user', content: 'Task t1: Fix it' },
        use('a', 'read_file', { path: 'x' }),
        result('a', 'text of x'),
        { role: 'assistant', content: [{ type: 'text', text: 'Completed t1.' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Task t1: Fix it\n\nThis is attempt 2 of 3: the check failed (exit 1).' },
            { type: 'text', text: 'Changes since your last turn: src/cart.js by fixer' },
          ],
        },
        use('b', 'edit_file', { path: 'x' }),
        result('b', 'edited', false),
      ]),
    );
    expect(p.instruction).toBe('Task t1: Fix it\n\nThis is attempt 2 of 3: the check failed (exit 1).');
    expect(p.done).toEqual([{ name: 'edit_file', input: { path: 'x' }, result: 'edited', isError: false }]);
  });

  it('tool results that say the person interrupted carry the next instruction (a redirect)', () => {
    const p = progressOf(
      body([
        { role: 'user', content: 'Task t1: Fix it' },
        use('a', 'read_file'),
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'a', content: 'interrupted by the user', is_error: true }, { type: 'text', text: 'Stop and explain.' }] },
      ]),
    );
    expect(p).toMatchObject({ instruction: 'Stop and explain.', done: [] });
  });

  it('a request that does not end with a user message has no instruction', () => {
    expect(progressOf(body([{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'Hello' }])).instruction).toBeUndefined();
  });
});
