/**
 * Text the compositor lays on the chrome itself rather than through Ink: what changes too often for
 * a whole render of the chrome (a pane's scroll position, at every wheel notch).
 *
 * Invariants:
 * - a label is single-width characters;
 * - the cells a label leaves (moved, shortened, gone) are the chrome's again, and so is the other
 *   half of a wide character it cut;
 * - the same labels as last frame touch nothing.
 */
import type { Grid, Rect } from './grid.js';

export interface Label {
  x: number;
  y: number;
  text: string;
  fg: number;
  bg: number;
  attrs: number;
}

/** A label ending one cell short of the right corner of the top border around `inner`; undefined if it does not fit. */
export function borderLabel(inner: Rect, text: string, style: { fg: number; bg: number; attrs: number }): Label | undefined {
  const x = inner.x + inner.width - 1 - text.length;
  if (x <= inner.x || inner.y < 1) return undefined;
  return { x, y: inner.y - 1, text, ...style };
}

/** The labels on a composed screen, and their key. */
export class LabelLayer {
  private labels: Label[] = [];
  private key = '';

  /**
   * Lays `labels` on `grid`, except where `skip` says. `chromeLaid`: the chrome was just copied
   * whole over the grid, so the last labels are gone already; else their cells are copied back
   * from `chrome`.
   */
  lay(grid: Grid, chrome: Grid, labels: Label[], chromeLaid: boolean, skip: ((x: number, y: number) => boolean) | undefined): void {
    const key = labels.map((l) => `${l.x},${l.y},${l.fg},${l.bg},${l.attrs},${l.text}`).join('\n');
    if (!chromeLaid && key === this.key) return;
    // One cell more each side: a wide character's other half, blanked below, is the chrome's again too.
    if (!chromeLaid) for (const l of this.labels) grid.copyRect(chrome, { x: l.x - 1, y: l.y, width: l.text.length + 2, height: 1 });
    for (const l of labels) {
      if (l.y < 0 || l.y >= grid.height) continue;
      const row = l.y * grid.width;
      for (let k = 0; k < l.text.length; k++) {
        const x = l.x + k;
        if (x < 0 || x >= grid.width || skip?.(x, l.y)) continue;
        if (grid.widths[row + x] === 0 && x > 0) grid.set(row + x - 1, ' ', 1, grid.fg[row + x - 1], grid.bg[row + x - 1], 0);
        if (grid.widths[row + x] === 2 && x + 1 < grid.width) grid.set(row + x + 1, ' ', 1, grid.fg[row + x], grid.bg[row + x], 0);
        grid.set(row + x, l.text[k], 1, l.fg, l.bg, l.attrs);
      }
    }
    this.labels = labels;
    this.key = key;
  }
}
