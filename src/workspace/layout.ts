/**
 * Pane geometry, pure. Both the Ink frame (borders, titles) and the compositor (pane interiors) are
 * placed from these rectangles, so they can never disagree.
 *
 * Panes are numbered in array order, which is left-to-right, top-to-bottom on screen for every layout.
 */
import type { Rect } from '../render/grid.js';

export type LayoutMode = 'tiled' | 'columns' | 'rows';
export type Direction = 'left' | 'right' | 'up' | 'down';

/** Smallest outer size of a pane: a border plus a usable interior. */
export const MIN_PANE = { width: 12, height: 4 } as const;

function split(total: number, parts: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const base = Math.floor(total / parts);
  let extra = total - base * parts;
  let at = 0;
  for (let i = 0; i < parts; i++) {
    const size = base + (extra-- > 0 ? 1 : 0);
    out.push([at, size]);
    at += size;
  }
  return out;
}

export function computeLayout(count: number, mode: LayoutMode, area: Rect): Rect[] {
  if (count <= 0) return [];
  if (mode === 'columns') return split(area.width, count).map(([x, w]) => ({ x: area.x + x, y: area.y, width: w, height: area.height }));
  if (mode === 'rows') return split(area.height, count).map(([y, h]) => ({ x: area.x, y: area.y + y, width: area.width, height: h }));
  // Terminal cells are about twice as tall as wide, so a square-ish grid of cells favours columns.
  const cols = Math.ceil(Math.sqrt(count));
  const rows = Math.ceil(count / cols);
  const rects: Rect[] = [];
  const rowSpans = split(area.height, rows);
  let left = count;
  for (let r = 0; r < rows; r++) {
    // Earlier rows are full; the last row takes what is left and stretches it across the width.
    const inRow = r === rows - 1 ? left : cols;
    left -= inRow;
    const [y, h] = rowSpans[r];
    for (const [x, w] of split(area.width, inRow)) rects.push({ x: area.x + x, y: area.y + y, width: w, height: h });
  }
  return rects;
}

export function fits(rects: Rect[]): boolean {
  return rects.every((r) => r.width >= MIN_PANE.width && r.height >= MIN_PANE.height);
}

export function interior(r: Rect): Rect {
  return { x: r.x + 1, y: r.y + 1, width: Math.max(0, r.width - 2), height: Math.max(0, r.height - 2) };
}

/**
 * The pane to move to from `from` in a direction: among panes lying wholly on that side and
 * overlapping on the other axis, the nearest; ties go to the one with the most overlap, then the
 * one nearest the top/left. Undefined when there is none (focus stays put, as in tmux).
 */
export function neighbour(rects: Rect[], from: number, dir: Direction): number | undefined {
  const a = rects[from];
  if (!a) return undefined;
  let best: { i: number; dist: number; overlap: number } | undefined;
  rects.forEach((b, i) => {
    if (i === from) return;
    let dist: number;
    let overlap: number;
    if (dir === 'left' || dir === 'right') {
      dist = dir === 'left' ? a.x - (b.x + b.width) : b.x - (a.x + a.width);
      overlap = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
    } else {
      dist = dir === 'up' ? a.y - (b.y + b.height) : b.y - (a.y + a.height);
      overlap = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
    }
    if (dist < 0 || overlap <= 0) return;
    if (!best || dist < best.dist || (dist === best.dist && overlap > best.overlap)) best = { i, dist, overlap };
  });
  return best?.i;
}
