// Scrollback lines packed as they leave the screen must read exactly as before (text, colours, wide
// characters), survive a full ring being recycled, and get their width back before a resize.
import { describe, expect, it } from 'vitest';
import { canCompact, compactScrollback, expandScrollback, packedOnScroll } from '../../src/terminal/compact-scrollback.js';
import { createEmulator, resizeEmulator, type Terminal } from '../../src/terminal/emulator.js';

const written = (t: Terminal, data: string) => new Promise<void>((r) => t.write(data, r));
const text = (t: Terminal, y: number) => t.buffer.active.getLine(y)?.translateToString(true) ?? '';
const all = (t: Terminal) => Array.from({ length: t.buffer.active.length }, (_, y) => text(t, y));
/** Every cell of a line as [chars, width, fg mode|colour, bg mode|colour, bold]. */
function cells(t: Terminal, y: number, cols: number): unknown[] {
  const line = t.buffer.active.getLine(y);
  const out: unknown[] = [];
  for (let x = 0; x < cols; x++) {
    const c = line?.getCell(x);
    // A cell past a packed line's end is a default blank, as it was before packing.
    out.push(c ? [c.getChars(), c.getWidth(), c.getFgColorMode() | c.getFgColor(), c.getBgColorMode() | c.getBgColor(), Number(c.isBold())] : ['', 1, -1, -1, 0]);
  }
  return out;
}
const dataBytes = (t: Terminal, y: number): number => {
  const lines: unknown = Reflect.get(Reflect.get(Reflect.get(Reflect.get(t, '_core'), 'buffers'), 'normal'), 'lines');
  const line: unknown = Reflect.apply(Reflect.get(lines as object, 'get'), lines, [y]);
  return (Reflect.get(line as object, '_data') as Uint32Array).byteLength;
};

// Coloured text, a wide character, a line with a coloured background to its end, an empty line.
const sample = (i: number) => `${i} \x1b[31mred\x1b[0m 漢字 \x1b[1mb\x1b[0m${i % 3 === 0 ? ' \x1b[44mblue to the end\x1b[K\x1b[0m' : ''}${i % 5 === 0 ? '\r\n' : ''}\r\n`;

/** The same output into an emulator without and one with packing, a few lines per parse (as a program at an agent's pace). */
async function pair(cols: number, rows: number, scrollback: number, data: string): Promise<[Terminal, Terminal]> {
  const plain = createEmulator(cols, rows, scrollback, undefined, false);
  const packed = createEmulator(cols, rows, scrollback, undefined, true);
  const pieces = data.split(/(?<=\n)/);
  for (let i = 0; i < pieces.length; i += 8) {
    const piece = pieces.slice(i, i + 8).join('');
    await written(plain, piece);
    await written(packed, piece);
  }
  return [plain, packed];
}

describe('compact scrollback', () => {
  it('packs lines as they leave the screen and reads them back exactly, through a recycled ring', async () => {
    const before = packedOnScroll;
    const data = Array.from({ length: 400 }, (_, i) => sample(i)).join('');
    const [plain, packed] = await pair(40, 10, 100, data);
    expect(canCompact(packed)).toBe(true);
    expect(packedOnScroll - before).toBeGreaterThan(300);
    expect(packed.buffer.active.baseY).toBe(100);
    expect(all(packed)).toEqual(all(plain));
    for (let y = 0; y < packed.buffer.active.length; y++) expect(cells(packed, y, 40)).toEqual(cells(plain, y, 40));
    // The scrollback really is smaller: a short line keeps only its cells, the screen keeps its width.
    expect(dataBytes(packed, 3)).toBeLessThan(dataBytes(plain, 3));
    expect(dataBytes(packed, packed.buffer.active.baseY + 1)).toBe(40 * 12);
  });

  it('gives packed lines their width back before a resize, which reflows them', async () => {
    const data = Array.from({ length: 200 }, (_, i) => `${i} ${'x'.repeat(i % 50)}\r\n`).join('');
    for (const [cols, rows] of [[25, 10], [60, 30], [40, 4]] as const) {
      const [plain, packed] = await pair(40, 10, 100, data);
      resizeEmulator(plain, cols, rows);
      resizeEmulator(packed, cols, rows);
      expect(all(packed)).toEqual(all(plain));
      // Writing after the resize lands on full-width rows (rows pulled back from the scrollback too).
      await written(plain, `\x1b[H${'y'.repeat(cols)}\x1b[${rows};1H${'z'.repeat(cols)}`);
      await written(packed, `\x1b[H${'y'.repeat(cols)}\x1b[${rows};1H${'z'.repeat(cols)}`);
      expect(all(packed)).toEqual(all(plain));
    }
  });

  it('packs what is left unpacked in one pass, and expands it all again', async () => {
    const data = Array.from({ length: 300 }, (_, i) => sample(i)).join('');
    const [plain, packed] = await pair(40, 10, 500, data);
    expect(compactScrollback(plain)).toBeGreaterThan(200);
    expect(all(plain)).toEqual(all(packed));
    for (let y = 0; y < plain.buffer.active.baseY; y++) expect(cells(plain, y, 40)).toEqual(cells(packed, y, 40));
    expect(expandScrollback(plain, 40)).toBeGreaterThan(200);
    expect(dataBytes(plain, 3)).toBe(40 * 12);
    expect(all(plain)).toEqual(all(packed));
  });

  it('packs a flood only in part on the way, and what it left full-width as later output recycles it', async () => {
    const plain = createEmulator(40, 10, 1000, undefined, false);
    const packed = createEmulator(40, 10, 1000, undefined, true);
    const flood = Array.from({ length: 3000 }, (_, i) => sample(i)).join('');
    const before = packedOnScroll;
    await written(plain, flood);
    await written(packed, flood);
    // One parse slice of thousands of lines: at most a few slices' worth were packed on the way.
    expect(packedOnScroll - before).toBeLessThan(1000);
    expect(dataBytes(packed, 500)).toBe(40 * 12);
    // Output at a normal pace afterwards turns the ring over: every line it leaves is packed.
    for (let i = 0; i < 1100; i += 8) {
      const piece = Array.from({ length: 8 }, (_, k) => `after ${i + k}\r\n`).join('');
      await written(plain, piece);
      await written(packed, piece);
    }
    expect(dataBytes(packed, 500)).toBeLessThan(40 * 12);
    expect(all(packed)).toEqual(all(plain));
    for (let y = 0; y < packed.buffer.active.length; y += 7) expect(cells(packed, y, 40)).toEqual(cells(plain, y, 40));
  });

  it('is off unless asked for', () => {
    const t = createEmulator(20, 5, 100, undefined, false);
    const before = packedOnScroll;
    t.write('a\r\n'.repeat(50));
    return new Promise<void>((r) => t.write('', r)).then(() => expect(packedOnScroll).toBe(before));
  });
});
