/**
 * What a pane last painted into the compositor's grid, row by row, as the emulator's own cell words:
 * a row whose words are unchanged is still in the grid exactly as painted, so it is neither painted
 * again nor compared by the diff. An agent's spinner or clock changes one row of a still screen; a
 * frame then paints that row instead of every row of the pane (bench/frame-cost.js --spin).
 *
 * Invariants:
 * - a row is skipped only when the previous paint went into the same grid, at the same rect, from
 *   the same top line and emulator width, with nothing painted over it since (`begin`'s `fresh`:
 *   the renderer says so whenever it laid the chrome again), and when its words equal the copy kept;
 * - a row with a cell whose text or style lives outside the words (several code points, an extended
 *   underline) is never skipped: the words alone cannot say it is unchanged;
 * - the copies are the cache's own: the emulator's arrays are read, never kept.
 */
import type { Grid, Rect } from '../render/grid.js';

/** xterm's cell words: 3 per cell (content, fg, bg). */
const CELL = 3;

/** A pane's cache and whether the grid may have been painted over since its last paint. */
export interface PaintCache {
  rows: RowCache;
  fresh: boolean;
}

export class RowCache {
  private grid: Grid | undefined;
  private rect: Rect = { x: 0, y: 0, width: 0, height: 0 };
  private top = Number.NaN;
  private cols = 0;
  /** Per row of the rect: the words painted (its length says how many cells), or undefined: paint it. */
  private rows: Array<Uint32Array | undefined> = [];

  /**
   * Starts a paint. `fresh`: something else may have painted over the rect since the last paint,
   * so every row is painted. Returns whether rows may be skipped.
   */
  begin(grid: Grid, rect: Rect, top: number, cols: number, fresh: boolean): boolean {
    const r = this.rect;
    const same = !fresh && grid === this.grid && top === this.top && cols === this.cols && rect.x === r.x && rect.y === r.y && rect.width === r.width && rect.height === r.height;
    if (same) return true;
    this.grid = grid;
    this.rect = { ...rect };
    this.top = top;
    this.cols = cols;
    this.rows = new Array<Uint32Array | undefined>(rect.height).fill(undefined);
    return false;
  }

  /** Whether row `dy` holds the same `len` cells of `data` as when it was painted (no data: a blank row). */
  same(dy: number, data: Uint32Array | undefined, len: number): boolean {
    const kept = this.rows[dy];
    if (!kept || kept.length !== len * CELL) return false;
    if (!data) return len === 0;
    for (let i = 0; i < kept.length; i++) if (kept[i] !== data[i]) return false;
    return true;
  }

  /**
   * Records what row `dy` was painted from. `special`: a cell's text or style lives outside the
   * words (the painter saw IS_COMBINED or an extended attribute), so the row is never skipped.
   */
  keep(dy: number, data: Uint32Array | undefined, len: number, special: boolean): void {
    if (special) {
      this.rows[dy] = undefined;
      return;
    }
    const n = len * CELL;
    let kept = this.rows[dy];
    if (!kept || kept.length !== n) kept = this.rows[dy] = new Uint32Array(n);
    if (data) kept.set(n === data.length ? data : data.subarray(0, n));
  }

  /** Forgets everything: the next paint paints every row. */
  clear(): void {
    this.grid = undefined;
  }
}
