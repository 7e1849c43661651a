// Test helpers for the render tests: read what a real @xterm/headless terminal shows into a Grid,
// independently of src/terminal/snapshot.ts, and compare grids cell by cell.
import { ATTR, Grid } from '../../src/render/grid.js';
import { createEmulator, type Terminal } from '../../src/terminal/emulator.js';

export { createEmulator, type Terminal };

export function writeAsync(term: Terminal, data: string): Promise<void> {
  return new Promise((resolve) => term.write(data, resolve));
}

/** The visible screen as cells: blank cells read as ' ', wide characters as width 2 + width 0. */
export function readScreen(term: Terminal): Grid {
  const g = new Grid(term.cols, term.rows);
  const buf = term.buffer.active;
  const cell = buf.getNullCell();
  for (let y = 0; y < term.rows; y++) {
    const line = buf.getLine(buf.viewportY + y);
    for (let x = 0; x < term.cols; x++) {
      if (!line?.getCell(x, cell)) continue;
      const w = cell.getWidth();
      const ch = cell.getChars();
      const fgMode = cell.getFgColorMode();
      const bgMode = cell.getBgColorMode();
      let attrs = 0;
      if (cell.isBold()) attrs |= ATTR.bold;
      if (cell.isDim()) attrs |= ATTR.dim;
      if (cell.isItalic()) attrs |= ATTR.italic;
      if (cell.isUnderline()) attrs |= ATTR.underline;
      if (cell.isBlink()) attrs |= ATTR.blink;
      if (cell.isInverse()) attrs |= ATTR.inverse;
      if (cell.isInvisible()) attrs |= ATTR.invisible;
      if (cell.isStrikethrough()) attrs |= ATTR.strike;
      g.set(
        y * g.width + x,
        w === 0 ? '' : ch || ' ',
        w,
        fgMode === 0 ? 0 : fgMode | cell.getFgColor(),
        bgMode === 0 ? 0 : bgMode | cell.getBgColor(),
        attrs,
      );
    }
  }
  return g;
}

function describeCell(g: Grid, i: number): string {
  return `${JSON.stringify(g.char(i))} w${g.widths[i]} fg${g.fg[i].toString(16)} bg${g.bg[i].toString(16)} a${g.attrs[i]}`;
}

/**
 * Differences between two grids, as readable lines (at most `limit`). With `ignoreContinuationStyle`,
 * the colours of the right half of a wide character are not compared: no terminal draws them.
 */
export function gridMismatches(actual: Grid, expected: Grid, limit = 8, ignoreContinuationStyle = false): string[] {
  const out: string[] = [];
  if (actual.width !== expected.width || actual.height !== expected.height) {
    return [`size ${actual.width}x${actual.height} != ${expected.width}x${expected.height}`];
  }
  for (let i = 0; i < expected.codes.length && out.length < limit; i++) {
    const same =
      ignoreContinuationStyle && expected.widths[i] === 0
        ? actual.widths[i] === 0
        : actual.sameCell(i, expected);
    if (!same) {
      const x = i % expected.width;
      const y = Math.floor(i / expected.width);
      out.push(`(${x},${y}) got ${describeCell(actual, i)} want ${describeCell(expected, i)}`);
    }
  }
  return out;
}
