// The chrome is painted from Ink's styled lines without an emulator; every cell must be what xterm
// (with the workspace's Unicode 11 widths) stores for the same line, or the chrome would drift from
// the panes drawn beside it.
import { describe, expect, it } from 'vitest';
import { ATTR, COLOR, Grid } from '../../src/render/grid.js';
import { createEmulator } from '../../src/terminal/emulator.js';
import { paintBuffer } from '../../src/terminal/snapshot.js';
import { paintStyledLine } from '../../src/terminal/styled-text.js';
import { seeded } from '../helpers/random.js';

/** What xterm shows for these lines, written the way the chrome used to write them (autowrap off). */
async function viaXterm(lines: string[], cols: number, rows: number): Promise<Grid> {
  const term = createEmulator(cols, rows, 0);
  let data = '\x1b[?7l\x1b[0m\x1b[H\x1b[2J';
  lines.forEach((l, y) => (data += `\x1b[${y + 1};1H${l}\x1b[0m`));
  await new Promise<void>((r) => term.write(data, r));
  const g = new Grid(cols, rows);
  paintBuffer(term, 0, g, { x: 0, y: 0, width: cols, height: rows });
  term.dispose();
  return g;
}

function direct(lines: string[], cols: number, rows: number): Grid {
  const g = new Grid(cols, rows);
  lines.forEach((l, y) => paintStyledLine(g, y, l));
  return g;
}

const cellsOf = (g: Grid, y: number, upTo = g.width) =>
  Array.from({ length: upTo }, (_, x) => {
    const i = y * g.width + x;
    return [g.char(i), g.widths[i], g.fg[i], g.bg[i], g.attrs[i]];
  });

const SGR = ['0', '1', '2', '3', '4', '4:3', '4:0', '5', '7', '8', '9', '21', '22', '23', '24', '25', '27', '28', '29', '31', '37', '39', '42', '49', '91', '97', '103', '38;5;208', '48;5;17', '38;2;1;2;3', '48;2;250;128;7', '38:2::9:8:7', '58;5;9', '1;33;44', ''];
const TEXT = ['a', 'Z', ' ', '─', '│', '╭', '·', '⚑', '…', '漢', '字', '😀', '👍', '\u0301', '\u200d', '\ufe0f', 'é', '\t', 'ß', '→'];

/** A line like Ink's: text and style changes, never starting with a combining character. */
function randomLine(rnd: () => number, len: number, text = TEXT): string {
  let s = 'x';
  for (let k = 0; k < len; k++) {
    if (rnd() < 0.25) s += `\x1b[${SGR[Math.floor(rnd() * SGR.length)]}m`;
    else s += text[Math.floor(rnd() * text.length)];
  }
  if (rnd() < 0.1) s += '\x1b]8;;https://example.com\x07link\x1b]8;;\x07';
  return s;
}

const widthOf = (g: Grid, y: number, line: string) => {
  // Whether the line fitted: xterm and the direct painter differ only past the right edge.
  void line;
  let w = 0;
  for (let x = 0; x < g.width; x++) if (g.char(y * g.width + x) !== ' ' || g.widths[y * g.width + x] !== 1) w = x + 1;
  return w;
};

