// A pane's paint skips rows unchanged since it last painted them (row-cache.ts): what it leaves in
// the grid must be exactly what a full paint would write, after any kind of output.
import { describe, expect, it } from 'vitest';
import { createEmulator, type Terminal } from '../../src/terminal/emulator.js';
import { paintBuffer } from '../../src/terminal/snapshot.js';
import { RowCache } from '../../src/terminal/row-cache.js';
import { Grid, type Rect } from '../../src/render/grid.js';

const written = (t: Terminal, data: string) => new Promise<void>((r) => t.write(data, r));

function cells(g: Grid): string[] {
  return Array.from({ length: g.codes.length }, (_, i) => `${g.char(i)}|${g.widths[i]}|${g.fg[i]}|${g.bg[i]}|${g.attrs[i]}`);
}

/** Paints `t` into `kept` through the cache, and into a new grid whole; both must read the same. */
function paintBoth(t: Terminal, kept: Grid, rect: Rect, rows: RowCache, fresh = false): { touched: number[] } {
  kept.touched.fill(0);
  paintBuffer(t, t.buffer.active.baseY, kept, rect, undefined, false, { rows, fresh });
  const whole = new Grid(kept.width, kept.height);
  paintBuffer(t, t.buffer.active.baseY, whole, rect);
  expect(cells(kept)).toEqual(cells(whole));
  return { touched: [...kept.touched.keys()].filter((y) => kept.touched[y]) };
}

const rect = { x: 2, y: 1, width: 30, height: 8 };

/** A 30x8 emulator (`scrollback` lines kept), the 34x10 grid it paints into, and its cache. */
function pane(scrollback = 100) {
  return { t: createEmulator(30, 8, scrollback), g: new CountingGrid(34, 10), rows: new RowCache() };
}

/** A grid that counts the rows moved within it (paintDirect writes painted cells straight into its arrays). */
class CountingGrid extends Grid {
  moves = 0;
  override moveRow(from: number, to: number, x0: number, x1: number): void {
    this.moves++;
    super.moveRow(from, to, x0, x1);
  }
}

