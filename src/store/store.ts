/**
 * A project's session store: the lowdb index of its sessions plus one folder of append-only
 * JSON-lines streams per session (see locations.ts for the layout).
 *
 * Invariants:
 * - One writer: open() holds the project's lock until close() (or process exit); a second process
 *   gets a `locked` StoreError instead of a store, and never touches the files.
 * - open() never throws: a bad index is moved aside and rebuilt (store plus a `corrupt` error),
 *   an unusable folder gives an `io` error. Later IO failures go to `onError` (or the log file).
 * - The index is written debounced (INDEX_DEBOUNCE_MS) and at close/exit; stream lines are written
 *   within FLUSH_MS (session.ts). On process 'exit' everything queued is written synchronously.
 * - Nothing secret is written (secrets.ts); every file is 0600 and every folder 0700.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Low } from 'lowdb';
import { dataDir, ensurePrivateDir } from '../util/paths.js';
import { log } from '../util/log.js';
import { describeFsError, RecordError, StoreError } from './errors.js';
import { loadIndex, type PrivateJsonFile } from './index-file.js';
import { INDEX_FILE, LOCK_FILE, newSessionId, projectDir as projectStoreDir, SESSIONS_DIR } from './locations.js';
import { ProjectLock } from './lock.js';
import type { AgentMeta, IndexData, SessionSummary } from './schema.js';
import { makeScrubber, type Scrubber } from './secrets.js';
import { sanitizeAgents, Session, type SessionHost } from './session.js';

export { RecordError, Session, StoreError };
export { FLUSH_MS } from './session.js';
export type { StoreErrorKind } from './errors.js';
export type { ReadResult } from './jsonl.js';
export type { AgentMeta, SessionSummary } from './schema.js';

export const INDEX_DEBOUNCE_MS = 500;

export interface OpenOptions {
  /** The data folder (default: dataDir(), which honours AGENTS_HOME). */
  home?: string;
  now?: () => number;
  /** Where secret values to scrub are read from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** IO failures after open (default: the log file). */
  onError?: (err: StoreError) => void;
  /**
   * Read only, without the lock: `agents sessions` and `agents search` while a workspace runs on the
   * project. Nothing is written (appending throws); what the running workspace has not flushed yet
   * is not seen.
   */
  readOnly?: boolean;
}

export interface SessionMeta {
  layout: string;
  agents: AgentMeta[];
}

export class ProjectStore implements SessionHost {
  private readonly live = new Map<string, Session>();
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private isClosed = false;
  private closing: Promise<void> | undefined;
  private lastReported = '';
  private readonly onExit = () => this.closeSync();
  readonly now: () => number;

  private constructor(
    /** The project's store folder. */
    readonly dir: string,
    /** The project's real path. */
    readonly project: string,
    private readonly db: Low<IndexData>,
    private readonly adapter: PrivateJsonFile,
    private readonly lock: ProjectLock | undefined,
    readonly scrub: Scrubber,
    opts: OpenOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.onError = opts.onError;
    process.on('exit', this.onExit);
  }

  private readonly onError: ((err: StoreError) => void) | undefined;

