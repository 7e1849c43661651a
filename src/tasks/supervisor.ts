/**
 * The supervisor: code in the workspace, not a model, that runs the task board. It hands each ready
 * task (its dependencies done, its owner there and not paused) to its owner as an instruction once
 * the owner is idle, runs a completed task's check, and reports both back to the workspace, which
 * moves the task (a failed check sends it back with the output, and past its attempts blocks it).
 *
 * Invariants:
 * - one instruction in flight per task, and an owner gets a new task only when it has none in
 *   progress, so two tasks never arrive on top of each other;
 * - one check run per task at a time; a check runs only once approved (see TaskDesk);
 * - no timers while nothing is ready: it looks again when the workspace publishes a change; one
 *   stall timer runs only while some task is doing (an owner that made no progress for stallMs, no
 *   file changed and no task moved, is paused: a stuck agent is not left to burn budget).
 */
import { formatDuration } from '../util/format.js';
import { log } from '../util/log.js';
import type { Pane } from '../workspace/pane.js';
import type { Workspace } from '../workspace/workspace.js';
import type { CheckRunner } from './check.js';
import type { Task } from './task.js';
import { instructionText } from './text.js';

/** After this many failed deliveries in a row, a task is blocked rather than tried forever. */
const MAX_UNDELIVERED = 3;

export interface SupervisorOptions {
  checks: CheckRunner;
  /** Files the owner of `task` changed while it worked on it (for a review step). */
  changedBy?: (owner: string, since: number) => string[];
  /** When `owner` last changed a file (the feed's attribution), if it did. */
  lastChangeBy?: (owner: string) => number | undefined;
  /** An owner with a task doing and no progress this long is paused (0: never). */
  stallMs?: number;
  now?: () => number;
}

export class Supervisor {
  private delivering = new Set<string>();
  private checking = new Set<string>();
  private failures = new Map<string, number>();
  private scheduled = false;
  private stopped = false;
  private stallTimer: NodeJS.Timeout | undefined;

  constructor(
    private ws: Workspace,
    private o: SupervisorOptions,
  ) {
    ws.on('change', this.soon);
    ws.on('task', this.soon);
  }

  private soon = () => {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.stopped) this.pass();
    });
  };

  /** Looks at the board once: hands out what is ready, checks what is complete. */
  pass(): void {
    const board = this.ws.desk.board;
    for (const t of board.ready()) {
      if (this.delivering.has(t.id)) continue;
      const owner = this.ws.panes.find((p) => p.name === t.owner);
      if (!owner || !owner.running || owner.paused || !owner.takesInstructions) continue;
      if (board.current(owner.name) || [...this.delivering].some((id) => board.get(id)?.owner === owner.name)) continue;
      this.hand(t, owner);
    }
    for (const t of board.list()) if (t.state === 'checking' && t.check && t.checkApproved && !this.checking.has(t.id)) this.check(t, t.check);
    this.armStalls();
  }

  /** The stall timer runs while some task is doing, and only then. */
  private armStalls(): void {
    const stallMs = this.o.stallMs ?? 0;
    const doing = this.ws.desk.board.list().some((t) => t.state === 'doing');
    if (!doing || stallMs <= 0) {
      clearTimeout(this.stallTimer);
      this.stallTimer = undefined;
      return;
    }
    if (this.stallTimer) return;
    // A quarter of the limit (at most a minute): a stall is noticed within 25% of its length.
    this.stallTimer = setTimeout(() => {
      this.stallTimer = undefined;
      if (this.stopped) return;
      this.stalls();
      this.armStalls();
    }, Math.min(stallMs / 4, 60_000));
    this.stallTimer.unref();
  }

  /** Pauses each owner whose doing task has seen no file change by it and no move for stallMs. */
  stalls(): void {
    const stallMs = this.o.stallMs ?? 0;
    if (stallMs <= 0) return;
    const now = (this.o.now ?? Date.now)();
    for (const t of this.ws.desk.board.list()) {
      if (t.state !== 'doing' || !t.owner) continue;
      const owner = this.ws.panes.find((p) => p.name === t.owner);
      // Only an owner at work burns budget; one at its prompt or waiting for the person does not.
      if (!owner || !owner.running || owner.paused || owner.activity?.state !== 'busy') continue;
      const last = Math.max(t.updatedAt, this.o.lastChangeBy?.(t.owner) ?? 0);
      if (now - last < stallMs) continue;
      const why = `${owner.name} made no progress on ${t.id} for ${formatDuration(stallMs)} (no file changed, no task moved)`;
      log(`supervisor: ${why}`);
      this.ws.dispatch({ t: 'pause-agent', pane: owner.id, why });
    }
  }

  private hand(t: Task, owner: Pane): void {
    const board = this.ws.desk.board;
    const deps = t.deps.map((d) => board.get(d)).filter((d): d is Task => d !== undefined);
    const review = t.workflow?.review && this.o.changedBy ? deps.flatMap((d) => (d.owner ? this.o.changedBy!(d.owner, d.createdAt) : [])) : undefined;
    const text = instructionText(t, deps, { tools: owner.isAgent || owner.spec.preset !== 'aider', changedByDeps: review ? [...new Set(review)] : undefined });
    this.delivering.add(t.id);
    void this.ws.deliver(owner, 'the task board', text).then((r) => {
      this.delivering.delete(t.id);
      if (this.stopped) return;
      if (r.ok) {
        this.failures.delete(t.id);
        this.ws.dispatch({ t: 'task-started', id: t.id });
        return;
      }
      const n = (this.failures.get(t.id) ?? 0) + 1;
      this.failures.set(t.id, n);
      log(`supervisor: ${t.id} not delivered to ${owner.name} (${n}): ${r.detail}`);
      this.ws.dispatch({ t: 'task-undelivered', id: t.id, why: r.detail, block: n >= MAX_UNDELIVERED });
    });
  }

  private check(t: Task, command: string): void {
    this.checking.add(t.id);
    log(`supervisor: checking ${t.id}: ${command}`);
    void this.o.checks.run(command).then((result) => {
      this.checking.delete(t.id);
      if (!this.stopped) this.ws.dispatch({ t: 'task-checked', id: t.id, result });
    });
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.stallTimer);
    this.ws.off('change', this.soon);
    this.ws.off('task', this.soon);
    this.o.checks.stopAll();
  }
}
