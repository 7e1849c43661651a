/**
 * The task board's rules, as pure state: tasks, their dependencies and the moves between states.
 * No I/O and no timers: the workspace owns a TaskBoard and changes it only while handling a
 * dispatched input; the supervisor (supervisor.ts) decides when to call which move.
 *
 * Invariants:
 * - ids are `t1`, `t2`, … in creation order and never reused in a session (resume continues after
 *   the highest);
 * - dependencies name existing tasks and never form a cycle;
 * - a task is `doing` only with an owner; `attempts` counts the times it went to its owner and
 *   never exceeds `maxAttempts`: the move that would is `blocked` instead;
 * - every move stamps `updatedAt`; a move that does not apply returns a BoardError and changes nothing.
 */
import { DEFAULT_ATTEMPTS, isFinished, type CheckResult, type NewTask, type Task, type TaskState } from './task.js';

export class BoardError extends Error {
  constructor(
    readonly kind: 'not-found' | 'bad-state' | 'bad-input',
    message: string,
  ) {
    super(message);
  }
}

export interface Moved {
  task: Task;
  /** The state it left. */
  from: TaskState;
}

export class TaskBoard {
  private tasks = new Map<string, Task>();
  private next = 1;

  constructor(restored: readonly Task[] = []) {
    for (const t of restored) {
      this.tasks.set(t.id, { ...t });
      this.next = Math.max(this.next, Number(t.id.slice(1)) + 1);
    }
  }

  list(): Task[] {
    return [...this.tasks.values()];
  }

  get(id: string): Task | undefined {
    return this.tasks.get(id);
  }

  private need(id: string): Task {
    const t = this.tasks.get(id);
    if (!t) throw new BoardError('not-found', `there is no task ${id}${this.tasks.size ? ` (the board has ${[...this.tasks.keys()].join(', ')})` : ' (the board is empty)'}`);
    return t;
  }

  private move(t: Task, state: TaskState, now: number, patch: Partial<Task> = {}): Moved {
    const from = t.state;
    // A task that moves on is no longer waiting for its instruction to get through.
    Object.assign(t, { undelivered: undefined }, patch, { state, updatedAt: now });
    return { task: t, from };
  }

  add(n: NewTask, by: string, now: number, o: { checkApproved?: boolean; workflow?: Task['workflow'] } = {}): Task {
    for (const d of n.after ?? []) this.need(d);
    const t: Task = {
      id: `t${this.next++}`,
      title: n.title.trim(),
      details: n.details ?? '',
      owner: n.to,
      state: 'todo',
      deps: [...new Set(n.after ?? [])],
      claims: n.claims ?? [],
      check: n.check,
      checkApproved: n.check ? o.checkApproved === true : undefined,
      attempts: 0,
      maxAttempts: n.maxAttempts ?? DEFAULT_ATTEMPTS,
      cost: 0,
      tokens: 0,
      priced: true,
      budget: n.budget,
      createdBy: by,
      createdAt: now,
      updatedAt: now,
      ...(o.workflow ? { workflow: o.workflow } : {}),
    };
    this.tasks.set(t.id, t);
    return t;
  }

  /** Changes what a task is (not its state); a task already finished cannot change. */
  edit(id: string, patch: { title?: string; details?: string; to?: string; claims?: string[]; check?: string | null; after?: string[] }, now: number): Task {
    const t = this.need(id);
    if (isFinished(t)) throw new BoardError('bad-state', `${id} is ${t.state}; it cannot change any more`);
    if (t.state === 'doing' && patch.to !== undefined && patch.to !== t.owner) throw new BoardError('bad-state', `${id} is being worked on by ${t.owner}; cancel or block it before giving it to someone else`);
    if (patch.after) {
      for (const d of patch.after) {
        this.need(d);
        if (d === id || this.dependsOn(d, id)) throw new BoardError('bad-input', `${id} cannot wait for ${d}: ${d} already waits for ${id}`);
      }
    }
    if (patch.title !== undefined) t.title = patch.title.trim() || t.title;
    if (patch.details !== undefined) t.details = patch.details;
    if (patch.to !== undefined) t.owner = patch.to;
    if (patch.claims !== undefined) t.claims = patch.claims;
    if (patch.check !== undefined) {
      t.check = patch.check ?? undefined;
      t.checkApproved = false;
    }
    if (patch.after !== undefined) t.deps = [...new Set(patch.after)];
    t.updatedAt = now;
    return t;
  }

  /** Whether `id` waits (directly or through others) for `on`. */
  dependsOn(id: string, on: string, seen = new Set<string>()): boolean {
    const t = this.tasks.get(id);
    if (!t || seen.has(id)) return false;
    seen.add(id);
    return t.deps.includes(on) || t.deps.some((d) => this.dependsOn(d, on, seen));
  }

  /** Tasks that wait, directly or not, for `id`. */
  dependents(id: string): Task[] {
    return this.list().filter((t) => t.id !== id && this.dependsOn(t.id, id));
  }

  /** To-do tasks whose dependencies are all done and that have an owner: ready to hand out. */
  ready(): Task[] {
    return this.list().filter((t) => t.state === 'todo' && t.owner !== undefined && t.deps.every((d) => this.tasks.get(d)?.state === 'done'));
  }

