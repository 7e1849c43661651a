/**
 * Paints one line of SGR-styled text (what Ink renders: text, `ESC [ … m`, the odd OSC) into a
 * row of a Grid, the way a terminal with autowrap off would show it. This replaces a second
 * xterm instance for the chrome: parsing Ink's frames in the same isolate as the panes' emulators
 * made their flood parse 15-20% slower (xterm's JIT-compiled parser turned polymorphic), and a
 * frame of the chrome went through xterm's whole write queue for what is text and colours.
 *
 * Cells come out exactly as xterm would store them (a test compares both on random and real
 * frames): widths from the same Unicode 11 table (@xterm/addon-unicode11's provider), a zero-width
 * character joins the cell before it, a wide character that does not fit at the right edge is
 * dropped, text past the edge overwrites the last column, a tab moves to the next multiple of 8.
 * Colours use xterm's packed form (grid.ts). Sequences other than SGR change nothing.
 */
import unicode11 from '@xterm/addon-unicode11';
import type { IUnicodeVersionProvider, Terminal } from '@xterm/headless';
import { ATTR, COLOR, type Grid } from '../render/grid.js';

/** The addon's width table, taken through the one call its activate() makes: unicode.register. */
export const widthOf: (codepoint: number) => number = (() => {
  let provider: IUnicodeVersionProvider | undefined;
  const host: Pick<Terminal, 'unicode'> = {
    unicode: {
      register: (p: IUnicodeVersionProvider) => void (provider = p),
      versions: [],
      activeVersion: '11',
    },
  };
  new unicode11.Unicode11Addon().activate(host as Terminal);
  if (!provider) throw new Error('@xterm/addon-unicode11 registered no width table');
  const p = provider;
  return (cp) => p.wcwidth(cp);
})();

/** The pen: the style printed characters get. */
interface Pen {
  fg: number;
  bg: number;
  attrs: number;
  /** Inside an OSC 8 hyperlink: xterm shows its text underlined. */
  link: boolean;
}

/** Paints `line` into row `y` of `grid`; the rest of the row is left blank and unstyled. */
export function paintStyledLine(grid: Grid, y: number, line: string): void {
  const cols = grid.width;
  const row = y * cols;
  // The first frame paints every line of a 244x85 chrome in code not yet optimized: each cell
  // through set() took ~16 ms of the server's start in a CPU profile, and stepping through every
  // character of the lines about as much, mostly the blank insides of the panes. So the row is
  // blanked by segment, cells are written by code (put; the blanking marks the row), and a run of
  // unstyled spaces over cells still blank is skipped: a cold 244x85 chrome 9.1 -> 3.0 ms.
  grid.fillBlank({ x: 0, y, width: cols, height: 1 });
  const pen: Pen = { fg: 0, bg: 0, attrs: 0, link: false };
  let x = 0;
  /** Cells from here to the end of the row have not been printed into by this line: still blank. */
  let blankFrom = 0;
  /** Index of the last cell printed into (where a zero-width character joins), -1 if none. */
  let last = -1;
  /** xterm joins a zero-width character only to a character printed right before it. */
  let joinable = false;
  const n = line.length;
  let i = 0;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === 0x1b) {
      i = escape(line, i, pen);
      joinable = false;
      continue;
    }
    if (c < 0x20 || (c >= 0x7f && c < 0xa0)) {
      if (c === 0x09) x = Math.min(cols - 1, (Math.floor(x / 8) + 1) * 8);
      joinable = false;
      i++;
      continue;
    }
    if (c === 0x20 && x < cols && x >= blankFrom && pen.fg === 0 && pen.bg === 0 && pen.attrs === 0 && !pen.link) {
      let j = i + 1;
      while (j < n && x + (j - i) < cols && line.charCodeAt(j) === 0x20) j++;
      x += j - i;
      i = j;
      last = x - 1;
      joinable = true;
      continue;
    }
    const cp = line.codePointAt(i) ?? c;
    i += cp > 0xffff ? 2 : 1;
    const w = widthOf(cp);
    if (w === 0) {
      if (joinable && last >= 0) grid.append(row + last, String.fromCodePoint(cp));
      else if (x < cols) {
        // Nothing to join (after a control or a sequence): xterm keeps it in a cell of its own,
        // which shows as a blank with the background.
        grid.put(row + x, 0x20, 1, 0, pen.bg, 0);
        x++;
        blankFrom = Math.max(blankFrom, x);
      }
      continue;
    }
    if (x + w > cols) {
      // Autowrap off: the cursor stays on the last column; a wide character there does not fit.
      x = cols - 1;
      if (w === 2) continue;
    }
    // Only at the right edge can a character land on half of a wide one: the other half becomes a
    // blank, so the grid never holds half a wide character (xterm would keep the broken pair).
    if (grid.widths[row + x] === 0 && x > 0) grid.put(row + x - 1, 0x20, 1, grid.fg[row + x - 1], grid.bg[row + x - 1], grid.attrs[row + x - 1]);
    if (grid.widths[row + x] === 2 && w === 1 && x + 1 < cols) grid.put(row + x + 1, 0x20, 1, grid.fg[row + x + 1], grid.bg[row + x + 1], grid.attrs[row + x + 1]);
    const attrs = pen.link ? pen.attrs | ATTR.underline : pen.attrs;
    // One code point (a surrogate pair is read whole above): its code is the code point itself.
    grid.put(row + x, cp, w, pen.fg, pen.bg, attrs);
    last = x;
    joinable = true;
    if (w === 2) grid.put(row + x + 1, 0, 0, pen.fg, pen.bg, attrs);
    blankFrom = Math.max(blankFrom, x + w);
    // x may reach `cols`: the next character is then printed over the last column.
    x += w;
  }
}

