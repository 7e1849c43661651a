import { afterEach, describe, expect, it } from 'vitest';
import { diffGrids, sgr } from '../../src/render/diff.js';
import { ATTR, COLOR, Grid } from '../../src/render/grid.js';
import { createEmulator, gridMismatches, readScreen, writeAsync, type Terminal } from '../helpers/screen-grid.js';
import { seeded as mulberry32 } from '../helpers/random.js';

// The strong check: whatever diffGrids writes, fed to a real terminal emulator that already shows
// `shown`, must leave exactly `next` on its screen.


const NARROW = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 #$%&*+-=/é─│·'];
const WIDE = ['中', '日', '本', '語', '한', '😀', '🚀', '🎉'];
const ATTR_BITS = Object.values(ATTR);

interface Style {
  fg: number;
  bg: number;
  attrs: number;
}

class Gen {
  constructor(private rand: () => number) {}

  int(n: number): number {
    return Math.floor(this.rand() * n);
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }

  colour(): number {
    switch (this.int(4)) {
      case 0:
        return COLOR.default;
      case 1:
        return COLOR.p16 | this.int(16);
      case 2:
        return COLOR.p256 | this.int(256);
      default:
        return COLOR.rgb | this.int(0x1000000);
    }
  }

  style(): Style {
    let attrs = 0;
    if (this.rand() < 0.5) for (const bit of ATTR_BITS) if (this.rand() < 0.25) attrs |= bit;
    return { fg: this.colour(), bg: this.colour(), attrs };
  }
}

/**
 * Sets a cell keeping the grid's invariant (a wide character is a width-2 lead plus a width-0
 * continuation with the same style): halves of wide characters it breaks become blanks.
 */
function put(g: Grid, x: number, y: number, ch: string, width: 1 | 2, s: Style): void {
  if (width === 2 && x + 1 >= g.width) throw new Error('a wide character cannot start in the last column');
  const row = y * g.width;
  const last = x + width - 1;
  // A wide character whose lead is left of us loses its continuation.
  if (g.widths[row + x] === 0 && x > 0) g.set(row + x - 1, ' ', 1, g.fg[row + x - 1], g.bg[row + x - 1], g.attrs[row + x - 1]);
  // A wide character whose lead we overwrite at our last cell loses its right half.
  if (g.widths[row + last] === 2 && last + 1 < g.width) g.set(row + last + 1, ' ', 1, g.fg[row + last + 1], g.bg[row + last + 1], g.attrs[row + last + 1]);
  g.set(row + x, ch, width, s.fg, s.bg, s.attrs);
  if (width === 2) g.set(row + x + 1, '', 0, s.fg, s.bg, s.attrs);
}

function putText(g: Grid, x: number, y: number, text: string, s: Style): void {
  for (const ch of text) {
    const w = WIDE.includes(ch) ? 2 : 1;
    put(g, x, y, ch, w, s);
    x += w;
  }
}

function randomCell(gen: Gen, g: Grid, x: number, y: number, s = gen.style()): number {
  const wide = x + 1 < g.width && gen.int(3) === 0;
  put(g, x, y, wide ? gen.pick(WIDE) : gen.pick(NARROW), wide ? 2 : 1, s);
  return wide ? 2 : 1;
}

function validate(g: Grid): void {
  for (let y = 0; y < g.height; y++) {
    for (let x = 0; x < g.width; x++) {
      const i = y * g.width + x;
      if (g.widths[i] === 2 && (x + 1 >= g.width || g.widths[i + 1] !== 0)) throw new Error(`broken wide char at ${x},${y}`);
      if (g.widths[i] === 0 && (x === 0 || g.widths[i - 1] !== 2)) throw new Error(`orphan continuation at ${x},${y}`);
    }
  }
}

function cloneGrid(g: Grid): Grid {
  const c = new Grid(g.width, g.height);
  for (let i = 0; i < g.codes.length; i++) c.copyCell(i, g, i);
  return c;
}

let terms: Terminal[] = [];
function emulator(cols: number, rows: number): Terminal {
  const t = createEmulator(cols, rows, 0);
  terms.push(t);
  return t;
}
afterEach(() => {
  for (const t of terms) t.dispose();
  terms = [];
});

/** Diffs `shown` to `next`, plays the output on `term`, and checks screen and `shown` both equal `next`. */
async function step(term: Terminal, shown: Grid, next: Grid, label: string): Promise<string> {
  validate(next);
  const out = diffGrids(shown, next);
  await writeAsync(term, out);
  expect(gridMismatches(readScreen(term), next), `${label}: screen`).toEqual([]);
  expect(gridMismatches(shown, next), `${label}: shown mirror`).toEqual([]);
  return out;
}

