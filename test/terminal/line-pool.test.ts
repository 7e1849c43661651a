// Lines packed as they leave the screen, their arrays reused for xterm's next new lines
// (line-pool.ts): every line must read exactly as it was written, through the fill, a recycled
// ring, a resize, a reset and a cleared scrollback, and no two lines may ever share an array.
import { describe, expect, it } from 'vitest';
import { compactScrollback, packStats, type LineInternals } from '../../src/terminal/compact-scrollback.js';
import { resizeEmulator, type Terminal } from '../../src/terminal/emulator.js';
import { packAsTheyLeave, poolSize, poolStats } from '../../src/terminal/line-pool.js';
import { all, emulator, expectSameReading, lineData, sample, written } from '../helpers/scrollback.js';

interface Line extends LineInternals {
  clone(): Line;
}
const normal = (t: Terminal) => Reflect.get(Reflect.get(Reflect.get(t, '_core'), 'buffers'), 'normal') as { ybase: number; lines: { length: number; get(i: number): Line } };
const owns = (d: Uint32Array) => d.byteLength === d.buffer.byteLength;
/** Whether a line's last cell is the default blank: packing would drop it (compact-scrollback.ts). */
const blankEnd = (d: Uint32Array) => d[d.length - 3] === 1 << 22 && d[d.length - 2] === 0 && d[d.length - 1] === 0;
/** Lines above the screen that could be packed but still have their full-width array of their own. */
const unpacked = (t: Terminal) => Array.from({ length: normal(t).ybase }, (_, y) => lineData(t, y)).filter((d) => owns(d) && d.length === t.cols * 3 && blankEnd(d)).length;
/** Numbered lines of varying length: what each must read back as is known exactly. */
const numbered = (from: number, n: number) => Array.from({ length: n }, (_, i) => `${from + i} ${'x'.repeat((from + i) % 30)}`);
/**
 * An emulator that packs lines as they leave (and has no lazy pass), its flood limit read from a
 * clock the test moves: `ticking` puts every parsed write in a window of its own.
 */
function eager(cols: number, rows: number, scrollback: number, clock = ticking()): Terminal {
  const t = emulator(cols, rows, scrollback, false);
  expect(packAsTheyLeave(t, clock)).toBe(true);
  return t;
}
function ticking(): () => number {
  let now = 0;
  return () => (now += 1000);
}
async function feed(t: Terminal, lines: string[], per: number): Promise<void> {
  for (let i = 0; i < lines.length; i += per) await written(t, lines.slice(i, i + per).map((l) => `${l}\r\n`).join(''));
}

