/**
 * What the world tells the workspace about its panes: built-in agents' reports over IPC, process
 * starts and exits, and activity readings; and the circuit breakers that stop an agent failing the
 * same way over and over. Runs inside the Workspace's dispatch (state changes through the Core, the
 * panes and the task desk; events out through the workspace).
 */
import { log } from '../util/log.js';
import type { WorkspaceMessage } from '../ipc/protocol.js';
import type { ProcessState } from '../terminal/pane-terminal.js';
import { AGENT_STATES, nextActivity } from './activity.js';
import { hookState, type HookEvent } from '../hooks/hook-event.js';
import type { Core } from './core.js';
import type { AgentEvent, AgentMessage, Reading } from './events.js';
import { toStatus, type Pane } from './pane.js';
import type { ActivityMonitor } from './monitor.js';
import type { TaskDesk } from './tasks.js';
import { usageTotals } from './views.js';

export interface ReportsHost {
  readonly core: Core;
  readonly monitor: ActivityMonitor;
  readonly desk: TaskDesk;
  /** Breaker limits (config tasks.errorsInARow, tasks.sameToolErrors). */
  readonly limits: { errorsInARow: number; sameToolErrors: number };
  sendToAgent(paneId: number, m: WorkspaceMessage): boolean;
  agentEvent(e: AgentEvent): void;
  attention(p: Pane): void;
  conversation(p: Pane): void;
  /** Readings batch: the next publish may wait a moment. */
  readingsChanged(): void;
  pause(p: Pane, why: string): void;
  /** A built-in agent said hello (it gets the active claims). */
  connected(p: Pane): void;
  /** The tour's first instruction for an agent, taken once. */
  takeFirstInstruction(name: string): string | undefined;
  /** A pane closed but whose program has not ended yet. */
  closing(id: number): Pane | undefined;
}

export class Reports {
  private waitingSeq = 0;
  /** Per pane: failed turns in a row, and the tool errors of the current turn. */
  private errors = new Map<number, { turns: number; tools: Map<string, number> }>();

  constructor(private h: ReportsHost) {}

  private breaker(p: Pane) {
    let b = this.errors.get(p.id);
    if (!b) this.errors.set(p.id, (b = { turns: 0, tools: new Map() }));
    return b;
  }

  agent(id: number, m: AgentMessage): void {
    const { core } = this.h;
    const pane = core.pane(id);
    if (!pane) {
      // A pane being closed still has its last words kept (the reply it just gave, its usage), so
      // session memory does not lose them to the race with its stopping; nothing else changes.
      const gone = this.h.closing(id);
      if (gone && (m.t === 'history' || m.t === 'usage')) this.h.agentEvent({ pane: id, name: gone.name, message: m, reply: () => undefined });
      return;
    }
    switch (m.t) {
      case 'hello':
        pane.connected = true;
        this.h.connected(pane);
        // A new agent is at its prompt until it says otherwise.
        if (!pane.activity) this.reading(id, { state: 'idle', source: 'reported', reason: 'idle' });
        core.touch();
        break;
      case 'status':
        this.reading(id, { state: AGENT_STATES[m.status], source: 'reported', reason: m.status });
        break;
      case 'usage':
        this.usage(pane, m.usage);
        break;
      case 'turn':
        this.turnEnded(pane, m.reason);
        break;
      case 'tool_error':
        this.toolError(pane, `${m.tool}: ${m.summary}`);
        break;
      case 'board': {
        const reply = (a: { ok: boolean; text: string }) => this.h.sendToAgent(id, { t: 'board_reply', id: m.id, ok: a.ok, text: a.text });
        const answer = this.h.desk.request(pane.name, m.request, Date.now(), `${id}:${m.id}`);
        if (answer instanceof Promise) void answer.then(reply);
        else reply(answer);
        break;
      }
      case 'answered':
        this.h.desk.answerRef(`${id}:${m.id}`, m.text);
        break;
      default:
        break;
    }
    this.h.agentEvent({ pane: id, name: pane.name, message: m, reply: (r) => void this.h.sendToAgent(id, r) });
    // The tour's first instruction goes out once the agent is listening (after any restored conversation).
    const first = m.t === 'hello' ? this.h.takeFirstInstruction(pane.name) : undefined;
    if (first !== undefined) this.h.sendToAgent(id, { t: 'redirect', text: first });
  }