describe('diffGrids against a real terminal', () => {
  it.each([1, 2, 3, 4, 5, 6])('random edits keep the screen equal to the desired grid (seed %i)', async (seed) => {
    const gen = new Gen(mulberry32(seed * 7919));
    const cols = 23 + seed;
    const rows = 7;
    const term = emulator(cols, rows);
    const shown = new Grid(cols, rows);
    const next = new Grid(cols, rows);
    for (let n = 0; n < 60; n++) {
      const kind = gen.int(10);
      if (kind === 0) {
        // A whole new screen.
        for (let y = 0; y < rows; y++) for (let x = 0; x < cols; ) x += randomCell(gen, next, x, y);
      } else if (kind <= 3) {
        // Scattered cells, wide or narrow, anywhere.
        for (let k = gen.int(6) + 1; k > 0; k--) randomCell(gen, next, gen.int(cols), gen.int(rows));
      } else if (kind <= 5) {
        // A run of text in one style, like a line of program output.
        const y = gen.int(rows);
        const s = gen.style();
        for (let x = gen.int(cols), len = gen.int(cols); len > 0 && x < cols; len--) x += randomCell(gen, next, x, y, s);
      } else if (kind === 6) {
        // The last column, and a wide character ending there.
        const y = gen.int(rows);
        if (gen.int(2)) put(next, cols - 1, y, gen.pick(NARROW), 1, gen.style());
        else put(next, cols - 2, y, gen.pick(WIDE), 2, gen.style());
      } else if (kind === 7) {
        // Flip wide and narrow in place: every wide char becomes two narrow ones and vice versa.
        const y = gen.int(rows);
        for (let x = 0; x < cols; x++) {
          const i = y * cols + x;
          if (next.widths[i] === 2) {
            put(next, x, y, gen.pick(NARROW), 1, gen.style());
            put(next, x + 1, y, gen.pick(NARROW), 1, gen.style());
            x++;
          } else if (x + 1 < cols && next.widths[i + 1] !== 2) {
            put(next, x, y, gen.pick(WIDE), 2, gen.style());
            x++;
          }
        }
      } else if (kind === 8) {
        // Style-only changes.
        for (let k = gen.int(8) + 1; k > 0; k--) {
          const i = gen.int(cols * rows);
          const lead = next.widths[i] === 0 ? i - 1 : i;
          const s = gen.style();
          next.fg[lead] = s.fg;
          next.bg[lead] = s.bg;
          next.attrs[lead] = s.attrs;
          // Writing the arrays directly bypasses set(): say which row changed, as set() does.
          next.touched[Math.floor(lead / cols)] = 1;
          if (next.widths[lead] === 2) {
            next.fg[lead + 1] = s.fg;
            next.bg[lead + 1] = s.bg;
            next.attrs[lead + 1] = s.attrs;
          }
        }
      }
      // kind 9: nothing changed.
      const out = await step(term, shown, next, `seed ${seed} step ${n} kind ${kind}`);
      if (kind === 9) expect(out).toBe('');
    }
  });

  it('narrow text replaced by wide characters and back', async () => {
    const term = emulator(10, 2);
    const shown = new Grid(10, 2);
    const next = new Grid(10, 2);
    const s: Style = { fg: 0, bg: 0, attrs: 0 };
    putText(next, 0, 0, 'abcdefghij', s);
    await step(term, shown, next, 'ascii');
    putText(next, 1, 0, '中😀日', s);
    expect(next.rowText(0)).toBe('a中😀日hij');
    await step(term, shown, next, 'wide over narrow');
    // Shifted by one: every new wide char straddles two old ones.
    putText(next, 0, 0, '本語한🚀', s);
    expect(next.rowText(0)).toBe('本語한🚀ij');
    await step(term, shown, next, 'wide shifted');
    putText(next, 0, 0, 'klmnopqrst', s);
    await step(term, shown, next, 'narrow over wide');
    expect(readScreen(term).rowText(0)).toBe('klmnopqrst');
  });

  it('a narrow character written into the right half of a wide one', async () => {
    const term = emulator(6, 1);
    const shown = new Grid(6, 1);
    const next = new Grid(6, 1);
    putText(next, 0, 0, '中日', { fg: 0, bg: 0, attrs: 0 });
    await step(term, shown, next, 'wide');
    put(next, 1, 0, 'x', 1, { fg: COLOR.p16 | 1, bg: 0, attrs: ATTR.bold });
    put(next, 2, 0, 'y', 1, { fg: 0, bg: 0, attrs: 0 });
    expect(next.rowText(0)).toBe(' xy   ');
    await step(term, shown, next, 'halves');
  });

  it('the last column and the bottom-right cell do not wrap or scroll', async () => {
    const term = emulator(8, 3);
    const shown = new Grid(8, 3);
    const next = new Grid(8, 3);
    const s: Style = { fg: COLOR.rgb | 0x102030, bg: COLOR.p256 | 200, attrs: ATTR.underline };
    putText(next, 0, 0, 'top', s);
    await step(term, shown, next, 'first');
    put(next, 7, 0, 'Z', 1, s);
    put(next, 0, 1, 'Y', 1, s);
    put(next, 7, 1, 'X', 1, s);
    put(next, 6, 2, '中', 2, s);
    await step(term, shown, next, 'edges');
    put(next, 7, 2, 'W', 1, s);
    await step(term, shown, next, 'bottom-right');
    expect(readScreen(term).rowText(0)).toBe('top    Z');
  });

  it('every colour mode and attribute survives the round trip', async () => {
    const term = emulator(16, 4);
    const shown = new Grid(16, 4);
    const next = new Grid(16, 4);
    const colours = [COLOR.default, COLOR.p16 | 3, COLOR.p16 | 12, COLOR.p256 | 5, COLOR.p256 | 231, COLOR.rgb | 0xff8000, COLOR.rgb | 0];
    let x = 0;
    for (const fg of colours) put(next, x++, 0, 'f', 1, { fg, bg: 0, attrs: 0 });
    x = 0;
    for (const bg of colours) put(next, x++, 1, 'b', 1, { fg: 0, bg, attrs: 0 });
    x = 0;
    for (const attrs of ATTR_BITS) put(next, x++, 2, 'a', 1, { fg: 0, bg: 0, attrs });
    put(next, 0, 3, '中', 2, { fg: COLOR.p16 | 2, bg: COLOR.rgb | 0x010203, attrs: ATTR.bold | ATTR.italic | ATTR.underline | ATTR.inverse });
    await step(term, shown, next, 'styles');
  });

  it('writes nothing when nothing changed', () => {
    const gen = new Gen(mulberry32(42));
    const next = new Grid(20, 5);
    for (let y = 0; y < 5; y++) for (let x = 0; x < 20; ) x += randomCell(gen, next, x, y);
    const shown = cloneGrid(next);
    expect(diffGrids(shown, next)).toBe('');
  });

  it('a one-cell change costs a cursor move, one SGR, the character and a reset', async () => {
    const gen = new Gen(mulberry32(7));
    const next = new Grid(120, 40);
    for (let y = 0; y < 40; y++) for (let x = 0; x < 120; ) x += randomCell(gen, next, x, y);
    // Narrow cells around the one that changes, so the change cannot break a wide character.
    for (let x = 76; x <= 78; x++) put(next, x, 31, 'n', 1, gen.style());
    const shown = new Grid(120, 40);
    const term = emulator(120, 40);
    await step(term, shown, next, 'fill');
    put(next, 77, 31, 'q', 1, { fg: COLOR.p16 | 1, bg: 0, attrs: ATTR.bold });
    const out = await step(term, shown, next, 'one cell');
    expect(out).toBe('\x1b[32;78H' + sgr(COLOR.p16 | 1, 0, ATTR.bold) + 'q\x1b[0m');
    expect(out.length).toBeLessThan(24);
  });

  it('adjacent changed cells in one style share the cursor move and the SGR', () => {
    const shown = new Grid(40, 2);
    const next = new Grid(40, 2);
    putText(next, 5, 1, 'hello world', { fg: COLOR.p256 | 100, bg: 0, attrs: 0 });
    const out = diffGrids(shown, next);
    expect(out.match(/\x1b\[\d+;\d+H/g)).toHaveLength(1);
    expect(out.match(/\x1b\[[0-9;]*m/g)).toHaveLength(2); // one SGR, one reset
  });

  it('within a row, a short gap of unchanged cells is written over and a longer one stepped (CUF): one CUP a row', async () => {
    // Some of a line's characters changed, the ones between did not: the shape of a scrolled pane's rows.
    const plain = { fg: COLOR.p16 | 2, bg: 0, attrs: 0 };
    const term = emulator(30, 3);
    const shown = new Grid(30, 3);
    const next = new Grid(30, 3);
    putText(next, 0, 1, '0 1234567 89 中 ab', plain);
    put(next, 10, 1, '8', 1, { ...plain, attrs: ATTR.bold });
    await step(term, shown, next, 'fill');
    for (const [x, ch] of [[0, 'X'], [2, 'Y'], [8, 'Z'], [9, '-'], [11, 'W'], [16, 'Q']] as const) put(next, x, 1, ch, 1, plain);
    const out = await step(term, shown, next, 'changes');
    expect(out.match(/\x1b\[\d+;\d+H/g)).toHaveLength(1);
    expect(out.match(/\x1b\[[0-9;]*m/g)).toHaveLength(2); // one SGR, one reset
    // One blank between X and Y: written again. Five cells: stepped. One cell in another style
    // (the bold 8): stepped. Four cells holding a wide character: stepped.
    expect(out).toContain('X Y\x1b[5CZ-\x1b[CW\x1b[4CQ');
  });

  it('a style change sends only what changed when that is shorter than a reset and the whole style', async () => {
    const green = COLOR.p16 | 2;
    const term = emulator(30, 2);
    const shown = new Grid(30, 2);
    const next = new Grid(30, 2);
    // A log line: its colour, a bold word, back; then bold and dim, dim alone (22 ends both: dim is
    // set again), italic off, a background on and off, a 256-colour foreground, and the default.
    const runs: Array<[string, Style]> = [
      ['ab', { fg: green, bg: 0, attrs: 0 }],
      ['cd', { fg: green, bg: 0, attrs: ATTR.bold }],
      ['ef', { fg: green, bg: 0, attrs: 0 }],
      ['gh', { fg: green, bg: 0, attrs: ATTR.bold | ATTR.dim }],
      ['ij', { fg: green, bg: 0, attrs: ATTR.dim | ATTR.italic }],
      ['kl', { fg: green, bg: 0, attrs: ATTR.dim }],
      ['mn', { fg: green, bg: COLOR.p16 | 4, attrs: ATTR.dim }],
      ['op', { fg: COLOR.p256 | 200, bg: 0, attrs: ATTR.dim }],
      ['qr', { fg: 0, bg: 0, attrs: 0 }],
    ];
    let x = 0;
    for (const [text, style] of runs) {
      putText(next, x, 0, text, style);
      x += text.length;
    }
    const out = await step(term, shown, next, 'styles');
    expect(out).toBe('\x1b[1;1H\x1b[0;32mab\x1b[1mcd\x1b[22mef\x1b[1;2mgh\x1b[22;2;3mij\x1b[23mkl\x1b[44mmn\x1b[38;5;200;49mop\x1b[0mqr\x1b[0m');
  });

  it('a whole redraw (a cleared screen, a blank shown grid) repaints over a screen with unrelated content', async () => {
    const gen = new Gen(mulberry32(99));
    const term = emulator(30, 6);
    await writeAsync(term, '\x1b[41mgarbage\x1b[3;5H\x1b[1;4mmore 中文 garbage\r\n'.repeat(4));
    const next = new Grid(30, 6);
    for (let y = 0; y < 6; y++) for (let x = 0; x < 30; ) x += randomCell(gen, next, x, y);
    const out = diffGrids(new Grid(30, 6), next);
    await writeAsync(term, '\x1b[0m\x1b[2J' + out);
    expect(gridMismatches(readScreen(term), next)).toEqual([]);
  });
  it('a frame bigger than its buffer, with a style per cell and letters with combining marks, grows it and loses nothing', async () => {
    // 160x60 cells, each in its own RGB colours: ~27 bytes a cell (the attributes, the same in every
    // cell, are set once), ~250 KB, several times the 64 KB the frame buffer starts with, so it
    // grows in the middle of rows and in the middle of a cell.
    const gen = new Gen(mulberry32(5));
    const cols = 160;
    const rows = 60;
    const term = emulator(cols, rows);
    const shown = new Grid(cols, rows);
    const next = new Grid(cols, rows);
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < cols; ) {
        const s = { fg: COLOR.rgb | gen.int(0x1000000), bg: COLOR.rgb | gen.int(0x1000000), attrs: ATTR.bold | ATTR.strike };
        if (gen.int(50) === 0) {
          next.set(y * cols + x, 'e\u0301', 1, s.fg, s.bg, s.attrs);
          x += 1;
        } else x += randomCell(gen, next, x, y, s);
      }
    }
    const out = await step(term, shown, next, 'big');
    expect(Buffer.byteLength(out, 'utf8')).toBeGreaterThan(3 * 65536);
  });
});

describe('sgr', () => {
  it('spells each colour mode the way xterm reads it', () => {
    expect(sgr(0, 0, 0)).toBe('\x1b[0m');
    expect(sgr(COLOR.p16 | 1, COLOR.p16 | 9, 0)).toBe('\x1b[0;31;101m');
    expect(sgr(COLOR.p16 | 15, COLOR.p16 | 0, 0)).toBe('\x1b[0;97;40m');
    expect(sgr(COLOR.p256 | 17, COLOR.p256 | 255, 0)).toBe('\x1b[0;38;5;17;48;5;255m');
    expect(sgr(COLOR.rgb | 0x0a0b0c, COLOR.rgb | 0xffffff, ATTR.bold | ATTR.inverse)).toBe('\x1b[0;1;7;38;2;10;11;12;48;2;255;255;255m');
  });
});
