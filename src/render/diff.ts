/**
 * Turns the difference between what the terminal shows and what it should show into the fewest
 * escape sequences we reasonably can: cursor moves only across unchanged gaps (a short one within
 * a row written over, a longer one stepped with CUF, CUP only to another row or from an unknown
 * column), SGR only when the style changes. Pure: no I/O, so it is unit-tested on grids.
 */
import { FrameBytes, MAX_CELL_BYTES, putAscii, putCodePoint, putInt, putMove } from './bytes.js';
import { addonFunction } from '../util/native-addon.js';
import { ATTR, COLOR, MULTI, type Grid } from './grid.js';

const SGR_ATTRS: Array<[number, string]> = [
  [ATTR.bold, ';1'],
  [ATTR.dim, ';2'],
  [ATTR.italic, ';3'],
  [ATTR.underline, ';4'],
  [ATTR.blink, ';5'],
  [ATTR.inverse, ';7'],
  [ATTR.invisible, ';8'],
  [ATTR.strike, ';9'],
];

/** An SGR sequence setting exactly this style (from a reset), as a string: for tests and callers outside a frame. */
export function sgr(fg: number, bg: number, attrs: number): string {
  const b = Buffer.alloc(MAX_CELL_BYTES);
  return b.toString('latin1', 0, putSgr(b, 0, fg, bg, attrs));
}

/** Writes the SGR of a style at `n` (at most 54 bytes); returns the new end. */
function putSgr(b: Uint8Array, n: number, fg: number, bg: number, attrs: number): number {
  n = putAscii(b, n, '\x1b[0');
  if (attrs) for (const [bit, code] of SGR_ATTRS) if (attrs & bit) n = putAscii(b, n, code);
  n = putColour(b, n, fg, false);
  n = putColour(b, n, bg, true);
  b[n] = 0x6d; // m
  return n + 1;
}

/** SGR codes that turn an attribute off; bold and dim share one (22). */
const SGR_OFF: Array<[number, string]> = [
  [ATTR.italic, ';23'],
  [ATTR.underline, ';24'],
  [ATTR.blink, ';25'],
  [ATTR.inverse, ';27'],
  [ATTR.invisible, ';28'],
  [ATTR.strike, ';29'],
];
const BOLD_DIM = ATTR.bold | ATTR.dim;
const delta = new Uint8Array(128);

/**
 * Takes the pen from (penFg, penBg, penAttrs) to (fg, bg, attrs): the style from a reset
 * (`putSgr`) or, when that is shorter, only what changed: a colour, an attribute on or off. A log
 * line's colour, its bold word and back cost `ESC[0;32m`, `ESC[0;1;32m`, `ESC[0;32m` in the reset
 * form, `ESC[32m`, `ESC[1m`, `ESC[22m` this way. An unknown pen (-1) gets the reset form.
 * native/src/diff.c does the same.
 */
function putStyle(b: Uint8Array, n: number, penFg: number, penBg: number, penAttrs: number, fg: number, bg: number, attrs: number): number {
  const end = putSgr(b, n, fg, bg, attrs);
  if (penFg < 0 || penBg < 0 || penAttrs < 0) return end;
  const len = putDelta(delta, penFg, penBg, penAttrs, fg, bg, attrs);
  if (len >= end - n) return end;
  b.set(delta.subarray(0, len), n);
  return n + len;
}

/** The SGR of only what changed, into `s` from 0; returns its length. */
function putDelta(s: Uint8Array, penFg: number, penBg: number, penAttrs: number, fg: number, bg: number, attrs: number): number {
  // Each parameter after a ';', from 1: the first ';' is then overwritten by the '['.
  let k = 1;
  const removed = penAttrs & ~attrs;
  let added = attrs & ~penAttrs;
  if (removed & BOLD_DIM) {
    k = putAscii(s, k, ';22');
    added |= attrs & BOLD_DIM;
  }
  for (const [bit, code] of SGR_OFF) if (removed & bit) k = putAscii(s, k, code);
  for (const [bit, code] of SGR_ATTRS) if (added & bit) k = putAscii(s, k, code);
  if (fg !== penFg) k = (fg & COLOR.mode) === 0 ? putAscii(s, k, ';39') : putColour(s, k, fg, false);
  if (bg !== penBg) k = (bg & COLOR.mode) === 0 ? putAscii(s, k, ';49') : putColour(s, k, bg, true);
  s[0] = 0x1b;
  s[1] = 0x5b; // [
  s[k] = 0x6d; // m
  return k + 1;
}

