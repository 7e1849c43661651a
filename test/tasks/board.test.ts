// The board's rules as pure state: which moves apply, which are refused (and then change nothing),
// dependencies, ready(), attempts and the circuit breaker that blocks a task and holds its dependents.
import { describe, expect, it } from 'vitest';
import { BoardError, TaskBoard } from '../../src/tasks/board.js';
import { taskSchemas, type CheckResult, type Task } from '../../src/tasks/task.js';

const pass: CheckResult = { ok: true, code: 0, output: 'ok', at: 1, ms: 5 };
const fail = (output = 'boom'): CheckResult => ({ ok: false, code: 1, output, at: 1, ms: 5 });

/** What a refused move throws: a BoardError of `kind` whose message matches `text`. */
function refused(f: () => unknown, kind: BoardError['kind'], text: RegExp): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(BoardError);
  expect((err as BoardError).kind).toBe(kind);
  expect((err as BoardError).message).toMatch(text);
}

function snapshot(b: TaskBoard): string {
  return JSON.stringify(b.list());
}

describe('TaskBoard: creating tasks', () => {
  it('numbers tasks t1, t2, … with the defaults and the creator, each a valid stored Task', () => {
    const b = new TaskBoard();
    const t1 = b.add({ title: '  Make hello  ', to: 'w1' }, 'lead', 100);
    const t2 = b.add({ title: 'Test it', after: ['t1', 't1'], check: 'npm test' }, 'you', 200, { checkApproved: true });
    expect(t1).toMatchObject({ id: 't1', title: 'Make hello', owner: 'w1', state: 'todo', deps: [], attempts: 0, maxAttempts: 3, cost: 0, tokens: 0, priced: true, createdBy: 'lead', createdAt: 100 });
    // A dependency named twice is one dependency; a check is approved only when the caller says so.
    expect(t2).toMatchObject({ id: 't2', deps: ['t1'], check: 'npm test', checkApproved: true });
    expect(b.add({ title: 'x', check: 'make' }, 'w1', 300).checkApproved).toBe(false);
    expect(t1.checkApproved).toBeUndefined();
    for (const t of b.list()) expect(taskSchemas().TaskSchema.safeParse(t).success).toBe(true);
  });

  it('refuses an unknown dependency by name, listing what the board has, and adds nothing', () => {
    const b = new TaskBoard();
    b.add({ title: 'a' }, 'you', 1);
    refused(() => b.add({ title: 'b', after: ['t7'] }, 'you', 2), 'not-found', /there is no task t7 \(the board has t1\)/);
    expect(b.list().map((t) => t.id)).toEqual(['t1']);
    // The id was not used up either: the next task is t2.
    expect(b.add({ title: 'c' }, 'you', 3).id).toBe('t2');
    refused(() => new TaskBoard().add({ title: 'd', after: ['t1'] }, 'you', 1), 'not-found', /the board is empty/);
  });

  it('continues numbering after the highest restored id (ids are never reused)', () => {
    const b = new TaskBoard();
    b.add({ title: 'a' }, 'you', 1);
    b.add({ title: 'b' }, 'you', 1);
    b.add({ title: 'c' }, 'you', 1);
    const kept = b.list().filter((t) => t.id !== 't2');
    const resumed = new TaskBoard(kept);
    expect(resumed.add({ title: 'd' }, 'you', 2).id).toBe('t4');
    // The restored tasks are copies: changing the resumed board does not reach the old objects.
    resumed.cancel('t1', 3);
    expect(kept[0].state).toBe('todo');
  });
});

