/**
 * The shared context in a running workspace: the file watcher feeds the change feed; built-in
 * agents' reports (writes, reads, deliveries, notes) come in over IPC; what each agent has not seen
 * goes out to it as one block that replaces the last, so at its next turn it gets everything since
 * its previous one, once. The person sees it all in the context panel.
 *
 * Invariants: an agent's cursor moves only when the agent says the block went out in a request
 * (`delivered`), so a block is never lost to an agent that was busy or restarted; pushes are
 * coalesced to one per agent per turn of the event loop; nothing here blocks the UI (file reads are async).
 */
import { EventEmitter } from 'node:events';
import type { AgentEvent, AgentEventSource, AgentMessage, WorkspaceMessage } from '../workspace/events.js';
import { log } from '../util/log.js';
import { printable } from '../util/safe-text.js';
import type { ContextPort, ContextView } from '../workspace/workspace.js';
import type { TreeSpec } from '../workspace/types.js';
import { BranchWatch, type BranchWatchOptions } from './branches.js';
import { formatBytes } from './delivery.js';
import { ownFolderPatterns } from './own-folders.js';
import { ChangeFeed } from './feed.js';
import { authorName, claimText, partyOf, PERSON, whoName, type ChangeFeedOptions, type FeedEntry } from './feed-types.js';
import { fileReader, gitBaseline } from './reader.js';
import { createWatcher, type FileWatcher } from './watcher.js';

/** Pushes coalesce within one turn of the event loop, so a block is at the agent before the person can type. */
const PUSH_MS = 0;
/** A conflict badge stays this long on both panes. */
const CONFLICT_SHOW_MS = 5 * 60_000;
const PANEL_LINES = 200;

export interface ContextServiceOptions {
  root: string;
  ignore: readonly string[];
  /** agents' own folders (data, cache, sockets): not watched when they lie inside the project. */
  ownFolders?: readonly string[];
  /** Sends to the built-in agent in pane `paneId`; false when it is not connected. */
  send: (paneId: number, m: WorkspaceMessage) => boolean;
  /** The agents' worktrees: how they are watched and compared (tests pass fakes; see branches.ts). */
  branches?: Pick<BranchWatchOptions, 'compare' | 'watch' | 'debounceMs'>;
}

const hhmmss = (t: number) => new Date(t).toTimeString().slice(0, 8);


/**
 * A feed entry as plain words: who (see whoName), what, where, how much, and on which agent
 * worktree's branch (absent: the project's own tree).
 * Paths are shown escaped (a file name is outside text: it may hold ESC or a bidi override).
 */
export function describeEntry(e: FeedEntry): { id: number; time: number; who: string; kind: string; path: string; size: string; claim: string; branch?: string } {
  return {
    ...(e.branch !== undefined ? { branch: printable(e.branch) } : {}),
    id: e.id,
    time: e.time,
    who: whoName(e.who),
    kind: e.summary ? `${e.summary.files} files` : e.kind,
    path: e.kind === 'renamed' && e.from ? `${printable(e.from)} → ${printable(e.path)}` : printable(e.path),
    size: !e.size ? '' : 'bytes' in e.size ? formatBytes(e.size.bytes) : `+${e.size.added} -${e.size.removed}`,
    claim: e.claim ? claimText(e.claim) : '',
  };
}

export class ContextService extends EventEmitter<{ change: [] }> implements ContextPort {
  readonly feed: ChangeFeed;
  private watcher: FileWatcher | undefined;
  private panes = new Map<string, number>();
  private pushTimer: NodeJS.Timeout | undefined;
  private conflictsByAgent = new Map<string, { path: string; until: number }>();
  private cached: ContextView | undefined;
  /** The pane an unannounced change probably came from (the one external agent at work), if any. */
  private guessOwner: ((path: string) => string | undefined) | undefined;
  /** Agents in worktrees of their own: their trees watched, their branches compared. */
  readonly branches: BranchWatch;
  private claimOf: ChangeFeedOptions['claimOf'];

  constructor(private o: ContextServiceOptions) {
    super();
    this.setMaxListeners(0);
    this.feed = new ChangeFeed({
      read: fileReader(o.root),
      baseline: gitBaseline(o.root),
      guessOwner: (path) => this.guessOwner?.(path),
      claimOf: (path, writer) => this.claimOf?.(path, writer),
    });
    this.branches = new BranchWatch({ feed: this.feed, ignore: o.ignore, changed: () => this.changed(), ...o.branches });
    this.feed.branchOf = (agent) => this.branches.branchOf(agent);
    this.feed.on('entry', (e: FeedEntry) => this.onEntry(e));
    this.feed.on('note', () => this.changed());
    this.feed.on('conflict', (c) => {
      for (const [i, party] of c.parties.entries()) {
        const other = c.parties[1 - i];
        this.conflictsByAgent.set(party, { path: c.path, until: Date.now() + CONFLICT_SHOW_MS });
        const pane = this.panes.get(party);
        if (pane !== undefined) this.o.send(pane, { t: 'conflict', path: c.path, with: other });
      }
      this.changed();
    });
  }

