/**
 * Messages for an agent that must not interrupt it: one agent's message to another (MCP
 * send_message), and later any instruction the workspace hands out when an agent is free.
 *
 * A message waits until its agent is idle and the person has not typed there for a few seconds, then
 * goes in as its next instruction (typed and confirmed for CLIs, over IPC for built-in agents).
 * Messages to one agent go one at a time, in the order they were sent; one that cannot be delivered
 * is posted as a note, so the sender (told it was queued) and the person see it. Shells and commands
 * never get one: typed into a shell, a message would run as a command.
 *
 * Invariant: the queue per pane is this module's only state; the person's own redirects do not wait
 * behind it (they take the pane's steering lane directly, see control.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { log } from '../util/log.js';
import type { ActivityMonitor } from './monitor.js';
import type { Pane } from './pane.js';
import type { SteerResult } from './steering.js';

/** A message waits this long after the person last typed into the agent's pane. */
export const PERSON_QUIET_MS = 5000;

export interface DeliveryHost {
  readonly monitor: ActivityMonitor;
  instruct(p: Pane, text: string, interrupt: boolean): Promise<SteerResult>;
  /** Posts a note on the shared notes board (when there is one). */
  postNote(author: string, text: string): void;
}

export type DeliveryResult = { ok: boolean; detail: string };

export class Deliveries {
  private lanes = new Map<number, Promise<unknown>>();

  constructor(private host: DeliveryHost) {}

  /** Waits until `p` is idle and the person has not typed into it for a while; false if it went away. */
  private async ready(p: Pane): Promise<boolean> {
    const { monitor } = this.host;
    for (;;) {
      if (!(await monitor.until(p, (a) => a?.state === 'idle', Infinity))) return false;
      const quietFor = Date.now() - p.lastTyped;
      if (quietFor >= PERSON_QUIET_MS) return true;
      // In short steps, so a pane closed meanwhile is noticed soon.
      await sleep(Math.min(500, PERSON_QUIET_MS - quietFor));
      if (monitor.gone(p)) return false;
    }
  }

  private async deliver(p: Pane, from: string, text: string): Promise<DeliveryResult> {
    let r: DeliveryResult;
    try {
      if (!(await this.ready(p))) r = { ok: false, detail: `${p.name} was closed or the workspace stopped first` };
      else {
        const sent = await this.host.instruct(p, text, false);
        r = { ok: sent.ok, detail: sent.ok ? `${p.name} got it and started working on it` : `${p.name} ${sent.detail}` };
      }
    } catch (err) {
      r = { ok: false, detail: (err as Error).message };
    }
    if (!r.ok) {
      log(`delivery: a message from ${from} to ${p.name} was not delivered: ${r.detail}`);
      this.host.postNote('agents', `A message from ${from} to ${p.name} was not delivered: ${r.detail}.`);
    }
    return r;
  }

  /**
   * Queues `text` for `p`. Resolves with the delivery itself when it can go at once, else at once with
   * "queued" and why (the failure, if any, becomes a note).
   */
  /** Queues `text` for `p`; resolves once it went in (or could not). */
  enqueue(p: Pane, from: string, text: string): Promise<DeliveryResult> {
    if (!p.takesInstructions) return Promise.resolve({ ok: false, detail: `${p.name} is not an agent (a shell or a command); messages go to agents only` });
    if (!p.running) return Promise.resolve({ ok: false, detail: `${p.name} is not running` });
    const delivery = (this.lanes.get(p.id) ?? Promise.resolve()).then(() => this.deliver(p, from, text));
    this.lanes.set(p.id, delivery);
    void delivery.finally(() => {
      if (this.lanes.get(p.id) === delivery) this.lanes.delete(p.id);
    });
    return delivery;
  }

  send(p: Pane, from: string, text: string): Promise<DeliveryResult> {
    const queued = this.lanes.has(p.id);
    const now = !queued && p.activity?.state === 'idle' && Date.now() - p.lastTyped >= PERSON_QUIET_MS;
    const delivery = this.enqueue(p, from, text);
    if (now || !p.takesInstructions || !p.running) return delivery;
    const why = queued ? 'other messages are queued for it' : p.activity?.state === 'idle' ? 'the person is typing there' : `it is ${p.activity?.state ?? 'starting'}`;
    return Promise.resolve({ ok: true, detail: `queued: ${why}; it goes in as ${p.name}'s next instruction once ${p.name} is idle (a failure would be posted as a note)` });
  }
}
