import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { COLOR, Grid, type Rect } from '../../src/render/grid.js';
import { FRAME_MS, Renderer, type PaneSurface, type Scene } from '../../src/render/renderer.js';
import { createEmulator, readScreen, writeAsync, type Terminal } from '../helpers/screen-grid.js';

/** A pane that fills its interior with one character, honouring `skip` as a real pane does. */
class FakeSurface implements PaneSurface {
  dirty = true;
  focused = false;
  paints = 0;
  constructor(
    public inner: Rect,
    public ch: string,
    public fg = 0,
  ) {}

  paint(grid: Grid, rect: Rect, skip?: (x: number, y: number) => boolean): void {
    this.paints++;
    for (let y = rect.y; y < rect.y + rect.height; y++) {
      for (let x = rect.x; x < rect.x + rect.width; x++) {
        if (skip?.(x, y)) continue;
        grid.set(y * grid.width + x, this.ch, 1, this.fg, 0, 0);
      }
    }
    this.dirty = false;
  }

  change(ch: string): void {
    this.ch = ch;
    this.dirty = true;
  }
}

function chromeGrid(cols: number, rows: number, ch = '#'): Grid {
  const g = new Grid(cols, rows);
  for (let i = 0; i < cols * rows; i++) g.set(i, ch, 1, COLOR.p16 | 4, 0, 0);
  return g;
}

const SYNC_START = '\x1b[?2026h';
const SYNC_END = '\x1b[?2026l';

interface Rig {
  renderer: Renderer;
  writes: string[];
  scene: Scene;
  a: FakeSurface;
  b: FakeSurface;
}

const renderers: Renderer[] = [];
function rig(cols = 20, rows = 6): Rig {
  const a = new FakeSurface({ x: 1, y: 1, width: 8, height: 4 }, 'a');
  const b = new FakeSurface({ x: 11, y: 1, width: 8, height: 4 }, 'b', COLOR.p256 | 33);
  // Keys go to `a`: urgent (echo) frames paint it.
  a.focused = true;
  const scene: Scene = { panes: [a, b], overlays: [] };
  const writes: string[] = [];
  const renderer = new Renderer((data) => writes.push(Buffer.from(data).toString('utf8')), () => scene, cols, rows);
  renderers.push(renderer);
  renderer.setChrome(chromeGrid(cols, rows));
  return { renderer, writes, scene, a, b };
}

afterEach(() => {
  for (const r of renderers.splice(0)) r.stop();
  vi.useRealTimers();
});

const nextTurn = () => new Promise<void>((r) => setImmediate(r));

