/**
 * JSON lines off a byte stream, each validated with a zod schema, in bounded memory.
 *
 * Invariants:
 * - at most `maxLine` characters of an unfinished line are held: past that the line is dropped
 *   whole (up to its newline) and `onTooLong` says so, so a peer that never sends a newline costs
 *   `maxLine`, not what it sends;
 * - bytes are decoded as UTF-8 across chunk boundaries (a character split between two reads is
 *   not mangled);
 * - each chunk is scanned once for newlines, so a large line arriving in many chunks costs its
 *   length, not its length squared;
 * - after `stop()` nothing more is parsed or reported.
 */
import { StringDecoder } from 'node:string_decoder';
import type * as z from 'zod';

export interface LineReaderOptions<T> {
  schema: z.ZodType<T>;
  /** Longest line accepted, in characters; may be changed between chunks (`maxLine` property). */
  maxLine: number;
  onMessage: (m: T) => void;
  onBad: (line: string, why: string) => void;
  /** A line grew past maxLine; it is being dropped. */
  onTooLong: () => void;
}

export class LineReader<T> {
  maxLine: number;
  private decoder = new StringDecoder('utf8');
  private parts: string[] = [];
  private held = 0;
  /** Dropping the rest of a too-long line, up to its newline. */
  private skipping = false;
  private stopped = false;

  constructor(private o: LineReaderOptions<T>) {
    this.maxLine = o.maxLine;
  }

  push(chunk: Buffer | string): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    let from = 0;
    while (!this.stopped) {
      const nl = text.indexOf('\n', from);
      this.hold(nl < 0 ? text.slice(from) : text.slice(from, nl));
      if (nl < 0) return;
      from = nl + 1;
      if (this.skipping) {
        this.skipping = false;
        continue;
      }
      const line = this.parts.join('');
      this.parts = [];
      this.held = 0;
      this.parse(line);
    }
  }

  stop(): void {
    this.stopped = true;
    this.parts = [];
    this.held = 0;
  }

  private hold(piece: string): void {
    if (this.skipping || piece.length === 0) return;
    if (this.held + piece.length > this.maxLine) {
      this.parts = [];
      this.held = 0;
      this.skipping = true;
      this.o.onTooLong();
      return;
    }
    this.parts.push(piece);
    this.held += piece.length;
  }

  private parse(line: string): void {
    if (!line.trim()) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      this.o.onBad(line, 'not JSON');
      return;
    }
    const parsed = this.o.schema.safeParse(json);
    if (parsed.success) this.o.onMessage(parsed.data);
    else this.o.onBad(line, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
}