describe('paintStyledLine', () => {
  it.each([7, 8, 9])('paints 400 random styled lines exactly as xterm stores them (seed %i)', async (seed) => {
    const rnd = seeded(seed);
    const cols = 60;
    const lines = Array.from({ length: 400 }, () => randomLine(rnd, Math.floor(rnd() * 50)));
    const expected = await viaXterm(lines, cols, lines.length);
    const got = direct(lines, cols, lines.length);
    let compared = 0;
    for (let y = 0; y < lines.length; y++) {
      // A line that reached the right edge is compared up to it; only the last column may differ.
      const full = widthOf(expected, y, lines[y]) >= cols - 1;
      expect(cellsOf(got, y, full ? cols - 2 : cols), JSON.stringify(lines[y])).toEqual(cellsOf(expected, y, full ? cols - 2 : cols));
      compared++;
    }
    expect(compared).toBe(400);
  });

  // The painter skips a run of unstyled spaces over cells still blank: runs that reach the edge, a
  // tab back onto a printed last column, a mark joining the run's last space. (No zero-width
  // characters in the random part: past the right edge, a mark after a wide character that did not
  // fit joins a different cell in xterm, a case Ink's clipped lines never reach.)
  it.each([3, 4])('paints lines with runs of spaces, past the right edge too, as xterm stores them (seed %i)', async (seed) => {
    const rnd = seeded(seed);
    const cols = 40;
    const text = [...TEXT.filter((t) => !/^[\u0301\u200d\ufe0f]$/u.test(t)), '    ', '          ', '                         ', '\t'];
    // Most of these overflow the row: the last two columns are left out (see the test above).
    const lines = Array.from({ length: 400 }, () => randomLine(rnd, Math.floor(rnd() * 40), text));
    const expected = await viaXterm(lines, cols, lines.length);
    const got = direct(lines, cols, lines.length);
    for (let y = 0; y < lines.length; y++) expect(cellsOf(got, y, cols - 2), JSON.stringify(lines[y])).toEqual(cellsOf(expected, y, cols - 2));
    // Whole rows: a mark on a skipped space, a tab back onto the printed last column, styled and
    // linked spaces.
    const edges = [
      'ab   \u0301z',
      '   \u0301',
      `${'x'.repeat(39)}\t   z`,
      `${'x'.repeat(40)}\t `,
      '\x1b[41m   \x1b[0m  z',
      `${' '.repeat(45)}\x1b[1mb`,
      '\x1b]8;;https://example.com\x07a   b\x1b]8;;\x07  c',
    ];
    const want = await viaXterm(edges, cols, edges.length);
    const have = direct(edges, cols, edges.length);
    for (let y = 0; y < edges.length; y++) expect(cellsOf(have, y, cols), JSON.stringify(edges[y])).toEqual(cellsOf(want, y, cols));
  });

  it('reads every colour form and attribute into xterm packed colours', () => {
    const g = direct(['\x1b[38;5;208mA\x1b[39m\x1b[48;2;1;2;3mB\x1b[49m\x1b[3;4mC\x1b[23;24m\x1b[2mD\x1b[22m\x1b[101mE\x1b[0m\x1b[38:2::9:8:7mF'], 8, 1);
    expect(cellsOf(g, 0, 6)).toEqual([
      ['A', 1, COLOR.p256 | 208, 0, 0],
      ['B', 1, 0, COLOR.rgb | 0x010203, 0],
      ['C', 1, 0, 0, ATTR.italic | ATTR.underline],
      ['D', 1, 0, 0, ATTR.dim],
      ['E', 1, 0, COLOR.p16 | 9, 0],
      ['F', 1, COLOR.rgb | 0x090807, 0, 0],
    ]);
  });

  it('clips at the right edge without wrapping, never leaving half a wide character', () => {
    const g = direct(['abcd漢', 'abc漢x', 'ab\x1b[31mcdefgh'], 5, 3);
    expect(g.rowText(0)).toBe('abcd ');
    // The wide character at 3-4 is overwritten on its right half by 'x': its left half goes blank.
    expect(g.rowText(1)).toBe('abc x');
    expect([...g.widths.slice(5, 10)]).toEqual([1, 1, 1, 1, 1]);
    expect(g.rowText(2)).toBe('abcdh');
    expect(g.fg[14]).toBe(COLOR.p16 | 1);
  });

  it('a zero-width character joins the character printed right before it; after a sequence it stands alone', () => {
    const g = direct(['e\u0301\u0301漢\ufe0f\x1b[1m\u0301z'], 6, 1);
    expect(Array.from({ length: 5 }, (_, i) => g.char(i))).toEqual(['e\u0301\u0301', '漢\ufe0f', '', ' ', 'z']);
  });

  it('ignores controls and sequences that are not SGR', () => {
    const g = direct(['a\x07b\x1b[2Kc\x1b[?25ld\x1b(Be\x1b]0;title\x1b\\f'], 8, 1);
    expect(g.rowText(0)).toBe('abcdef  ');
  });
});
