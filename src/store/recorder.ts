/**
 * What a running workspace writes to its session, and how a session is read back: the glue between
 * live events (IPC from built-in agents, the change feed, pane lifecycle) and the store's streams.
 *
 * Agent conversations are stored as `message` records with their position (`index`), so a message
 * re-sent because it gained blocks overwrites its earlier copy on replay, and `state` records with
 * `reset` start the conversation over (compaction, /clear). Usage is stored per turn as deltas of
 * the totals each agent reports, so the session's sums are right.
 */
import { conversationSchemas, type ConversationMessage } from './conversation.js';
import type { AgentMessage, UsageReport } from '../workspace/events.js';
import { log } from '../util/log.js';
import { authorName, whoSchema, whoName, type FeedEntry, type Note } from '../context/feed-types.js';
import type { MemoryRecord } from './search.js';
import { taskSchemas, type Task } from '../tasks/task.js';
import type { ProjectStore, Session } from './store.js';

type Message = ConversationMessage;

export class SessionRecorder {
  private lastUsage = new Map<string, UsageReport>();
  /** Per agent: the stored form of its newest message, so a re-sent but unchanged one is not stored twice. */
  private newest = new Map<string, { index: number; json: string }>();

  constructor(readonly session: Session) {}

  event(type: string, data: Record<string, unknown> = {}): void {
    this.session.append('events', { type, ...data });
  }

  agentMessage(name: string, m: AgentMessage): void {
    const stream = `agent:${name}`;
    if (m.t === 'history') {
      if (m.reset) {
        this.session.append(stream, { kind: 'state', reset: true });
        this.newest.delete(name);
      }
      m.messages.forEach((message, i) => {
        const index = m.start + i;
        const json = JSON.stringify(message);
        const prev = this.newest.get(name);
        if (prev && prev.index === index && prev.json === json) return;
        this.newest.set(name, { index, json });
        this.session.append(stream, { kind: 'message', index, message });
      });
    } else if (m.t === 'usage') {
      const prev = this.lastUsage.get(name);
      this.lastUsage.set(name, m.usage);
      // Totals that went down (a CLI's own figures after its restart) add nothing; they never make a bad record.
      const d = (k: 'input' | 'output' | 'cacheRead' | 'cacheWrite' | 'cost') => Math.max(0, m.usage[k] - (prev?.[k] ?? 0));
      if (d('input') + d('output') + d('cacheRead') + d('cacheWrite') <= 0 && d('cost') <= 0) return;
      this.session.append('usage', {
        agent: name,
        inputTokens: d('input') + d('cacheRead') + d('cacheWrite'),
        outputTokens: d('output'),
        cacheRead: d('cacheRead'),
        cacheWrite: d('cacheWrite'),
        cost: d('cost'),
        priced: m.usage.priced,
      });
    } else if (m.t === 'turn') {
      this.session.append(stream, { kind: 'state', turn: m.reason });
    }
  }

  /** Usage totals an agent had when its session was resumed, so deltas continue from them. */
  seedUsage(name: string, totals: UsageReport): void {
    this.lastUsage.set(name, totals);
  }

  feed(e: FeedEntry): void {
    this.session.append('feed', { ...e, at: e.time });
  }

  /** A task as it stands after a change: the newest record of each id is the board on resume. */
  task(t: Task): void {
    this.session.append('tasks', { task: t });
  }

  note(n: Note): void {
    this.session.append('notes', { id: n.id, author: n.author, text: n.text, at: n.time });
  }
}

/** A built-in agent's conversation as it stood when the session was left. */
export async function loadHistory(session: Session, name: string): Promise<Message[]> {
  const { records } = await session.read(`agent:${name}`);
  let history: Message[] = [];
  for (const r of records) {
    if (r.kind === 'state' && r.reset) history = [];
    else if (r.kind === 'message' && typeof r.index === 'number') {
      const message = conversationSchemas().ConversationMessageSchema.safeParse(r.message);
      // Left out of the conversation given back, kept in the file.
      if (!message.success) log(`store: message ${r.index} of ${name}'s conversation is not a message: ${message.error.issues[0]?.message ?? ''}`);
      history.length = Math.min(history.length, r.index);
      if (message.success) history[r.index] = message.data;
    }
  }
  // A conversation must not end waiting for tool results that will never come.
  return history.filter(Boolean);
}