function putColour(b: Uint8Array, n: number, c: number, isBg: boolean): number {
  const mode = c & COLOR.mode;
  const v = c & 0xffffff;
  switch (mode) {
    case COLOR.p16:
      b[n] = 0x3b; // ;
      return putInt(b, n + 1, (v < 8 ? 30 : 82) + v + (isBg ? 10 : 0));
    case COLOR.p256:
      return putInt(b, putAscii(b, n, isBg ? ';48;5;' : ';38;5;'), v);
    case COLOR.rgb:
      n = putInt(b, putAscii(b, n, isBg ? ';48;2;' : ';38;2;'), (v >> 16) & 255);
      b[n] = 0x3b;
      n = putInt(b, n + 1, (v >> 8) & 255);
      b[n] = 0x3b;
      return putInt(b, n + 1, v & 255);
    default:
      return n;
  }
}

/** Unchanged cells written again rather than stepped over, at most: never more bytes than a step (CUF). */
const BRIDGE_MAX = 4;

/**
 * Takes the cursor `gap` cells right on its row, over cells that did not change (`i`: the first):
 * by writing them again when they are one byte each in the pen's style (after an unchanged space
 * or digit, the usual gap in a line of output, that is 1-4 bytes against 6-10 for a move), else by
 * CUF. native/src/diff.c does the same.
 */
function putForward(b: Uint8Array, n: number, g: Grid, i: number, gap: number, fg: number, bg: number, attrs: number): number {
  if (gap <= BRIDGE_MAX) {
    let k = 0;
    for (; k < gap; k++) {
      const j = i + k;
      const c = g.codes[j];
      if (g.widths[j] !== 1 || (c !== 0 && (c < 0x20 || c >= 0x7f)) || g.fg[j] !== fg || g.bg[j] !== bg || g.attrs[j] !== attrs) break;
    }
    if (k === gap) {
      for (k = 0; k < gap; k++) b[n++] = g.codes[i + k] || 0x20;
      return n;
    }
  }
  b[n] = 0x1b;
  b[n + 1] = 0x5b; // [
  n += 2;
  if (gap > 1) n = putInt(b, n, gap);
  b[n] = 0x43; // C
  return n + 1;
}

/** As diffInto, returning the bytes as a string ('' when nothing changed): for tests. */
export function diffGrids(shown: Grid, next: Grid, rows: Uint8Array = next.touched): string {
  const out = new FrameBytes();
  diffInto(out, shown, next, rows);
  return out.bytes().toString('utf8');
}

/**
 * Appends to `out` every cell of `next` that differs from `shown` and updates `shown` to match;
 * appends nothing when nothing changed. Only rows marked in `rows` (default: `next.touched`) are
 * compared; their marks are cleared. A whole redraw is a cleared screen and a blank `shown`
 * (renderer.ts). Returns whether anything was appended.
 *
 * `shown` takes the cells written, one by one as they are written (the rest already matched): a
 * copy of each compared row by typed-array segments cost five new arrays a row and the copy of
 * every cell, written or not.
 * Bytes, not a string (bytes.ts): a string frame cost a concatenation per cell, then an encoding
 * and a copy. bench/frame-cost.js, scrolling, 1000 frames interleaved: 410 -> 356 µs a frame with
 * the first byte version, which still called a method per write. (Tried before, with strings:
 * gathering a style run's characters as UTF-16 codes and making one string per run measured slower
 * than a concatenation per cell.)
 * Grids without text of several code points (nearly always) are diffed in C (nativeDiff).
 */
export function diffInto(out: FrameBytes, shown: Grid, next: Grid, rows: Uint8Array = next.touched): boolean {
  if (next.multi.size === 0 && shown.multi.size === 0) {
    const native = nativeDiff();
    if (native) {
      diffsInC++;
      return native(out, shown, next, rows);
    }
  }
  return diffIntoJs(out, shown, next, rows);
}

/** How many diffs ran in C in this process (a test checks that it is the path taken). */
export let diffsInC = 0;

type NativeDiff = (out: FrameBytes, shown: Grid, next: Grid, rows: Uint8Array) => boolean;
let native: NativeDiff | null | undefined;

/**
 * diffInto in C (native/src/diff.c) for grids without text of several code points: the same bytes
 * and the same updates to `shown` and the row marks (test/render/diff-native.test.ts checks it
 * against diffIntoJs). bench/frame-cost.js, scrolling: the diff was over half of a frame's CPU.
 * Null without the native build, or with AGENTS_NATIVE_DIFF=0.
 */