  /** The task `owner` works on now, if any. */
  current(owner: string): Task | undefined {
    return this.list().find((t) => t.owner === owner && (t.state === 'doing' || t.state === 'checking'));
  }

  /** Its instruction reached its owner. Past the attempt limit it is blocked instead. */
  start(id: string, now: number): Moved {
    const t = this.need(id);
    if (t.state !== 'todo') throw new BoardError('bad-state', `${id} is ${t.state}, not waiting to start`);
    if (!t.owner) throw new BoardError('bad-state', `${id} has no owner`);
    if (t.attempts >= t.maxAttempts) return this.move(t, 'blocked', now, { note: `${t.attempts} attempts used (the limit is ${t.maxAttempts})` });
    return this.move(t, 'doing', now, { attempts: t.attempts + 1 });
  }

  /** The owner (or the person, for it) says it is done: to its check, or done when it has none. */
  complete(id: string, summary: string, now: number): Moved {
    const t = this.need(id);
    if (t.state !== 'doing' && t.state !== 'todo' && t.state !== 'blocked') throw new BoardError('bad-state', `${id} is ${t.state}; only a task being worked on can be completed`);
    return this.move(t, t.check ? 'checking' : 'done', now, { result: summary.trim() || t.result, note: undefined });
  }

  /** The check's verdict: done, or back to its owner with the output while attempts remain, else blocked. */
  checked(id: string, r: CheckResult, now: number): Moved {
    const t = this.need(id);
    if (t.state !== 'checking') throw new BoardError('bad-state', `${id} is ${t.state}, not being checked`);
    if (r.ok) return this.move(t, 'done', now, { lastCheck: r, note: undefined });
    const why = `the check failed (${r.code === null ? 'stopped' : `exit ${r.code}`})`;
    if (t.attempts >= t.maxAttempts) return this.move(t, 'blocked', now, { lastCheck: r, note: `${why} ${t.attempts} times; the attempt limit is ${t.maxAttempts}` });
    return this.move(t, 'todo', now, { lastCheck: r, note: why });
  }

  /** A reviewer sends it back with comments (counts as an attempt, as a failed check does). */
  sendBack(id: string, comments: string, now: number): Moved {
    const t = this.need(id);
    if (t.state !== 'done' && t.state !== 'doing' && t.state !== 'checking') throw new BoardError('bad-state', `${id} is ${t.state}; only finished or running work can be sent back`);
    const note = `sent back: ${comments.trim()}`;
    if (t.attempts >= t.maxAttempts) return this.move(t, 'blocked', now, { note: `${note} (${t.attempts} attempts used; the limit is ${t.maxAttempts})` });
    return this.move(t, 'todo', now, { note });
  }

  /** A reviewer asked for changes: its task waits for them and comes back (not counted as an attempt). */
  waitAgain(id: string, note: string, now: number): Moved {
    const t = this.need(id);
    if (t.state !== 'doing') throw new BoardError('bad-state', `${id} is ${t.state}, not being worked on`);
    return this.move(t, 'todo', now, { attempts: Math.max(0, t.attempts - 1), note });
  }

  block(id: string, reason: string, now: number): Moved {
    const t = this.need(id);
    if (isFinished(t)) throw new BoardError('bad-state', `${id} is ${t.state}`);
    return this.move(t, 'blocked', now, { note: reason });
  }

  /** The person tries again: a blocked or failed task goes back to its owner with fresh attempts. */
  retry(id: string, now: number): Moved {
    const t = this.need(id);
    if (t.state !== 'blocked' && t.state !== 'failed') throw new BoardError('bad-state', `${id} is ${t.state}; only a blocked or failed task is retried`);
    return this.move(t, 'todo', now, { attempts: 0, note: undefined });
  }

  /** Its owner gives up on it. */
  fail(id: string, reason: string, now: number): Moved {
    const t = this.need(id);
    if (isFinished(t)) throw new BoardError('bad-state', `${id} is ${t.state}`);
    return this.move(t, 'failed', now, { note: reason });
  }

  cancel(id: string, now: number): Moved {
    const t = this.need(id);
    if (isFinished(t)) throw new BoardError('bad-state', `${id} is ${t.state} already`);
    return this.move(t, 'cancelled', now);
  }

  /** What the owner spent while working on its current task. */
  spend(owner: string, usd: number, tokens: number, priced: boolean, now: number): Task | undefined {
    const t = this.current(owner);
    if (!t || (usd <= 0 && tokens <= 0 && priced)) return undefined;
    t.cost += Math.max(0, usd);
    t.tokens += Math.max(0, tokens);
    if (!priced) t.priced = false;
    t.updatedAt = now;
    return t;
  }

  /** The person lets the task's check run. */
  approveCheck(id: string, now: number): Task {
    const t = this.need(id);
    if (!t.check) throw new BoardError('bad-state', `${id} has no check`);
    t.checkApproved = true;
    t.updatedAt = now;
    return t;
  }

  /** More budget for a task (the person, from the board). */
  raiseBudget(id: string, budget: { usd?: number; tokens?: number }, now: number): Task {
    const t = this.need(id);
    t.budget = { ...t.budget, ...budget };
    t.updatedAt = now;
    return t;
  }
}
