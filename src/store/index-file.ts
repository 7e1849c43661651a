/**
 * index.json: the small, often-read list of a project's sessions, held by lowdb through an adapter
 * that writes the way the store needs: the whole file under a temporary name (0600), synced, then
 * renamed over the old one, so a crash leaves the old index or the new one, never half of each.
 * Writes are chained (one at a time, in order); writeSync() serves the process 'exit' handler.
 *
 * Loading never throws and never resets silently: an index that is not JSON or not of the schema is
 * moved aside as index.json.corrupt-<time> and rebuilt from the session folders, and the caller gets
 * a `corrupt` StoreError saying so. Session folders missing from a readable index (a crash before
 * its debounced write) are added back from their events.jsonl.
 */
import { closeSync, existsSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { Low, type Adapter } from 'lowdb';
import { describeFsError, errorCode, StoreError } from './errors.js';
import { readJsonl } from './jsonl.js';
import { fileStamp } from './locations.js';
import { INDEX_VERSION, SESSION_ID, storeSchemas, type IndexData, type SessionSummary } from './schema.js';
import type { Scrubber } from './secrets.js';

export class PrivateJsonFile implements Adapter<IndexData> {
  private chain: Promise<void> = Promise.resolve();
  writes = 0;

  constructor(
    readonly path: string,
    private readonly scrub: Scrubber,
  ) {}

  /** The parsed JSON, null when there is no file. Throws on unreadable or non-JSON content. */
  async read(): Promise<IndexData | null> {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return null;
      throw err;
    }
    const data: unknown = JSON.parse(text);
    // lowdb would keep its default for a file holding `null`: that would be a silent reset.
    if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new SyntaxError('it holds no JSON object');
    return data as IndexData;
  }

  write(data: IndexData): Promise<void> {
    const text = this.serialize(data);
    const next = this.chain.then(async () => {
      const tmp = `${this.path}.${process.pid}.tmp`;
      const fh = await open(tmp, 'w', 0o600);
      try {
        await fh.writeFile(text, 'utf8');
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, this.path);
      this.writes++;
    });
    // A failed write must not block the ones after it; the caller still sees this one's error.
    this.chain = next.catch(() => undefined);
    return next;
  }

  writeSync(data: IndexData): void {
    const tmp = `${this.path}.${process.pid}.sync.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, this.serialize(data));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    this.writes++;
  }

  /** Resolves once every write started so far has finished. */
  settled(): Promise<void> {
    return this.chain;
  }

  private serialize(data: IndexData): string {
    return this.scrub(JSON.stringify(data, null, 1)) + '\n';
  }
}

export interface LoadedIndex {
  db: Low<IndexData>;
  adapter: PrivateJsonFile;
  error?: StoreError;
  /** True when the loaded data differs from the file (rebuilt, reconciled): write it soon. */
  dirty: boolean;
}

export async function loadIndex(path: string, sessionsDir: string, project: string, scrub: Scrubber, now: number): Promise<LoadedIndex | StoreError> {
  const adapter = new PrivateJsonFile(path, scrub);
  const db = new Low<IndexData>(adapter, { version: INDEX_VERSION, project, sessions: [] });
  let problem: string | undefined;
  try {
    await db.read();
    const v = (db.data as { version?: unknown }).version;
    if (typeof v === 'number' && v > INDEX_VERSION) {
      return new StoreError(
        'corrupt',
        `The session index ${path} was written by a newer agents (index version ${v}; this one reads up to ${INDEX_VERSION}). ` +
          `It was left as it is and this run does not save its session; update agents to use it.`,
        path,
      );
    }
    // jitless: read once per start, for which zod's compiled fast path costs more than it saves.
    const ok = storeSchemas().IndexSchema.safeParse(db.data, { jitless: true });
    if (ok.success) db.data = ok.data;
    else problem = `it does not match the index format: ${ok.error.issues[0]?.path.join('.') || 'top level'}: ${ok.error.issues[0]?.message}`;
  } catch (err) {
    if (err instanceof SyntaxError) problem = `it is not valid JSON (${existsSync(path) && statSync(path).size === 0 ? 'the file is empty' : err.message})`;
    else return new StoreError('io', `Could not read the session index ${path}: ${describeFsError(err)}.`, path);
  }

  let error: StoreError | undefined;
  let dirty = false;
  if (problem !== undefined) {
    const aside = `${path}.corrupt-${fileStamp(now)}`;
    try {
      renameSync(path, aside);
    } catch (err) {
      return new StoreError('io', `The session index ${path} is unreadable (${problem}) and could not be moved aside: ${describeFsError(err)}.`, path);
    }
    db.data = { version: INDEX_VERSION, project, sessions: [] };
    const { added, unreadable } = await reconcile(db.data, sessionsDir);
    dirty = true;
    error = new StoreError(
      'corrupt',
      `The session index ${path} could not be read: ${problem}. It was moved to ${aside} and a new index was rebuilt ` +
        `from the session folders: ${added} session(s) recovered${unreadable > 0 ? `, ${unreadable} folder(s) could not be read` : ''}.`,
      path,
    );
  } else {
    const { added, removed } = await reconcile(db.data, sessionsDir);
    const refreshed = await refreshUnended(db.data, sessionsDir);
    dirty = added > 0 || removed > 0 || refreshed > 0 || db.data.project !== project;
    db.data.project = project;
  }
  return { db, adapter, error, dirty };
}

/**
 * A session without an end was not closed cleanly (a crash, kill -9): its index entry may miss the
 * last moments, since the index is written lazily. Its counts are derived again from its streams,
 * which are written within a fraction of a second.
 */
async function refreshUnended(data: IndexData, sessionsDir: string): Promise<number> {
  let refreshed = 0;
  for (const s of data.sessions) {
    if (s.ended !== undefined) continue;
    const dir = join(sessionsDir, s.id);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    let messages = 0;
    let first: string | undefined;
    for (const name of names.filter((n) => n.startsWith('agent-') && n.endsWith('.jsonl'))) {
      const seen = new Set<number>();
      for (const r of (await readJsonl(join(dir, name), 'agent')).records) {
        if (r.kind !== 'message') continue;
        if (typeof r.index === 'number') {
          if (seen.has(r.index)) continue;
          seen.add(r.index);
        }
        messages++;
        const m = r.message as { role?: string; content?: unknown };
        if (first === undefined && m.role === 'user') first = firstText(m.content);
      }
    }
    let tokens = 0;
    let cost = 0;
    if (names.includes('usage.jsonl')) {
      for (const r of (await readJsonl(join(dir, 'usage.jsonl'), 'usage')).records) {
        tokens += Number(r.inputTokens ?? 0) + Number(r.outputTokens ?? 0);
        cost += Number(r.cost ?? 0);
      }
    }
    const counted = { notes: 0, changes: 0 };
    for (const [key, file, kind] of [['notes', 'notes.jsonl', 'notes'], ['changes', 'feed.jsonl', 'feed']] as const) {
      if (names.includes(file)) counted[key] = (await readJsonl(join(dir, file), kind)).records.length;
    }
    const more = counted.notes > (s.notes ?? 0) || counted.changes > (s.changes ?? 0);
    if (messages > s.messages || tokens > s.tokens || more || (first && !s.firstInstruction)) {
      if (more) Object.assign(s, { notes: Math.max(s.notes ?? 0, counted.notes), changes: Math.max(s.changes ?? 0, counted.changes) });
      s.messages = Math.max(s.messages, messages);
      s.tokens = Math.max(s.tokens, tokens);
      s.cost = Math.max(s.cost, cost);
      if (first && !s.firstInstruction) s.firstInstruction = first.length > 200 ? `${first.slice(0, 199)}…` : first;
      refreshed++;
    }
  }
  return refreshed;
}

function firstText(content: unknown): string | undefined {
  if (typeof content === 'string') return content.trim() || undefined;
  if (!Array.isArray(content)) return undefined;
  const t = content.find((b: { type?: string; text?: string }) => b.type === 'text' && b.text?.trim());
  return (t as { text?: string } | undefined)?.text?.trim();
}

/** Adds sessions whose folder the index lacks and drops entries whose folder is gone. */
async function reconcile(data: IndexData, sessionsDir: string): Promise<{ added: number; removed: number; unreadable: number }> {
  let names: string[];
  try {
    names = readdirSync(sessionsDir).filter((n) => SESSION_ID.test(n));
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') throw err;
    names = [];
  }
  const present = new Set(names);
  const before = data.sessions.length;
  data.sessions = data.sessions.filter((s) => present.has(s.id));
  const removed = before - data.sessions.length;
  const known = new Set(data.sessions.map((s) => s.id));
  let added = 0;
  let unreadable = 0;
  for (const id of names) {
    if (known.has(id)) continue;
    const s = await recoverSession(join(sessionsDir, id), id);
    if (s) {
      data.sessions.push(s);
      added++;
    } else unreadable++;
  }
  return { added, removed, unreadable };
}

/**
 * A session's summary from its events.jsonl: `session-start` gives the start, layout and agents;
 * each `summary` event (written with every index update) the counts; `session-end` and `resumed`
 * whether it ended. Unreadable lines are skipped; a folder that cannot be read at all gives undefined.
 */
export async function recoverSession(dir: string, id: string): Promise<SessionSummary | undefined> {
  let records: Record<string, unknown>[];
  try {
    records = (await readJsonl(join(dir, 'events.jsonl'), 'events')).records;
  } catch {
    return undefined;
  }
  let started: number;
  try {
    started = (records[0]?.t as number | undefined) ?? statSync(dir).mtimeMs;
  } catch {
    return undefined;
  }
  const s: SessionSummary = { id, started, layout: 'unknown', agents: [], messages: 0, tokens: 0, cost: 0 };
  for (const r of records) {
    if (r.type === 'session-start') {
      s.started = r.t as number;
      if (typeof r.layout === 'string') s.layout = r.layout;
      const agents = storeSchemas().AgentMetaListSchema.safeParse(r.agents);
      if (agents.success) s.agents = agents.data;
    } else if (r.type === 'summary') {
      for (const key of ['messages', 'tokens', 'cost'] as const) if (typeof r[key] === 'number' && r[key] >= 0) s[key] = r[key];
      for (const key of ['notes', 'changes'] as const) if (Number.isInteger(r[key]) && (r[key] as number) >= 0) s[key] = r[key] as number;
      if (typeof r.firstInstruction === 'string') s.firstInstruction = r.firstInstruction;
      if (typeof r.layout === 'string') s.layout = r.layout;
      const agents = storeSchemas().AgentMetaListSchema.safeParse(r.agents);
      if (agents.success) s.agents = agents.data;
    } else if (r.type === 'session-end') s.ended = r.t as number;
    else if (r.type === 'resumed') delete s.ended;
  }
  return s;
}
