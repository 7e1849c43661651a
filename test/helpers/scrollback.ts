// Reading scrollback lines back, for the tests of compact-scrollback.ts, recycle-lines.ts and
// line-pool.ts: emulators made the product's way, every cell as the API and the frame read it, and
// xterm's own line arrays.
import { afterEach, expect } from 'vitest';
import { createEmulator, type Terminal } from '../../src/terminal/emulator.js';
import { paintBuffer } from '../../src/terminal/snapshot.js';
import { Grid } from '../../src/render/grid.js';

export const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});
export const emulator = (cols: number, rows: number, scrollback: number, compact: boolean): Terminal => {
  const t = createEmulator(cols, rows, scrollback, undefined, compact);
  cleanup.push(() => t.dispose());
  return t;
};
export const written = (t: Terminal, data: string) => new Promise<void>((r) => t.write(data, r));
export const text = (t: Terminal, y: number) => t.buffer.active.getLine(y)?.translateToString(true) ?? '';
export const all = (t: Terminal) => Array.from({ length: t.buffer.active.length }, (_, y) => text(t, y));
/** Every cell of a line, everything the API tells about it. */
export function cells(t: Terminal, y: number, cols: number): unknown[] {
  const line = t.buffer.active.getLine(y);
  const out: unknown[] = [];
  for (let x = 0; x < cols; x++) {
    const c = line?.getCell(x);
    // A cell past a packed line's end is a default blank, as it was before packing.
    out.push(
      c
        ? [c.getChars(), c.getWidth(), c.getCode(), c.getFgColorMode(), c.getFgColor(), c.getBgColorMode(), c.getBgColor(), c.isBold(), c.isDim(), c.isItalic(), c.isUnderline(), c.getUnderlineStyle(), c.getUnderlineColor(), c.isInverse(), c.isStrikethrough(), c.isInvisible(), c.isBlink()]
        : ['', 1, 0, 0, -1, 0, -1, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0],
    );
  }
  return out;
}
/** Both emulators hold the same lines, cell by cell (API) and as the frame paints them (direct reading). */
export function expectSameReading(plain: Terminal, packed: Terminal, cols: number): void {
  expect(packed.buffer.active.length).toBe(plain.buffer.active.length);
  expect(all(packed)).toEqual(all(plain));
  for (let y = 0; y < packed.buffer.active.length; y++) expect(cells(packed, y, cols)).toEqual(cells(plain, y, cols));
  const rows = plain.buffer.active.length;
  const a = new Grid(cols, rows);
  const b = new Grid(cols, rows);
  paintBuffer(plain, 0, a, { x: 0, y: 0, width: cols, height: rows });
  paintBuffer(packed, 0, b, { x: 0, y: 0, width: cols, height: rows });
  for (const k of ['codes', 'widths', 'fg', 'bg', 'attrs'] as const) expect(Array.from(b[k])).toEqual(Array.from(a[k]));
  expect([...b.multi].sort()).toEqual([...a.multi].sort());
}
export const lineData = (t: Terminal, y: number): Uint32Array => {
  const lines: unknown = Reflect.get(Reflect.get(Reflect.get(Reflect.get(t, '_core'), 'buffers'), 'normal'), 'lines');
  const line: unknown = Reflect.apply(Reflect.get(lines as object, 'get'), lines, [y]);
  return Reflect.get(line as object, '_data') as Uint32Array;
};
export const dataBytes = (t: Terminal, y: number): number => lineData(t, y).byteLength;

// Coloured text, a wide character, a combined character, underline styles and colours, a line with
// a coloured background to its end, a line filled to the last column, empty lines.
export const sample = (i: number) =>
  `${i} \x1b[31mred\x1b[0m 漢字 e\u0301 \x1b[4:3;58;5;9mcurly\x1b[0m \x1b[1mb\x1b[0m` +
  `${i % 3 === 0 ? ' \x1b[44mblue to the end\x1b[K\x1b[0m' : ''}${i % 7 === 0 ? `\r\n${'='.repeat(40)}` : ''}${i % 5 === 0 ? '\r\n' : ''}\r\n`;
