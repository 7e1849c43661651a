import { afterEach, describe, expect, it } from 'vitest';
import { ATTR, COLOR, type Grid } from '../../src/render/grid.js';
import { ChromeScreen } from '../../src/terminal/chrome-screen.js';

const screens: ChromeScreen[] = [];
afterEach(() => {
  for (const s of screens.splice(0)) s.dispose();
});

/** A ChromeScreen whose updates can be awaited. */
function chrome(cols: number, rows: number) {
  let waiters: Array<() => void> = [];
  let updates = 0;
  const screen = new ChromeScreen(cols, rows, () => {
    updates++;
    const w = waiters;
    waiters = [];
    w.forEach((f) => f());
  });
  screens.push(screen);
  return {
    screen,
    get updates() {
      return updates;
    },
    /** Sets a frame and resolves once a frame has been parsed into the grid. */
    show(frame: string): Promise<Grid> {
      const done = new Promise<Grid>((resolve) => waiters.push(() => resolve(screen.grid)));
      screen.setFrame(frame);
      return done;
    },
  };
}

const at = (g: Grid, x: number, y: number) => {
  const i = y * g.width + x;
  return { ch: g.char(i), w: g.widths[i], fg: g.fg[i], bg: g.bg[i], attrs: g.attrs[i] };
};

