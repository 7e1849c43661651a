// The frame's hot path reads xterm's line arrays directly; it must paint exactly what xterm's own
// cell API reads, for every kind of cell a program can produce.
import { describe, expect, it } from 'vitest';
import { createEmulator, type Terminal } from '../../src/terminal/emulator.js';
import { paintBuffer } from '../../src/terminal/snapshot.js';
import { compactScrollback } from '../../src/terminal/compact-scrollback.js';
import { Grid, type Rect } from '../../src/render/grid.js';

const written = (t: Terminal, data: string) => new Promise<void>((r) => t.write(data, r));

/** A grid holding an earlier frame's cells everywhere: a paint must overwrite every cell of its rect. */
function painted(cols: number, rows: number): Grid {
  const g = new Grid(cols, rows);
  for (let i = 0; i < cols * rows; i++) g.set(i, i % 7 === 0 ? 'e\u0301' : '#', 1, 0x1000002, 0x1000004, 1);
  return g;
}

function both(t: Terminal, top: number, rect: Rect, size: [number, number], skip?: (x: number, y: number) => boolean): [Grid, Grid] {
  const direct = painted(...size);
  const api = painted(...size);
  paintBuffer(t, top, direct, rect, skip);
  paintBuffer(t, top, api, rect, skip, true);
  return [direct, api];
}

function expectSame(a: Grid, b: Grid): void {
  expect(Array.from({ length: a.codes.length }, (_, i) => a.char(i))).toEqual(Array.from({ length: b.codes.length }, (_, i) => b.char(i)));
  expect(Array.from(a.widths)).toEqual(Array.from(b.widths));
  expect(Array.from(a.fg)).toEqual(Array.from(b.fg));
  expect(Array.from(a.bg)).toEqual(Array.from(b.bg));
  expect(Array.from(a.attrs)).toEqual(Array.from(b.attrs));
}

// Every SGR a program is likely to send, wide and combining characters, erases with a background.
const styles = [
  '\x1b[1;31mbold red\x1b[0m',
  '\x1b[2;3;4mdim italic underline\x1b[0m',
  '\x1b[5;7;8;9mblink inverse invisible strike\x1b[0m',
  '\x1b[38;5;202;48;5;17m256 colours\x1b[0m',
  '\x1b[38;2;1;2;3;48;2;250;128;7mrgb\x1b[0m',
  '\x1b[4:3mcurly\x1b[4:0m none\x1b[0m \x1b[58;5;9;4mcoloured underline\x1b[0m',
  '漢字 wide 😀 emoji e\u0301 combined',
  '\x1b[44merase with a background\x1b[K\x1b[0m',
  '\x1b[93;104mbright\x1b[0m',
];
const sample = Array.from({ length: 60 }, (_, i) => `${i} ${styles[i % styles.length]}\r\n`).join('');

describe('paintBuffer, direct reading', () => {
  it('paints every kind of cell exactly as the xterm API reads it, on the screen and in the scrollback', async () => {
    for (const compact of [false, true]) {
      const t = createEmulator(50, 12, 100, undefined, false);
      await written(t, sample);
      if (compact) expect(compactScrollback(t).packed).toBeGreaterThan(10);
      const base = t.buffer.active.baseY;
      for (const top of [base, base - 5, 0, -3, base + 4]) {
        const [a, b] = both(t, top, { x: 2, y: 1, width: 50, height: 12 }, [56, 15]);
        expectSame(a, b);
        if (top === base - 5) expect(a.rowText(1).trim().length).toBeGreaterThan(0);
      }
    }
  });

  it('agrees with the API where the rect is wider than the emulator, cuts a wide character, or skips cells', async () => {
    const t = createEmulator(20, 6, 10);
    await written(t, '漢字漢字漢字漢字漢字漢字\r\n\x1b[41mred\x1b[K\x1b[0m\r\nplain');
    const [a, b] = both(t, t.buffer.active.baseY, { x: 0, y: 0, width: 25, height: 8 }, [30, 8]);
    expectSame(a, b);
    const [c, d] = both(t, t.buffer.active.baseY, { x: 1, y: 0, width: 7, height: 3 }, [30, 8], (x, y) => x === 4 && y === 0);
    expectSame(c, d);
  });

  it('reads the alternate screen', async () => {
    const t = createEmulator(30, 5, 100);
    await written(t, 'normal\r\n\x1b[?1049h\x1b[H\x1b[32malternate\x1b[0m 漢');
    const [a, b] = both(t, t.buffer.active.baseY, { x: 0, y: 0, width: 30, height: 5 }, [30, 5]);
    expectSame(a, b);
    expect(a.rowText(0)).toContain('alternate');
  });
});
