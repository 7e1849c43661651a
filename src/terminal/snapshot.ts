/**
 * Reads cells out of an @xterm/headless buffer into a Grid. This is the hot path of every frame
 * for a busy pane: the cells are read straight from xterm's line arrays (3 words per cell: content,
 * fg, bg), about three times faster than through its IBufferCell API (a dozen method calls per
 * cell; measured 25 ns a cell, a quarter of the workspace's CPU at an agent-like pace). Lines
 * whose internals are not what this expects (a new xterm version) are read through the API, and a
 * test compares both readings cell by cell.
 */
import type { IBufferCell, Terminal } from '@xterm/headless';
import { ATTR, type Grid, type Rect } from '../render/grid.js';
import type { PaintCache } from './row-cache.js';

let scratch: IBufferCell | undefined;

/**
 * Paints the buffer lines starting at `topLine` into `rect` of `grid`. Lines or columns the emulator
 * does not have (it is smaller than the rect while a resize is debounced) are painted blank; a wide
 * character that would straddle the rect's right edge is painted as a space.
 */
export function paintBuffer(term: Terminal, topLine: number, grid: Grid, rect: Rect, skip?: (x: number, y: number) => boolean, viaApi = false, cache?: PaintCache): void {
  const lines = viaApi ? undefined : activeLines(term);
  if (lines) {
    paintDirect(lines, term.cols, topLine, grid, rect, skip, cache);
    return;
  }
  cache?.rows.clear();
  const buffer = term.buffer.active;
  const cell = (scratch ??= buffer.getNullCell());
  const right = rect.x + rect.width;
  for (let dy = 0; dy < rect.height; dy++) {
    const y = rect.y + dy;
    if (y < 0 || y >= grid.height) continue;
    const line = buffer.getLine(topLine + dy);
    const row = y * grid.width;
    grid.touched[y] = 1;
    for (let x = rect.x; x < right && x < grid.width; x++) {
      if (skip?.(x, y)) continue;
      const i = row + x;
      const col = x - rect.x;
      if (!line || col >= term.cols || !line.getCell(col, cell)) {
        grid.set(i, ' ', 1, 0, 0, 0);
        continue;
      }
      const w = cell.getWidth();
      // The grid's invariant is strict: a width-2 cell is always followed by its width-0 half and a
      // width-0 cell always follows a width-2 one. xterm's buffer can break that (a wide character
      // cut by the rect edge, or half-overwritten by insert/delete on binary garbage); such halves
      // are painted as spaces so the diff never emits a character the terminal would place elsewhere.
      if (w === 0 || (w === 2 && (x + 1 >= right || x + 1 >= grid.width || skip?.(x + 1, y)))) {
        grid.set(i, ' ', 1, 0, cellBg(cell), 0);
        continue;
      }
      const ch = cell.getChars();
      // Most cells are unstyled: one check instead of ten (bench: paint is a top per-frame cost).
      const plain = cell.isAttributeDefault();
      const fg = plain ? 0 : cellFg(cell);
      const bg = plain ? 0 : cellBg(cell);
      const attrs = plain ? 0 : cellAttrs(cell);
      grid.set(i, ch === '' ? ' ' : ch, w, fg, bg, attrs);
      if (w === 2) {
        x++;
        grid.set(row + x, '', 0, fg, bg, attrs);
      }
    }
  }
}

function cellFg(c: IBufferCell): number {
  const mode = c.getFgColorMode();
  return mode === 0 ? 0 : mode | c.getFgColor();
}

function cellBg(c: IBufferCell): number {
  const mode = c.getBgColorMode();
  return mode === 0 ? 0 : mode | c.getBgColor();
}

function cellAttrs(c: IBufferCell): number {
  let a = 0;
  if (c.isBold()) a |= ATTR.bold;
  if (c.isDim()) a |= ATTR.dim;
  if (c.isItalic()) a |= ATTR.italic;
  if (c.isUnderline()) a |= ATTR.underline;
  if (c.isBlink()) a |= ATTR.blink;
  if (c.isInverse()) a |= ATTR.inverse;
  if (c.isInvisible()) a |= ATTR.invisible;
  if (c.isStrikethrough()) a |= ATTR.strike;
  return a;
}

// ---- direct reading of xterm's line arrays ---------------------------------------------------

