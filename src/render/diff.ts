/**
 * Turns the difference between what the terminal shows and what it should show into the fewest
 * escape sequences we reasonably can: cursor moves only across unchanged gaps, SGR only when the
 * style changes. Pure: no I/O, so it is unit-tested on grids.
 */
import { ATTR, COLOR, Grid } from './grid.js';

const SGR_ATTRS: Array<[number, string]> = [
  [ATTR.bold, '1'],
  [ATTR.dim, '2'],
  [ATTR.italic, '3'],
  [ATTR.underline, '4'],
  [ATTR.blink, '5'],
  [ATTR.inverse, '7'],
  [ATTR.invisible, '8'],
  [ATTR.strike, '9'],
];

export function sgr(fg: number, bg: number, attrs: number): string {
  let s = '\x1b[0';
  for (const [bit, code] of SGR_ATTRS) if (attrs & bit) s += ';' + code;
  s += colorParams(fg, false) + colorParams(bg, true);
  return s + 'm';
}

function colorParams(c: number, isBg: boolean): string {
  const mode = c & COLOR.mode;
  const v = c & 0xffffff;
  switch (mode) {
    case COLOR.p16:
      return ';' + ((v < 8 ? 30 : 82) + v + (isBg ? 10 : 0));
    case COLOR.p256:
      return (isBg ? ';48;5;' : ';38;5;') + v;
    case COLOR.rgb:
      return (isBg ? ';48;2;' : ';38;2;') + ((v >> 16) & 255) + ';' + ((v >> 8) & 255) + ';' + (v & 255);
    default:
      return '';
  }
}

/**
 * Writes every cell of `next` that differs from `shown` and updates `shown` to match; '' when
 * nothing changed. Only rows marked in `rows` (default: `next.touched`) are compared; their marks
 * are cleared. A whole redraw is a cleared screen and a blank `shown` (renderer.ts).
 *
 * `shown` takes each compared row whole, by typed-array segments, rather than cell by cell.
 * (Tried: gathering a style run's characters as UTF-16 codes and making one string per run, by
 * String.fromCharCode.apply or a TextDecoder, instead of a concatenation per cell. Diffing a whole
 * 244x85 screen of changed cells, 3 rounds: 555-869 µs per diff as written here, 877-998 with
 * fromCharCode.apply, 598-1066 with a TextDecoder.)
 */
export function diffGrids(shown: Grid, next: Grid, rows: Uint8Array = next.touched): string {
  const w = next.width;
  let out = '';
  let penFg = -1;
  let penBg = -1;
  let penAttrs = -1;
  let curX = -1;
  let curY = -1;
  for (let y = 0; y < next.height; y++) {
    if (!rows[y]) continue;
    rows[y] = 0;
    const row = y * w;
    for (let x = 0; x < w; x++) {
      let i = row + x;
      if (next.sameCell(i, shown)) continue;
      // A changed continuation cell is redrawn from its lead character (the grid guarantees a
      // width-0 cell follows a width-2 one; anything else is drawn as a blank rather than looping).
      if (next.widths[i] === 0) {
        if (x > 0 && next.widths[i - 1] === 2) {
          x -= 1;
          i -= 1;
        } else {
          next.set(i, ' ', 1, next.fg[i], next.bg[i], 0);
        }
      }
      if (curX !== x || curY !== y) {
        out += `\x1b[${y + 1};${x + 1}H`;
      }
      const fg = next.fg[i];
      const bg = next.bg[i];
      const attrs = next.attrs[i];
      if (fg !== penFg || bg !== penBg || attrs !== penAttrs) {
        out += sgr(fg, bg, attrs);
        penFg = fg;
        penBg = bg;
        penAttrs = attrs;
      }
      const width = next.widths[i];
      out += next.char(i) || ' ';
      if (width === 2 && x + 1 < w) x += 1;
      curX = x + 1;
      curY = y;
      // Writing the last column leaves the cursor in the pending-wrap state; force a move next time.
      if (curX >= w) curX = -1;
    }
    // Every cell of the row now shows what `next` holds (the unchanged ones already did).
    shown.copyRect(next, { x: 0, y, width: w, height: 1 });
  }
  if (out) out += '\x1b[0m';
  return out;
}