describe('Renderer: what it writes', () => {
  let term: Terminal;
  beforeEach(() => {
    term = createEmulator(20, 6, 0);
  });
  afterEach(() => term.dispose());

  it('the first frame draws chrome and panes, wrapped in synchronized output', async () => {
    const { renderer, writes } = rig();
    renderer.frame();
    expect(writes).toHaveLength(1);
    expect(writes[0].startsWith(SYNC_START + '\x1b[?25l')).toBe(true);
    expect(writes[0].endsWith(SYNC_END)).toBe(true);
    await writeAsync(term, writes[0]);
    const screen = readScreen(term);
    expect(screen.rowText(0)).toBe('#'.repeat(20));
    expect(screen.rowText(1)).toBe('#aaaaaaaa##bbbbbbbb#');
    expect(screen.rowText(5)).toBe('#'.repeat(20));
    expect(screen.fg[1 * 20 + 11]).toBe(COLOR.p256 | 33);
    expect(screen.fg[0]).toBe(COLOR.p16 | 4);
  });

  it('repaints only dirty panes, and writes only their changed cells', async () => {
    const { renderer, writes, a, b } = rig();
    renderer.frame();
    await writeAsync(term, writes[0]);
    expect([a.paints, b.paints]).toEqual([1, 1]);
    b.change('B');
    renderer.frame();
    expect([a.paints, b.paints]).toEqual([1, 2]);
    expect(writes).toHaveLength(2);
    expect(writes[1]).not.toContain('a');
    expect(writes[1]).not.toContain('#');
    await writeAsync(term, writes[1]);
    expect(readScreen(term).rowText(4)).toBe('#aaaaaaaa##BBBBBBBB#');
  });

  it('an idle frame writes nothing', () => {
    const { renderer, writes, a, b } = rig();
    renderer.frame();
    renderer.frame();
    renderer.frame();
    expect(writes).toHaveLength(1);
    expect([a.paints, b.paints]).toEqual([1, 1]);
    // A dirty pane whose content did not change repaints but still writes nothing.
    a.dirty = true;
    renderer.frame();
    expect(a.paints).toBe(2);
    expect(writes).toHaveLength(1);
  });

  it('does not paint pane cells under an overlay; the chrome shows there', async () => {
    const { renderer, writes, scene } = rig();
    scene.overlays = [{ x: 4, y: 2, width: 10, height: 2 }];
    const chrome = chromeGrid(20, 6);
    for (let x = 4; x < 14; x++) for (let y = 2; y < 4; y++) chrome.set(y * 20 + x, 'D', 1, 0, 0, 0);
    renderer.setChrome(chrome);
    renderer.frame();
    await writeAsync(term, writes.join(''));
    const screen = readScreen(term);
    expect(screen.rowText(1)).toBe('#aaaaaaaa##bbbbbbbb#');
    expect(screen.rowText(2)).toBe('#aaaDDDDDDDDDDbbbbb#');
    expect(screen.rowText(3)).toBe('#aaaDDDDDDDDDDbbbbb#');
    // Pane output while the dialog is open still stays out of it.
    scene.panes.forEach((p) => (p as FakeSurface).change('z'));
    renderer.frame();
    await writeAsync(term, writes.slice(-1)[0]);
    expect(readScreen(term).rowText(2)).toBe('#zzzDDDDDDDDDDzzzzz#');
  });

  it('lays labels over the chrome; a moved or changed label gives its old cells back to the chrome, and none shows under an overlay', async () => {
    const { renderer, writes, scene } = rig();
    const label = (x: number, text: string) => ({ x, y: 0, text, fg: COLOR.p16 | 8, bg: 0, attrs: 0 });
    scene.labels = [label(12, '[3/21]')];
    renderer.frame();
    await writeAsync(term, writes.join(''));
    expect(readScreen(term).rowText(0)).toBe('############[3/21]##');
    expect(readScreen(term).fg[12]).toBe(COLOR.p16 | 8);
    // Shorter and further left: the cells it leaves are the chrome's again.
    scene.labels = [label(10, '[4/9]')];
    renderer.frame();
    expect(writes).toHaveLength(2);
    await writeAsync(term, writes[1]);
    expect(readScreen(term).rowText(0)).toBe('##########[4/9]#####');
    // The same labels again: nothing to write.
    scene.labels = [label(10, '[4/9]')];
    renderer.frame();
    expect(writes).toHaveLength(2);
    // Gone: the row is all chrome.
    scene.labels = undefined;
    renderer.frame();
    await writeAsync(term, writes[2]);
    expect(readScreen(term).rowText(0)).toBe('#'.repeat(20));
    // Under a dialog, the dialog shows; a new chrome (laid whole) keeps the label.
    scene.labels = [label(12, '[5/21]')];
    scene.overlays = [{ x: 14, y: 0, width: 3, height: 2 }];
    const chrome = chromeGrid(20, 6);
    for (let x = 14; x < 17; x++) chrome.set(x, 'D', 1, 0, 0, 0);
    renderer.setChrome(chrome);
    renderer.frame();
    await writeAsync(term, writes.slice(3).join(''));
    expect(readScreen(term).rowText(0)).toBe('############[5DDD]##');
  });

  it('places and shows the cursor, hides it when the scene has none, and moves it without redrawing', async () => {
    const { renderer, writes, scene } = rig();
    scene.cursor = { x: 3, y: 2 };
    renderer.frame();
    expect(writes[0].endsWith('\x1b[3;4H\x1b[?25h' + SYNC_END)).toBe(true);
    await writeAsync(term, writes[0]);
    expect([term.buffer.active.cursorX, term.buffer.active.cursorY]).toEqual([3, 2]);
    // Only the cursor moved: a frame with the move and nothing else.
    scene.cursor = { x: 12, y: 4 };
    renderer.frame();
    expect(writes[1]).toBe(SYNC_START + '\x1b[?25l\x1b[5;13H\x1b[?25h' + SYNC_END);
    // No cursor: hidden (the frame's ?25l is not undone).
    scene.cursor = undefined;
    renderer.frame();
    expect(writes[2]).toBe(SYNC_START + '\x1b[?25l' + SYNC_END);
    expect(writes[2]).not.toContain('?25h');
    // Unchanged: nothing.
    renderer.frame();
    expect(writes).toHaveLength(3);
  });

  it('resize and invalidate redraw everything from a cleared screen', async () => {
    const { renderer, writes } = rig();
    renderer.frame();
    renderer.invalidate();
    renderer.frame();
    expect(writes[1]).toContain('\x1b[2J');
    await writeAsync(term, '\x1b[Hjunk junk junk' + writes[1]);
    expect(readScreen(term).rowText(0)).toBe('#'.repeat(20));
    renderer.resize(22, 6);
    // The old chrome no longer fits: panes are painted over blanks until the new chrome arrives.
    renderer.frame();
    expect(writes[2]).toContain('\x1b[2J');
    term.resize(22, 6);
    await writeAsync(term, writes[2]);
    expect(readScreen(term).rowText(1)).toBe(' aaaaaaaa  bbbbbbbb   ');
    expect(renderer.width).toBe(22);
  });

  it('a whole redraw writes no run of blank cells: the clear it starts with has blanked them', async () => {
    const { renderer, writes } = rig();
    renderer.setChrome(new Grid(20, 6));
    renderer.frame();
    expect(writes[0]).toContain('\x1b[2J');
    // Blank rows and the blank edges of a row are stepped over; only a gap shorter than a cursor
    // step (the two blanks between the panes) is written over.
    expect(writes[0]).not.toMatch(/ {3}/);
    expect(writes[0]).toContain('aaaaaaaa  \x1b[38;5;33mbbbbbbbb');
    await writeAsync(term, '\x1b[41m' + 'x'.repeat(20 * 6 - 1) + '\x1b[H' + writes[0]);
    const screen = readScreen(term);
    expect(screen.rowText(0)).toBe(' '.repeat(20));
    expect(screen.rowText(1)).toBe(' aaaaaaaa  bbbbbbbb ');
    expect(screen.bg[0]).toBe(0);
  });

  it('a chrome grid of the wrong size is ignored', () => {
    const { renderer, writes } = rig();
    renderer.frame();
    renderer.setChrome(chromeGrid(10, 3, '?'));
    renderer.frame();
    expect(writes).toHaveLength(1);
  });

  it('stops writing after the terminal write throws', () => {
    const a = new FakeSurface({ x: 0, y: 0, width: 4, height: 2 }, 'a');
    let calls = 0;
    const failing = new Renderer(
      () => {
        calls++;
        throw new Error('EIO');
      },
      () => ({ panes: [a], overlays: [] }),
      20,
      6,
    );
    renderers.push(failing);
    failing.frame();
    a.change('q');
    failing.request(true);
    failing.frame();
    expect(calls).toBe(1);
    expect(failing.stats.frames).toBe(0);
  });
});

