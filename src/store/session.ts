/**
 * One session's streams. append() validates, serializes and scrubs the record and queues the line;
 * nothing is read or rewritten, so its cost does not depend on the history behind it.
 *
 * Invariants:
 * - A queued line reaches its file within FLUSH_MS: by the flush timer when the event loop is free,
 *   and by append() itself when the oldest queued line is older than that (a busy loop never runs
 *   timers) or when MAX_QUEUED_CHARS are queued. So a kill -9 loses at most the last FLUSH_MS of
 *   records, plus a line cut in half, which readers skip and count.
 * - Lines of one stream are written in append order. Each stream has its own file and appender.
 * - The summary object is the one held in the index; counts follow the records (agent messages,
 *   usage, notes, change-feed entries) and every index write is preceded by a `summary` event, so
 *   a lost index can be rebuilt.
 * - Appending to an ended session resumes it: a `resumed` event is written and `ended` cleared.
 */
import { join } from 'node:path';
import { describeFsError, RecordError, StoreError } from './errors.js';
import { JsonlAppender, readJsonl, type ReadResult } from './jsonl.js';
import { streamRef, type StreamRef } from './locations.js';
import { RECORD_VERSION, recordSchema, storeSchemas, type AgentMeta, type SessionSummary } from './schema.js';
import { dropSecretEnv, type Scrubber } from './secrets.js';

export const FLUSH_MS = 200;
const MAX_QUEUED_CHARS = 256 * 1024;
/** Past this much unwritable data (a full disk) a stream's queue is dropped, with a report. */
const MAX_STUCK_CHARS = 16 * 1024 * 1024;
const FIRST_INSTRUCTION_CHARS = 200;

export interface SessionHost {
  now(): number;
  readonly scrub: Scrubber;
  readonly closed: boolean;
  summaryChanged(): void;
  report(err: StoreError): void;
}

interface Stream {
  ref: StreamRef;
  out: JsonlAppender;
}

export class Session {
  readonly id: string;
  private readonly streams = new Map<string, Stream>();
  private timer: NodeJS.Timeout | undefined;
  /** performance.now() when the oldest unwritten line was queued; 0 when nothing is queued. */
  private queuedSince = 0;
  private queuedChars = 0;
  private changed = false;

  constructor(
    private readonly host: SessionHost,
    readonly dir: string,
    private readonly info: SessionSummary,
  ) {
    this.id = info.id;
  }

  get summary(): SessionSummary {
    return structuredClone(this.info);
  }

  append(stream: string, record: Record<string, unknown>): void {
    this.put(stream, record, true);
  }

  private put(stream: string, record: Record<string, unknown>, resumes: boolean): void {
    if (this.host.closed) {
      this.host.report(new StoreError('io', `A "${stream}" record of session ${this.id} arrived after the store was closed and was not saved.`, this.dir));
      return;
    }
    const s = this.stream(stream);
    const rec: Record<string, unknown> = { v: RECORD_VERSION, t: this.host.now(), ...record };
    const ok = recordSchema(s.ref.kind).safeParse(rec);
    if (!ok.success) {
      const issue = ok.error.issues[0];
      throw new RecordError(`invalid ${stream} record: ${issue?.path.join('.') || '(record)'}: ${issue?.message}`);
    }
    let line: string;
    try {
      line = JSON.stringify(rec);
    } catch (err) {
      throw new RecordError(`${stream} record cannot be stored as JSON: ${(err as Error).message}`);
    }
    if (resumes && this.info.ended !== undefined) {
      delete this.info.ended;
      this.put('events', { type: 'resumed' }, false);
      this.markChanged();
    }
    s.out.push(this.host.scrub(line));
    this.count(s.ref, rec);
    this.queued(line.length + 1);
  }

  async read(stream: string): Promise<ReadResult> {
    const s = this.stream(stream);
    this.flushStream(s);
    return readJsonl(s.out.path, s.ref.kind);
  }

  updateSummary(patch: Partial<SessionSummary>): void {
    const { id: _id, ...rest } = patch;
    // jitless here and in sanitizeAgents: a few calls a session, for which zod's compiled fast path
    // (made at a schema's first parse, on the server's way to its first frame) costs more than it saves.
    const ok = storeSchemas().SummaryPatchSchema.safeParse(rest, { jitless: true });
    if (!ok.success) {
      const issue = ok.error.issues[0];
      throw new RecordError(`invalid summary update: ${issue?.path.join('.')}: ${issue?.message}`);
    }
    const clean = ok.data;
    if (clean.agents) clean.agents = sanitizeAgents(clean.agents);
    for (const [k, v] of Object.entries(clean)) {
      if (v === undefined) delete (this.info as Record<string, unknown>)[k];
      else (this.info as Record<string, unknown>)[k] = v;
    }
    this.markChanged();
  }

  end(): void {
    if (this.info.ended !== undefined || this.host.closed) return;
    this.put('events', { type: 'session-end' }, false);
    this.info.ended = this.host.now();
    this.markChanged();
    // Closed, not just flushed: a long-running workspace must not hold the files of every session
    // it ended. Appending again reopens them.
    this.closeFiles();
  }