function nativeDiff(): NativeDiff | null {
  if (native !== undefined) return native;
  // AGENTS_NATIVE_DIFF=0: the JavaScript only (to tell whether a drawing fault is the C side's).
  const diffCells = process.env.AGENTS_NATIVE_DIFF === '0' ? undefined : addonFunction('diffCells');
  if (!diffCells) return (native = null);
  // [end of the bytes, row and column to resume at, the pen's fg, bg and attrs, the cursor's column and row]
  const state = new Int32Array(8);
  const arrays = (g: Grid) => [g.codes, g.widths, g.fg, g.bg, g.attrs];
  return (native = (out, shown, next, rows) => {
    const start = out.n;
    state.set([start, -1, 0, -1, -1, -1, -1, -1]);
    const a = arrays(next);
    const b = arrays(shown);
    // False when the buffer has no room for another cell: grown, and the diff goes on where it stopped.
    while (!diffCells(a, b, rows, next.touched, next.width, next.height, out.buf, state)) {
      out.n = state[0];
      out.room(Math.max(out.buf.length, 1 << 16));
    }
    out.n = state[0];
    if (out.n === start) return false;
    out.ascii('\x1b[0m');
    return true;
  });
}

/** diffInto in JavaScript: any grid, and the oracle of the native diff's test. */
export function diffIntoJs(out: FrameBytes, shown: Grid, next: Grid, rows: Uint8Array = next.touched): boolean {
  const w = next.width;
  const start = out.n;
  let b = out.buf;
  let n = out.n;
  let penFg = -1;
  let penBg = -1;
  let penAttrs = -1;
  let curX = -1;
  let curY = -1;
  const { codes, widths, fg: fgs, bg: bgs, attrs: attrss } = next;
  const { codes: shownCodes, widths: shownWidths, fg: shownFgs, bg: shownBgs, attrs: shownAttrss } = shown;
  for (let y = 0; y < next.height; y++) {
    if (!rows[y]) continue;
    rows[y] = 0;
    const row = y * w;
    for (let x = 0; x < w; x++) {
      let i = row + x;
      // Grid.sameCell, with the arrays in locals: this runs for every cell of every changed row.
      const code = codes[i];
      if (
        code === shownCodes[i] &&
        fgs[i] === shownFgs[i] &&
        bgs[i] === shownBgs[i] &&
        attrss[i] === shownAttrss[i] &&
        widths[i] === shownWidths[i] &&
        (code !== MULTI || next.multi.get(i) === shown.multi.get(i))
      ) {
        continue;
      }
      if (n + MAX_CELL_BYTES > b.length) {
        out.n = n;
        b = out.room(MAX_CELL_BYTES);
      }
      // A changed continuation cell is redrawn from its lead character (the grid guarantees a
      // width-0 cell follows a width-2 one; anything else is drawn as a blank rather than looping).
      if (widths[i] === 0) {
        if (x > 0 && widths[i - 1] === 2) {
          x -= 1;
          i -= 1;
        } else {
          next.set(i, ' ', 1, fgs[i], bgs[i], 0);
        }
      }
      if (curX !== x || curY !== y) {
        n = curY === y && curX >= 0 && curX < x ? putForward(b, n, next, row + curX, x - curX, penFg, penBg, penAttrs) : putMove(b, n, y, x);
      }
      const fg = fgs[i];
      const bg = bgs[i];
      const attrs = attrss[i];
      if (fg !== penFg || bg !== penBg || attrs !== penAttrs) {
        n = putStyle(b, n, penFg, penBg, penAttrs, fg, bg, attrs);
        penFg = fg;
        penBg = bg;
        penAttrs = attrs;
      }
      const c = codes[i];
      if (c === MULTI) {
        out.n = n;
        out.text(next.char(i));
        b = out.buf;
        n = out.n;
      } else n = putCodePoint(b, n, c === 0 ? 0x20 : c);
      // `shown` takes what was written: the cells left alone already match.
      shown.copyCell(i, next, i);
      if (widths[i] === 2 && x + 1 < w) {
        x += 1;
        shown.copyCell(i + 1, next, i + 1);
      }
      curX = x + 1;
      curY = y;
      // Writing the last column leaves the cursor in the pending-wrap state; force a move next time.
      if (curX >= w) curX = -1;
    }
  }
  out.n = n;
  if (n === start) return false;
  out.ascii('\x1b[0m');
  return true;
}