/** Reads the escape sequence at `i`, applies it if it is SGR, and returns the index after it. */
function escape(s: string, i: number, pen: Pen): number {
  const kind = s.charCodeAt(i + 1);
  if (kind === 0x5b) {
    // CSI: parameters and intermediates, then a final byte in 0x40-0x7e.
    let j = i + 2;
    while (j < s.length) {
      const b = s.charCodeAt(j);
      if (b >= 0x40 && b <= 0x7e) break;
      j++;
    }
    if (j >= s.length) return s.length;
    if (s.charCodeAt(j) === 0x6d && !/[<=>?]/.test(s[i + 2] ?? '')) sgr(s.slice(i + 2, j), pen);
    return j + 1;
  }
  if (kind === 0x5d || kind === 0x50 || kind === 0x5f || kind === 0x5e) {
    // OSC, DCS, APC, PM: up to BEL or ST.
    let j = i + 2;
    for (; j < s.length; j++) {
      const b = s.charCodeAt(j);
      if (b === 0x07 || (b === 0x1b && s.charCodeAt(j + 1) === 0x5c)) break;
    }
    // OSC 8 ; params ; uri: a hyperlink starts (an empty uri ends it).
    if (kind === 0x5d && s.startsWith('8;', i + 2)) {
      const uri = s.indexOf(';', i + 4) + 1;
      pen.link = uri > 0 && uri < j;
    }
    return j >= s.length ? s.length : s.charCodeAt(j) === 0x07 ? j + 1 : j + 2;
  }
  // Other escapes (`ESC ( B`, `ESC 7`): intermediates 0x20-0x2f, then one final byte.
  let j = i + 1;
  while (j < s.length && s.charCodeAt(j) >= 0x20 && s.charCodeAt(j) <= 0x2f) j++;
  return Math.min(s.length, j + 1);
}

/** Applies SGR parameters (`1;38;5;208`, colon sub-parameters too) to the pen. */
function sgr(params: string, pen: Pen): void {
  const list = params === '' ? ['0'] : params.split(';');
  for (let k = 0; k < list.length; k++) {
    const sub = list[k].split(':');
    const p = sub[0] === '' ? 0 : Number(sub[0]);
    if (p === 38 || p === 48 || p === 58) {
      let colour: number | undefined;
      if (sub.length > 1) colour = extended(sub.slice(1).map(Number));
      else {
        const mode = Number(list[k + 1]);
        const take = mode === 5 ? 2 : mode === 2 ? 4 : 1;
        colour = extended(list.slice(k + 1, k + 1 + take).map(Number));
        k += take;
      }
      if (colour === undefined || p === 58) continue;
      if (p === 38) pen.fg = colour;
      else pen.bg = colour;
      continue;
    }
    apply(p, sub.length > 1 ? Number(sub[1]) : undefined, pen);
  }
}

/** `5;n` or `2;r;g;b` (a colon form may carry a colour-space id before r: `2::r:g:b`). */
function extended(v: number[]): number | undefined {
  if (v[0] === 5) return Number.isInteger(v[1]) && v[1] >= 0 && v[1] <= 255 ? COLOR.p256 | v[1] : undefined;
  if (v[0] !== 2) return undefined;
  const rgb = v.length >= 5 ? v.slice(2, 5) : v.slice(1, 4);
  if (rgb.length < 3 || rgb.some((c) => !Number.isInteger(c) || c < 0 || c > 255)) return undefined;
  return COLOR.rgb | (rgb[0] << 16) | (rgb[1] << 8) | rgb[2];
}

const ON: Record<number, number> = { 1: ATTR.bold, 2: ATTR.dim, 3: ATTR.italic, 4: ATTR.underline, 5: ATTR.blink, 7: ATTR.inverse, 8: ATTR.invisible, 9: ATTR.strike, 21: ATTR.underline };
const OFF: Record<number, number> = { 22: ATTR.bold | ATTR.dim, 23: ATTR.italic, 24: ATTR.underline, 25: ATTR.blink, 27: ATTR.inverse, 28: ATTR.invisible, 29: ATTR.strike };

function apply(p: number, sub: number | undefined, pen: Pen): void {
  if (p === 0) {
    // A reset leaves a hyperlink open (it is not a style).
    pen.fg = 0;
    pen.bg = 0;
    pen.attrs = 0;
  } else if (p === 4 && sub !== undefined) {
    // `4:0` is "no underline"; `4:1`..`4:5` are underline styles.
    pen.attrs = sub === 0 ? pen.attrs & ~ATTR.underline : pen.attrs | ATTR.underline;
  } else if (ON[p] !== undefined) pen.attrs |= ON[p];
  else if (OFF[p] !== undefined) pen.attrs &= ~OFF[p];
  else if (p >= 30 && p <= 37) pen.fg = COLOR.p16 | (p - 30);
  else if (p === 39) pen.fg = 0;
  else if (p >= 40 && p <= 47) pen.bg = COLOR.p16 | (p - 40);
  else if (p === 49) pen.bg = 0;
  else if (p >= 90 && p <= 97) pen.fg = COLOR.p16 | (p - 90 + 8);
  else if (p >= 100 && p <= 107) pen.bg = COLOR.p16 | (p - 100 + 8);
}
