/**
 * The task board inside the workspace: board requests from agents, the person and the command line,
 * the supervisor's reports (an instruction delivered, a check's verdict), questions for the person,
 * and what each agent spends against its budgets. Part of the workspace's state: changed only while
 * the Workspace handles a dispatched input; every change goes out as a `task` domain event.
 *
 * Invariants:
 * - a task's owner, when set, names a pane that exists or the task waits for one of that name;
 * - a check an agent made up runs only once the person approved it (unless that agent may run
 *   commands unasked);
 * - an agent past its budget (or the workspace past its own) is paused: it gets no new task until
 *   the person raises the budget.
 */
import { BoardError, TaskBoard, type Moved } from '../tasks/board.js';
import type { BoardAnswer, BoardRequest } from '../tasks/requests.js';
import { rolesWith, type Role } from '../tasks/roles.js';
import type { Budget, CheckResult, Task } from '../tasks/task.js';
import { boardText, outcomeText, taskLabel } from '../tasks/text.js';
import { formatDuration } from '../util/format.js';
import type { PlannedStep } from '../tasks/workflow.js';
import type { Pane } from './pane.js';
import type { PaneSpec } from './presets.js';

export interface TaskSettings {
  attempts: number;
  askTimeoutMs: number;
  maxAgents: number;
  roles: Record<string, Role>;
  /** What the whole workspace may spend. */
  budget?: Budget;
  /** What each agent (by name) may spend. */
  agentBudgets: Record<string, Budget>;
}

export const DEFAULT_TASK_SETTINGS: TaskSettings = { attempts: 3, askTimeoutMs: 30 * 60_000, maxAgents: 8, roles: rolesWith({}), agentBudgets: {} };

export interface Question {
  id: number;
  from: string;
  question: string;
  choices?: string[];
  at: number;
  /** The asking agent's own handle on it (its pane and request), to answer it from its pane. */
  ref?: string;
}

/** What the desk needs of the workspace. */
export interface DeskHost {
  panes(): readonly Pane[];
  changed(t: Task, from: Moved['from'] | undefined, by: string): void;
  /** The person should look: bell, attention command, status bar. */
  alert(text: string, pane?: Pane): void;
  /** A private note for one agent, with its next turn's changes. */
  tell(to: string, text: string): void;
  /** Opens a pane for an agent (spawn_agent); a string says why it cannot. */
  spawn(spec: { preset: string; name: string; role?: string; instructions?: string; worktree?: boolean }): Pane | string;
  /** Stops what the agent does and keeps it from new work until the person lets it go on. */
  pause(p: Pane, why: string): void;
  /** Stops the agent's current turn (the task it works on was cancelled); it may take new work. */
  interrupt(p: Pane): void;
  touch(): void;
}

export class TaskDesk {
  readonly board: TaskBoard;
  readonly questions: Question[] = [];
  /** Budget warnings the person has not seen on the board yet. */
  readonly warnings: string[] = [];
  private answers = new Map<number, (a: string | undefined) => void>();
  private nextQuestion = 1;
  /** Agents opened by spawn_agent: those a resumed session brought back, counted at the first request, and this run's. */
  private spawned: number | undefined;
  /** Budget thresholds already crossed, so each warns once. */
  private crossed = new Set<string>();
  /** The workspace's budget is spent: raising a paused agent's budget raises it too. */
  private workspaceSpent = false;

  constructor(
    private h: DeskHost,
    readonly settings: TaskSettings,
    restored: readonly Task[] = [],
  ) {
    this.board = new TaskBoard(restored);
  }

  private moved(m: Moved, by: string): Task {
    this.h.changed(m.task, m.from, by);
    if (m.task.state === 'blocked' && m.from !== 'blocked') this.blocked(m.task);
    return m.task;
  }

  private blocked(t: Task): void {
    const owner = this.h.panes().find((p) => p.name === t.owner);
    this.h.alert(`${t.id} is blocked: ${t.note ?? ''}`, owner);
    this.tellCreator(t);
  }

  private tellCreator(t: Task): void {
    if (t.createdBy !== 'you' && !t.createdBy.startsWith('workflow ') && t.createdBy !== t.owner) this.h.tell(t.createdBy, outcomeText(t));
  }

  private agentNamed(name: string): Pane | undefined {
    return this.h.panes().find((p) => p.name === name);
  }

  /** May `by` run a check command unasked? The person and agents with `permissions: auto` may. */
  private trusted(by: string): boolean {
    if (by === 'you') return true;
    return this.agentNamed(by)?.spec.permissions === 'auto';
  }