/** Usage totals per agent over a session, to seed the agents' own counters on resume. */
export async function loadUsage(session: Session): Promise<Map<string, UsageReport>> {
  const { records } = await session.read('usage');
  const out = new Map<string, UsageReport>();
  for (const r of records) {
    const name = String(r.agent);
    const u = out.get(name) ?? { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0, priced: true, context: 0, contextWindow: 0 };
    const read = Number(r.cacheRead ?? 0);
    const write = Number(r.cacheWrite ?? 0);
    u.input += Number(r.inputTokens) - read - write;
    u.output += Number(r.outputTokens);
    u.cacheRead += read;
    u.cacheWrite += write;
    u.cost += Number(r.cost ?? 0);
    if (r.priced === false) u.priced = false;
    out.set(name, u);
  }
  return out;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((b: { type?: string; text?: string; content?: unknown; name?: string; input?: unknown }) => {
      if (b.type === 'text') return b.text ?? '';
      if (b.type === 'tool_use') return `${b.name ?? ''} ${JSON.stringify(b.input ?? {})}`;
      if (b.type === 'tool_result') return typeof b.content === 'string' ? b.content : textOf(b.content);
      return '';
    })
    .join('\n');
}

/** Search records for messages `start…` of an agent's conversation (ids are stable per position). */
export function messageRecords(base: { sessionId: string; sessionStarted: number }, agent: string, start: number, messages: Message[], time = base.sessionStarted): MemoryRecord[] {
  return messages.map((m, i) => {
    const isTool = Array.isArray(m.content) && m.content.some((b: { type?: string }) => b.type === 'tool_result' || b.type === 'tool_use');
    return { ...base, id: `${base.sessionId}/${agent}/${start + i}`, agent, time, kind: isTool ? 'tool' : 'message', role: m.role, text: textOf(m.content) };
  });
}

/** Every searchable record of the project: messages, tool calls and results, notes, changes. */
export async function* memoryRecords(store: ProjectStore): AsyncIterable<MemoryRecord> {
  for (const summary of store.sessions()) {
    const session = store.openSession(summary.id);
    if (!session) continue;
    const base = { sessionId: summary.id, sessionStarted: summary.started };
    for (const agent of summary.agents.filter((a) => a.kind === 'builtin')) {
      yield* messageRecords(base, agent.name, 0, await loadHistory(session, agent.name));
    }
    for (const r of (await session.read('notes')).records) {
      yield { ...base, id: `${summary.id}/note/${String(r.id)}`, agent: authorName(String(r.author)), time: Number(r.at ?? r.t), kind: 'note', text: String(r.text) };
    }
    for (const r of (await session.read('feed')).records) {
      const who = whoSchema().safeParse(r.who);
      yield { ...base, id: `${summary.id}/feed/${String(r.id)}`, agent: who.success ? whoName(who.data) : 'outside', time: Number(r.at ?? r.t), kind: 'change', text: `${String(r.kind)} ${String(r.path)}` };
    }
  }
}

/** The task board as a session left it: the newest valid record of each task, in creation order. */
export async function loadTasks(session: Session): Promise<Task[]> {
  const { records } = await session.read('tasks');
  const byId = new Map<string, Task>();
  for (const r of records) {
    const parsed = taskSchemas().TaskSchema.safeParse(r.task);
    if (parsed.success) byId.set(parsed.data.id, parsed.data);
    else log(`store: a stored task of session ${session.id} is not readable and was left out: ${parsed.error.issues[0]?.message}`);
  }
  return [...byId.values()].sort((a, b) => Number(a.id.slice(1)) - Number(b.id.slice(1)));
}