describe('TaskBoard: moves', () => {
  function started(): { b: TaskBoard; t: Task } {
    const b = new TaskBoard();
    const t = b.add({ title: 'a', to: 'w1' }, 'you', 1);
    b.start('t1', 2);
    return { b, t };
  }

  it('goes todo → doing → done without a check, stamping updatedAt and the summary', () => {
    const { b, t } = started();
    expect(t).toMatchObject({ state: 'doing', attempts: 1, updatedAt: 2 });
    const m = b.complete('t1', ' did it ', 3);
    expect(m.from).toBe('doing');
    expect(t).toMatchObject({ state: 'done', result: 'did it', updatedAt: 3 });
  });

  it('goes through checking when there is a check: pass → done, fail → todo with the verdict', () => {
    const b = new TaskBoard();
    b.add({ title: 'a', to: 'w1', check: 'false' }, 'you', 1);
    b.start('t1', 2);
    expect(b.complete('t1', 'done', 3).task.state).toBe('checking');
    const back = b.checked('t1', fail('expected 2, got 3'), 4);
    expect(back.task).toMatchObject({ state: 'todo', note: 'the check failed (exit 1)', attempts: 1 });
    expect(back.task.lastCheck?.output).toBe('expected 2, got 3');
    b.start('t1', 5);
    b.complete('t1', 'again', 6);
    expect(b.checked('t1', pass, 7).task).toMatchObject({ state: 'done', attempts: 2, note: undefined });
  });

  it('refuses to start a done, doing, blocked or ownerless task, and changes nothing', () => {
    const { b } = started();
    refused(() => b.start('t1', 9), 'bad-state', /t1 is doing, not waiting to start/);
    b.complete('t1', 'ok', 3);
    const before = snapshot(b);
    refused(() => b.start('t1', 9), 'bad-state', /t1 is done/);
    expect(snapshot(b)).toBe(before);
    b.add({ title: 'nobody', }, 'you', 4);
    refused(() => b.start('t2', 9), 'bad-state', /t2 has no owner/);
    refused(() => b.start('t9', 9), 'not-found', /there is no task t9/);
  });

  it('refuses the check verdict for a task that is not being checked', () => {
    const { b } = started();
    refused(() => b.checked('t1', pass, 3), 'bad-state', /t1 is doing, not being checked/);
    expect(b.get('t1')?.state).toBe('doing');
  });

  it('refuses to complete a task that is finished or being checked', () => {
    const b = new TaskBoard();
    b.add({ title: 'a', to: 'w1', check: 'true' }, 'you', 1);
    b.start('t1', 2);
    b.complete('t1', 'x', 3);
    refused(() => b.complete('t1', 'y', 4), 'bad-state', /t1 is checking; only a task being worked on can be completed/);
    b.checked('t1', pass, 5);
    refused(() => b.complete('t1', 'z', 6), 'bad-state', /t1 is done/);
    expect(b.get('t1')?.result).toBe('x');
  });

  it('cancels a task once; a finished task cannot be cancelled, failed, blocked or edited', () => {
    const { b } = started();
    expect(b.cancel('t1', 3).task.state).toBe('cancelled');
    refused(() => b.cancel('t1', 4), 'bad-state', /t1 is cancelled already/);
    refused(() => b.fail('t1', 'x', 4), 'bad-state', /t1 is cancelled/);
    refused(() => b.block('t1', 'x', 4), 'bad-state', /t1 is cancelled/);
    refused(() => b.edit('t1', { title: 'new' }, 4), 'bad-state', /cannot change any more/);
    refused(() => b.retry('t1', 4), 'bad-state', /only a blocked or failed task is retried/);
    expect(b.get('t1')).toMatchObject({ state: 'cancelled', title: 'a', updatedAt: 3 });
  });

  it('retries a blocked or failed task with fresh attempts; a todo one is not retried', () => {
    const { b } = started();
    refused(() => b.retry('t1', 3), 'bad-state', /t1 is doing; only a blocked or failed task is retried/);
    b.block('t1', 'stuck', 3);
    expect(b.retry('t1', 4).task).toMatchObject({ state: 'todo', attempts: 0, note: undefined });
    b.start('t1', 5);
    b.fail('t1', 'gave up', 6);
    expect(b.get('t1')).toMatchObject({ state: 'failed', note: 'gave up' });
    expect(b.retry('t1', 7).task.state).toBe('todo');
  });

  it('will not give a task being worked on to someone else', () => {
    const { b } = started();
    refused(() => b.edit('t1', { to: 'w2' }, 3), 'bad-state', /t1 is being worked on by w1; cancel or block it/);
    expect(b.get('t1')?.owner).toBe('w1');
    // The same owner, or other fields, are fine.
    expect(b.edit('t1', { to: 'w1', details: 'more' }, 4).details).toBe('more');
  });

  it('edit: an empty title keeps the old one; a new check needs approval again', () => {
    const b = new TaskBoard();
    b.add({ title: 'a', check: 'true' }, 'you', 1, { checkApproved: true });
    const t = b.edit('t1', { title: '   ', check: 'rm -rf /tmp/x' }, 2);
    expect(t).toMatchObject({ title: 'a', check: 'rm -rf /tmp/x', checkApproved: false });
    expect(b.edit('t1', { check: null }, 3).check).toBeUndefined();
    refused(() => b.approveCheck('t1', 4), 'bad-state', /t1 has no check/);
  });
});

