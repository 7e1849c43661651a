/**
 * What the MCP server's tools reach in a running workspace: the change feed and notes of the shared
 * context, the panes' statuses, and delivery of one agent's message to another.
 *
 * A message never interrupts the agent it is for: it waits until that agent is idle and the person
 * has not typed there for a few seconds, then goes in as its next instruction (typed and confirmed
 * for CLIs, over IPC for built-in agents). Messages to one agent go one at a time, in the order they
 * were sent; one that cannot be delivered is posted as a note. Shells and commands never get one.
 */
import { authorName } from '../context/feed-types.js';
import { describeEntry, type ContextService } from '../context/service.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { log } from '../util/log.js';
import { printable, typeable } from '../util/safe-text.js';
import type { Pane } from '../workspace/pane.js';
import type { Workspace } from '../workspace/workspace.js';
import type { McpAgentInfo, McpHost, McpNote } from './tools.js';

/** A message waits this long after the person last typed into the agent's pane. */
const PERSON_QUIET_MS = 5000;

export function workspaceMcpHost(o: { context?: ContextService; workspace: () => Workspace | undefined }): McpHost {
  const lanes = new Map<number, Promise<unknown>>();
  const note = (n: { id: number; time: number; author: string; text: string }): McpNote => ({ ...n, author: authorName(n.author) });

  const statusOf = (p: Pane): McpAgentInfo['status'] => {
    if (p.activity) return p.activity.state;
    return p.running || p.status.kind === 'starting' ? 'starting' : 'exited';
  };

  /** Waits until `p` is idle and the person has not typed into it for a while; false if it went away. */
  const ready = async (p: Pane, ws: Workspace): Promise<boolean> => {
    for (;;) {
      if (!(await ws.monitor.until(p, (a) => a?.state === 'idle', Infinity))) return false;
      const quietFor = Date.now() - p.lastTyped;
      if (quietFor >= PERSON_QUIET_MS) return true;
      // In short steps, so a pane closed meanwhile is noticed soon.
      await sleep(Math.min(500, PERSON_QUIET_MS - quietFor));
      if (ws.monitor.gone(p)) return false;
    }
  };

  const deliver = async (p: Pane, ws: Workspace, from: string, text: string): Promise<{ ok: boolean; detail: string }> => {
    let r: { ok: boolean; detail: string };
    try {
      if (!(await ready(p, ws))) r = { ok: false, detail: `${p.name} was closed or the workspace stopped first` };
      else {
        const sent = await ws.instruct(p, text, false);
        r = { ok: sent.ok, detail: sent.ok ? `${p.name} got it and started working on it` : `${p.name} ${sent.detail}` };
      }
    } catch (err) {
      r = { ok: false, detail: (err as Error).message };
    }
    if (!r.ok) {
      // The sender was told it is queued: the failure goes where it and the person will see it.
      log(`mcp: a message from ${from} to ${p.name} was not delivered: ${r.detail}`);
      o.context?.feed.postNote('agents', `A message from ${from} to ${p.name} was not delivered: ${r.detail}.`);
    }
    return r;
  };

  return {
    changes(since, limit) {
      const after = (o.context?.feed.entries() ?? []).filter((e) => e.id > since);
      const changes = after.slice(0, limit).map((e) => {
        const d = describeEntry(e);
        return { ...d, size: d.size || undefined };
      });
      return { changes, next: changes.at(-1)?.id ?? since, more: after.length > limit };
    },
    notes: (since) => (o.context?.feed.notes(since) ?? []).map(note),
    postNote(author, text) {
      const posted = o.context?.feed.postNote(author, text);
      if (!posted) throw new Error('the shared context is not available in this workspace');
      return note(posted);
    },
    agents() {
      const ws = o.workspace();
      if (!ws) return [];
      return ws.panes.filter((p) => p.takesInstructions).map((p) => ({
        name: p.name,
        preset: p.spec.preset ?? 'agent',
        status: statusOf(p),
        guessed: p.activity?.source === 'guess',
        focused: p === ws.focused,
      }));
    },
    async sendMessage(from, to, text) {
      const ws = o.workspace();
      const p = ws?.panes.find((x) => x.name === to);
      if (!ws || !p) return { ok: false, detail: `there is no agent named ${printable(to)}` };
      // Never type into a shell or a command: that would run whatever the text says.
      if (!p.takesInstructions) return { ok: false, detail: `${to} is not an agent (a shell or a command); messages go to agents only` };
      if (!p.running) return { ok: false, detail: `${to} is not running` };
      // Text only, for every receiver: a CLI gets it typed (where steering makes it typeable too), a
      // built-in agent shows it in its pane; neither should receive terminal commands from another agent.
      const message = `Message from ${from}, another agent in this workspace: ${typeable(text, { newlines: true })}`;
      const queued = lanes.has(p.id);
      const now = !queued && p.activity?.state === 'idle' && Date.now() - p.lastTyped >= PERSON_QUIET_MS;
      const previous = lanes.get(p.id) ?? Promise.resolve();
      const delivery = previous.then(() => deliver(p, ws, from, message));
      lanes.set(p.id, delivery);
      void delivery.finally(() => {
        if (lanes.get(p.id) === delivery) lanes.delete(p.id);
      });
      if (now) return delivery;
      const why = queued ? 'other messages are queued for it' : p.activity?.state === 'idle' ? 'the person is typing there' : `it is ${p.activity?.state ?? 'starting'}`;
      return { ok: true, detail: `queued: ${why}; it goes in as ${to}'s next instruction once ${to} is idle (a failure would be posted as a note)` };
    },
  };
}
