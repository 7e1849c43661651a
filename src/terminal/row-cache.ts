/**
 * What a pane last painted into the compositor's grid, row by row, as the emulator's own cell words:
 * a row whose words are unchanged is still in the grid exactly as painted, so it is neither painted
 * again nor compared by the diff. An agent's spinner or clock changes one row of a still screen; a
 * frame then paints that row instead of every row of the pane (bench/frame-cost.js --spin).
 *
 * Invariants:
 * - a row is skipped only when the previous paint went into the same grid, at the same rect, at
 *   the same emulator width, with nothing painted over it since (`begin`'s `fresh`: the renderer
 *   says so whenever it laid the chrome again), and when its words equal the copy kept;
 * - when output scrolled the screen by k lines (the first rows show what was painted k rows lower,
 *   nothing is drawn over the rect), a row whose words equal those painted k rows lower is moved up
 *   from there in the grid instead of painted: a pane printing a log scrolls every frame, and
 *   repainting each row from the emulator's words was most of that frame's paint. Content decides,
 *   not the top line's number: with a full scrollback that number stays the same as lines scroll;
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
  private cols = 0;
  /** Per row of the rect: the words painted (`lens` says how many), or undefined: paint it. */
  private rows: Array<Uint32Array | undefined> = [];
  /** How many words of each kept row are the row (the array may be longer); -1: paint it. */
  private lens: number[] = [];
  /**
   * Rows the content moved up since the last paint (output scrolled the screen by that many lines):
   * row dy's kept words are then those painted at row dy + shift, which the grid still holds there.
   */
  shift = 0;

  /**
   * Starts a paint. `fresh`: something else may have painted over the rect since the last paint,
   * so every row is painted. Returns whether rows may be skipped (or moved, see `align`).
   */
  begin(grid: Grid, rect: Rect, cols: number, fresh: boolean): boolean {
    const r = this.rect;
    this.shift = 0;
    const same = !fresh && grid === this.grid && cols === this.cols && rect.x === r.x && rect.y === r.y && rect.width === r.width && rect.height === r.height;
    if (same) return true;
    this.grid = grid;
    this.rect = { ...rect };
    this.cols = cols;
    this.rows = new Array<Uint32Array | undefined>(rect.height).fill(undefined);
    this.lens = new Array<number>(rect.height).fill(0);
    return false;
  }

  /**
   * After `begin`, with the words the first two rows now show: when they are not what was painted
   * there but what was painted k rows lower (output scrolled the screen by k lines), the kept rows
   * are taken as moved up by k (`shift`), so each row still shown is moved in the grid rather than
   * painted. Only where the rows can be moved (nothing is drawn over the rect). Which k is chosen
   * never matters for what the grid ends up holding: each row is still compared word for word.
   */
  align(d0: Uint32Array | undefined, len0: number, d1: Uint32Array | undefined, len1: number): void {
    const n = this.rows.length;
    if (n < 2 || this.same(0, d0, len0)) return;
    for (let k = 1; k < n - 1; k++) {
      if (!this.same(k, d0, len0) || !this.same(k + 1, d1, len1)) continue;
      // The arrays of the k rows that scrolled off are reused for the k new ones (their lengths say 0).
      const off = this.rows.slice(0, k);
      this.rows.copyWithin(0, k);
      this.lens.copyWithin(0, k);
      for (let j = 0; j < k; j++) {
        this.rows[n - k + j] = off[j];
        this.lens[n - k + j] = -1;
      }
      this.shift = k;
      return;
    }
  }

  /** Whether row `dy` holds the same `len` cells of `data` as when it was painted (no data: a blank row). */
  same(dy: number, data: Uint32Array | undefined, len: number): boolean {
    const kept = this.rows[dy];
    const n = len * CELL;
    if (!kept || this.lens[dy] !== n) return false;
    if (!data) return len === 0;
    for (let i = 0; i < n; i++) if (kept[i] !== data[i]) return false;
    return true;
  }

  /**
   * Records what row `dy` was painted from. `special`: a cell's text or style lives outside the
   * words (the painter saw IS_COMBINED or an extended attribute), so the row is never skipped.
   */
  keep(dy: number, data: Uint32Array | undefined, len: number, special: boolean): void {
    if (special) {
      this.lens[dy] = -1;
      return;
    }
    const n = len * CELL;
    let kept = this.rows[dy];
    // Kept at the row's full width once made: line lengths change from frame to frame, and an array
    // made for each change was a large share of the paint's allocations.
    if (!kept || kept.length < n) kept = this.rows[dy] = new Uint32Array(Math.max(n, this.cols * CELL));
    this.lens[dy] = n;
    if (data) kept.set(n === data.length ? data : data.subarray(0, n));
  }

  /** Forgets everything: the next paint paints every row. */
  clear(): void {
    this.grid = undefined;
  }
}
