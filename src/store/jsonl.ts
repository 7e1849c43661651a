/**
 * Append-only JSON-lines files. An appender only ever adds bytes at the end of its file: history is
 * never read back or rewritten while writing, so the cost of a flush is the size of what it adds.
 *
 * Invariants:
 * - Every line written is one complete JSON value followed by '\n'. A file that ends without '\n'
 *   (a write cut by a crash) gets a '\n' before our first line, so the cut line stays one bad line
 *   and never swallows a good one.
 * - Bytes that failed to reach the file (a full disk) stay queued, in order, for the next flush.
 * - Files are created 0600; an existing file with wider permissions is narrowed when opened.
 */
import { closeSync, fchmodSync, fdatasyncSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { errorCode } from './errors.js';
import { upgrade } from './migrations.js';
import { recordSchema, type StreamKind } from './schema.js';

export class JsonlAppender {
  private fd: number | undefined;
  private pending: string[] = [];
  private pendingChars = 0;
  /** Encoded bytes a failed write left behind; written before anything newer. */
  private carry: Buffer | undefined;
  private needsNewline = false;
  bytesWritten = 0;
  writes = 0;

  constructor(readonly path: string) {}

  push(line: string): void {
    this.pending.push(line);
    this.pendingChars += line.length + 1;
  }

  get queuedChars(): number {
    return this.pendingChars + (this.carry?.length ?? 0);
  }

  /** Writes everything queued with one write call. Throws the fs error; nothing queued is lost. */
  flush(): void {
    if (this.pending.length === 0 && this.carry === undefined) return;
    if (this.fd === undefined) this.open();
    let buf: Buffer;
    if (this.pending.length > 0) {
      const text = (this.needsNewline ? '\n' : '') + this.pending.join('\n') + '\n';
      const fresh = Buffer.from(text, 'utf8');
      buf = this.carry ? Buffer.concat([this.carry, fresh]) : fresh;
      this.pending = [];
      this.pendingChars = 0;
      this.needsNewline = false;
    } else {
      buf = this.carry as Buffer;
    }
    this.carry = undefined;
    let off = 0;
    try {
      while (off < buf.length) off += writeSync(this.fd as number, buf, off, buf.length - off);
    } catch (err) {
      this.carry = buf.subarray(off);
      throw err;
    } finally {
      this.bytesWritten += off;
      this.writes++;
    }
  }

  private open(): void {
    const fd = openSync(this.path, 'a+', 0o600);
    try {
      const st = fstatSync(fd);
      if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) fchmodSync(fd, st.mode & 0o700);
      if (st.size > 0) {
        const last = Buffer.alloc(1);
        readSync(fd, last, 0, 1, st.size - 1);
        this.needsNewline = last[0] !== 0x0a;
      }
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    this.fd = fd;
  }

  /** Drops whatever is queued and closes the file (after writes failed for too long). */
  discard(): void {
    this.pending = [];
    this.pendingChars = 0;
    this.carry = undefined;
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // The descriptor is unusable either way.
      }
    }
    this.fd = undefined;
  }

  /** Flushes, syncs to disk and closes. Throws the fs error of the flush (the fd is closed anyway). */
  close(): void {
    try {
      this.flush();
      if (this.fd !== undefined) fdatasyncSync(this.fd);
    } finally {
      if (this.fd !== undefined) closeSync(this.fd);
      this.fd = undefined;
    }
  }
}

export interface ReadResult {
  records: Record<string, unknown>[];
  /** Lines that were cut short, were not JSON, or did not match the stream's schema. */
  skipped: number;
}

/** Every readable record of a stream file, upgraded to the current version. A missing file is empty. */
export async function readJsonl(path: string, kind: StreamKind): Promise<ReadResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return { records: [], skipped: 0 };
    throw err;
  }
  return parseJsonl(text, kind);
}

export function parseJsonl(text: string, kind: StreamKind): ReadResult {
  const schema = recordSchema(kind);
  const records: Record<string, unknown>[] = [];
  let skipped = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    if (line.trim() === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      skipped++;
      continue;
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      skipped++;
      continue;
    }
    const rec = upgrade(kind, raw as Record<string, unknown>);
    const ok = rec === undefined ? undefined : schema.safeParse(rec);
    if (ok === undefined || !ok.success) {
      skipped++;
      continue;
    }
    records.push(rec as Record<string, unknown>);
  }
  return { records, skipped };
}
