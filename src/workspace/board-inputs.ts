/**
 * The task board's side of the workspace: the board inputs dispatch hands over (requests, the
 * supervisor's reports, answers, workflows, pausing and resuming agents), and the claims the board's
 * doing tasks hold (asked by CLIs' pre-tool hooks, marked by the change feed, pushed to built-in
 * agents). Runs inside the Workspace's dispatch: state changes through the TaskDesk and the panes.
 *
 * Invariant: built-in agents are sent the active claims only when they changed (and once at hello).
 */
import { isAbsolute, relative } from 'node:path';
import type { WorkspaceMessage } from '../ipc/protocol.js';
import { activeClaims, ClaimMatcher, claimRefusal, type Claim } from '../tasks/claims.js';
import { log } from '../util/log.js';
import type { Core } from './core.js';
import type { WorkspaceInput } from './events.js';
import type { Pane } from './pane.js';
import type { TaskDesk } from './tasks.js';

export type BoardInput = Extract<
  WorkspaceInput,
  { t: 'board' | 'task-started' | 'task-undelivered' | 'task-checked' | 'answer' | 'workflow' | 'pause-agent' | 'resume-agent' }
>;

export interface BoardInputsHost {
  readonly core: Core;
  readonly desk: TaskDesk;
  sendToAgent(paneId: number, m: WorkspaceMessage): boolean;
  pause(p: Pane, why: string): void;
  /** Decides writes instead of the claims (tests). */
  checkWrite?: (agent: string, paths: readonly string[]) => string | undefined;
}

export class BoardInputs {
  private claimsShared = '[]';

  constructor(private h: BoardInputsHost) {}

  handle(input: BoardInput): void {
    const { core, desk } = this.h;
    switch (input.t) {
      case 'board': {
        const answer = desk.request(input.by, input.request);
        if (answer instanceof Promise) void answer.then((a) => input.reply?.(a));
        else input.reply?.(answer);
        return;
      }
      case 'task-started':
        return this.step(() => desk.started(input.id));
      case 'task-undelivered':
        return this.step(() => desk.undelivered(input.id, input.why, input.block === true));
      case 'task-checked':
        return this.step(() => desk.checked(input.id, input.result));
      case 'answer':
        desk.answer(input.question, input.text);
        return core.touch();
      case 'workflow': {
        const made = desk.startWorkflow(input.name, input.steps, (role) => input.owners[role]);
        input.reply?.(made.map((t) => t.id));
        core.say(`workflow ${input.name}: ${made.map((t) => t.id).join(' → ')}`);
        return;
      }
      case 'pause-agent': {
        const p = core.pane(input.pane);
        if (p) this.h.pause(p, input.why);
        return;
      }
      case 'resume-agent': {
        const p = core.pane(input.pane);
        if (p?.paused) {
          p.paused = undefined;
          core.say(`${p.name} goes on`);
        }
        return core.touch();
      }
    }
  }

  /** A supervisor's report on a task that may have moved on meanwhile (the person cancelled it): logged, not thrown. */
  private step(step: () => unknown): void {
    try {
      step();
    } catch (err) {
      log(`tasks: ${(err as Error).message}`);
    }
    this.h.core.touch();
  }

  private claims(): Claim[] {
    return activeClaims(this.h.desk.board.list());
  }

  /**
   * Whether `agent` may write `paths` (absolute, or relative to the project): undefined when it may,
   * else the refusal it gets (a path another task claims). A CLI's pre-tool hook asks this before a
   * write; paths outside the project are no claim's business.
   */
  checkWrite(agent: string, paths: readonly string[]): string | undefined {
    if (paths.length === 0) return undefined;
    if (this.h.checkWrite) return this.h.checkWrite(agent, paths);
    const m = new ClaimMatcher(this.claims());
    // Relative to the agent's own tree (its worktree, when it has one): claims name project paths.
    const base = this.h.core.panes.find((p) => p.name === agent)?.spec.cwd ?? process.cwd();
    for (const given of paths) {
      const path = isAbsolute(given) ? relative(base, given) : given;
      if (path.startsWith('..') || isAbsolute(path)) continue;
      const c = m.others(path, agent);
      if (c) return claimRefusal(path, c);
    }
    return undefined;
  }

  /** The claim `path` (relative to the project) falls under for someone other than `writer` (none: the person or another program). */
  claimOn(path: string, writer: string | undefined): Claim | undefined {
    return new ClaimMatcher(this.claims()).others(path, writer ?? '');
  }

  /** A built-in agent said hello: it gets the active claims (its write tools refuse them). */
  connected(p: Pane): void {
    this.h.sendToAgent(p.id, { t: 'claims', claims: this.claims() });
  }

  /** The board changed: built-in agents are told the active claims when those changed. */
  shareClaims(): void {
    const claims = this.claims();
    const key = JSON.stringify(claims);
    if (key === this.claimsShared) return;
    this.claimsShared = key;
    for (const p of this.h.core.panes) if (p.isAgent && p.connected) this.h.sendToAgent(p.id, { t: 'claims', claims });
  }
}
