/**
 * The shared context as the agents see it: the change feed (feed-core.ts) plus, per built-in agent, a
 * cursor into it, what is waiting for it, the block that tells it, and who changed a file under it;
 * and the notes board.
 *
 * Invariants: a cursor only moves forward, and never past the newest id, so no entry or note is
 * delivered twice; an agent is never shown its own changes or notes; an agent's cursor starts at the
 * newest id when it joins (what happened before it started is in the files it will read). Entries and
 * notes share one id sequence, so `upTo` covers both.
 */
import { ConflictDetector, SeenLog, TouchLog, touchOf } from './conflicts.js';
import { formatBlock, type DeliveryOptions } from './delivery.js';
import { FeedCore } from './feed-core.js';
import type { ChangeFeedOptions, Conflict, FeedEntry, Note, Touch, WriteRegistration } from './feed-types.js';
import { NoteBoard } from './notes.js';

export interface ChangeFeedTrees {
  /** The branch of the worktree `agent` works in; undefined for the project's own tree. */
  branchOf?: (agent: string) => string | undefined;
}

export interface Delivery {
  text: string;
  /** Pass to markDelivered once the message carrying `text` is sent. */
  upTo: number;
  entries: number;
  notes: number;
}

export class ChangeFeed extends FeedCore {
  private readonly cursors = new Map<string, number>();
  /** When each agent joined: the floor for "changed since you last looked" on files it never read. */
  private readonly joined = new Map<string, number>();
  private readonly touches = new TouchLog();
  private readonly seen = new SeenLog();
  private readonly conflictDetector: ConflictDetector;
  private readonly board: NoteBoard;
  private recentConflicts: Conflict[] = [];
  /** Which tree each agent works in: entries from other trees are labelled as such in its block. */
  branchOf: (agent: string) => string | undefined = () => undefined;

  constructor(options: ChangeFeedOptions) {
    super(options);
    this.conflictDetector = new ConflictDetector(this.o.conflictWindowMs);
    this.board = new NoteBoard(this.o.maxNotes);
  }

  addAgent(name: string): void {
    if (this.cursors.has(name)) return;
    this.cursors.set(name, this.lastId);
    this.joined.set(name, this.clock.now());
  }

  removeAgent(name: string): void {
    this.cursors.delete(name);
    this.joined.delete(name);
    this.seen.forget(name);
  }

  agents(): string[] {
    return [...this.cursors.keys()];
  }

  override registerWrite(reg: WriteRegistration): void {
    this.addAgent(reg.agent);
    // The agent knows what it wrote: later changes by others are what it has not seen.
    this.seen.note(reg.agent, reg.path, this.clock.now());
    super.registerWrite(reg);
  }

  /**
   * An entry from an agent worktree's own feed (branches.ts), renumbered in this feed's sequence and
   * marked with its branch: one cursor per agent covers every tree.
   */
  adopt(entry: FeedEntry, branch: string): FeedEntry {
    const adopted: FeedEntry = { ...entry, id: this.nextId(), branch };
    this.append(adopted, [adopted.path]);
    return adopted;
  }

  /** The id of the last entry or note delivered to (or skipped for) `agent`. */
  cursorFor(agent: string): number {
    this.addAgent(agent);
    return this.cursors.get(agent)!;
  }

  /** Entries after the agent's cursor, oldest first, without its own. */
  pendingFor(agent: string): FeedEntry[] {
    const cursor = this.cursorFor(agent);
    const out: FeedEntry[] = [];
    for (let i = this.list.length - 1; i >= 0 && this.list[i].id > cursor; i--) {
      const e = this.list[i];
      if (!(e.who.kind === 'agent' && e.who.name === agent)) out.push(e);
    }
    return out.reverse();
  }

  pendingNotesFor(agent: string): Note[] {
    return this.board.since(this.cursorFor(agent)).filter((n) => n.author !== agent && (n.to === undefined || n.to === agent));
  }

  /**
   * The block for the end of the agent's next user message, or undefined when nothing is waiting.
   * Does not move the cursor: call markDelivered(agent, upTo) once the message is sent, so a turn
   * that fails to start delivers the same changes next time.
   */
  formatDelivery(agent: string, options?: DeliveryOptions): Delivery | undefined {
    const entries = this.pendingFor(agent);
    const notes = this.pendingNotesFor(agent);
    if (entries.length === 0 && notes.length === 0) return undefined;
    const since = this.clock.now() - this.o.conflictWindowMs;
    const mine = this.branchOf(agent);
    const text = formatBlock(
      {
        entries,
        notes,
        missed: this.cursorFor(agent) < this.droppedUpTo,
        alsoYours: (path) => this.touches.touchedBy(path, agent, since),
        elsewhere: (e) => (e.branch === mine ? undefined : e.branch !== undefined ? `on ${e.branch}, not in your tree` : "in the project's own tree, not in yours"),
      },
      options,
    )!;
    return { text, upTo: this.lastId, entries: entries.length, notes: notes.length };
  }

  markDelivered(agent: string, upTo: number): void {
    const cursor = this.cursorFor(agent);
    const next = Math.min(Math.max(cursor, upTo), this.lastId);
    if (next === cursor) return;
    this.cursors.set(agent, next);
    this.emit('delivered', agent, next);
  }

  /** Entries and notes waiting for the agent: the UI's marker and count. */
  undelivered(agent: string): number {
    return this.pendingFor(agent).length + this.pendingNotesFor(agent).length;
  }

  undeliveredCounts(): Record<string, number> {
    return Object.fromEntries(this.agents().map((a) => [a, this.undelivered(a)]));
  }

  /** The agent read the file: later changes by others are changes "under it". */
  noteRead(agent: string, path: string): void {
    this.addAgent(agent);
    this.seen.note(agent, path, this.clock.now());
  }

  /**
   * Who else changed `path` after `sinceTime` (default: when the agent last read or wrote it, else
   * when it joined), the latest change per party. For edit tools: "the file changed under you, by X".
   */
  touchedSince(agent: string, path: string, sinceTime?: number): Touch[] {
    const since = sinceTime ?? this.seen.last(agent, path) ?? this.joined.get(agent) ?? -Infinity;
    return this.touches.byOthers(path, agent, since);
  }

  conflicts(): readonly Conflict[] {
    return this.recentConflicts;
  }

  /** `author`: an agent's name or PERSON; `to`: for that agent only. Undefined for an empty note. */
  postNote(author: string, text: string, to?: string): Note | undefined {
    if (text.trim() === '') return undefined;
    const note = this.board.post(this.nextId(), this.clock.now(), author, text, to)!;
    this.emit('note', note);
    return note;
  }

  /** Notes with an id above `since`, oldest first (read_notes); `reader`: without those for someone else. */
  notes(since?: number, reader?: string): Note[] {
    const all = this.board.since(since);
    return reader === undefined ? all : all.filter((n) => n.to === undefined || n.to === reader || n.author === reader);
  }

  protected override published(entry: FeedEntry, paths: Iterable<string>): void {
    // Another tree's file is not this tree's: same names on two branches neither "change under" an
    // agent nor conflict within the minute (branches.ts compares branches for that).
    if (entry.branch !== undefined) return;
    if (entry.who.kind === 'agent') this.seen.note(entry.who.name, entry.path, entry.time);
    for (const path of paths) {
      const t = touchOf(entry.id, entry.time, entry.who, entry.kind);
      for (const c of this.conflictDetector.check(path, t, this.touches.record(path, t))) {
        this.recentConflicts = [...this.recentConflicts.slice(-99), c];
        this.emit('conflict', c);
      }
    }
  }
}
