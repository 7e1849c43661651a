// Where a project's store lives and what its files are called:
//   dataDir()/projects/<slug>-<hash>/{index.json, lock, sessions/<id>/<stream>.jsonl}
// The hash is of the project's real path, so a symlinked checkout and the folder it points to
// share one store, and two projects with the same folder name never do.
import { createHash, randomBytes } from 'node:crypto';
import { basename, join } from 'node:path';
import { RecordError } from './errors.js';
import type { StreamKind } from './schema.js';

export function projectKey(realPath: string): string {
  const slug =
    basename(realPath)
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'root';
  const hash = createHash('sha256').update(realPath).digest('hex').slice(0, 12);
  return `${slug}-${hash}`;
}

export function projectDir(home: string, realPath: string): string {
  return join(home, 'projects', projectKey(realPath));
}

export const INDEX_FILE = 'index.json';
export const LOCK_FILE = 'lock';
export const SESSIONS_DIR = 'sessions';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function newSessionId(now: number): string {
  const d = new Date(now);
  const stamp = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}-${pad(d.getHours())}${pad(d.getMinutes())}`;
  const chars = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const rand = [...randomBytes(4)].map((b) => chars[b % chars.length]).join('');
  return `${stamp}-${rand}`;
}

/** A file-name-safe timestamp for files moved aside: 2026-11-27T22-01-05-123Z. */
export function fileStamp(now: number): string {
  return new Date(now).toISOString().replace(/:/g, '-').replace('.', '-');
}

export interface StreamRef {
  kind: StreamKind;
  file: string;
  /** The agent's name, for `agent:<name>`. */
  agent?: string;
}

const FIXED: Record<string, StreamKind> = { events: 'events', feed: 'feed', notes: 'notes', usage: 'usage', tasks: 'tasks' };

/** `events` -> events.jsonl, `agent:main` -> agent-main.jsonl; other characters are %-encoded. */
export function streamRef(stream: string): StreamRef {
  const fixed = FIXED[stream];
  if (fixed !== undefined) return { kind: fixed, file: `${stream}.jsonl` };
  if (stream.startsWith('agent:') && stream.length > 'agent:'.length && stream.length <= 106) {
    const agent = stream.slice('agent:'.length);
    const safe = agent.replace(/[^A-Za-z0-9._-]/g, (c) => [...Buffer.from(c)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join(''));
    return { kind: 'agent', file: `agent-${safe}.jsonl`, agent };
  }
  throw new RecordError(`unknown stream "${stream}": use events, feed, notes, usage, tasks or agent:<name>`);
}