  static async open(projectDir: string, opts: OpenOptions = {}): Promise<{ store?: ProjectStore; error?: StoreError }> {
    const now = opts.now ?? Date.now;
    const env = opts.env ?? process.env;
    let real: string;
    try {
      real = realpathSync(projectDir);
    } catch (err) {
      return { error: new StoreError('io', `The project folder ${projectDir} cannot be used: ${describeFsError(err)}.`, projectDir) };
    }
    const home = opts.home ?? dataDir(env);
    const dir = projectStoreDir(home, real);
    try {
      for (const d of [home, join(home, 'projects'), dir, join(dir, SESSIONS_DIR)]) ensurePrivateDir(d);
    } catch (err) {
      return { error: new StoreError('io', `Could not create the session store folder ${dir}: ${describeFsError(err)}.`, dir) };
    }
    const lock = opts.readOnly ? undefined : ProjectLock.acquire(join(dir, LOCK_FILE), now());
    if (lock instanceof StoreError) return { error: lock };
    const scrub = makeScrubber(env);
    const indexPath = join(dir, INDEX_FILE);
    let loaded: Awaited<ReturnType<typeof loadIndex>>;
    try {
      loaded = await loadIndex(indexPath, join(dir, SESSIONS_DIR), real, scrub, now());
    } catch (err) {
      loaded = new StoreError('io', `Could not read the session store ${dir}: ${describeFsError(err)}.`, dir);
    }
    if (loaded instanceof StoreError) {
      lock?.release();
      return { error: loaded };
    }
    const store = new ProjectStore(dir, real, loaded.db, loaded.adapter, lock, scrub, opts);
    if (loaded.dirty && !opts.readOnly) store.summaryChanged();
    return { store, error: loaded.error };
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Newest first. Copies: changing them changes nothing stored. */
  sessions(): SessionSummary[] {
    return structuredClone(this.db.data.sessions).sort((a, b) => b.started - a.started || (a.id < b.id ? 1 : -1));
  }

  latest(): SessionSummary | undefined {
    return this.sessions()[0];
  }

  /** The newest session with something in it (see hasContent): what `--continue` reopens. */
  latestWithContent(): SessionSummary | undefined {
    return this.sessions().find((s) => this.hasContent(s));
  }

  /**
   * Whether a session holds anything worth reopening: a built-in agent's message or usage, an agent
   * CLI's conversation id (kept only once it had a turn), a note, or a change-feed entry. A session
   * where panes were opened and closed with none of these is empty. Sessions stored before notes and
   * changes were counted are judged by their notes and feed files instead.
   */
  hasContent(s: SessionSummary): boolean {
    if (s.messages > 0 || s.tokens > 0 || s.agents.some((a) => a.resume !== undefined)) return true;
    if (s.notes !== undefined || s.changes !== undefined) return (s.notes ?? 0) > 0 || (s.changes ?? 0) > 0;
    return ['notes.jsonl', 'feed.jsonl'].some((f) => fileSize(join(this.dir, SESSIONS_DIR, s.id, f)) > 0);
  }

  create(meta: SessionMeta): Session {
    if (this.isClosed) throw new StoreError('io', 'The session store is closed; no new session can be created.', this.dir);
    if (typeof meta.layout !== 'string') throw new RecordError('invalid session: layout must be a string');
    const agents = sanitizeAgents(meta.agents);
    const sessionsDir = join(this.dir, SESSIONS_DIR);
    let id: string;
    do id = newSessionId(this.now());
    while (existsSync(join(sessionsDir, id)) || this.db.data.sessions.some((s) => s.id === id));
    const dir = join(sessionsDir, id);
    try {
      ensurePrivateDir(dir);
    } catch (err) {
      this.report(new StoreError('io', `Could not create the session folder ${dir}: ${describeFsError(err)}.`, dir));
    }
    const summary: SessionSummary = { id, started: this.now(), layout: meta.layout, agents, messages: 0, tokens: 0, cost: 0, notes: 0, changes: 0 };
    this.db.data.sessions.push(summary);
    const session = new Session(this, dir, summary);
    this.live.set(id, session);
    session.append('events', { type: 'session-start', layout: meta.layout, agents });
    this.summaryChanged();
    return session;
  }

  /** A stored session, to read or to append to (which resumes it if it had ended). */
  openSession(id: string): Session | undefined {
    const open = this.live.get(id);
    if (open) return open;
    const summary = this.db.data.sessions.find((s) => s.id === id);
    if (summary === undefined || this.isClosed) return undefined;
    const session = new Session(this, join(this.dir, SESSIONS_DIR, id), summary);
    this.live.set(id, session);
    return session;
  }

  /** Writes everything, syncs, and releases the lock. Safe to call more than once. */
  close(): Promise<void> {
    this.closing ??= this.finish();
    return this.closing;
  }

  private async finish(): Promise<void> {
    this.stopTimer();
    for (const s of this.live.values()) s.takeChanged();
    this.isClosed = true;
    for (const s of this.live.values()) s.closeFiles();
    try {
      await this.adapter.settled();
      if (this.lock) await this.db.write();
    } catch (err) {
      this.report(new StoreError('io', `Could not write the session index ${this.adapter.path}: ${describeFsError(err)}.`, this.adapter.path));
    }
    this.lock?.release();
    process.off('exit', this.onExit);
  }

  /** The process is exiting: only synchronous work runs now. */
  private closeSync(): void {
    if (this.isClosed) return;
    this.stopTimer();
    for (const s of this.live.values()) s.takeChanged();
    this.isClosed = true;
    for (const s of this.live.values()) s.closeFiles();
    try {
      if (this.lock) this.adapter.writeSync(this.db.data);
    } catch (err) {
      this.report(new StoreError('io', `Could not write the session index ${this.adapter.path}: ${describeFsError(err)}.`, this.adapter.path));
    }
    this.lock?.release();
  }

  // SessionHost -----------------------------------------------------------------------------

  summaryChanged(): void {
    if (!this.lock) return;
    this.dirty = true;
    if (this.timer === undefined && !this.isClosed) this.timer = setTimeout(() => void this.writeIndex(), INDEX_DEBOUNCE_MS).unref();
  }

  report(err: StoreError): void {
    if (err.message === this.lastReported) return; // a full disk fails every flush: say it once
    this.lastReported = err.message;
    try {
      if (this.onError) this.onError(err);
      else log(`store: ${err.message}`);
    } catch {
      // A failing error handler must not break the writer.
    }
  }

  // -----------------------------------------------------------------------------------------------

  private async writeIndex(): Promise<void> {
    this.timer = undefined;
    if (!this.dirty || this.isClosed) return;
    this.dirty = false;
    for (const s of this.live.values()) s.takeChanged();
    try {
      await this.db.write();
    } catch (err) {
      this.report(new StoreError('io', `Could not write the session index ${this.adapter.path}: ${describeFsError(err)}.`, this.adapter.path));
    }
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
