import { describe, expect, it } from 'vitest';
import type { Rect } from '../../src/render/grid.js';
import { computeLayout, fits, interior, MIN_PANE, neighbour, type LayoutMode } from '../../src/workspace/layout.js';

const AREAS: Rect[] = [
  { x: 0, y: 0, width: 120, height: 39 },
  { x: 3, y: 2, width: 81, height: 23 },
  { x: 0, y: 0, width: 37, height: 17 },
];

/** Each cell of the area is covered by exactly one rect, and no rect reaches outside it. */
function expectExactTiling(rects: Rect[], area: Rect): void {
  const owner = new Int32Array(area.width * area.height).fill(-1);
  const problems: string[] = [];
  rects.forEach((r, i) => {
    if (r.width <= 0 || r.height <= 0) problems.push(`rect ${i} is empty`);
    if (r.x < area.x || r.y < area.y || r.x + r.width > area.x + area.width || r.y + r.height > area.y + area.height) {
      problems.push(`rect ${i} leaves the area`);
      return;
    }
    for (let y = r.y; y < r.y + r.height; y++) {
      for (let x = r.x; x < r.x + r.width; x++) {
        const k = (y - area.y) * area.width + (x - area.x);
        if (owner[k] !== -1) problems.push(`cell ${x},${y} covered by ${owner[k]} and ${i}`);
        owner[k] = i;
      }
    }
  });
  const gaps = owner.reduce((n, o) => n + (o === -1 ? 1 : 0), 0);
  if (gaps) problems.push(`${gaps} cells uncovered`);
  expect(problems.slice(0, 5)).toEqual([]);
}

/** Reading order: by row band (top first), then left to right. */
function expectReadingOrder(rects: Rect[]): void {
  for (let i = 1; i < rects.length; i++) {
    const a = rects[i - 1];
    const b = rects[i];
    const sameBand = a.y === b.y;
    if (sameBand) expect(b.x, `pane ${i + 1} right of pane ${i}`).toBeGreaterThan(a.x);
    else expect(b.y, `pane ${i + 1} below pane ${i}`).toBeGreaterThanOrEqual(a.y + a.height);
  }
}

describe('computeLayout', () => {
  const modes: LayoutMode[] = ['tiled', 'columns', 'rows'];
  for (const mode of modes) {
    for (const area of AREAS) {
      it(`${mode} tiles ${area.width}x${area.height}+${area.x},${area.y} exactly for 1..9 panes, in reading order`, () => {
        for (let n = 1; n <= 9; n++) {
          const rects = computeLayout(n, mode, area);
          expect(rects).toHaveLength(n);
          expectExactTiling(rects, area);
          expectReadingOrder(rects);
        }
      });
    }
  }

  it('returns nothing for no panes', () => {
    expect(computeLayout(0, 'tiled', AREAS[0])).toEqual([]);
  });

  it('one pane fills the area in every mode', () => {
    for (const mode of modes) expect(computeLayout(1, mode, AREAS[1])).toEqual([AREAS[1]]);
  });

  it('columns share the width, differing by at most one cell; rows share the height', () => {
    const cols = computeLayout(7, 'columns', { x: 0, y: 0, width: 100, height: 20 });
    const widths = cols.map((r) => r.width);
    expect(Math.max(...widths) - Math.min(...widths)).toBeLessThanOrEqual(1);
    expect(cols.every((r) => r.y === 0 && r.height === 20)).toBe(true);
    const rows = computeLayout(3, 'rows', { x: 0, y: 0, width: 100, height: 20 });
    expect(rows.map((r) => r.height)).toEqual([7, 7, 6]);
    expect(rows.every((r) => r.x === 0 && r.width === 100)).toBe(true);
  });

  it('tiled: 2x2 for four panes', () => {
    expect(computeLayout(4, 'tiled', { x: 0, y: 0, width: 80, height: 20 })).toEqual([
      { x: 0, y: 0, width: 40, height: 10 },
      { x: 40, y: 0, width: 40, height: 10 },
      { x: 0, y: 10, width: 40, height: 10 },
      { x: 40, y: 10, width: 40, height: 10 },
    ]);
  });

  it('tiled: three panes are two on top and one wide pane below', () => {
    expect(computeLayout(3, 'tiled', { x: 0, y: 0, width: 81, height: 21 })).toEqual([
      { x: 0, y: 0, width: 41, height: 11 },
      { x: 41, y: 0, width: 40, height: 11 },
      { x: 0, y: 11, width: 81, height: 10 },
    ]);
  });

  it('tiled: five panes are three on top and two below', () => {
    const rects = computeLayout(5, 'tiled', { x: 0, y: 0, width: 90, height: 20 });
    expect(rects.filter((r) => r.y === 0)).toHaveLength(3);
    expect(rects.filter((r) => r.y === 10).map((r) => r.width)).toEqual([45, 45]);
  });
});

