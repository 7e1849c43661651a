/**
 * Session memory in a running workspace: records what the built-in agents report, gives a resumed
 * agent its conversation back when it says hello, and answers their search_memory requests from an
 * index over every session of the project.
 *
 * Invariants:
 * - No session is written before start(): a launch that fails its terminal check, or crashes while
 *   starting, leaves nothing behind. start() is called once the workspace is running; anything
 *   that records before then (an agent's first message) starts it too.
 * - The index is built at the first search (resuming must stay fast) and from then on follows this
 *   session's agent messages, so a search also finds what was said minutes ago.
 */
import type { AgentEvent, AgentEventSource, AgentMessage, TaskChange, TaskEventSource, WorkspaceMessage } from '../workspace/events.js';
import type { ConversationMessage } from './conversation.js';
import type { ChangeFeed } from '../context/feed.js';
import { memoryRecords, messageRecords, type SessionRecorder } from './recorder.js';
import type { MemoryIndex } from './search.js';
import type { AgentMeta, ProjectStore, Session } from './store.js';

export interface Restore {
  messages: ConversationMessage[];
  totals?: Record<string, number>;
}

export class MemoryService {
  private index: Promise<MemoryIndex> | undefined;
  private rec: SessionRecorder | undefined;

  constructor(
    readonly store: ProjectStore,
    /** Creates the new session, or reopens the resumed one; called once, by start(). */
    private readonly begin: () => SessionRecorder,
    /** Conversations to give back, by agent name, once each. */
    private restore: Map<string, Restore>,
  ) {}

  /** Begins recording: the session exists in the store from now on. Safe to call more than once. */
  start(): SessionRecorder {
    this.rec ??= this.begin();
    return this.rec;
  }

  /** The session being recorded; undefined before start(). */
  get session(): Session | undefined {
    return this.rec?.session;
  }

  /** An external CLI's own conversation id, once it has one to resume (after its first turn). */
  rememberConversation(name: string, id: string): void {
    const rec = this.start();
    const s = rec.session;
    s.updateSummary({ agents: s.summary.agents.map((a) => (a.name === name ? { ...a, resume: id } : a)) });
    rec.event('conversation', { agent: name, id });
  }

  /** A pane opened during the run: it is one of the session's agents from now on (resumed with it). */
  agentOpened(meta: AgentMeta): void {
    const rec = this.start();
    const s = rec.session;
    if (s.summary.agents.some((a) => a.name === meta.name)) return;
    s.updateSummary({ agents: [...s.summary.agents, meta] });
    rec.event('agent-opened', { agent: meta.name });
  }

  /** The change feed and the notes board are part of the session too. */
  recordFeed(feed: ChangeFeed): void {
    feed.on('entry', (e) => this.start().feed(e));
    feed.on('note', (n) => this.start().note(n));
  }

  /** Records and answers the built-in agents of a workspace, and keeps its task board; returns the way to stop. */
  follow(ws: AgentEventSource & TaskEventSource): () => void {
    const onAgent = (e: AgentEvent) => this.agentMessage(e.name, e.message, e.reply);
    const onTask = (c: TaskChange) => this.start().task(c.task);
    ws.on('agent', onAgent);
    ws.on('task', onTask);
    return () => {
      ws.off('agent', onAgent);
      ws.off('task', onTask);
    };
  }

  agentMessage(name: string, m: AgentMessage, reply: (m: WorkspaceMessage) => void): void {
    const rec = this.start();
    rec.agentMessage(name, m);
    if (m.t === 'history' && this.index) {
      const s = rec.session;
      const records = messageRecords({ sessionId: s.id, sessionStarted: s.summary.started }, name, m.start, m.messages, Date.now());
      void this.index.then((ix) => records.forEach((r) => ix.add(r)));
    } else if (m.t === 'search') {
      this.index ??= this.buildIndex();
      void this.index.then(
        (ix) => reply({ t: 'search_results', id: m.id, hits: ix.search(m.query, { limit: m.limit }), available: true }),
        () => reply({ t: 'search_results', id: m.id, hits: [], available: false }),
      );
    } else if (m.t === 'hello') {
      const r = this.restore.get(name);
      if (!r) return;
      this.restore.delete(name);
      reply({ t: 'restore', messages: r.messages, totals: r.totals });
    }
  }

  /**
   * The search index over every session of the project. Its module (MiniSearch, ~65 KB of code) is
   * imported here, at the first search, not with this service on the workspace's way to its first frame.
   */
  private async buildIndex(): Promise<MemoryIndex> {
    const { buildMemoryIndex } = await import('./search.js');
    return buildMemoryIndex(memoryRecords(this.store));
  }

  async close(): Promise<void> {
    if (this.rec) {
      this.rec.event('quit', {});
      this.rec.session.end();
    }
    await this.store.close();
  }
}
