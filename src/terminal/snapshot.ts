/**
 * Reads cells out of an @xterm/headless buffer into a Grid. This is the hot path of every frame
 * for a busy pane, so it reuses one IBufferCell and touches each cell once.
 */
import type { IBufferCell, Terminal } from '@xterm/headless';
import { ATTR, type Grid, type Rect } from '../render/grid.js';

let scratch: IBufferCell | undefined;

/**
 * Paints the buffer lines starting at `topLine` into `rect` of `grid`. Lines or columns the emulator
 * does not have (it is smaller than the rect while a resize is debounced) are painted blank; a wide
 * character that would straddle the rect's right edge is painted as a space.
 */
export function paintBuffer(term: Terminal, topLine: number, grid: Grid, rect: Rect, skip?: (x: number, y: number) => boolean): void {
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