  /** A request from `by` ('you' for the person, else an agent's name). Errors come back as answers. */
  request(by: string, req: BoardRequest, now = Date.now(), ref?: string): BoardAnswer | Promise<BoardAnswer> {
    try {
      return this.handle(by, req, now, ref);
    } catch (err) {
      if (err instanceof BoardError) return { ok: false, text: err.message };
      throw err;
    }
  }

  private handle(by: string, req: BoardRequest, now: number, ref?: string): BoardAnswer | Promise<BoardAnswer> {
    const b = this.board;
    switch (req.op) {
      case 'create_task': {
        const { op: _op, ...n } = req;
        const t = b.add({ ...n, maxAttempts: n.maxAttempts ?? this.settings.attempts }, by, now, { checkApproved: this.trusted(by) });
        this.h.changed(t, undefined, by);
        const waits = t.owner && !this.agentNamed(t.owner) ? ` No agent is named ${t.owner} yet: it waits for one (spawn_agent opens it).` : '';
        const check = t.check && !t.checkApproved ? ' Its check runs once the person approves it on the board.' : '';
        return { ok: true, task: t.id, text: `Created ${taskLabel(t)}${t.owner ? ` for ${t.owner}` : ' (no owner yet: give it one with update_task)'}${t.deps.length ? `, after ${t.deps.join(', ')}` : ''}.${waits}${check}` };
      }
      case 'list_tasks':
        return { ok: true, text: boardText(b.list()) };
      case 'update_task': {
        // An agent changes only what it owns or created; anything else is the person's.
        const u = b.get(req.id);
        if (u && by !== 'you' && u.owner !== by && u.createdBy !== by)
          return { ok: false, task: u.id, text: `${u.id} belongs to ${u.owner ?? 'nobody'} and was created by ${u.createdBy}; only they (or the person) change it. Post a note if you need something of it.` };
        if (req.state === 'cancelled') {
          const moved = b.cancel(req.id, now);
          const c = this.moved(moved, by);
          // Its owner stops work nobody wants any more (interrupted if it is at it) and hears why at its next turn.
          if (c.owner && c.owner !== by) {
            const owner = this.agentNamed(c.owner);
            if (owner && moved.from === 'doing' && owner.activity?.state === 'busy') this.h.interrupt(owner);
            this.h.tell(c.owner, `${taskLabel(c)} was cancelled by ${by === 'you' ? 'the person' : by}: stop working on it.`);
          }
          return { ok: true, task: c.id, text: `${c.id} is cancelled.` };
        }
        if (req.state === 'failed') {
          const t = this.moved(b.fail(req.id, req.reason ?? 'its owner gave up', now), by);
          this.tellCreator(t);
          return { ok: true, task: t.id, text: `${t.id} is marked failed.` };
        }
        const t = b.edit(req.id, { title: req.title, details: req.details, to: req.to, after: req.after, claims: req.claims, check: req.check }, now);
        if (req.check !== undefined && this.trusted(by)) b.approveCheck(t.id, now);
        this.h.changed(t, undefined, by);
        return { ok: true, task: t.id, text: `Updated ${taskLabel(t)}.` };
      }
      case 'complete_task':
        return this.complete(by, req.id, req.summary, req.changes, now);
      case 'spawn_agent': {
        this.spawned ??= this.h.panes().filter((p) => p.spec.spawned).length;
        if (this.spawned >= this.settings.maxAgents) return { ok: false, text: `no more agents: ${this.settings.maxAgents} were opened already (the config's maxAgents)` };
        if (this.agentNamed(req.name)) return { ok: false, text: `an agent named ${req.name} exists already; give tasks to it, or choose another name` };
        const role = req.role ? this.settings.roles[req.role] : undefined;
        if (req.role && !role) return { ok: false, text: `there is no role ${req.role}; roles: ${Object.keys(this.settings.roles).join(', ')}` };
        const made = this.h.spawn({ preset: req.preset, name: req.name, role: req.role, instructions: role?.instructions, worktree: req.worktree });
        if (typeof made === 'string') return { ok: false, text: made };
        this.spawned++;
        return { ok: true, text: `Opened ${made.name} (${req.preset}${req.role ? `, role ${req.role}` : ''}) in pane ${this.h.panes().indexOf(made) + 1}. Tasks for ${made.name} go to it when it is idle.` };
      }
      case 'ask_human':
        return this.ask(by, req.question, req.choices, now, ref);
      case 'retry':
      case 'raise_budget':
        if (by !== 'you') return { ok: false, text: 'only the person retries a task or raises a budget, on the board' };
        return req.op === 'retry' ? this.retry(by, req.id, now) : this.raiseBudget(req.id, req.budget, now);
    }
  }

  private retry(by: string, id: string, now: number): BoardAnswer {
    return { ok: true, task: id, text: `${this.moved(this.board.retry(id, now), by).id} goes back to its owner.` };
  }

