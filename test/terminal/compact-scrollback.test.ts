// Scrollback lines packed once a pane stops scrolling must read exactly as before (text, colours,
// wide and combined characters, underline styles), cell by cell through xterm's API and through the
// frame's direct reading, survive a full ring being recycled, and get their width back before a resize.
// Also recycle-lines.ts, which shares its helpers here: a recycled line reads as a fresh one.
import { describe, expect, it, vi } from 'vitest';
import { canCompact, compactScrollback, expandScrollback, packStats, packWhenQuiet } from '../../src/terminal/compact-scrollback.js';
import { recycleInPlace } from '../../src/terminal/recycle-lines.js';
import { compactScrollbackEnabled, resizeEmulator, type Terminal } from '../../src/terminal/emulator.js';
import { PaneTerminal } from '../../src/terminal/pane-terminal.js';
import { all, cells, cleanup, dataBytes, emulator, expectSameReading, lineData, sample, text, written } from '../helpers/scrollback.js';

/** The same output into two emulators, a few lines per parse; `pass` runs on the second between pieces. */
async function pair(cols: number, rows: number, scrollback: number, data: string, pass: (t: Terminal) => void): Promise<[Terminal, Terminal]> {
  const plain = emulator(cols, rows, scrollback, false);
  const packed = emulator(cols, rows, scrollback, false);
  const pieces = data.split(/(?<=\n)/);
  for (let i = 0; i < pieces.length; i += 8) {
    const piece = pieces.slice(i, i + 8).join('');
    await written(plain, piece);
    await written(packed, piece);
    pass(packed);
  }
  return [plain, packed];
}