describe('Renderer: frame scheduling', () => {
  it('batches many requests into one frame per FRAME_MS', () => {
    vi.useFakeTimers();
    const { renderer, writes, a } = rig();
    // The rig's output attached in the constructor: its first frame comes on the next turn of the
    // event loop, not on the frame clock, and many requests meanwhile add nothing to it.
    for (let i = 0; i < 100; i++) renderer.request();
    expect(writes).toHaveLength(0);
    vi.advanceTimersByTime(0);
    expect(writes).toHaveLength(1);
    expect(renderer.stats.frames).toBe(1);
    // Output right after a frame waits for the rest of the frame interval.
    for (let i = 0; i < 50; i++) {
      a.change(String.fromCharCode(97 + (i % 26)));
      renderer.request();
    }
    vi.advanceTimersByTime(FRAME_MS - 2);
    expect(writes).toHaveLength(1);
    vi.advanceTimersByTime(2);
    expect(writes).toHaveLength(2);
    expect(writes[1]).toContain('x'); // the last change of the batch: 'x' = 97 + 49 % 26
  });

  it('an urgent request renders on the next turn of the event loop, without waiting for the frame timer', async () => {
    const { renderer, writes, a } = rig();
    renderer.frame();
    expect(writes).toHaveLength(1);
    a.change('k');
    renderer.request(); // a normal request now would wait up to FRAME_MS...
    renderer.request(true); // ...the keystroke's echo does not
    expect(writes).toHaveLength(1);
    await nextTurn();
    expect(writes).toHaveLength(2);
    expect(writes[1]).toContain('k');
  });

  it('an urgent frame cancels the pending timed frame', () => {
    vi.useFakeTimers();
    const { renderer, writes, a } = rig();
    renderer.request(true);
    vi.advanceTimersByTime(0);
    expect(writes).toHaveLength(1);
    a.change('u');
    renderer.request();
    renderer.request(true);
    expect(vi.getTimerCount()).toBe(2);
    vi.advanceTimersByTime(0);
    expect(writes).toHaveLength(2);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('an urgent frame paints only the focused pane; a busy neighbour follows in the next regular frame', async () => {
    vi.useFakeTimers();
    const { renderer, writes, a, b } = rig();
    renderer.frame();
    const paintsB = b.paints;
    a.change('e');
    b.change('n');
    renderer.request(true);
    vi.advanceTimersByTime(0);
    expect(writes).toHaveLength(2);
    expect(writes[1]).toContain('e');
    expect(writes[1]).not.toContain('n');
    expect(b.paints).toBe(paintsB);
    vi.advanceTimersByTime(FRAME_MS);
    expect(writes).toHaveLength(3);
    expect(writes[2]).toContain('n');
  });

  it('many urgent requests in one turn make one frame', async () => {
    const { renderer, writes, a } = rig();
    renderer.frame();
    for (let i = 0; i < 20; i++) {
      a.change(String(i % 10));
      renderer.request(true);
    }
    await nextTurn();
    expect(writes).toHaveLength(2);
  });

  it('idle: requests with nothing changed write nothing', () => {
    vi.useFakeTimers();
    const { renderer, writes } = rig();
    vi.advanceTimersByTime(FRAME_MS);
    expect(writes).toHaveLength(1);
    for (let i = 0; i < 10; i++) {
      renderer.request();
      vi.advanceTimersByTime(FRAME_MS);
    }
    expect(writes).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stop() cancels a pending frame and ignores later requests', () => {
    vi.useFakeTimers();
    const { renderer, writes } = rig();
    renderer.stop();
    renderer.request();
    renderer.request(true);
    vi.runAllTimers();
    expect(writes).toHaveLength(0);
  });
});
