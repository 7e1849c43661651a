/**
 * What the MCP server's tools reach in a running workspace: the change feed and notes of the shared
 * context, the panes' statuses, and delivery of one agent's message to another.
 *
 * A message never interrupts the agent it is for: it waits until that agent is idle, then goes in as
 * its next instruction (typed and confirmed for CLIs, over IPC for built-in agents). Messages to one
 * agent go one at a time, in the order they were sent.
 */
import { authorName, describeEntry, type ContextService } from '../context/service.js';
import { log } from '../util/log.js';
import type { Pane } from '../workspace/pane.js';
import type { Workspace } from '../workspace/workspace.js';
import type { McpAgentInfo, McpHost, McpNote } from './tools.js';

/** How long a message waits for a busy agent before it is given up (and logged). */
const DELIVERY_WAIT_MS = 10 * 60_000;

export function workspaceMcpHost(o: { context?: ContextService; workspace: () => Workspace | undefined }): McpHost {
  const lanes = new Map<number, Promise<unknown>>();
  const note = (n: { id: number; time: number; author: string; text: string }): McpNote => ({ ...n, author: authorName(n.author) });

  const statusOf = (p: Pane): McpAgentInfo['status'] => {
    if (p.activity) return p.activity.state;
    return p.running || p.status.kind === 'starting' ? 'starting' : 'exited';
  };

  const deliver = async (p: Pane, ws: Workspace, text: string): Promise<{ ok: boolean; detail: string }> => {
    if (!(await ws.monitor.until(p, (a) => a?.state === 'idle', DELIVERY_WAIT_MS))) {
      log(`mcp: a message for ${p.name} was dropped: it did not become idle within ${DELIVERY_WAIT_MS / 60_000} minutes`);
      return { ok: false, detail: `${p.name} stayed busy; the message was not delivered` };
    }
    const r = await ws.instruct(p, text, false);
    return { ok: r.ok, detail: r.ok ? `${p.name} got it and started working on it` : `not delivered: ${p.name} ${r.detail}` };
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
      return ws.panes.map((p) => ({
        name: p.name,
        preset: p.spec.preset ?? (p.isAgent ? 'agent' : 'command'),
        status: statusOf(p),
        guessed: p.activity?.source === 'guess',
        focused: p === ws.focused,
      }));
    },
    async sendMessage(from, to, text) {
      const ws = o.workspace();
      const p = ws?.panes.find((x) => x.name === to);
      if (!ws || !p) return { ok: false, detail: `there is no agent named ${to}` };
      if (!p.running) return { ok: false, detail: `${to} is not running` };
      const message = `Message from ${from}, another agent in this workspace: ${text}`;
      const idle = p.activity?.state === 'idle' && !lanes.has(p.id);
      const previous = lanes.get(p.id) ?? Promise.resolve();
      const delivery = previous.then(() => deliver(p, ws, message));
      lanes.set(p.id, delivery);
      void delivery.finally(() => {
        if (lanes.get(p.id) === delivery) lanes.delete(p.id);
      });
      if (idle) return delivery;
      return { ok: true, detail: `${to} is ${p.activity?.state ?? 'starting'}; the message goes in as its next instruction once it is idle` };
    },
  };
}
