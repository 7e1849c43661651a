// The compositor's grid: a rectangle copied a row segment at a time must read exactly as the same
// rectangle copied cell by cell, texts of several code points included, and nothing outside it moves.
import { describe, expect, it } from 'vitest';
import { Grid, type Rect } from '../../src/render/grid.js';

const texts = [' ', 'a', 'Z', '─', '漢', 'e\u0301', '👩\u200d💻', '🙂'];

function randomGrid(w: number, h: number, seed: number): Grid {
  let s = seed;
  const rnd = (n: number) => ((s = (s * 1103515245 + 12345) >>> 0) >>> 8) % n;
  const g = new Grid(w, h);
  for (let i = 0; i < w * h; i++) g.set(i, texts[rnd(texts.length)], 1, rnd(3) << 24, rnd(2) << 24, rnd(4));
  return g;
}

function cells(g: Grid): string[] {
  return Array.from({ length: g.codes.length }, (_, i) => `${g.char(i)}|${g.widths[i]}|${g.fg[i]}|${g.bg[i]}|${g.attrs[i]}`);
}

describe('Grid.copyRect', () => {
  it('copies what a cell-by-cell copy does, for rectangles inside, across and outside the edges', () => {
    const rects: Rect[] = [
      { x: 0, y: 0, width: 30, height: 12 },
      { x: 3, y: 2, width: 10, height: 5 },
      { x: -4, y: -2, width: 9, height: 6 },
      { x: 25, y: 9, width: 20, height: 20 },
      { x: 40, y: 0, width: 5, height: 5 },
    ];
    for (const [k, r] of rects.entries()) {
      const from = randomGrid(30, 12, 7 + k);
      const fast = randomGrid(30, 12, 100 + k);
      const slow = randomGrid(30, 12, 100 + k);
      fast.copyRect(from, r);
      for (let y = Math.max(0, r.y); y < Math.min(r.y + r.height, 12); y++) {
        for (let x = Math.max(0, r.x); x < Math.min(r.x + r.width, 30); x++) slow.copyCell(y * 30 + x, from, y * 30 + x);
      }
      expect(cells(fast)).toEqual(cells(slow));
      expect([...fast.multi].sort()).toEqual([...slow.multi].sort());
    }
  });
});