  /** Writes every queued line now. IO errors are reported, and the lines kept for the next flush. */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.queuedSince = 0;
    this.queuedChars = 0;
    for (const s of this.streams.values()) this.flushStream(s);
    const stuck = [...this.streams.values()].reduce((n, s) => n + s.out.queuedChars, 0);
    if (stuck > 0) this.queued(0); // retry later
  }

  stats(): { bytesWritten: number; writes: number } {
    let bytesWritten = 0;
    let writes = 0;
    for (const s of this.streams.values()) {
      bytesWritten += s.out.bytesWritten;
      writes += s.out.writes;
    }
    return { bytesWritten, writes };
  }

  /** Store-side: true once, after the summary changed; the store then writes a `summary` event. */
  takeChanged(): boolean {
    if (!this.changed) return false;
    this.changed = false;
    const { id: _id, started: _started, ...summary } = this.info;
    this.put('events', { type: 'summary', ...summary }, false);
    if (this.info.ended !== undefined) this.closeFiles(); // see end()
    return true;
  }

  /** Flushes, syncs and closes every file (reopened by the next append). */
  closeFiles(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.queuedSince = 0;
    this.queuedChars = 0;
    for (const s of this.streams.values()) {
      try {
        s.out.close();
      } catch (err) {
        this.host.report(new StoreError('io', `Could not finish writing ${s.out.path}: ${describeFsError(err)}. Its last records may be missing.`, s.out.path));
      }
    }
  }

  private stream(name: string): Stream {
    let s = this.streams.get(name);
    if (s === undefined) {
      const ref = streamRef(name);
      s = { ref, out: new JsonlAppender(join(this.dir, ref.file)) };
      this.streams.set(name, s);
    }
    return s;
  }

  private flushStream(s: Stream): void {
    try {
      s.out.flush();
    } catch (err) {
      if (s.out.queuedChars > MAX_STUCK_CHARS) {
        s.out.discard();
        s.out = new JsonlAppender(s.out.path);
        this.host.report(new StoreError('io', `Could not write ${s.out.path} for a while (${describeFsError(err)}); its unsaved records were dropped.`, s.out.path));
      } else {
        this.host.report(new StoreError('io', `Could not write ${s.out.path}: ${describeFsError(err)}. Will retry.`, s.out.path));
      }
    }
  }

  private queued(chars: number): void {
    const now = performance.now();
    if (this.queuedSince === 0) this.queuedSince = now;
    this.queuedChars += chars;
    if (this.queuedChars >= MAX_QUEUED_CHARS || now - this.queuedSince >= FLUSH_MS) {
      this.flush();
      return;
    }
    if (this.timer === undefined) {
      // unref: a pending flush must not keep the process alive; the store's exit handler flushes.
      this.timer = setTimeout(() => this.flush(), FLUSH_MS - (now - this.queuedSince)).unref();
    }
  }

  private count(ref: StreamRef, rec: Record<string, unknown>): void {
    if (ref.kind === 'agent' && rec.kind === 'message') {
      this.info.messages++;
      const msg = rec.message as { role: string; content: unknown };
      if (this.info.firstInstruction === undefined && msg.role === 'user') {
        const text = textOf(msg.content).trim();
        if (text !== '') this.info.firstInstruction = text.length > FIRST_INSTRUCTION_CHARS ? text.slice(0, FIRST_INSTRUCTION_CHARS - 1) + '…' : text;
      }
      this.markChanged();
    } else if (ref.kind === 'notes' || ref.kind === 'feed' || ref.kind === 'tasks') {
      const key = ref.kind === 'notes' ? 'notes' : ref.kind === 'feed' ? 'changes' : 'tasks';
      this.info[key] = (this.info[key] ?? 0) + 1;
      this.markChanged();
    } else if (ref.kind === 'usage') {
      this.info.tokens += (rec.inputTokens as number) + (rec.outputTokens as number);
      if (typeof rec.cost === 'number') this.info.cost += rec.cost;
      this.markChanged();
    }
  }

  private markChanged(): void {
    this.changed = true;
    this.host.summaryChanged();
  }
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((b): b is { type: 'text'; text: string } => b?.type === 'text' && typeof b.text === 'string')
    .map((b) => b.text)
    .join(' ');
}

/** Validated copies without secret-looking env entries; throws RecordError on a bad entry. */
export function sanitizeAgents(agents: AgentMeta[]): AgentMeta[] {
  const ok = storeSchemas().AgentMetaListSchema.safeParse(agents, { jitless: true });
  if (!ok.success) {
    const issue = ok.error.issues[0];
    throw new RecordError(`invalid agent metadata: agents.${issue?.path.join('.')}: ${issue?.message}`);
  }
  return ok.data.map((a) => (a.env === undefined ? a : { ...a, env: dropSecretEnv(a.env) }));
}