  /** Usage totals from an agent: the pane shows them, its tasks and budgets are charged the difference. */
  private usage(p: Pane, u: NonNullable<Pane['usage']>): void {
    const was = p.usage;
    p.usage = u;
    const tokens = (x: typeof u | undefined) => (x ? x.input + x.output + x.cacheRead + x.cacheWrite : 0);
    const usd = u.cost - (was?.cost ?? 0);
    const dt = tokens(u) - tokens(was);
    if (usd > 0 || dt > 0 || !u.priced) {
      const t = usageTotals(this.h.core.panes);
      this.h.desk.spent(p, usd, dt, u.priced, { usd: t.cost, tokens: t.tokens });
    }
    this.h.core.touch();
  }

  /** Circuit breaker: an agent whose turns keep failing (API errors) is paused, not left to burn budget. */
  private turnEnded(p: Pane, reason: 'done' | 'interrupted' | 'error'): void {
    const b = this.breaker(p);
    b.tools.clear();
    if (reason === 'error') b.turns++;
    else if (reason === 'done') b.turns = 0;
    if (b.turns >= this.h.limits.errorsInARow) {
      b.turns = 0;
      this.h.pause(p, `${p.name} failed ${this.h.limits.errorsInARow} turns in a row`);
    }
  }

  /** Circuit breaker: the same tool error again and again in one turn. */
  private toolError(p: Pane, what: string): void {
    const b = this.breaker(p);
    const n = (b.tools.get(what) ?? 0) + 1;
    b.tools.set(what, n);
    if (n >= this.h.limits.sameToolErrors) {
      b.tools.clear();
      this.h.pause(p, `${p.name} hit the same tool error ${n} times in one turn (${what})`);
    }
  }

  process(id: number, state: ProcessState): void {
    const pane = this.h.core.pane(id);
    if (!pane) return;
    pane.status = toStatus(state, pane.status);
    if (!pane.running) {
      if (pane.activity?.state === 'waiting') pane.leftWaitingAt = Date.now();
      pane.activity = undefined;
      pane.connected = false;
      this.errors.delete(pane.id);
    }
    this.h.monitor.processChanged(pane);
    this.h.monitor.changed(pane);
    this.h.core.touch();
  }

  /** A CLI's hook event: from now on in this run, its hooks lead and its screen fills their gaps. */
  hook(id: number, event: HookEvent): void {
    const pane = this.h.core.pane(id);
    if (!pane || !pane.running) return;
    pane.hookReported();
    const r = hookState(event);
    if (r) this.reading(id, { ...r, source: 'hook' });
  }

  reading(id: number, r: Reading): void {
    const pane = this.h.core.pane(id);
    if (!pane || !pane.running) return;
    const now = Date.now();
    const prev = pane.activity;
    const next = nextActivity(prev, r, now, pane.leftWaitingAt);
    if (prev?.state === 'waiting' && next.activity.state !== 'waiting') pane.leftWaitingAt = now;
    if (prev?.state !== 'waiting' && next.activity.state === 'waiting') pane.waitingSeq = ++this.waitingSeq;
    pane.activity = next.activity;
    if (next.changed) {
      if (r.source !== 'reported' && prev?.state !== r.state) log(`activity ${pane.name}: ${prev?.state ?? '-'} -> ${r.state} (${r.source}: ${r.reason})`);
      // Reported statuses are exact and rare: show them now; screen readings batch.
      if (r.source === 'reported' || r.source === 'hook') this.h.core.touch();
      else this.h.readingsChanged();
    }
    if (r.state === 'busy' && (r.source === 'screen' || r.source === 'hook')) this.hadTurn(pane);
    this.h.monitor.changed(pane);
    if (next.attention) this.h.attention(pane);
  }

  /** A CLI with a conversation id of its own now has a conversation behind it (worth resuming). */
  hadTurn(p: Pane | undefined): void {
    const c = p?.spec.conversation;
    if (!p || !c || c.had) return;
    c.had = true;
    this.h.conversation(p);
  }
}