  private raiseBudget(id: string, budget: Budget, now: number): BoardAnswer {
    const t = this.board.raiseBudget(id, budget, now);
    this.h.changed(t, undefined, 'you');
    return { ok: true, task: t.id, text: `${t.id}'s budget is now ${describe(budget)}.` };
  }

  private complete(by: string, id: string, summary: string, changes: string | undefined, now: number): BoardAnswer {
    const b = this.board;
    const t = b.get(id);
    if (!t) throw new BoardError('not-found', `there is no task ${id}`);
    if (by !== 'you' && t.owner !== by) return { ok: false, text: `${id} belongs to ${t.owner ?? 'nobody'}, not to you; only its owner (or the person) completes it` };
    if (by !== 'you') {
      // The person may mark anything done; an agent only work that was its to do.
      const waiting = t.deps.filter((d) => b.get(d)?.state !== 'done');
      if (waiting.length) return { ok: false, task: id, text: `${id} waits for ${waiting.join(', ')}; it comes to you once they are done` };
      if (t.state === 'blocked') return { ok: false, task: id, text: `${id} is blocked (${t.note ?? 'no reason given'}); the person retries it on the board` };
    }
    // A review that asks for changes sends the work it reviewed back to its author, and waits again.
    if (changes && t.workflow?.review) {
      // Refused before anything moves: a review that is not being worked on sends nothing back.
      if (t.state !== 'doing') return { ok: false, task: id, text: `${id} is ${t.state}, not being reviewed now; nothing was sent back` };
      const reviewed = t.deps.map((d) => b.get(d)).filter((d): d is Task => d !== undefined && d.state === 'done');
      for (const d of reviewed) this.moved(b.sendBack(d.id, changes, now), by);
      this.moved(b.waitAgain(id, `waiting for the changes asked of ${reviewed.map((d) => d.id).join(', ')}`, now), by);
      return { ok: true, task: id, text: `Sent ${reviewed.map((d) => d.id).join(', ')} back with your comments; you will get ${id} again when the changes are done.` };
    }
    const m = this.moved(b.complete(id, summary, now), by);
    if (m.state === 'done') this.tellCreator(m);
    const checking = m.state === 'checking' ? (m.checkApproved ? ` Its check (\`${m.check}\`) runs now; you hear if it fails.` : ' Its check waits for the person\'s approval.') : '';
    return { ok: true, task: id, text: `${id} is ${m.state}.${checking}` };
  }