describe('fits and interior', () => {
  it('accepts panes down to MIN_PANE and rejects anything smaller', () => {
    const ok: Rect = { x: 0, y: 0, width: MIN_PANE.width, height: MIN_PANE.height };
    expect(fits([ok])).toBe(true);
    expect(fits([ok, { ...ok, width: MIN_PANE.width - 1 }])).toBe(false);
    expect(fits([ok, { ...ok, height: MIN_PANE.height - 1 }])).toBe(false);
    expect(fits([])).toBe(true);
  });

  it('a layout fits exactly when the area gives every pane its minimum', () => {
    expect(fits(computeLayout(4, 'tiled', { x: 0, y: 0, width: 2 * MIN_PANE.width, height: 2 * MIN_PANE.height }))).toBe(true);
    expect(fits(computeLayout(4, 'tiled', { x: 0, y: 0, width: 2 * MIN_PANE.width - 1, height: 2 * MIN_PANE.height }))).toBe(false);
    expect(fits(computeLayout(3, 'columns', { x: 0, y: 0, width: 3 * MIN_PANE.width, height: MIN_PANE.height }))).toBe(true);
    expect(fits(computeLayout(3, 'rows', { x: 0, y: 0, width: MIN_PANE.width, height: 3 * MIN_PANE.height - 1 }))).toBe(false);
  });

  it('interior is the rect inside a one-cell border, never negative', () => {
    expect(interior({ x: 5, y: 2, width: 20, height: 10 })).toEqual({ x: 6, y: 3, width: 18, height: 8 });
    expect(interior({ x: 0, y: 0, width: 1, height: 1 })).toEqual({ x: 1, y: 1, width: 0, height: 0 });
  });
});

describe('neighbour', () => {
  const grid = computeLayout(4, 'tiled', { x: 0, y: 0, width: 80, height: 20 });

  it('moves in all four directions on a 2x2 grid and stays put at the edges', () => {
    // 0 1
    // 2 3
    const expected: Record<number, Record<string, number | undefined>> = {
      0: { left: undefined, right: 1, up: undefined, down: 2 },
      1: { left: 0, right: undefined, up: undefined, down: 3 },
      2: { left: undefined, right: 3, up: 0, down: undefined },
      3: { left: 2, right: undefined, up: 1, down: undefined },
    };
    for (const [from, dirs] of Object.entries(expected)) {
      for (const [dir, to] of Object.entries(dirs)) {
        expect(neighbour(grid, Number(from), dir as 'left'), `${from} ${dir}`).toBe(to);
      }
    }
  });

  it('three panes tiled: down from either top pane reaches the wide one; up from it prefers the top-left', () => {
    const rects = computeLayout(3, 'tiled', { x: 0, y: 0, width: 80, height: 20 });
    expect(neighbour(rects, 0, 'down')).toBe(2);
    expect(neighbour(rects, 1, 'down')).toBe(2);
    // Both top panes overlap it by 40 cells: the tie goes to the one nearest the top/left.
    expect(neighbour(rects, 2, 'up')).toBe(0);
    expect(neighbour(rects, 2, 'left')).toBeUndefined();
    expect(neighbour(rects, 2, 'right')).toBeUndefined();
    expect(neighbour(rects, 0, 'right')).toBe(1);
  });

  it('three panes tiled with an uneven split: up from the wide pane goes to the one it overlaps most', () => {
    const rects = computeLayout(3, 'tiled', { x: 0, y: 0, width: 81, height: 20 });
    expect(rects[0].width).toBe(41);
    expect(neighbour(rects, 2, 'up')).toBe(0);
  });

  it('columns: left and right walk the row, up and down go nowhere', () => {
    const rects = computeLayout(4, 'columns', { x: 0, y: 0, width: 80, height: 20 });
    expect(neighbour(rects, 0, 'right')).toBe(1);
    expect(neighbour(rects, 2, 'right')).toBe(3);
    expect(neighbour(rects, 3, 'right')).toBeUndefined();
    expect(neighbour(rects, 2, 'left')).toBe(1);
    expect(neighbour(rects, 1, 'up')).toBeUndefined();
    expect(neighbour(rects, 1, 'down')).toBeUndefined();
  });

  it('rows: up and down walk the column', () => {
    const rects = computeLayout(3, 'rows', { x: 0, y: 0, width: 80, height: 21 });
    expect(neighbour(rects, 0, 'down')).toBe(1);
    expect(neighbour(rects, 2, 'up')).toBe(1);
    expect(neighbour(rects, 1, 'left')).toBeUndefined();
  });

  it('an index out of range has no neighbour', () => {
    expect(neighbour(grid, 9, 'left')).toBeUndefined();
  });
});