describe('ChromeScreen', () => {
  it('turns an Ink-style frame with SGR colours into cells', async () => {
    const c = chrome(20, 4);
    const frame = [
      '\x1b[34m╭──\x1b[39m\x1b[1m 1 shell \x1b[22m\x1b[34m───────╮\x1b[39m',
      '\x1b[34m│\x1b[39m                  \x1b[34m│\x1b[39m',
      '\x1b[34m╰──────────────────╯\x1b[39m',
      '\x1b[7m NORMAL \x1b[27m\x1b[90m hint\x1b[39m',
    ].join('\n');
    const g = await c.show(frame);
    expect([0, 1, 2, 3].map((y) => g.rowText(y).trimEnd())).toEqual([
      '╭── 1 shell ───────╮',
      '│                  │',
      '╰──────────────────╯',
      ' NORMAL  hint',
    ]);
    expect(at(g, 0, 0)).toEqual({ ch: '╭', w: 1, fg: COLOR.p16 | 4, bg: 0, attrs: 0 });
    expect(at(g, 19, 0)).toEqual({ ch: '╮', w: 1, fg: COLOR.p16 | 4, bg: 0, attrs: 0 });
    expect(at(g, 4, 0)).toEqual({ ch: '1', w: 1, fg: 0, bg: 0, attrs: ATTR.bold });
    expect(at(g, 1, 3)).toMatchObject({ ch: 'N', attrs: ATTR.inverse });
    expect(at(g, 9, 3)).toMatchObject({ ch: 'h', fg: COLOR.p16 | 8, attrs: 0 });
  });

  it('reads 256-colour, truecolour, backgrounds and attributes', async () => {
    const c = chrome(12, 2);
    const g = await c.show('\x1b[38;5;208mA\x1b[39m\x1b[48;2;1;2;3mB\x1b[49m\x1b[3;4mC\x1b[23;24m\x1b[2mD\x1b[22m\x1b[101mE\x1b[0m');
    expect(at(g, 0, 0)).toEqual({ ch: 'A', w: 1, fg: COLOR.p256 | 208, bg: 0, attrs: 0 });
    expect(at(g, 1, 0)).toEqual({ ch: 'B', w: 1, fg: 0, bg: COLOR.rgb | 0x010203, attrs: 0 });
    expect(at(g, 2, 0)).toEqual({ ch: 'C', w: 1, fg: 0, bg: 0, attrs: ATTR.italic | ATTR.underline });
    expect(at(g, 3, 0)).toEqual({ ch: 'D', w: 1, fg: 0, bg: 0, attrs: ATTR.dim });
    expect(at(g, 4, 0)).toEqual({ ch: 'E', w: 1, fg: 0, bg: COLOR.p16 | 9, attrs: 0 });
    // Blanks after the text carry no style: each line ends with a reset.
    expect(at(g, 5, 0)).toEqual({ ch: ' ', w: 1, fg: 0, bg: 0, attrs: 0 });
  });

  it('wide characters (CJK, emoji) take two cells: a lead and an empty continuation', async () => {
    const c = chrome(12, 2);
    const g = await c.show('a中b😀c\n\x1b[32m日本\x1b[39m|');
    expect(g.rowText(0)).toBe('a中b😀c     ');
    expect(at(g, 1, 0)).toMatchObject({ ch: '中', w: 2 });
    expect(at(g, 2, 0)).toMatchObject({ ch: '', w: 0 });
    expect(at(g, 3, 0)).toMatchObject({ ch: 'b', w: 1 });
    expect(at(g, 4, 0)).toMatchObject({ ch: '😀', w: 2 });
    expect(at(g, 6, 0)).toMatchObject({ ch: 'c', w: 1 });
    expect(at(g, 0, 1)).toMatchObject({ ch: '日', w: 2, fg: COLOR.p16 | 2 });
    expect(at(g, 4, 1)).toMatchObject({ ch: '|', w: 1, fg: 0 });
  });

  it('a full-width line and extra lines never scroll the frame', async () => {
    const c = chrome(6, 3);
    const g = await c.show('top---\nmiddle\nbottom\nextra1\nextra2\n');
    expect([0, 1, 2].map((y) => g.rowText(y))).toEqual(['top---', 'middle', 'bottom']);
  });

  // A frame rendered for the old width can still be pending when resize() shrinks the emulator.
  it('a line wider than the screen (a frame drawn for the old width during a resize) does not spill onto the next row', async () => {
    const c = chrome(6, 3);
    const g = await c.show('abcdefghij\nx\n');
    // With autowrap off the tail overwrites the last column (as in any terminal) instead of wrapping.
    expect(g.rowText(0).slice(0, 5)).toBe('abcde');
    expect(g.rowText(1)).toBe('x     ');
  });

  it('a new frame replaces the old one entirely', async () => {
    const c = chrome(10, 3);
    await c.show('\x1b[41mlong line!\nsecond\nthird');
    const g = await c.show('x');
    expect([0, 1, 2].map((y) => g.rowText(y))).toEqual(['x         ', ' '.repeat(10), ' '.repeat(10)]);
    expect(at(g, 5, 0)).toEqual({ ch: ' ', w: 1, fg: 0, bg: 0, attrs: 0 });
  });

  it('repaints only the rows whose line changed, and tells nobody when nothing did', async () => {
    const c = chrome(10, 3);
    await c.show('one\ntwo\nthree');
    const g = c.screen.grid;
    g.touched.fill(0);
    await c.show('one\nTWO\nthree');
    expect([...g.touched]).toEqual([0, 1, 0]);
    const before = c.updates;
    c.screen.setFrame('one\nTWO\nthree');
    expect(c.updates).toBe(before);
  });

  it('a resize draws the last frame at once on a grid of the new size', () => {
    const c = chrome(10, 2);
    c.screen.setFrame('abcdefghij\n\x1b[31mx');
    c.screen.resize(4, 3);
    const g = c.screen.grid;
    expect([g.width, g.height]).toEqual([4, 3]);
    expect([0, 1, 2].map((y) => g.rowText(y))).toEqual(['abcj', 'x   ', '    ']);
    expect(at(g, 0, 1)).toMatchObject({ fg: COLOR.p16 | 1 });
  });

  it('resize gives a grid of the new size for the next frame', async () => {
    const c = chrome(10, 2);
    await c.show('abc');
    c.screen.resize(14, 3);
    const g = await c.show('abcdefghijklmn\n\n\x1b[33mz');
    expect([g.width, g.height]).toEqual([14, 3]);
    expect(g.rowText(0)).toBe('abcdefghijklmn');
    expect(at(g, 0, 2)).toMatchObject({ ch: 'z', fg: COLOR.p16 | 3 });
  });
});
