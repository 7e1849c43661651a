// What a model may send to the board's tools: each tool's input is checked before anything happens, a
// bad argument gives a message a model can act on, and the request that comes out is one the
// workspace's own schema accepts.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { boardRequestSchema } from '../../src/tasks/requests.js';
import { boardToolSpecs, type BoardToolSpec } from '../../src/tasks/tool-specs.js';

function tool(name: BoardToolSpec['name']): BoardToolSpec {
  const t = boardToolSpecs().find((x) => x.name === name);
  if (!t) throw new Error(`no tool ${name}`);
  return t;
}

/** The message a bad input gets (what a model would read). */
function rejection(name: BoardToolSpec['name'], input: Record<string, unknown>): string {
  try {
    tool(name).request(input);
  } catch (err) {
    expect(err).toBeInstanceOf(z.ZodError);
    return z.prettifyError(err as z.ZodError);
  }
  throw new Error(`${name} took ${JSON.stringify(input)}`);
}

describe('board tool specs', () => {
  it('describes six tools, each with a signature, and only spawn_agent needs approval', () => {
    expect(boardToolSpecs().map((t) => t.name)).toEqual(['create_task', 'list_tasks', 'update_task', 'complete_task', 'spawn_agent', 'ask_human']);
    expect(boardToolSpecs().filter((t) => t.kind === 'exec').map((t) => t.name)).toEqual(['spawn_agent']);
    for (const t of boardToolSpecs()) {
      expect(t.description.length).toBeGreaterThan(20);
      expect(t.signature.startsWith('{')).toBe(true);
      // The signature names every field the schema takes.
      for (const key of Object.keys(t.schema.shape)) expect(t.signature).toContain(key);
    }
  });

  it('turns good input into a request the workspace accepts', () => {
    const inputs: Record<BoardToolSpec['name'], Record<string, unknown>> = {
      create_task: { title: 'Fix', to: 'w1', after: ['t1'], check: 'npm test', claims: ['src/'] },
      list_tasks: {},
      update_task: { id: 't2', state: 'failed', reason: 'no access' },
      complete_task: { id: 't3', summary: 'done it', changes: 'add a test' },
      spawn_agent: { preset: 'agent', name: 'worker-1', role: 'tester', worktree: true },
      ask_human: { question: 'Which one?', choices: ['a', 'b'] },
    };
    for (const t of boardToolSpecs()) {
      const req = t.request(inputs[t.name]);
      expect(req).toEqual({ op: t.name, ...inputs[t.name] });
      expect(boardRequestSchema().safeParse(req).success).toBe(true);
    }
  });

  it('refuses a model\'s bad arguments with a clear message', () => {
    expect(rejection('create_task', {})).toMatch(/title/);
    expect(rejection('create_task', { title: 'x', after: ['task1'] })).toContain('task ids look like t1');
    expect(rejection('create_task', { title: 'x', after: 't1' })).toMatch(/after/);
    expect(rejection('create_task', { title: 'x', owner: 'w1' })).toMatch(/owner/);
    expect(rejection('update_task', { id: 't1', state: 'done' })).toMatch(/state/);
    expect(rejection('update_task', { title: 'no id' })).toMatch(/id/);
    expect(rejection('complete_task', { id: 't1' })).toMatch(/summary/);
    expect(rejection('complete_task', { id: 't1', summary: '' })).toMatch(/summary/);
    expect(rejection('spawn_agent', { preset: 'agent', name: '../evil' })).toContain('letters, digits, - and _ (at most 32)');
    expect(rejection('ask_human', { question: 'q', choices: Array.from({ length: 10 }, (_, i) => `c${i}`) })).toMatch(/choices/);
    expect(rejection('list_tasks', { all: true })).toMatch(/all/);
  });
});

describe('BoardRequestSchema', () => {
  it('takes the person\'s own moves and refuses unknown ops, bad ids and bad budgets', () => {
    expect(boardRequestSchema().safeParse({ op: 'retry', id: 't4' }).success).toBe(true);
    expect(boardRequestSchema().safeParse({ op: 'raise_budget', id: 't4', budget: { usd: 5 } }).success).toBe(true);
    expect(boardRequestSchema().safeParse({ op: 'raise_budget', id: 't4', budget: { usd: -5 } }).success).toBe(false);
    expect(boardRequestSchema().safeParse({ op: 'raise_budget', id: 't4', budget: { tokens: 1.5 } }).success).toBe(false);
    expect(boardRequestSchema().safeParse({ op: 'delete_task', id: 't4' }).success).toBe(false);
    expect(boardRequestSchema().safeParse({ op: 'retry', id: '4' }).success).toBe(false);
    // A title of spaces is no title.
    expect(boardRequestSchema().safeParse({ op: 'create_task', title: '   ' }).success).toBe(false);
    expect(boardRequestSchema().safeParse({ op: 'ask_human', question: '  ' }).success).toBe(false);
  });
});