describe('packing lines as they leave the screen', () => {
  it('packs each line at once and gives its array to the next new line, which reads exactly as written', async () => {
    const t = eager(40, 10, 500);
    const before = { ...poolStats };
    const lines = numbered(0, 300);
    await feed(t, lines, 4);
    // Nothing waits for the pane to go quiet: every line that left the screen was packed as it did.
    expect(unpacked(t)).toBe(0);
    expect(poolStats.taken - before.taken).toBeGreaterThan(250);
    // A reused array held another line's cells: not a trace of them is left.
    expect(all(t).slice(0, 300)).toEqual(lines);
  });

  it('reads cell by cell as an emulator that never packs, through the fill, a recycled ring and a resize', async () => {
    const data = Array.from({ length: 700 }, (_, i) => sample(i)).join('').split(/(?<=\n)/);
    const plain = emulator(40, 10, 300, false);
    const packing = eager(40, 10, 300);
    for (let i = 0; i < data.length; i += 6) {
      const piece = data.slice(i, i + 6).join('');
      await written(plain, piece);
      await written(packing, piece);
      if (i === 240) expectSameReading(plain, packing, 40);
    }
    expectSameReading(plain, packing, 40);
    resizeEmulator(plain, 33, 12);
    resizeEmulator(packing, 33, 12);
    expect(poolSize()).toBe(0);
    await feed(plain, numbered(0, 40), 3);
    await feed(packing, numbered(0, 40), 3);
    expectSameReading(plain, packing, 33);
  });

  it("a pooled clone is its source's copy: cells, combined characters, extended attributes, wrap, and an array of its own", async () => {
    const t = eager(30, 5, 100);
    await written(t, 'e\u0301 \x1b[4:3;58;5;9mcurly\x1b[0m ' + 'w'.repeat(40));
    await feed(t, numbered(0, 20), 2);
    const source = normal(t).lines.get(0);
    expect(Object.keys(source._combined).length).toBeGreaterThan(0);
    expect(Object.keys(source._extendedAttrs).length).toBeGreaterThan(0);
    // A full-width source, so that its length has pooled arrays.
    await written(t, '\x1b[H' + 'e\u0301 \x1b[4:3;58;5;9mcurly\x1b[0m');
    const row = normal(t).lines.get(normal(t).ybase);
    row.isWrapped = true;
    expect(poolSize()).toBeGreaterThan(0);
    const taken = poolStats.taken;
    const copy = row.clone();
    expect(poolStats.taken).toBe(taken + 1);
    expect(Object.getPrototypeOf(copy)).toBe(Object.getPrototypeOf(row));
    expect(Array.from(copy._data)).toEqual(Array.from(row._data));
    expect(copy._data).not.toBe(row._data);
    expect(copy.length).toBe(row.length);
    expect(copy._combined).toEqual(row._combined);
    expect(copy._combined).not.toBe(row._combined);
    expect(copy._extendedAttrs).toEqual(row._extendedAttrs);
    expect(copy.isWrapped).toBe(true);
    const arrays = new Set(Array.from({ length: normal(t).lines.length }, (_, y) => normal(t).lines.get(y)._data));
    expect(arrays.has(copy._data)).toBe(false);
  });

  it("leaves a flood's lines to the lazy pass, in big writes or in many small ones", async () => {
    const big = eager(40, 10, 2000);
    const packed = packStats.lines;
    await feed(big, numbered(0, 500), 100);
    expect(unpacked(big)).toBe(491);
    expect(packStats.lines).toBe(packed);
    // The lines after it are packed as they leave again; the flood's own wait for the lazy pass.
    await feed(big, numbered(500, 12), 4);
    expect(unpacked(big)).toBe(491);
    expect(all(big).slice(0, 512)).toEqual(numbered(0, 512));

    // A shell loop printing as fast as it can: many small writes within one window.
    let now = 0;
    const small = eager(40, 10, 2000, () => now);
    await feed(small, numbered(0, 200), 4);
    // At most 64 packed in the window (a write that would pass 64 is left whole).
    const left = unpacked(small);
    expect(left).toBeGreaterThanOrEqual(191 - 64);
    expect(left).toBeLessThan(191 - 60);
    now += 100;
    await feed(small, numbered(200, 20), 4);
    expect(unpacked(small)).toBe(left);
    expect(all(small).slice(0, 220)).toEqual(numbered(0, 220));
  });

  it('goes on once the scrollback is full: a recycled packed line takes a pooled array', async () => {
    const plain = emulator(40, 10, 50, false);
    const full = eager(40, 10, 50);
    const taken = poolStats.taken;
    // 10 rows and 50 lines of scrollback: full at the 60th line, turned over twice by the 160th.
    const data = Array.from({ length: 160 }, (_, i) => sample(i)).join('').split(/(?<=\n)/);
    for (let i = 0; i < data.length; i += 3) {
      const piece = data.slice(i, i + 3).join('');
      await written(plain, piece);
      await written(full, piece);
      expect(unpacked(full)).toBe(0);
    }
    expect(poolStats.taken - taken).toBeGreaterThan(100);
    expectSameReading(plain, full, 40);
  });

  it('goes on after a reset (a new buffer) and after the scrollback is cleared', async () => {
    const t = eager(40, 10, 500);
    await feed(t, numbered(0, 50), 3);
    await written(t, '\x1bc');
    await feed(t, numbered(100, 50), 3);
    expect(normal(t).ybase).toBe(41);
    expect(unpacked(t)).toBe(0);
    expect(all(t).slice(0, 50)).toEqual(numbered(100, 50));
    await written(t, '\x1b[3J');
    expect(normal(t).ybase).toBe(0);
    await feed(t, numbered(200, 30), 3);
    expect(unpacked(t)).toBe(0);
    expect(all(t).slice(-31, -1)).toEqual(numbered(200, 30));
  });

  it('never lets two lines share an array, whatever mix of small writes, floods, packing passes and resizes', async () => {
    const t = eager(40, 10, 200);
    const other = eager(40, 10, 200);
    for (let round = 0; round < 6; round++) {
      await feed(t, numbered(round * 1000, 40), 1 + round);
      await feed(other, numbered(round * 1000, 90), round % 2 ? 200 : 5);
      if (round === 2) compactScrollback(t);
      if (round === 4) for (const e of [t, other]) resizeEmulator(e, 40, 10 + round);
      for (const e of [t, other]) {
        const own = Array.from({ length: normal(e).lines.length }, (_, y) => normal(e).lines.get(y)._data).filter(owns);
        expect(new Set(own.map((d) => d.buffer)).size).toBe(own.length);
      }
    }
    expect(all(t).slice(-11, -1)).toEqual(numbered(5000, 40).slice(-10));
  });

  it('is installed on every emulator that packs (a failure here would mean xterm moved its internals)', async () => {
    const t = emulator(40, 10, 500, true);
    // One write, 21 lines off the screen: within the flood limit, so packed at once.
    await written(t, numbered(0, 30).map((l) => `${l}\r\n`).join(''));
    expect(normal(t).ybase).toBe(21);
    expect(unpacked(t)).toBe(0);
    expect(all(t).slice(0, 30)).toEqual(numbered(0, 30));
  });
});