/** xterm's cell words and bits (common/buffer/Constants.ts). */
const CELL = 3;
const CODEPOINT_MASK = 0x1fffff;
const IS_COMBINED = 0x200000;
const WIDTH_SHIFT = 22;
/** The content word of a cell xterm leaves blank (no character, width 1). */
const BLANK_CONTENT = 1 << WIDTH_SHIFT;
const CM_MASK = 0x3000000;
const CM_RGB = 0x3000000;
const RGB_MASK = 0xffffff;
const PCOLOR_MASK = 0xff;
const FG_INVERSE = 0x4000000;
const FG_BOLD = 0x8000000;
const FG_UNDERLINE = 0x10000000;
const FG_BLINK = 0x20000000;
const FG_INVISIBLE = 0x40000000;
const FG_STRIKE = 0x80000000;
const BG_ITALIC = 0x4000000;
const BG_DIM = 0x8000000;
const BG_HAS_EXTENDED = 0x10000000;

interface LineData {
  _data: Uint32Array;
  _combined: Record<number, string | undefined>;
  _extendedAttrs: Record<number, { underlineStyle?: number } | undefined>;
  length: number;
}
interface Lines {
  length: number;
  get(i: number): unknown;
}

/** The active buffer's line list, if xterm's internals are where this expects them. */
function activeLines(term: Terminal): Lines | undefined {
  const core: unknown = Reflect.get(term, '_core');
  const buffers: unknown = typeof core === 'object' && core !== null ? Reflect.get(core, 'buffers') : undefined;
  const active: unknown = typeof buffers === 'object' && buffers !== null ? Reflect.get(buffers, 'active') : undefined;
  const lines: unknown = typeof active === 'object' && active !== null ? Reflect.get(active, 'lines') : undefined;
  if (typeof lines !== 'object' || lines === null || typeof Reflect.get(lines, 'get') !== 'function') return undefined;
  return lines as Lines;
}

function lineData(l: unknown): LineData | undefined {
  if (typeof l !== 'object' || l === null) return undefined;
  const line = l as Partial<LineData>;
  return line._data instanceof Uint32Array && typeof line.length === 'number' && typeof line._combined === 'object' ? (line as LineData) : undefined;
}

function colour(word: number): number {
  const mode = word & CM_MASK;
  if (mode === 0) return 0;
  return mode === CM_RGB ? mode | (word & RGB_MASK) : mode | (word & PCOLOR_MASK);
}

function attrsOf(fg: number, bg: number, line: LineData, col: number): number {
  let a = 0;
  if (fg & FG_BOLD) a |= ATTR.bold;
  if (bg & BG_DIM) a |= ATTR.dim;
  if (bg & BG_ITALIC) a |= ATTR.italic;
  // As xterm's isUnderline: an extended underline style (curly, dotted...) counts; style 0 defers to the flag.
  const ext = bg & BG_HAS_EXTENDED ? line._extendedAttrs[col] : undefined;
  if (ext && ext.underlineStyle) a |= ATTR.underline;
  else if (fg & FG_UNDERLINE) a |= ATTR.underline;
  if (fg & FG_BLINK) a |= ATTR.blink;
  if (fg & FG_INVERSE) a |= ATTR.inverse;
  if (fg & FG_INVISIBLE) a |= ATTR.invisible;
  if (fg & FG_STRIKE) a |= ATTR.strike;
  return a;
}

/** Buffer line `at`, or undefined outside the buffer. */
function lineAt(lines: Lines, at: number): LineData | undefined {
  return at >= 0 && at < lines.length ? lineData(lines.get(at)) : undefined;
}

/**
 * How many of a line's cells to paint: cells past its length (a packed scrollback line, or a line
 * narrower than the screen while a resize is debounced) are blank, as the API reads them.
 */
function cellsOf(line: LineData | undefined, cols: number): number {
  return line ? Math.min(line.length, cols) : 0;
}