describe('TaskBoard: dependencies', () => {
  function chain(): TaskBoard {
    const b = new TaskBoard();
    b.add({ title: 'a', to: 'w1' }, 'you', 1);
    b.add({ title: 'b', to: 'w2', after: ['t1'] }, 'you', 1);
    b.add({ title: 'c', to: 'w3', after: ['t2'] }, 'you', 1);
    b.add({ title: 'free' }, 'you', 1);
    return b;
  }

  it('ready() holds tasks whose dependencies are not done, and ownerless ones', () => {
    const b = chain();
    expect(b.ready().map((t) => t.id)).toEqual(['t1']);
    b.start('t1', 2);
    expect(b.ready()).toEqual([]);
    b.complete('t1', 'made a', 3);
    expect(b.ready().map((t) => t.id)).toEqual(['t2']);
    b.edit('t4', { to: 'w4' }, 4);
    expect(b.ready().map((t) => t.id)).toEqual(['t2', 't4']);
  });

  it('knows dependents through the chain, and what an owner works on now', () => {
    const b = chain();
    expect(b.dependents('t1').map((t) => t.id)).toEqual(['t2', 't3']);
    expect(b.dependsOn('t3', 't1')).toBe(true);
    expect(b.dependsOn('t1', 't3')).toBe(false);
    expect(b.current('w1')).toBeUndefined();
    b.start('t1', 2);
    expect(b.current('w1')?.id).toBe('t1');
  });

  it('refuses a cycle (direct, through others, or on itself) with a clear message, changing nothing', () => {
    const b = chain();
    const before = snapshot(b);
    refused(() => b.edit('t1', { after: ['t3'] }, 9), 'bad-input', /t1 cannot wait for t3: t3 already waits for t1/);
    refused(() => b.edit('t1', { after: ['t2'] }, 9), 'bad-input', /t1 cannot wait for t2/);
    refused(() => b.edit('t2', { after: ['t2'] }, 9), 'bad-input', /t2 cannot wait for t2/);
    // A refused edit changes no other field either, even ones listed before the bad dependency.
    refused(() => b.edit('t1', { title: 'renamed', after: ['t4', 't3'] }, 9), 'bad-input', /t3 already waits for t1/);
    refused(() => b.edit('t1', { after: ['t8'] }, 9), 'not-found', /there is no task t8/);
    expect(snapshot(b)).toBe(before);
    // A harmless new dependency is taken.
    expect(b.edit('t4', { after: ['t3', 't3'] }, 9).deps).toEqual(['t3']);
  });

  it('circuit breaker: after the attempt limit the task is blocked and its dependents wait', () => {
    const b = new TaskBoard();
    b.add({ title: 'a', to: 'w1', check: 'false', maxAttempts: 2 }, 'you', 1);
    b.add({ title: 'b', to: 'w2', after: ['t1'] }, 'you', 1);
    for (let i = 0; i < 2; i++) {
      expect(b.start('t1', 2).task.state).toBe('doing');
      b.complete('t1', 'try', 3);
      b.checked('t1', fail(), 4);
    }
    const t1 = b.get('t1')!;
    expect(t1).toMatchObject({ state: 'blocked', attempts: 2, note: 'the check failed (exit 1) 2 times; the attempt limit is 2' });
    expect(b.ready()).toEqual([]);
    expect(b.get('t2')?.state).toBe('todo');
    // The person retries: fresh attempts, and the chain can go on.
    b.retry('t1', 5);
    b.start('t1', 6);
    b.complete('t1', 'fixed', 7);
    b.checked('t1', pass, 8);
    expect(b.ready().map((t) => t.id)).toEqual(['t2']);
  });

  it('start itself blocks a task whose attempts are used up (restored at the limit)', () => {
    const b = new TaskBoard();
    const t = b.add({ title: 'a', to: 'w1', maxAttempts: 1 }, 'you', 1);
    const restored = new TaskBoard([{ ...t, attempts: 1 }]);
    const m = restored.start('t1', 2);
    expect(m.task).toMatchObject({ state: 'blocked', attempts: 1, note: '1 attempts used (the limit is 1)' });
  });

  it('a check stopped by a timeout says so in the note', () => {
    const b = new TaskBoard();
    b.add({ title: 'a', to: 'w1', check: 'sleep 99' }, 'you', 1);
    b.start('t1', 2);
    b.complete('t1', 'x', 3);
    expect(b.checked('t1', { ok: false, code: null, output: '', at: 4, ms: 1 }, 4).task.note).toBe('the check failed (stopped)');
  });
});