describe('compact scrollback', () => {
  it('packs lines that left the screen and reads them back exactly, through a recycled ring', async () => {
    const data = Array.from({ length: 400 }, (_, i) => sample(i)).join('');
    let packed = 0;
    const [plain, compact] = await pair(40, 10, 100, data, (t) => (packed += compactScrollback(t).packed));
    expect(canCompact(compact)).toBe(true);
    expect(packed).toBeGreaterThan(300);
    expect(compact.buffer.active.baseY).toBe(100);
    expectSameReading(plain, compact, 40);
    // The scrollback really is smaller: a short line keeps only its cells, the screen keeps its width.
    const short = all(plain).findIndex((l) => l.length > 0 && l.length < 30);
    expect(short).toBeGreaterThanOrEqual(0);
    expect(dataBytes(compact, short)).toBeLessThan(dataBytes(plain, short));
    for (let y = compact.buffer.active.baseY; y < compact.buffer.active.length; y++) expect(dataBytes(compact, y)).toBe(40 * 12);
  });

  it('gives packed lines their width back before a resize, which reflows them', async () => {
    const data = Array.from({ length: 200 }, (_, i) => `${i} ${'x'.repeat(i % 50)}\r\n`).join('');
    for (const [cols, rows] of [[25, 10], [60, 30], [40, 4]] as const) {
      const [plain, packed] = await pair(40, 10, 100, data, (t) => compactScrollback(t));
      resizeEmulator(plain, cols, rows);
      resizeEmulator(packed, cols, rows);
      expect(all(packed)).toEqual(all(plain));
      // Writing after the resize lands on full-width rows (rows pulled back from the scrollback too).
      await written(plain, `\x1b[H${'y'.repeat(cols)}\x1b[${rows};1H${'z'.repeat(cols)}`);
      await written(packed, `\x1b[H${'y'.repeat(cols)}\x1b[${rows};1H${'z'.repeat(cols)}`);
      expectSameReading(plain, packed, cols);
    }
  });

  it('packs everything in one pass or in slices, leaves full-width lines their array, and expands it all again', async () => {
    const data = Array.from({ length: 300 }, (_, i) => sample(i)).join('');
    const [plain, other] = await pair(40, 10, 500, data, () => {});
    const first = compactScrollback(other, 50);
    expect(first.done).toBe(50);
    let packed = first.packed;
    for (let r = compactScrollback(other, 50); r.done > 0; r = compactScrollback(other, 50)) packed += r.packed;
    // Each line is dealt with once: a later pass finds nothing.
    expect(compactScrollback(other)).toEqual({ done: 0, packed: 0, bytes: 0 });
    // Two lines in three are short; the rest have a background to their end or fill it.
    expect(packed).toBeGreaterThan(200);
    expectSameReading(plain, other, 40);
    const full = all(other).findIndex((l) => l === '='.repeat(40));
    expect(full).toBeGreaterThan(0);
    expect(dataBytes(other, full)).toBe(40 * 12);
    expect(expandScrollback(other, 40)).toBe(packed);
    expect(dataBytes(other, 3)).toBe(40 * 12);
    expectSameReading(plain, other, 40);
  });

  it('lines packed and then recycled by later output are full-width rows again, and read right', async () => {
    const [plain, packed] = await pair(30, 6, 50, Array.from({ length: 80 }, (_, i) => sample(i)).join(''), (t) => compactScrollback(t));
    // A flood turns the whole ring over without a pass: every packed line comes back as a screen row.
    const flood = Array.from({ length: 200 }, (_, i) => `flood ${i} \x1b[32mgreen\x1b[0m\r\n`).join('') + 'the end';
    await written(plain, flood);
    await written(packed, flood);
    for (let y = 0; y < packed.buffer.active.length; y++) expect(dataBytes(packed, y)).toBe(30 * 12);
    expectSameReading(plain, packed, 30);
    await written(plain, '\x1b[2J\x1b[H\x1b[41mover\x1b[K\x1b[0m written');
    await written(packed, '\x1b[2J\x1b[H\x1b[41mover\x1b[K\x1b[0m written');
    compactScrollback(packed);
    expectSameReading(plain, packed, 30);
  });

  it('leaves a flood alone while it scrolls and packs what it kept once the pane is quiet', async () => {
    const t = emulator(40, 10, 1000, false);
    expect(packWhenQuiet(t, 30)).toBe(true);
    const plain = emulator(40, 10, 1000, false);
    const flood = Array.from({ length: 5000 }, (_, i) => sample(i)).join('');
    const before = packStats.lines;
    await written(plain, flood);
    await written(t, flood);
    expect(packStats.lines).toBe(before);
    await vi.waitFor(() => expect(compactScrollback(t).done).toBe(0), { timeout: 5000, interval: 10 });
    expect(packStats.lines - before).toBeGreaterThan(600);
    expectSameReading(plain, t, 40);
  });

  it('a screen redrawn in place (a spinner) is not scrolling: nothing is packed until lines leave the screen', async () => {
    const t = emulator(20, 4, 100, false);
    packWhenQuiet(t, 20);
    await written(t, Array.from({ length: 30 }, (_, i) => `line ${i}\r\n`).join(''));
    await vi.waitFor(() => expect(dataBytes(t, 0)).toBeLessThan(20 * 12), { timeout: 5000, interval: 10 });
    for (let i = 0; i < 5; i++) await written(t, `\r${'|/-\\'[i % 4]} working`);
    expect(all(t).slice(0, 27)).toEqual(Array.from({ length: 27 }, (_, i) => `line ${i}`));
  });

  it('packs again after a resize expanded everything, without further output', async () => {
    const t = emulator(40, 10, 500, false);
    packWhenQuiet(t, 20);
    const plain = emulator(40, 10, 500, false);
    const data = Array.from({ length: 300 }, (_, i) => sample(i)).join('');
    await written(t, data);
    await written(plain, data);
    const narrow = (cols: number) => Array.from({ length: t.buffer.active.length }, (_, y) => dataBytes(t, y)).filter((b) => b < cols * 12).length;
    await vi.waitFor(() => expect(narrow(40)).toBeGreaterThan(200), { timeout: 5000, interval: 10 });
    resizeEmulator(t, 50, 12);
    resizeEmulator(plain, 50, 12);
    expect(narrow(50)).toBe(0);
    await vi.waitFor(() => expect(narrow(50)).toBeGreaterThan(200), { timeout: 5000, interval: 10 });
    expectSameReading(plain, t, 50);
  });

  it('is on by default, off with AGENTS_COMPACT_SCROLLBACK=0', () => {
    expect(compactScrollbackEnabled({})).toBe(true);
    expect(compactScrollbackEnabled({ AGENTS_COMPACT_SCROLLBACK: '0' })).toBe(false);
  });

  it("a real program's output in a pane reads the same once packed", async () => {
    const pt = new PaneTerminal({
      spec: { command: '/bin/sh', args: ['-c', 'seq 1 3000; printf "\\033[1;33mdone\\033[0m"; sleep 30'], cwd: '/', env: {} },
      cols: 30,
      rows: 8,
      scrollback: 1000,
      onDirty: () => {},
      onState: () => {},
    });
    cleanup.push(async () => {
      await pt.kill(200);
      pt.dispose();
    });
    pt.start();
    await vi.waitFor(() => expect(pt.screenText().join('\n')).toContain('done'), { timeout: 10_000, interval: 20 });
    // The pane packs on its own once output stops (createEmulator's default).
    await vi.waitFor(() => expect(lineData(pt.term, 0).byteLength).toBeLessThan(30 * 12), { timeout: 5000, interval: 20 });
    const b = pt.term.buffer.active;
    expect(b.baseY).toBe(1000);
    const lines = Array.from({ length: b.length }, (_, y) => b.getLine(y)?.translateToString(true));
    expect(lines.slice(0, 1000)).toEqual(Array.from({ length: 1000 }, (_, i) => String(2001 - 8 + 1 + i)));
    expect(lines.at(-1)).toBe('done');
  });
});

