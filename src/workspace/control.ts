/**
 * Interrupting, redirecting and restarting agents, each the way its kind expects: built-in agents
 * exactly over IPC; any other program by its keys, watched on its screen (steering.ts). Outcomes go
 * back to the workspace as dispatched inputs (a status-bar message, a notice in the pane's title).
 *
 * Invariants:
 * - one steering action at a time per pane (its lane): two at once would type into each other (one's
 *   Ctrl-U erasing the other's text) or send a second Esc to a program already stopped;
 * - an interrupt is reported as done only once the program really stopped (a built-in agent's turn
 *   settled, a CLI's screen left busy, or the program exited), or as failed when it did not.
 */
import { randomUUID } from 'node:crypto';
import type { WorkspaceMessage } from '../ipc/protocol.js';
import type { ActivityMonitor } from './monitor.js';
import type { WorkspaceInput } from './events.js';
import type { Pane } from './pane.js';
import { PRESETS, withConversation } from './presets.js';
import { INTERRUPT_CONFIRM_MS, interruptConfirmed, redirectTyped, type SteerResult } from './steering.js';

export interface ControlHost {
  readonly panes: readonly Pane[];
  readonly focused: Pane | undefined;
  readonly monitor: ActivityMonitor;
  dispatch(input: WorkspaceInput): void;
  /** To a built-in agent over IPC; false when it is not connected. */
  sendToAgent(paneId: number, m: WorkspaceMessage): boolean;
}

export class AgentControl {
  private lanes = new WeakMap<Pane, Promise<unknown>>();

  constructor(private ws: ControlHost) {}

  private say(text: string): void {
    this.ws.dispatch({ t: 'say', text });
  }

  private notice(p: Pane, notice: string | undefined): void {
    if (p.notice !== notice) this.ws.dispatch({ t: 'notice', pane: p.id, notice });
  }

  /** One steering action at a time per pane. */
  private inLane<T>(p: Pane, step: () => Promise<T>): Promise<T> {
    const next = (this.lanes.get(p) ?? Promise.resolve()).then(step, step);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.lanes.set(p, settled);
    void settled.then(() => {
      if (this.lanes.get(p) === settled) this.lanes.delete(p);
    });
    return next;
  }

  /**
   * A built-in agent stops exactly on its channel's interrupt; it counts as stopped once it reports
   * a settled turn (its tools really ended), not when the message went out.
   */
  private async interruptAgent(p: Pane): Promise<SteerResult> {
    const t0 = Date.now();
    if (p.activity?.state !== 'busy' && p.activity?.state !== 'waiting') {
      this.ws.sendToAgent(p.id, { t: 'interrupt' });
      return { ok: true, ms: 0, detail: 'was not busy' };
    }
    this.ws.sendToAgent(p.id, { t: 'interrupt' });
    const ok = await this.ws.monitor.until(p, (a) => !p.running || (a?.state !== 'busy' && a?.state !== 'waiting'), INTERRUPT_CONFIRM_MS);
    const ms = Date.now() - t0;
    return ok ? { ok, ms, detail: `stopped in ${ms} ms` } : { ok, ms, detail: `still busy ${Math.round(ms / 1000)} s after the interrupt` };
  }

  private interruptPane(p: Pane): Promise<SteerResult> {
    if (!p.running) return Promise.resolve({ ok: false, ms: 0, detail: 'is not running' });
    return this.inLane(p, async () => {
      const r = p.isAgent && p.connected ? await this.interruptAgent(p) : await interruptConfirmed(this.ws.monitor, p);
      this.notice(p, r.ok ? undefined : `interrupt failed: ${r.detail}`);
      return r;
    });
  }

  /** Stops what one pane is doing (a paused agent), saying nothing unless it fails. */
  stop(p: Pane): Promise<SteerResult> {
    return this.interruptPane(p);
  }

  /** Interrupts the focused pane (or all) and reports, per pane, whether it stopped. */
  async interrupt(all = false): Promise<void> {
    const targets = (all ? this.ws.panes : this.ws.focused ? [this.ws.focused] : []).filter((p) => p.running);
    if (targets.length === 0) return this.say('nothing running to interrupt');
    this.say(`interrupting ${targets.map((p) => p.name).join(', ')}…`);
    const results = await Promise.all(targets.map(async (p) => ({ p, r: await this.interruptPane(p) })));
    // "interrupted claude (stopped in 96 ms)", "sleep exited on Ctrl-C", "shell was not busy".
    this.say(results.map(({ p, r }) => (r.ok && r.detail.startsWith('stopped') ? `interrupted ${p.name} (${r.detail})` : `${p.name} ${r.detail}`)).join(' · '));
  }

  /** Restarts a pane's program; a CLI with its own conversation id comes back to that conversation. */
  async restart(pane: Pane): Promise<void> {
    this.say(`restarting ${pane.name}`);
    // A CLI with its own conversation id comes back to that conversation; one that never had a turn
    // starts a new one under a new id (its old id may be taken already).
    const c = pane.spec.conversation;
    const preset = pane.spec.preset && PRESETS[pane.spec.preset];
    if (c && preset) {
      if (!c.had) c.id = randomUUID();
      return pane.terminal.restart((args) => withConversation(args, preset, c.id, c.had));
    }
    await pane.terminal.restart();
  }

  /**
   * Interrupts and sends a new instruction: built-in agents take it exactly over IPC; other programs
   * are steered as a person would (steering.ts) and each pane's outcome is reported.
   */
  async redirect(target: 'focused' | 'all', text: string): Promise<void> {
    // A broadcast goes to the agents: typed into a shell, an instruction would run as a command.
    const panes = (target === 'all' ? this.ws.panes.filter((p) => p.takesInstructions) : this.ws.focused ? [this.ws.focused] : []).filter((p) => p.running);
    if (panes.length === 0) return this.say(target === 'all' ? 'no agent running to send to' : 'nothing running to send to');
    this.say(`sending to ${panes.map((p) => p.name).join(', ')}…`);
    const results = await Promise.all(panes.map(async (p) => ({ p, r: await this.instruct(p, text, true) })));
    this.say(results.map(({ p, r }) => (r.ok ? `${p.name}: sent` : `${p.name}: not sent, ${r.detail}`)).join(' · '));
  }

  /** Gives one pane a new instruction, interrupting its current work or not; the outcome shows in its title. */
  async instruct(p: Pane, text: string, interrupt: boolean): Promise<SteerResult> {
    if (p.isAgent && p.running && this.ws.sendToAgent(p.id, { t: 'redirect', text })) return { ok: true, ms: 0, detail: 'delivered' };
    return this.inLane(p, async () => {
      this.notice(p, undefined);
      const r = await redirectTyped(this.ws.monitor, p, text, { interrupt });
      if (!r.ok) this.notice(p, `instruction not sent: ${r.detail}`);
      else this.ws.dispatch({ t: 'turn-started', pane: p.id });
      return r;
    });
  }
}
