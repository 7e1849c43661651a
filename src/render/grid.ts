/**
 * A screen-sized grid of cells in flat typed arrays: the compositor's unit of work.
 *
 * Invariants: every array has width*height entries; a wide character occupies its cell with
 * width 2 and the cell to its right with width 0 and an empty char (the way xterm stores it),
 * so a row can be emitted left to right by skipping width-0 cells.
 * A cell's character is a number in `codes`: its code point when it is one (nearly always), 0 for
 * the empty half of a wide character, or MULTI when it is several code points (a letter with
 * combining marks, an emoji sequence), whose text is then in `multi` under the cell's index, and
 * only then. Numbers, not strings: every frame writes and compares every cell of a busy pane, and a
 * string stored into an array costs a write barrier a number does not (profile: the store was the
 * dearest line of the paint).
 * Colours are xterm's packed form: colour mode bits (0 default, P16, P256, RGB) OR'ed with the value,
 * so one number compares a whole colour.
 */
export const ATTR = {
  bold: 1,
  dim: 2,
  italic: 4,
  underline: 8,
  blink: 16,
  inverse: 32,
  invisible: 64,
  strike: 128,
} as const;

/** Colour mode bits, identical to xterm's Attributes.CM_* so cells copy across without translation. */
export const COLOR = {
  mode: 0x3000000,
  default: 0,
  p16: 0x1000000,
  p256: 0x2000000,
  rgb: 0x3000000,
} as const;

/** `codes` value of a cell whose text is more than one code point (beyond Unicode's range). */
export const MULTI = 0x110000;

/** One-character strings by code point, made once (a frame emits the same few hundred over and over). */
// Preallocated (writing far past the end of a growing array would turn it into a slow dictionary),
// on first use: 512 KB the start would allocate and fill for nothing (the diff reads the grid's
// codes, native/src/diff.c; this is for readers of single cells).
let charCache: Array<string | undefined> | undefined;
export function charOf(cp: number): string {
  if (cp >= 0x10000) return String.fromCodePoint(cp);
  charCache ??= new Array<string | undefined>(0x10000).fill(undefined);
  const hit = charCache[cp];
  if (hit !== undefined) return hit;
  const ch = String.fromCharCode(cp);
  charCache[cp] = ch;
  return ch;
}

/** The `codes` value for a cell's text ('' is the empty half of a wide character). */
function codeOf(ch: string): number {
  if (ch.length === 0) return 0;
  const cp = ch.codePointAt(0)!;
  return ch.length === (cp >= 0x10000 ? 2 : 1) ? cp : MULTI;
}

