import { describe, expect, it } from 'vitest';
import { FrameBytes } from '../../src/render/bytes.js';
import { diffInto, diffIntoJs, diffsInC } from '../../src/render/diff.js';
import { COLOR, Grid } from '../../src/render/grid.js';
import { addonFunction } from '../../src/util/native-addon.js';
import { seeded } from '../helpers/random.js';

// The frame's diff runs in C (native/src/diff.c) for grids without text of several code points.
// It must do exactly what the JavaScript does: the same bytes, the same `shown` and row marks after.
// diff.test.ts checks the result on a real terminal; this checks the two against each other on
// grids the invariant does not hold for too (orphaned halves of wide characters), and with an
// output buffer too small for the frame, which the C side hands back to be grown.

const CODES = [0x20, 0x41, 0x7a, 0xe9, 0x2500, 0x4e2d, 0x1f600, 0xd800, 0];
const COLOURS = [COLOR.default, COLOR.p16 | 3, COLOR.p16 | 12, COLOR.p256 | 200, COLOR.rgb | 0x123456];

function randomGrid(rand: () => number, w: number, h: number): Grid {
  const g = new Grid(w, h);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  for (let i = 0; i < w * h; i++) {
    if (rand() < 0.5) continue;
    g.codes[i] = pick(CODES);
    g.widths[i] = pick([1, 1, 1, 2, 0]);
    g.fg[i] = pick(COLOURS);
    g.bg[i] = pick(COLOURS);
    g.attrs[i] = rand() < 0.3 ? Math.floor(rand() * 256) : 0;
  }
  return g;
}

function copy(g: Grid): Grid {
  const c = new Grid(g.width, g.height);
  for (let i = 0; i < g.codes.length; i++) c.copyCell(i, g, i);
  c.touched.set(g.touched);
  return c;
}

function same(a: Grid, b: Grid): void {
  expect(Buffer.from(a.codes.buffer).equals(Buffer.from(b.codes.buffer))).toBe(true);
  expect(Buffer.from(a.widths).equals(Buffer.from(b.widths))).toBe(true);
  expect(Buffer.from(a.fg.buffer).equals(Buffer.from(b.fg.buffer))).toBe(true);
  expect(Buffer.from(a.bg.buffer).equals(Buffer.from(b.bg.buffer))).toBe(true);
  expect(Buffer.from(a.attrs.buffer).equals(Buffer.from(b.attrs.buffer))).toBe(true);
  expect([...a.touched]).toEqual([...b.touched]);
}

describe('the native diff', () => {
  it('is built', () => {
    expect(addonFunction('diffCells')).toBeTypeOf('function');
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('writes what the JavaScript writes and leaves the grids as it does (seed %i)', (seed) => {
    const rand = seeded(seed);
    const w = 40 + Math.floor(rand() * 210);
    const h = 5 + Math.floor(rand() * 85);
    const shownA = randomGrid(rand, w, h);
    const nextA = randomGrid(rand, w, h);
    for (let y = 0; y < h; y++) nextA.touched[y] = rand() < 0.7 ? 1 : 0;
    const shownB = copy(shownA);
    const nextB = copy(nextA);
    // A buffer smaller than the frame: the native side stops and is resumed after it grows.
    const outA = new FrameBytes();
    const outB = new FrameBytes();
    outA.buf = Buffer.alloc(100 + seed);
    outB.buf = Buffer.alloc(100 + seed);
    outA.ascii('head');
    outB.ascii('head');
    const before = diffsInC;
    expect(diffInto(outA, shownA, nextA)).toBe(diffIntoJs(outB, shownB, nextB));
    expect(diffsInC, 'diffInto took the C side').toBe(before + 1);
    expect(outA.bytes().toString('latin1')).toBe(outB.bytes().toString('latin1'));
    expect(outA.n).toBeGreaterThan(1000);
    same(shownA, shownB);
    same(nextA, nextB);
    // Every row again (the rows left out above, and those an orphaned half marked again)...
    nextA.touched.fill(1);
    nextB.touched.fill(1);
    outA.reset();
    outB.reset();
    expect(diffInto(outA, shownA, nextA)).toBe(diffIntoJs(outB, shownB, nextB));
    expect(outA.bytes().toString('latin1')).toBe(outB.bytes().toString('latin1'));
    same(shownA, shownB);
    // ...and then nothing is left to write.
    nextA.touched.fill(1);
    outA.reset();
    expect(diffInto(outA, shownA, nextA)).toBe(false);
    expect(outA.n).toBe(0);
  });
});