function paintDirect(lines: Lines, cols: number, topLine: number, grid: Grid, rect: Rect, skip?: (x: number, y: number) => boolean, cache?: PaintCache): void {
  const right = Math.min(rect.x + rect.width, grid.width);
  // `fresh`: the grid may have been painted over since this pane's last paint (RowCache).
  const rows = cache?.rows.begin(grid, rect, cols, cache.fresh) ? cache.rows : undefined;
  if (rows && !skip) {
    const first = lineAt(lines, topLine);
    const second = lineAt(lines, topLine + 1);
    rows.align(first?._data, cellsOf(first, cols), second?._data, cellsOf(second, cols));
  }
  // Cells are written by code (Grid.put; the row is marked touched once): Grid.set per cell costs a
  // division for its row and a look at the string. With no text of several code points in the grid
  // (nearly always), the cells are written straight into its arrays, held in locals.
  const { codes, widths, fg: fgs, bg: bgs, attrs: attrss } = grid;
  for (let dy = 0; dy < rect.height; dy++) {
    const y = rect.y + dy;
    if (y < 0 || y >= grid.height) continue;
    const line = lineAt(lines, topLine + dy);
    const len = cellsOf(line, cols);
    const d = line?._data;
    const row = y * grid.width;
    // Unchanged since it was painted: the grid still holds it, and the diff need not look at it; or,
    // after a scroll, holds it `shift` rows lower, where it is moved up from.
    if (rows?.same(dy, d, len)) {
      if (rows.shift) grid.moveRow(y + rows.shift, y, rect.x, right);
      continue;
    }
    grid.touched[y] = 1;
    let special = false;
    // The line's blank tail (cells xterm leaves blank, in the default style) is blanked by segment:
    // most of an idle pane, and cell by cell the dearest part of a first frame (~6 ms in code not
    // yet optimized, in a CPU profile of the server's start). Under an overlay every cell is looked at.
    let tail = right;
    if (!skip) {
      let col = d ? Math.min(len, right - rect.x) : 0;
      if (d) while (col > 0 && d[(col - 1) * CELL] === BLANK_CONTENT && d[(col - 1) * CELL + 1] === 0 && d[(col - 1) * CELL + 2] === 0) col--;
      tail = rect.x + col;
      grid.fillBlank({ x: tail, y, width: right - tail, height: 1 });
    }
    const direct = grid.multi.size === 0;
    // The style of the last cell, read from its words: a line's cells mostly share it.
    let fgWordWas = 0;
    let bgWordWas = 0;
    let fg = 0;
    let bg = 0;
    let attrs = 0;
    for (let x = rect.x; x < tail; x++) {
      if (skip?.(x, y)) continue;
      const i = row + x;
      const col = x - rect.x;
      if (!line || !d || col >= len) {
        grid.put(i, 0x20, 1, 0, 0, 0);
        continue;
      }
      const o = col * CELL;
      const content = d[o]!;
      const fgWord = d[o + 1]!;
      const bgWord = d[o + 2]!;
      const w = content >>> WIDTH_SHIFT;
      // The grid's invariant, as in the API path above: stray halves of wide characters are spaces.
      if (w === 0 || (w === 2 && (x + 1 >= right || skip?.(x + 1, y)))) {
        grid.put(i, 0x20, 1, 0, colour(bgWord), 0);
        continue;
      }
      const cp = content & CODEPOINT_MASK;
      // An extended style (an underline's shape) is the cell's own: it is read for each such cell.
      if (fgWord !== fgWordWas || bgWord !== bgWordWas || bgWord & BG_HAS_EXTENDED) {
        const plain = fgWord === 0 && bgWord === 0;
        fg = plain ? 0 : colour(fgWord);
        bg = plain ? 0 : colour(bgWord);
        attrs = plain ? 0 : attrsOf(fgWord, bgWord, line, col);
        fgWordWas = fgWord;
        bgWordWas = bgWord;
      }
      if (bgWord & BG_HAS_EXTENDED) special = true;
      if (content & IS_COMBINED) {
        special = true;
        grid.set(i, line._combined[col] ?? ' ', w, fg, bg, attrs);
      } else if (direct) {
        codes[i] = cp === 0 ? 0x20 : cp;
        widths[i] = w;
        fgs[i] = fg;
        bgs[i] = bg;
        attrss[i] = attrs;
      } else grid.put(i, cp === 0 ? 0x20 : cp, w, fg, bg, attrs);
      if (w === 2) {
        x++;
        grid.put(row + x, 0, 0, fg, bg, attrs);
      }
    }
    cache?.rows.keep(dy, d, len, special);
  }
}