  /** Starts watching; resolves when the watcher is ready (errors are logged, never thrown). */
  async start(): Promise<void> {
    try {
      this.watcher = createWatcher(this.o.root, { ignore: [...this.o.ignore, ...ownFolderPatterns(this.o.root, this.o.ownFolders ?? [])] });
      this.watcher.on('events', (batch) => this.feed.ingest(batch));
      this.watcher.on('error', (err) => log(`watcher: ${err.message}`));
      await this.watcher.ready;
      log(`watcher ready (${this.watcher.backend}) on ${this.o.root}`);
    } catch (err) {
      log(`watcher failed to start: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  async close(): Promise<void> {
    clearTimeout(this.pushTimer);
    await this.branches.close();
    await this.watcher?.close();
    this.feed.dispose();
  }

  subscribe(onChange: () => void): () => void {
    this.on('change', onChange);
    return () => this.off('change', onChange);
  }

  private changed(): void {
    this.cached = undefined;
    this.emit('change');
    this.schedulePush();
  }

  private onEntry(e: FeedEntry): void {
    // Agents learn which files others changed, so their edit tools can warn before overwriting.
    if (!e.summary && !e.dir) {
      for (const [name, pane] of this.panes) {
        // Only in the tree the agent works in: the same name on another branch is another file.
        if (partyOf(e.who) !== name && this.branches.branchOf(name) === e.branch) this.o.send(pane, { t: 'touched', path: e.path, by: partyOf(e.who), time: e.time });
      }
    }
    this.changed();
  }

  /**
   * Follows a workspace: its built-in agents' reports feed the context, and `guessOwner` names who
   * probably made a change nobody announced; `claimOf` names the task claiming a path for someone
   * else (the feed marks such changes). Returns the way to stop following.
   */
  follow(ws: AgentEventSource, guessOwner?: (path: string) => string | undefined, claimOf?: ChangeFeedOptions['claimOf']): () => void {
    this.guessOwner = guessOwner;
    this.claimOf = claimOf;
    const onAgent = (e: AgentEvent) => this.agentMessage(e.name, e.pane, e.message);
    ws.on('agent', onAgent);
    return () => ws.off('agent', onAgent);
  }

  /** A message from the built-in agent `name` in pane `paneId`. */
  agentMessage(name: string, paneId: number, m: AgentMessage): void {
    switch (m.t) {
      case 'hello':
        this.panes.set(name, paneId);
        this.feed.addAgent(name);
        this.schedulePush();
        return;
      case 'wrote':
        // An agent in a worktree writes there: its tree's feed is the one that will see it land.
        if (this.branches.registerWrite({ agent: name, path: m.path, hash: m.hash })) this.feed.addAgent(name);
        else this.feed.registerWrite({ agent: name, path: m.path, hash: m.hash });
        return;
      case 'read':
        this.feed.noteRead(name, m.path);
        return;
      case 'delivered':
        this.feed.markDelivered(name, m.upTo);
        this.changed();
        return;
      case 'note':
        this.feed.postNote(name, m.text);
        return;
      case 'read_notes':
        this.o.send(paneId, { t: 'notes', id: m.id, notes: this.feed.notes(m.since, name).map((n) => ({ id: n.id, time: n.time, author: n.author, text: n.text })) });
        return;
      default:
        return;
    }
  }

  agentGone(name: string): void {
    this.panes.delete(name);
  }

  addTree(tree: TreeSpec): void {
    this.branches.add(tree);
  }

  removeTree(agent: string): void {
    this.branches.remove(agent);
  }

  recheckTrees(): void {
    this.branches.recheck();
  }

  postNote(author: string, text: string): void {
    this.feed.postNote(author === 'you' ? PERSON : author, text);
  }

  /** A note for one agent only, given with its next turn's changes (the task board telling a lead). */
  tell(to: string, author: string, text: string): void {
    this.feed.postNote(author, text, to);
  }

  private schedulePush(): void {
    this.pushTimer ??= setTimeout(() => {
      this.pushTimer = undefined;
      for (const [name, pane] of this.panes) {
        const d = this.feed.formatDelivery(name);
        // An empty block clears what the agent holds (everything was delivered).
        this.o.send(pane, d ? { t: 'context', text: d.text, upTo: d.upTo } : { t: 'context', text: '' });
      }
    }, PUSH_MS);
  }

  view(): ContextView {
    if (this.cached) return this.cached;
    const entries = this.feed.entries();
    const lines = entries
      .slice(-PANEL_LINES)
      .reverse()
      .map((e) => ({ ...describeEntry(e), time: hhmmss(e.time) }));
    const notes = this.feed.notes().slice(-50).map((n) => ({ id: n.id, time: hhmmss(n.time), author: n.to ? `${authorName(n.author)} → ${n.to}` : authorName(n.author), text: n.text }));
    const pending = this.feed.undeliveredCounts();
    const conflicts: Record<string, string> = {};
    const now = Date.now();
    for (const [name, c] of this.conflictsByAgent) if (c.until > now) conflicts[name] = printable(c.path);
    this.cached = { lines, notes, pending, conflicts, branches: { ...this.branches.badges } };
    return this.cached;
  }
}