  private ask(by: string, question: string, choices: string[] | undefined, now: number, ref?: string): Promise<BoardAnswer> {
    const q: Question = { id: this.nextQuestion++, from: by, question, choices, at: now, ref };
    this.questions.push(q);
    this.h.alert(`${by} asks: ${question}`, this.agentNamed(by));
    this.h.touch();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.answer(q.id, undefined), this.settings.askTimeoutMs);
      this.answers.set(q.id, (a) => {
        clearTimeout(timer);
        resolve(a === undefined ? { ok: false, text: `No answer from the person within ${formatDuration(this.settings.askTimeoutMs)}. Decide yourself, and say what you assumed.` } : { ok: true, text: `The person answered: ${a}` });
      });
    });
  }

  /** The person answered a question in the asking agent's own pane. */
  answerRef(ref: string, text: string): boolean {
    const q = this.questions.find((x) => x.ref === ref);
    return q ? this.answer(q.id, text) : false;
  }

  /** The person's answer to question `id` (undefined: it timed out). */
  answer(id: number, text: string | undefined): boolean {
    const i = this.questions.findIndex((q) => q.id === id);
    if (i < 0) return false;
    this.questions.splice(i, 1);
    const resolve = this.answers.get(id);
    this.answers.delete(id);
    resolve?.(text);
    this.h.touch();
    return true;
  }

  /**
   * Starts workflow `name` for `goal`: its steps as tasks, each after the one before, owned by the
   * agent with that step's role (`ownerOf`). Its checks come from the config: they run unasked.
   */
  startWorkflow(name: string, steps: PlannedStep[], ownerOf: (role: string) => string | undefined, now = Date.now()): Task[] {
    const made: Task[] = [];
    for (const step of steps) {
      const prev = made.at(-1);
      const t = this.board.add(
        { title: step.title, details: step.details, to: ownerOf(step.role), after: prev ? [prev.id] : undefined, check: step.check, claims: step.claims, maxAttempts: this.settings.attempts },
        `workflow ${name}`,
        now,
        { checkApproved: true, workflow: { name, role: step.role, review: step.review || undefined } },
      );
      this.h.changed(t, undefined, 'you');
      made.push(t);
    }
    return made;
  }

  // ---- the supervisor's reports ----------------------------------------------------------------

  started(id: string, now = Date.now()): Task {
    return this.moved(this.board.start(id, now), 'the task board');
  }

  /** Its instruction did not reach its owner: noted; blocked when the supervisor gives up on it. */
  undelivered(id: string, why: string, block: boolean, now = Date.now()): Task {
    if (block) return this.moved(this.board.block(id, `its instruction could not be delivered: ${why}`, now), 'the task board');
    const t = this.board.get(id);
    if (!t) throw new BoardError('not-found', `there is no task ${id}`);
    // Kept apart from the note: a task sent back after a failed check still tells its owner why.
    t.undelivered = why;
    t.updatedAt = now;
    this.h.changed(t, undefined, 'the task board');
    return t;
  }

  checked(id: string, r: CheckResult, now = Date.now()): Task {
    const t = this.moved(this.board.checked(id, r, now), 'the task board');
    if (t.state === 'done') this.tellCreator(t);
    return t;
  }

  approveCheck(id: string, now = Date.now()): Task {
    const t = this.board.approveCheck(id, now);
    this.h.changed(t, undefined, 'you');
    return t;
  }

  /** The person marks a task done for its owner (an agent without tools). */
  markDone(id: string, now = Date.now()): BoardAnswer {
    return this.request('you', { op: 'complete_task', id, summary: 'marked done by the person' }, now) as BoardAnswer;
  }

  // ---- budgets ---------------------------------------------------------------------------------

  /**
   * What `p` spent since its last report. Charges its current task, then holds every budget it
   * falls under against its total: a warning at 80%, a pause at 100%.
   */
  spent(p: Pane, usd: number, tokens: number, priced: boolean, totals: { usd: number; tokens: number }, now = Date.now()): void {
    const t = this.board.spend(p.name, usd, tokens, priced, now);
    if (t) this.h.changed(t, undefined, p.name);
    const own = { usd: p.usage?.cost ?? 0, tokens: p.usage ? p.usage.input + p.usage.output + p.usage.cacheRead + p.usage.cacheWrite : 0 };
    this.hold(`agent ${p.name}`, own, this.settings.agentBudgets[p.name], () => this.h.pause(p, `${p.name} reached its budget`), p);
    if (t) this.hold(`task ${t.id}`, { usd: t.cost, tokens: t.tokens }, t.budget, () => {
      this.moved(this.board.block(t.id, 'its budget is spent; raise it on the board to go on', now), 'the task board');
      this.h.pause(p, `${t.id} reached its budget`);
    }, p);
    this.hold('the workspace', totals, this.settings.budget, () => {
      this.workspaceSpent = true;
      for (const q of this.h.panes()) if (q.isAgent || q.hasScreenRules) this.h.pause(q, 'the workspace reached its budget');
    });
  }

  private hold(what: string, spent: { usd: number; tokens: number }, budget: Budget | undefined, stop: () => void, p?: Pane): void {
    if (!budget) return;
    const share = Math.max(budget.usd ? spent.usd / budget.usd : 0, budget.tokens ? spent.tokens / budget.tokens : 0);
    const key = (level: string) => `${what}:${level}:${budget.usd ?? ''}:${budget.tokens ?? ''}`;
    if (share >= 1 && !this.crossed.has(key('full'))) {
      this.crossed.add(key('full'));
      this.h.alert(`${what} spent its budget (${describe(budget)}): paused`, p);
      stop();
    } else if (share >= 0.8 && !this.crossed.has(key('warn'))) {
      this.crossed.add(key('warn'));
      this.warnings.push(`${what} has spent ${Math.round(share * 100)}% of its budget (${describe(budget)})`);
      this.h.alert(`${what} has spent ${Math.round(share * 100)}% of its budget`, p);
    }
  }

  /** The person raises an agent's budget (by half, or to what they say) and lets it go on. */
  raiseAgentBudget(name: string, budget?: Budget): Budget {
    const half = (b: Budget): Budget => ({ usd: b.usd ? b.usd * 1.5 : undefined, tokens: b.tokens ? Math.round(b.tokens * 1.5) : undefined });
    // When the workspace's budget is what stopped everyone, that budget is raised: one that stayed as
    // it was, its 100% already crossed, would never stop anyone again.
    if (this.workspaceSpent && this.settings.budget) {
      this.settings.budget = half(this.settings.budget);
      this.workspaceSpent = false;
      if (!budget && !this.settings.agentBudgets[name]) return this.settings.budget;
    }
    const own = this.settings.agentBudgets[name];
    if (!budget && !own) return {};
    const next = budget ?? half(own!);
    this.settings.agentBudgets[name] = next;
    return next;
  }
}

function describe(b: Budget): string {
  return [b.usd !== undefined ? `$${b.usd}` : '', b.tokens !== undefined ? `${b.tokens} tokens` : ''].filter(Boolean).join(', ');
}

export type { PaneSpec };
