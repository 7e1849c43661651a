/**
 * What the MCP server's tools reach in a running workspace: the change feed and notes of the shared
 * context, the panes' statuses, and one agent's message to another (delivered by the workspace when
 * the receiver is idle, see src/workspace/delivery.ts). An adapter only: no state of its own.
 */
import { authorName } from '../context/feed-types.js';
import { answerHook } from '../hooks/answer.js';
import { describeEntry, type ContextService } from '../context/service.js';
import { typeable } from '../util/safe-text.js';
import type { Pane } from '../workspace/pane.js';
import type { Workspace } from '../workspace/workspace.js';
import type { McpAgentInfo, McpHost, McpNote } from './tools.js';

export function workspaceMcpHost(ws: Workspace, context: ContextService | undefined): McpHost {
  const note = (n: { id: number; time: number; author: string; text: string }): McpNote => ({ ...n, author: authorName(n.author) });

  const statusOf = (p: Pane): McpAgentInfo['status'] => {
    if (p.activity) return p.activity.state;
    return p.running || p.status.kind === 'starting' ? 'starting' : 'exited';
  };

  return {
    changes(since, limit) {
      const after = (context?.feed.entries() ?? []).filter((e) => e.id > since);
      const changes = after.slice(0, limit).map((e) => {
        const d = describeEntry(e);
        return { ...d, size: d.size || undefined, claim: d.claim || undefined };
      });
      return { changes, next: changes.at(-1)?.id ?? since, more: after.length > limit };
    },
    notes: (since, reader) => (context?.feed.notes(since, reader) ?? []).map(note),
    postNote(author, text) {
      const posted = context?.feed.postNote(author, text);
      if (!posted) throw new Error('the shared context is not available in this workspace');
      return note(posted);
    },
    agents() {
      return ws.panes.filter((p) => p.takesInstructions).map((p) => ({
        name: p.name,
        preset: p.spec.preset ?? 'agent',
        status: statusOf(p),
        guessed: p.activity?.source === 'guess',
        focused: p === ws.focused,
      }));
    },
    // Text only, for every receiver: a CLI gets it typed (where steering makes it typeable too), a
    // built-in agent shows it in its pane; neither should get terminal commands from another agent.
    sendMessage: (from, to, text) => ws.sendMessage(from, to, typeable(text, { newlines: true })),
    board: (by, request) => ws.board(by, request),
    hook: (agent, cli, body) =>
      answerHook({ paneOf: (name) => ws.panes.find((p) => p.name === name)?.id, dispatch: (input) => ws.dispatch(input), checkWrite: (name, paths) => ws.checkWrite(name, paths) }, agent, cli, body),
  };
}
