/**
 * A screen-sized grid of cells in flat typed arrays: the compositor's unit of work.
 *
 * Invariants: every array has width*height entries; a wide character occupies its cell with
 * width 2 and the cell to its right with width 0 and an empty char (the way xterm stores it),
 * so a row can be emitted left to right by skipping width-0 cells.
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

export class Grid {
  chars: string[];
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
    this.chars = new Array<string>(n).fill(' ');
    this.widths = new Uint8Array(n).fill(1);
    this.fg = new Uint32Array(n);
    this.bg = new Uint32Array(n);
    this.attrs = new Uint16Array(n);
    this.touched = new Uint8Array(height).fill(1);
  }

  set(i: number, ch: string, width: number, fg: number, bg: number, attrs: number): void {
    this.touched[(i / this.width) | 0] = 1;
    this.chars[i] = ch;
    this.widths[i] = width;
    this.fg[i] = fg;
    this.bg[i] = bg;
    this.attrs[i] = attrs;
  }

  sameCell(i: number, other: Grid): boolean {
    return (
      this.chars[i] === other.chars[i] &&
      this.widths[i] === other.widths[i] &&
      this.fg[i] === other.fg[i] &&
      this.bg[i] === other.bg[i] &&
      this.attrs[i] === other.attrs[i]
    );
  }

  copyCell(i: number, from: Grid, j: number): void {
    this.chars[i] = from.chars[j];
    this.widths[i] = from.widths[j];
    this.fg[i] = from.fg[j];
    this.bg[i] = from.bg[j];
    this.attrs[i] = from.attrs[j];
  }

  /** Copies a rectangle from a grid of the same size (used to lay the chrome under the panes). */
  copyRect(from: Grid, r: Rect): void {
    const x1 = Math.min(r.x + r.width, this.width);
    const y1 = Math.min(r.y + r.height, this.height);
    for (let y = Math.max(0, r.y); y < y1; y++) {
      const row = y * this.width;
      this.touched[y] = 1;
      for (let x = Math.max(0, r.x); x < x1; x++) this.copyCell(row + x, from, row + x);
    }
  }

  fillBlank(r: Rect): void {
    const x1 = Math.min(r.x + r.width, this.width);
    const y1 = Math.min(r.y + r.height, this.height);
    for (let y = Math.max(0, r.y); y < y1; y++) {
      this.touched[y] = 1;
      for (let x = Math.max(0, r.x); x < x1; x++) this.set(y * this.width + x, ' ', 1, 0, 0, 0);
    }
  }

  /** The text of one row, for tests and the screenshot script. */
  rowText(y: number): string {
    let s = '';
    for (let x = 0; x < this.width; x++) {
      const i = y * this.width + x;
      if (this.widths[i] !== 0) s += this.chars[i] || ' ';
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
