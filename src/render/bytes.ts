/**
 * A frame's bytes, written straight into one reusable buffer: escape sequences, numbers and UTF-8.
 *
 * Why bytes and not a string: a frame of a scrolling 244x85 screen is ~10,000 changed cells, and as
 * a string each cell was a concatenation (a rope node to allocate, then flatten), then the whole
 * string was encoded to UTF-8 for the write and copied again into the server's message. In a CPU
 * profile of four panes at an agent's pace, that was ~15% of the workspace server (diff, string
 * adds, flattening, `Buffer.from`, `Buffer.concat`).
 *
 * The hot loop (diff.ts) takes `buf` and `n` into locals, asks `room` once per cell for the most a
 * cell can take (MAX_CELL_BYTES), and writes with the `put*` functions, which return the new end.
 *
 * Invariants: `bytes()` is a view of the buffer, valid until the next `reset`; whoever keeps it
 * past that (a socket's queue, a tty's) copies it. Text is UTF-8 as Node would encode it: a lone
 * surrogate becomes U+FFFD.
 */
export class FrameBytes {
  buf: Buffer = Buffer.allocUnsafeSlow(1 << 16);
  /** Bytes written so far. */
  n = 0;

  reset(): void {
    this.n = 0;
  }

  /** The bytes written since the last reset (a view, see the header). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.n);
  }

  /** Makes room for `more` bytes after `n`; returns the buffer to write them into (it may be a new one). */
  room(more: number): Buffer {
    if (this.n + more > this.buf.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.n + more));
      this.buf.copy(bigger, 0, 0, this.n);
      this.buf = bigger;
    }
    return this.buf;
  }

  /** Escape sequences or other text known to be ASCII. */
  ascii(s: string): void {
    this.n = putAscii(this.room(s.length), this.n, s);
  }

  /** A cursor move to row `y`, column `x` (0-based). */
  move(y: number, x: number): void {
    this.n = putMove(this.room(MOVE_BYTES), this.n, y, x);
  }

  /** Any text, as UTF-8. */
  text(s: string): void {
    const b = this.room(s.length * 3);
    this.n += b.write(s, this.n, 'utf8');
  }
}

/** The most one cell can add to a frame: a cursor move (≤ 14), an SGR (≤ 54) and the text of a code point (≤ 4). */
export const MAX_CELL_BYTES = 72;

/** The most a cursor move takes: ESC [ row ; column H, each number of up to 5 digits. */
const MOVE_BYTES = 14;

/** Writes a cursor move to row `y`, column `x` (0-based) at `n`; returns the new end. */
export function putMove(b: Uint8Array, n: number, y: number, x: number): number {
  b[n] = 0x1b;
  b[n + 1] = 0x5b; // [
  n = putInt(b, n + 2, y + 1);
  b[n] = 0x3b; // ;
  n = putInt(b, n + 1, x + 1);
  b[n] = 0x48; // H
  return n + 1;
}

/** Writes ASCII `s` at `n`; returns the new end. */
export function putAscii(b: Uint8Array, n: number, s: string): number {
  for (let i = 0; i < s.length; i++) b[n++] = s.charCodeAt(i);
  return n;
}

/** Writes a non-negative integer (below 2^31) in decimal at `n`; returns the new end. */
export function putInt(b: Uint8Array, n: number, v: number): number {
  if (v < 10) {
    b[n] = 0x30 + v;
    return n + 1;
  }
  let digits = 1;
  for (let p = 10; p <= v; p *= 10) digits++;
  const end = n + digits;
  let at = end;
  do {
    b[--at] = 0x30 + (v % 10);
    v = (v / 10) | 0;
  } while (v > 0);
  return end;
}

/** Writes one code point as UTF-8 at `n`; returns the new end. */
export function putCodePoint(b: Uint8Array, n: number, cp: number): number {
  if (cp < 0x80) {
    b[n] = cp;
    return n + 1;
  }
  if (cp < 0x800) {
    b[n] = 0xc0 | (cp >> 6);
    b[n + 1] = 0x80 | (cp & 0x3f);
    return n + 2;
  }
  if (cp < 0x10000) {
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    b[n] = 0xe0 | (cp >> 12);
    b[n + 1] = 0x80 | ((cp >> 6) & 0x3f);
    b[n + 2] = 0x80 | (cp & 0x3f);
    return n + 3;
  }
  b[n] = 0xf0 | (cp >> 18);
  b[n + 1] = 0x80 | ((cp >> 12) & 0x3f);
  b[n + 2] = 0x80 | ((cp >> 6) & 0x3f);
  b[n + 3] = 0x80 | (cp & 0x3f);
  return n + 4;
}