describe('TaskBoard: reviews and spending', () => {
  it('sendBack counts as an attempt and blocks past the limit; waitAgain gives the attempt back', () => {
    const b = new TaskBoard();
    b.add({ title: 'impl', to: 'w1', maxAttempts: 2 }, 'you', 1);
    b.add({ title: 'review', to: 'rev', after: ['t1'] }, 'you', 1);
    b.start('t1', 2);
    b.complete('t1', 'v1', 3);
    b.start('t2', 4);
    expect(b.sendBack('t1', ' add a test ', 5).task).toMatchObject({ state: 'todo', note: 'sent back: add a test' });
    expect(b.waitAgain('t2', 'waiting', 5).task).toMatchObject({ state: 'todo', attempts: 0 });
    refused(() => b.waitAgain('t2', 'again', 6), 'bad-state', /t2 is todo, not being worked on/);
    refused(() => b.sendBack('t1', 'x', 6), 'bad-state', /t1 is todo; only finished or running work can be sent back/);
    b.start('t1', 6);
    b.complete('t1', 'v2', 7);
    expect(b.sendBack('t1', 'still wrong', 8).task).toMatchObject({ state: 'blocked', note: 'sent back: still wrong (2 attempts used; the limit is 2)' });
  });

  it('charges spending to the owner\'s current task only, and remembers an unknown price', () => {
    const b = new TaskBoard();
    b.add({ title: 'a', to: 'w1' }, 'you', 1);
    expect(b.spend('w1', 0.5, 100, true, 2)).toBeUndefined();
    b.start('t1', 2);
    expect(b.spend('w1', 0, 0, true, 3)).toBeUndefined();
    b.spend('w1', 0.25, 1000, true, 3);
    const t = b.spend('w1', 0, 50, false, 4)!;
    expect(t).toMatchObject({ cost: 0.25, tokens: 1050, priced: false, updatedAt: 4 });
    // Negative reports never lower the figure.
    b.spend('w1', -1, -10, true, 5);
    expect(b.get('t1')).toMatchObject({ cost: 0.25, tokens: 1050 });
    expect(b.spend('w2', 1, 1, true, 6)).toBeUndefined();
  });

  it('raises a task budget by merging what is given', () => {
    const b = new TaskBoard();
    b.add({ title: 'a', budget: { usd: 1, tokens: 1000 } }, 'you', 1);
    expect(b.raiseBudget('t1', { usd: 2 }, 2).budget).toEqual({ usd: 2, tokens: 1000 });
    refused(() => b.raiseBudget('t5', { usd: 2 }, 2), 'not-found', /there is no task t5/);
  });
});