describe('RowCache', () => {
  it('repaints only the row a spinner rewrote, and the grid reads as a full paint', async () => {
    const { t, g, rows } = pane();
    await written(t, Array.from({ length: 6 }, (_, i) => `\x1b[3${i}mline ${i}\x1b[0m`).join('\r\n'));
    expect(paintBoth(t, g, rect, rows, true).touched).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    await written(t, '\x1b[3;1H\x1b[2K\x1b[33m| working\x1b[0m');
    expect(paintBoth(t, g, rect, rows).touched).toEqual([3]);
    expect(paintBoth(t, g, rect, rows).touched).toEqual([]);
    // Scrolling moves every row.
    await written(t, '\x1b[8;1H\r\nnew last line');
    expect(paintBoth(t, g, rect, rows).touched.length).toBe(8);
  });

  it.each([
    ['room left in the scrollback', 100],
    // Full: the top line's number stays the same as lines scroll, so only content can tell.
    ['the scrollback full', 2],
  ])('after output scrolls the screen (%s), moves the rows still shown up in the grid and paints only the new ones', async (_, scrollback) => {
    const { t, g, rows } = pane(scrollback);
    await written(t, Array.from({ length: 12 }, (_, i) => `\x1b[3${i % 8}mline ${i}\x1b[0m`).join('\r\n'));
    paintBoth(t, g, rect, rows, true);
    await written(t, '\r\n\x1b[1mline 12\x1b[0m\r\nline 13');
    g.moves = 0;
    g.touched.fill(0);
    paintBuffer(t, t.buffer.active.baseY, g, rect, undefined, false, { rows, fresh: false });
    // Two new lines: six rows moved, and all eight touched, so two painted from the emulator.
    expect(g.moves).toBe(6);
    expect([...g.touched.keys()].filter((y) => g.touched[y])).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const whole = new Grid(g.width, g.height);
    paintBuffer(t, t.buffer.active.baseY, whole, rect);
    expect(cells(g)).toEqual(cells(whole));
    // A row that changed as it scrolled is painted, not moved.
    await written(t, '\x1b[2;1H\x1b[2Kchanged\x1b[8;1H\r\nline 14');
    expect(paintBoth(t, g, rect, rows).touched.length).toBe(8);
  });

  it('moves nothing while something is drawn over the pane (a dialog): rows under it stay unpainted', async () => {
    const { t, g, rows } = pane();
    const dialog = (x: number, y: number) => x >= 10 && x < 20 && y >= 3 && y < 6;
    await written(t, Array.from({ length: 12 }, (_, i) => `line ${i} ${'x'.repeat(20)}`).join('\r\n'));
    g.fillBlank({ x: 0, y: 0, width: 34, height: 10 });
    for (let y = 3; y < 6; y++) for (let x = 10; x < 20; x++) g.set(y * g.width + x, '#', 1, 0, 0, 0);
    const expected = new Grid(g.width, g.height);
    expected.codes.set(g.codes);
    for (let step = 0; step < 3; step++) {
      await written(t, `\r\nline ${12 + step} ${'y'.repeat(20)}`);
      paintBuffer(t, t.buffer.active.baseY, g, rect, dialog, false, { rows, fresh: step === 0 });
      paintBuffer(t, t.buffer.active.baseY, expected, rect, dialog);
      expect(cells(g)).toEqual(cells(expected));
      expect(g.char(4 * g.width + 12)).toBe('#');
    }
  });

  it('paints every row when told the grid was painted over, or when the rect or grid changed', async () => {
    const { t, g, rows } = pane();
    await written(t, 'one\r\ntwo');
    paintBoth(t, g, rect, rows, true);
    // Something else (the chrome) was laid over the grid: the renderer says fresh.
    g.fillBlank({ x: 0, y: 0, width: 34, height: 10 });
    expect(paintBoth(t, g, rect, rows, true).touched.length).toBe(8);
    // A layout change lays the chrome again (here: blanks) and moves the pane; even if the renderer
    // did not say fresh, the new rect alone repaints every row.
    g.fillBlank({ x: 0, y: 0, width: 34, height: 10 });
    expect(paintBoth(t, g, { ...rect, x: 3 }, rows).touched.length).toBe(8);
    const other = new Grid(34, 10);
    other.touched.fill(0);
    paintBuffer(t, t.buffer.active.baseY, other, { ...rect, x: 3 }, undefined, false, { rows, fresh: false });
    expect([...other.touched].filter(Boolean).length).toBe(8);
  });

  it('never skips a row whose text lives outside the cell words (combining marks, underline styles)', async () => {
    const { t, g, rows } = pane();
    await written(t, 'e\u0301 and \x1b[4:3mcurly\x1b[0m\r\nplain');
    paintBoth(t, g, rect, rows, true);
    // The same cells with another combining mark and another underline style.
    await written(t, '\x1b[1;1He\u0300 and \x1b[4:2mcurly\x1b[0m');
    const { touched } = paintBoth(t, g, rect, rows);
    expect(touched).toContain(1);
    expect(touched).not.toContain(2);
    expect(g.char(rect.y * g.width + rect.x)).toBe('e\u0300');
  });

  it('follows random output, resizes and the alternate screen, always reading as a full paint', async () => {
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
    const { t, g, rows } = pane(50);
    const bits = ['x', 'yy ', '\x1b[1m', '\x1b[0m', '\x1b[31m', '\r\n', '\x1b[2K', '\x1b[H', '\x1b[5;3H', '漢', 'e\u0301', '\x1b[?1049h', '\x1b[?1049l', '\x1b[3S', '\x1b[2T', '\x1b[L', '\x1b[M', '\x1b[J'];
    for (let step = 0; step < 300; step++) {
      let s = '';
      for (let k = rnd(12); k >= 0; k--) s += bits[rnd(bits.length)];
      await written(t, s);
      if (step % 97 === 50) t.resize(20 + rnd(10), 6 + rnd(3));
      paintBoth(t, g, rect, rows, step === 0);
    }
  });
});
