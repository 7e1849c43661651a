// The supervisor on a Workspace of fake Claude Codes (recorded screens, so the workspace reads their
// state as it would the real ones) and a real CheckRunner: a ready task goes to its idle owner as
// `Task tN: …`, a failed check sends it back with the output, a dependent waits for the check to pass
// and then gets the summary, an owner gets one task at a time (none while paused), and a review step
// is given the files the step before it changed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { CheckRunner } from '../../src/tasks/check.js';
import type { BoardRequest } from '../../src/tasks/requests.js';
import { Supervisor } from '../../src/tasks/supervisor.js';
import { planWorkflow } from '../../src/tasks/workflow.js';
import type { Workspace } from '../../src/workspace/workspace.js';
import { fakeClaude, type FakeClaude } from '../helpers/fake-claude.js';
import type { FakePty } from '../helpers/fake-pty.js';
import { disposeRigs, paneSpec, workspaceRig } from '../helpers/workspace-rig.js';

const wait = { timeout: 8000, interval: 10 };
const dir = mkdtempSync(join(tmpdir(), 'agents-supervisor-'));
const supervisors: Supervisor[] = [];
afterEach(async () => {
  for (const s of supervisors.splice(0)) s.stop();
  await disposeRigs();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Two fake Claude Codes, `a` and `b`, each with its own record of what it was given. */
function rig(changedBy?: (owner: string, since: number) => string[]) {
  const fakes = [fakeClaude(), fakeClaude()];
  let spawned = 0;
  const program = (p: FakePty) => fakes[spawned++ % 2].program(p);
  const r = workspaceRig([paneSpec('a', 'esc', { preset: 'claude' }), paneSpec('b', 'esc', { preset: 'claude' })], { cols: 124, rows: 40 }, program);
  const checks = new CheckRunner({ cwd: dir, timeoutMs: 5000 });
  const supervisor = new Supervisor(r.ws, { checks, changedBy });
  supervisors.push(supervisor);
  const [a, b] = fakes.map((f) => f.state);
  return { ws: r.ws, a, b };
}

async function board(ws: Workspace, by: string, req: BoardRequest): Promise<string> {
  const answer = await ws.board(by, req);
  expect(answer.ok, answer.text).toBe(true);
  return answer.text;
}

const state = (ws: Workspace, id: string) => ws.desk.board.get(id)?.state;
const idle = (ws: Workspace, name: string) => ws.panes.find((p) => p.name === name)?.activity?.state === 'idle';

/** The fake ends its turn, as the agent does after calling complete_task. */
async function finishTurn(ws: Workspace, f: FakeClaude, name: string): Promise<void> {
  f.finish?.();
  await vi.waitFor(() => expect(idle(ws, name)).toBe(true), wait);
}

describe('Supervisor', () => {
  it('hands out in dependency order: a failed check goes back with its output, the dependent waits for the pass', async () => {
    const { ws, a, b } = rig();
    await vi.waitFor(() => expect(idle(ws, 'a') && idle(ws, 'b')).toBe(true), wait);
    await board(ws, 'you', { op: 'create_task', title: 'Make hello', to: 'a', check: 'test -f hello.txt || { echo "hello.txt is missing"; exit 4; }' });
    await board(ws, 'you', { op: 'create_task', title: 'Use hello', to: 'b', after: ['t1'] });

    await vi.waitFor(() => expect(a.submitted).toHaveLength(1), wait);
    // A CLI gets the instruction typed, its lines joined by spaces.
    expect(a.submitted[0].startsWith('Task t1: Make hello ')).toBe(true);
    await vi.waitFor(() => expect(state(ws, 't1')).toBe('doing'), wait);
    expect(b.submitted).toEqual([]);

    // Completed without the file: the check fails and the task comes back with the check's output.
    await finishTurn(ws, a, 'a');
    await board(ws, 'a', { op: 'complete_task', id: 't1', summary: 'first try' });
    await vi.waitFor(() => expect(a.submitted).toHaveLength(2), wait);
    expect(a.submitted[1]).toMatch(/^Task t1: Make hello /);
    expect(a.submitted[1]).toContain('This is attempt 2 of 3: the check failed (exit 4).');
    expect(a.submitted[1]).toContain('hello.txt is missing');
    expect(ws.desk.board.get('t1')?.lastCheck).toMatchObject({ ok: false, code: 4 });
    expect(b.submitted).toEqual([]);

    writeFileSync(join(dir, 'hello.txt'), 'hi\n');
    await vi.waitFor(() => expect(state(ws, 't1')).toBe('doing'), wait);
    await finishTurn(ws, a, 'a');
    await board(ws, 'a', { op: 'complete_task', id: 't1', summary: 'wrote hello.txt' });
    await vi.waitFor(() => expect(b.submitted).toHaveLength(1), wait);
    expect(state(ws, 't1')).toBe('done');
    expect(b.submitted[0]).toMatch(/^Task t2: Use hello /);
    expect(b.submitted[0]).toContain('t1 (Make hello) is done: wrote hello.txt');
    expect(a.submitted).toHaveLength(2);
  });

  it('gives an owner one task at a time, and a paused owner none until it goes on', async () => {
    const { ws, a, b } = rig();
    await vi.waitFor(() => expect(idle(ws, 'a') && idle(ws, 'b')).toBe(true), wait);
    const paneA = ws.panes.find((p) => p.name === 'a')!;
    // What a budget does to an agent (the workspace's own pause is private to it).
    paneA.paused = 'a reached its budget';
    await board(ws, 'you', { op: 'create_task', title: 'first for a', to: 'a' });
    await board(ws, 'you', { op: 'create_task', title: 'second for a', to: 'a' });
    await board(ws, 'you', { op: 'create_task', title: 'first for b', to: 'b' });
    // The pass that handed b its task passed a over: b's instruction arrived, a got nothing.
    await vi.waitFor(() => expect(state(ws, 't3')).toBe('doing'), wait);
    expect(a.submitted).toEqual([]);

    ws.dispatch({ t: 'resume-agent', pane: paneA.id });
    await vi.waitFor(() => expect(state(ws, 't1')).toBe('doing'), wait);
    expect(a.submitted).toHaveLength(1);
    expect(a.submitted[0]).toMatch(/^Task t1: first for a /);
    // Its turn ends without completing t1: idle, yet t1 is still its task, so t2 waits.
    await finishTurn(ws, a, 'a');
    await finishTurn(ws, b, 'b');
    await board(ws, 'b', { op: 'complete_task', id: 't3', summary: 'ok' });
    await board(ws, 'you', { op: 'create_task', title: 'second for b', to: 'b' });
    await vi.waitFor(() => expect(state(ws, 't4')).toBe('doing'), wait);
    expect(a.submitted).toHaveLength(1);
    expect(state(ws, 't2')).toBe('todo');

    await board(ws, 'a', { op: 'complete_task', id: 't1', summary: 'done' });
    await vi.waitFor(() => expect(a.submitted).toHaveLength(2), wait);
    expect(a.submitted[1]).toMatch(/^Task t2: second for a /);
  });

  it('gives a review step the files the step before it changed', async () => {
    const asked: Array<[string, number]> = [];
    const { ws, a, b } = rig((owner, since) => {
      asked.push([owner, since]);
      return owner === 'a' ? ['src/cart.js', 'src/cart.js', 'test/cart.test.js'] : [];
    });
    await vi.waitFor(() => expect(idle(ws, 'a') && idle(ws, 'b')).toBe(true), wait);
    const steps = planWorkflow({ steps: [{ role: 'implementer', title: 'Implement: {goal}' }, { role: 'reviewer', title: 'Review: {goal}', review: true }] }, 'fix the cart');
    const ids = await new Promise<string[]>((reply) => ws.dispatch({ t: 'workflow', name: 'pair', steps, owners: { implementer: 'a', reviewer: 'b' }, reply }));
    expect(ids).toEqual(['t1', 't2']);

    await vi.waitFor(() => expect(a.submitted).toHaveLength(1), wait);
    expect(a.submitted[0]).toMatch(/^Task t1: Implement: fix the cart /);
    expect(a.submitted[0]).not.toContain('Files changed');
    await vi.waitFor(() => expect(state(ws, 't1')).toBe('doing'), wait);
    await finishTurn(ws, a, 'a');
    await board(ws, 'a', { op: 'complete_task', id: 't1', summary: 'fixed the total' });
    await vi.waitFor(() => expect(b.submitted).toHaveLength(1), wait);
    expect(b.submitted[0]).toMatch(/^Task t2: Review: fix the cart /);
    expect(b.submitted[0]).toContain('Files changed by the work you are to review: src/cart.js, test/cart.test.js');
    expect(asked).toEqual([['a', ws.desk.board.get('t1')!.createdAt]]);
  });
});