export class Grid {
  codes: Uint32Array;
  /** The text of the cells whose code is MULTI, by cell index. */
  multi = new Map<number, string>();
  widths: Uint8Array;
  fg: Uint32Array;
  bg: Uint32Array;
  attrs: Uint16Array;
  /** Rows written since the last diff: only these can differ from what the terminal shows. */
  touched: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    const n = width * height;
    this.codes = new Uint32Array(n).fill(0x20);
    this.widths = new Uint8Array(n).fill(1);
    this.fg = new Uint32Array(n);
    this.bg = new Uint32Array(n);
    this.attrs = new Uint16Array(n);
    this.touched = new Uint8Array(height).fill(1);
  }

  set(i: number, ch: string, width: number, fg: number, bg: number, attrs: number): void {
    this.touched[(i / this.width) | 0] = 1;
    this.put(i, codeOf(ch), width, fg, bg, attrs);
    if (this.codes[i] === MULTI) this.multi.set(i, ch);
  }

  /**
   * Writes a cell by code (a code point, or 0 for the empty half of a wide character; never MULTI)
   * without marking its row: the hot path of painting, whose caller marks the rows it painted.
   */
  put(i: number, code: number, width: number, fg: number, bg: number, attrs: number): void {
    if (this.codes[i] === MULTI) this.multi.delete(i);
    this.codes[i] = code;
    this.widths[i] = width;
    this.fg[i] = fg;
    this.bg[i] = bg;
    this.attrs[i] = attrs;
  }

  /** The cell's text: '' for the empty half of a wide character. */
  char(i: number): string {
    const c = this.codes[i];
    return c === MULTI ? (this.multi.get(i) ?? ' ') : c === 0 ? '' : charOf(c);
  }

  /** Appends a zero-width character (a combining mark, a variation selector) to the cell's text. */
  append(i: number, ch: string): void {
    const text = this.char(i) + ch;
    this.codes[i] = MULTI;
    this.multi.set(i, text);
  }

  sameCell(i: number, other: Grid): boolean {
    const c = this.codes[i];
    return (
      c === other.codes[i] &&
      this.fg[i] === other.fg[i] &&
      this.bg[i] === other.bg[i] &&
      this.attrs[i] === other.attrs[i] &&
      this.widths[i] === other.widths[i] &&
      (c !== MULTI || this.multi.get(i) === other.multi.get(i))
    );
  }

  copyCell(i: number, from: Grid, j: number): void {
    const c = from.codes[j];
    if (c === MULTI) this.multi.set(i, from.multi.get(j) ?? ' ');
    else if (this.codes[i] === MULTI) this.multi.delete(i);
    this.codes[i] = c;
    this.widths[i] = from.widths[j];
    this.fg[i] = from.fg[j];
    this.bg[i] = from.bg[j];
    this.attrs[i] = from.attrs[j];
  }

  /**
   * Copies a rectangle from a grid of the same size (used to lay the chrome under the panes), a row
   * segment at a time: a whole 244x85 screen cell by cell cost ~8 ms cold on the first frame.
   */
  copyRect(from: Grid, r: Rect): void {
    const x0 = Math.max(0, r.x);
    const x1 = Math.min(r.x + r.width, this.width);
    const y1 = Math.min(r.y + r.height, this.height);
    if (x1 <= x0) return;
    for (let y = Math.max(0, r.y); y < y1; y++) {
      const a = y * this.width + x0;
      const b = y * this.width + x1;
      this.touched[y] = 1;
      this.codes.set(from.codes.subarray(a, b), a);
      this.widths.set(from.widths.subarray(a, b), a);
      this.fg.set(from.fg.subarray(a, b), a);
      this.bg.set(from.bg.subarray(a, b), a);
      this.attrs.set(from.attrs.subarray(a, b), a);
    }
    // Texts of several code points: those of the rectangle are now the source's.
    const inside = (i: number): boolean => {
      const x = i % this.width;
      const y = (i / this.width) | 0;
      return x >= x0 && x < x1 && y >= r.y && y < y1;
    };
    for (const i of this.multi.keys()) if (inside(i)) this.multi.delete(i);
    for (const [i, text] of from.multi) if (inside(i)) this.multi.set(i, text);
  }

  /**
   * After a copy into `r` (copyRect), makes a blank of each half of a wide character its edges cut,
   * inside or out: the grid never holds half of one.
   */
  mendEdges(r: Rect): void {
    const x0 = Math.max(0, r.x);
    const x1 = Math.min(r.x + r.width, this.width);
    if (x1 <= x0) return;
    const blank = (i: number) => this.put(i, 0x20, 1, this.fg[i], this.bg[i], this.attrs[i]);
    for (let y = Math.max(0, r.y); y < Math.min(r.y + r.height, this.height); y++) {
      const a = y * this.width + x0;
      const b = y * this.width + x1;
      if (x0 > 0 && this.widths[a - 1] === 2) blank(a - 1);
      if (this.widths[a] === 0) blank(a);
      if (x1 < this.width && this.widths[b] === 0) blank(b);
      if (this.widths[b - 1] === 2) blank(b - 1);
      this.touched[y] = 1;
    }
  }

  /**
   * Copies the cells `x0`..`x1` of row `from` to row `to` of this grid (a pane's row moved up by a
   * scroll, src/terminal/row-cache.ts), by typed-array segments.
   */
  moveRow(from: number, to: number, x0: number, x1: number): void {
    const a = from * this.width + x0;
    const b = from * this.width + x1;
    const t = to * this.width + x0;
    if (this.multi.size > 0) for (let i = t; i < t + (b - a); i++) if (this.codes[i] === MULTI) this.multi.delete(i);
    this.codes.copyWithin(t, a, b);
    this.widths.copyWithin(t, a, b);
    this.fg.copyWithin(t, a, b);
    this.bg.copyWithin(t, a, b);
    this.attrs.copyWithin(t, a, b);
    if (this.multi.size > 0) for (let j = a; j < b; j++) if (this.codes[j] === MULTI) this.multi.set(t + j - a, this.multi.get(j) ?? ' ');
    this.touched[to] = 1;
  }

  /** Blanks a rectangle (spaces, default colours), a row segment at a time like copyRect. */
  fillBlank(r: Rect): void {
    const x0 = Math.max(0, r.x);
    const x1 = Math.min(r.x + r.width, this.width);
    const y1 = Math.min(r.y + r.height, this.height);
    if (x1 <= x0) return;
    for (let y = Math.max(0, r.y); y < y1; y++) {
      const a = y * this.width + x0;
      const b = y * this.width + x1;
      this.touched[y] = 1;
      if (this.multi.size > 0) for (let i = a; i < b; i++) if (this.codes[i] === MULTI) this.multi.delete(i);
      this.codes.fill(0x20, a, b);
      this.widths.fill(1, a, b);
      this.fg.fill(0, a, b);
      this.bg.fill(0, a, b);
      this.attrs.fill(0, a, b);
    }
  }

  /** The text of one row, for tests and the screenshot script. */
  rowText(y: number): string {
    let s = '';
    for (let x = 0; x < this.width; x++) {
      const i = y * this.width + x;
      if (this.widths[i] !== 0) s += this.char(i) || ' ';
    }
    return s;
  }
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function contains(r: Rect, x: number, y: number): boolean {
  return x >= r.x && y >= r.y && x < r.x + r.width && y < r.y + r.height;
}
