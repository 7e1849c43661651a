// Resizing to random sizes every few milliseconds while output arrives crashed the workspace 3 runs
// out of 3 ("Cannot read properties of undefined (reading 'setCellFromCodepoint')" from xterm's write
// timer). The cause was the chrome's emulator (no scrollback) reflowing a frame wider than the new
// size (the chrome is painted without an emulator since); these storms replay that at the
// ChromeScreen and at the PaneTerminal level.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Grid } from '../../src/render/grid.js';
import { ChromeScreen } from '../../src/terminal/chrome-screen.js';
import { PaneTerminal } from '../../src/terminal/pane-terminal.js';
import { seeded } from '../helpers/random.js';

const wait = { timeout: 20_000, interval: 10 };
const disposers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const d of disposers.splice(0)) await d();
});

/** A frame as Ink draws it for a `cols` x `rows` screen: box lines, some wide characters. */
function frame(rnd: () => number, cols: number, rows: number): string {
  const lines: string[] = [];
  for (let y = 0; y < rows; y++) {
    let line = '';
    while (line.length < cols) line += rnd() < 0.1 ? '漢' : rnd() < 0.03 ? '😀' : '─';
    lines.push(line);
  }
  return lines.join('\n');
}

const rowText = (g: Grid, y: number) => Array.from({ length: g.width }, (_, x) => g.char(y * g.width + x)).join('').trimEnd();

describe('resize storms', () => {
  // The chrome once had its own emulator, which crashed within 70 steps on each of these seeds; it
  // is painted without one now, and must still come out whole (no half of a wide character).
  it.each([1, 2, 10])('the chrome: 300 random sizes (1x1 included) between frames, then the right screen (seed %i)', (seed) => {
    const rnd = seeded(seed);
    const screen = new ChromeScreen(120, 30, () => {});
    const size = () => ({ cols: rnd() < 0.1 ? 1 : 1 + Math.floor(rnd() * 250), rows: rnd() < 0.1 ? 1 : 1 + Math.floor(rnd() * 80) });
    for (let i = 0; i < 300; i++) {
      const f = size();
      screen.setFrame(frame(rnd, f.cols, f.rows));
      const w = screen.grid.widths;
      const broken = w.findIndex((v, k) => (v === 2 && w[k + 1] !== 0) || (v === 0 && w[k - 1] !== 2));
      expect(broken).toBe(-1);
      const s = size();
      screen.resize(s.cols, s.rows);
    }
    screen.resize(40, 5);
    screen.setFrame(['┌ last ┐', 'a', 'b', 'c', ' NORMAL '].join('\n'));
    expect(rowText(screen.grid, 0)).toBe('┌ last ┐');
    expect(rowText(screen.grid, 4)).toBe(' NORMAL');
  });

  it('a pane: random resizes every few ms (1x1 included) while its program prints; the output is intact after', async () => {
    const rnd = seeded(9);
    const LAST = 4000;
    const pt = new PaneTerminal({
      spec: {
        command: '/bin/bash',
        args: ['--norc', '--noprofile', '-c', `for ((i=1; i<=${LAST}; i++)); do printf 'L%06d 漢字😀 %s\\n' $i xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; done; echo END; exec sleep 100`],
        cwd: '/',
        env: {},
      },
      cols: 80,
      rows: 24,
      // Reflowing a full scrollback at 1-2 columns is costly: keep the storm from starving other tests.
      scrollback: 300,
      onDirty: () => {},
      onState: () => {},
    });
    disposers.push(async () => {
      await pt.kill(200);
      pt.dispose();
    });
    pt.start();
    const ended = () => pt.screenText().some((l) => l.trim() === 'END');
    let resizes = 0;
    // The storm lasts until the program is done (or at most ~8 s on a loaded machine); then it must read whole.
    const stormEnds = Date.now() + 8000;
    while (!ended() || resizes < 200) {
      pt.resize(rnd() < 0.1 ? 1 : 1 + Math.floor(rnd() * 200), rnd() < 0.1 ? 1 : 1 + Math.floor(rnd() * 60));
      // Applied at once, not debounced: harsher than the workspace, which waits for 60 ms of quiet.
      pt.applyResize();
      resizes++;
      await new Promise((r) => setTimeout(r, rnd() * 4));
      if (resizes > 5000 || (resizes >= 200 && Date.now() > stormEnds)) break;
    }
    pt.resize(100, 30);
    pt.applyResize();
    // An emulator that failed was reset, which clears END from the screen: say so at once rather
    // than after the whole wait (a fresh-clone run once timed out here, cause not seen).
    // Seen twice in full runs under load (the program's END never showed within the wait), never
    // alone: the failure says where the output stood, to tell a stalled feed from a slow one.
    const where = () => {
      const feed = Reflect.get(pt, 'feed') as object | undefined;
      const pid = pt.pid;
      let child = 'gone';
      try {
        // Its name tells a program blocked writing (bash) from one that is done (sleep); wchan, where it waits.
        if (pid) child = `${readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[0]} (${readFileSync(`/proc/${pid}/comm`, 'utf8').trim()}, ${readFileSync(`/proc/${pid}/wchan`, 'utf8')})`;
      } catch {}
      // The buffer's last rows, wrapped ones marked '+'. The failures seen (frequent with short writes
      // parsed at once, docs/profile.md) ended inside the last line at a width of 2, rows of an older
      // line after it, none of it reflowed to the final width.
      const b = pt.term.buffer.active;
      const rows: string[] = [];
      for (let y = Math.max(0, b.length - 30); y < b.length; y++) rows.push(`${b.getLine(y)?.isWrapped ? '+' : ''}${b.getLine(y)?.translateToString(true) ?? ''}`);
      return `after ${resizes} resizes: feed paused ${String(feed && Reflect.get(feed, 'paused'))}, unparsed ${String(feed && Reflect.get(feed, 'unparsed'))}, program state ${child}, last rows ${JSON.stringify(rows)}`;
    };
    await vi.waitFor(() => {
      expect(pt.failures, 'the emulator failed and was reset').toBe(0);
      expect(ended(), ended() ? '' : where()).toBe(true);
    }, wait);
    // The tail of the output reads in order, whole, at the final width. (How much history is kept
    // depends on the narrowest width it went through: 300 rows hold 12 such lines at 2 columns, and
    // about 6 at 1 column, where each of its ~50 cells takes a row.)
    const b = pt.term.buffer.active;
    const lines: string[] = [];
    for (let y = 0; y < b.length; y++) lines.push(b.getLine(y)?.translateToString(true) ?? '');
    const tail = lines.slice(lines.findIndex((l) => /^L\d{6} /.test(l))).filter((l) => l !== '');
    expect(tail.at(-1)).toBe('END');
    const numbered = tail.slice(-6, -1);
    numbered.forEach((l, i) => expect(l).toBe(`L${String(LAST - 4 + i).padStart(6, '0')} 漢字😀 ${'x'.repeat(32)}`));
    expect(pt.state.kind).toBe('running');
  });
});
