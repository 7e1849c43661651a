/**
 * Interrupting, redirecting and restarting agents, each the way its kind expects: built-in agents
 * exactly over IPC; any other program by its keys, watched on its screen (steering.ts), with the
 * outcome said in the status bar and, when it failed, in the pane's title.
 */
import { randomUUID } from 'node:crypto';
import type { AgentMessage, WorkspaceMessage } from '../ipc/protocol.js';
import type { ActivityState } from './activity.js';
import type { ActivityMonitor } from './monitor.js';
import type { Pane } from './pane.js';
import { PRESETS, withConversation } from './presets.js';
import { interruptConfirmed, redirectTyped, type SteerResult } from './steering.js';

/** A built-in agent's reported status, as the activity every pane has. */
const AGENT_ACTIVITY: Record<NonNullable<Pane['agent']>['status'], ActivityState> = {
  idle: 'idle',
  error: 'idle',
  thinking: 'busy',
  tool: 'busy',
  approval: 'waiting',
};

export interface ControlHost {
  readonly panes: Pane[];
  readonly focused: Pane | undefined;
  readonly monitor: ActivityMonitor;
  /** To a built-in agent over IPC; false when it is not connected. */
  sendToAgent(paneId: number, m: WorkspaceMessage): boolean;
  say(message: string): void;
  publish(): void;
  /** A CLI's own conversation now exists (worth resuming). */
  conversationStarted(p: Pane): void;
}

export class AgentControl {
  private lanes = new WeakMap<Pane, Promise<unknown>>();

  constructor(private ws: ControlHost) {}

  /** A built-in agent's report over IPC; true when the pane's view changed. */
  agentMessage(pane: Pane, m: AgentMessage): boolean {
    const prev = pane.agent ?? { status: 'idle' as const };
    if (m.t === 'status') {
      pane.agent = { ...prev, status: m.status, detail: m.detail };
      this.ws.monitor.report(pane, AGENT_ACTIVITY[m.status], m.status);
    } else if (m.t === 'usage') pane.agent = { ...prev, usage: m.usage };
    else if (m.t === 'hello') pane.agent = { ...prev };
    else return false;
    return true;
  }

  /**
   * Interrupts one pane the way its kind expects: a built-in agent exactly, over IPC; any other
   * program by its key, then watching it stop. Resolves with what happened.
   */
  private async interruptPane(p: Pane): Promise<SteerResult> {
    if (!p.running) return { ok: false, ms: 0, detail: 'is not running' };
    if (p.isAgent && this.ws.sendToAgent(p.id, { t: 'interrupt' })) return { ok: true, ms: 0, detail: 'interrupted' };
    return this.inLane(p, async () => {
      const r = await interruptConfirmed(this.ws.monitor, p);
      this.setNotice(p, r.ok ? undefined : `interrupt failed: ${r.detail}`);
      return r;
    });
  }

  /**
   * One steering action at a time per pane: two at once would type into each other (one's Ctrl-U
   * erasing the other's text) or send a second Esc to a program already stopped.
   */
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

  /** Interrupts the focused pane (or all) and reports, per pane, whether it stopped. */
  async interrupt(all = false): Promise<void> {
    const targets = (all ? this.ws.panes : this.ws.focused ? [this.ws.focused] : []).filter((p) => p.running);
    if (targets.length === 0) return this.ws.say('nothing running to interrupt');
    this.ws.say(`interrupting ${targets.map((p) => p.name).join(', ')}…`);
    const results = await Promise.all(targets.map(async (p) => ({ p, r: await this.interruptPane(p) })));
    this.ws.say(results.map(({ p, r }) => (r.ok ? `interrupted ${p.name}${r.detail === 'interrupted' ? '' : ` (${r.detail})`}` : `${p.name} ${r.detail}`)).join(' · '));
  }

  /** A CLI with a conversation id of its own now has a conversation behind it (worth resuming). */
  hadTurn(p: Pane): void {
    const c = p.spec.conversation;
    if (!c || c.had) return;
    c.had = true;
    this.ws.conversationStarted(p);
  }

  /** A problem to show in a pane's title until the next action on it succeeds. */
  private setNotice(p: Pane, notice: string | undefined): void {
    if (p.notice === notice) return;
    p.notice = notice;
    this.ws.publish();
  }

  /** Restarts a pane's program; a CLI with its own conversation id comes back to that conversation. */
  async restart(pane: Pane): Promise<void> {
    this.ws.say(`restarting ${pane.name}`);
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
    if (panes.length === 0) return this.ws.say(target === 'all' ? 'no agent running to send to' : 'nothing running to send to');
    this.ws.say(`sending to ${panes.map((p) => p.name).join(', ')}…`);
    const results = await Promise.all(panes.map(async (p) => ({ p, r: await this.instruct(p, text, true) })));
    this.ws.say(results.map(({ p, r }) => (r.ok ? `${p.name}: sent` : `${p.name}: not sent, ${r.detail}`)).join(' · '));
  }

  /** Gives one pane a new instruction, interrupting its current work or not; the outcome shows in its title. */
  async instruct(p: Pane, text: string, interrupt: boolean): Promise<SteerResult> {
    if (p.isAgent && p.running && this.ws.sendToAgent(p.id, { t: 'redirect', text })) return { ok: true, ms: 0, detail: 'delivered' };
    return this.inLane(p, async () => {
      this.setNotice(p, undefined);
      const r = await redirectTyped(this.ws.monitor, p, text, { interrupt });
      if (!r.ok) this.setNotice(p, `instruction not sent: ${r.detail}`);
      else this.hadTurn(p);
      return r;
    });
  }

}