describe('recycling in place', () => {
  /** xterm's line object at `y` of the normal buffer. */
  const lineAt = (t: Terminal, y: number): { _combined: object; _extendedAttrs: object } => {
    const lines: unknown = Reflect.get(Reflect.get(Reflect.get(Reflect.get(t, '_core'), 'buffers'), 'normal'), 'lines');
    return Reflect.apply(Reflect.get(lines as object, 'get'), lines, [y]) as { _combined: object; _extendedAttrs: object };
  };
  const empty = (o: object) => Object.keys(o).length === 0;

  it('is installed on every emulator (false here would mean xterm moved its internals)', () => {
    expect(recycleInPlace(emulator(20, 4, 10, false))).toBe(true);
  });

  it('a full ring, recycled and packed on the way, reads like a scrollback that never recycled', async () => {
    // `whole` never fills, so xterm never recycles a line of it: every line there is built fresh.
    const whole = emulator(30, 6, 5000, false);
    const ring = emulator(30, 6, 40, false);
    const data = Array.from({ length: 600 }, (_, i) => sample(i) + (i % 11 === 0 ? `flood ${i}\r\n`.repeat(30) : '')).join('') + 'the end e\u0301';
    const pieces = data.split(/(?<=\n)/);
    for (let i = 0; i < pieces.length; i += 16) {
      const piece = pieces.slice(i, i + 16).join('');
      await written(whole, piece);
      await written(ring, piece);
      // Packed lines (the shared empty objects) come round again as rows that get combined characters.
      if (i % 64 === 0) compactScrollback(ring);
    }
    const offset = whole.buffer.active.length - ring.buffer.active.length;
    expect(offset).toBeGreaterThan(1000);
    for (let y = 0; y < ring.buffer.active.length; y++) {
      expect(text(ring, y)).toBe(text(whole, y + offset));
      expect(cells(ring, y, 30)).toEqual(cells(whole, y + offset, 30));
    }
    expect(text(ring, ring.buffer.active.length - 1)).toBe('the end e\u0301');
  });

  it("keeps a recycled line's own empty objects, and gives it fresh ones when it had entries or shared ones", async () => {
    const t = emulator(20, 4, 10, false);
    await written(t, Array.from({ length: 30 }, (_, i) => `line ${i}\r\n`).join(''));
    const oldest = lineAt(t, 0);
    const { _combined: combined, _extendedAttrs: attrs } = oldest;
    await written(t, 'one more\r\n');
    // The oldest line is the new bottom row, with the objects it had.
    expect(lineAt(t, t.buffer.active.length - 1)).toBe(oldest);
    expect(oldest._combined).toBe(combined);
    expect(oldest._extendedAttrs).toBe(attrs);
    // A combined character and an underline colour on it: it has entries when it comes round again.
    await written(t, 'e\u0301 \x1b[4:3;58;5;9mcurly\x1b[0m\r\n');
    expect(empty(oldest._combined) || empty(oldest._extendedAttrs)).toBe(false);
    // Fourteen lines in the ring: it is at the top after twelve more, and the bottom row again at the thirteenth.
    await written(t, Array.from({ length: 13 }, (_, i) => `more ${i}\r\n`).join(''));
    expect(lineAt(t, t.buffer.active.length - 1)).toBe(oldest);
    expect(oldest._combined).not.toBe(combined);
    expect(empty(oldest._combined) && empty(oldest._extendedAttrs)).toBe(true);
    // A packed line's objects are the shared frozen one: recycled, it gets its own.
    compactScrollback(t);
    const packed = lineAt(t, 0);
    expect(Object.isFrozen(packed._combined)).toBe(true);
    await written(t, 'e\u0301\r\n');
    expect(Object.isFrozen(packed._combined)).toBe(false);
    expect(Object.isFrozen(packed._extendedAttrs)).toBe(false);
  });
});

