/**
 * The workspace chrome (borders, titles, status bar, dialogs) as cells. Ink renders the chrome as
 * text with SGR styles; rather than parse that by hand we let a real emulator read it, so widths,
 * wide characters and styles come out exactly as a terminal would show them.
 *
 * Invariants:
 * - `grid` always holds the last frame that finished parsing; `onUpdate` fires after each.
 * - the emulator never reflows: it is emptied before each resize and the last frame is drawn again.
 *   xterm 6.0's reflow on a buffer without scrollback (this one keeps none) can leave the buffer
 *   with fewer lines than rows after narrowing a screen whose lines are wider than the new width
 *   (a frame drawn for the old width); the next character printed on the bottom row then threw
 *   "Cannot read properties of undefined (reading 'setCellFromCodepoint')" from xterm's write
 *   timer, which took the workspace down within seconds of rapid resizing. A blank buffer has
 *   nothing to reflow (200,000 random resizes and frames kept the buffer whole).
 */
import { Grid } from '../render/grid.js';
import { log } from '../util/log.js';
import { createEmulator, resizeEmulator, type Terminal } from './emulator.js';
import { paintBuffer } from './snapshot.js';

export class ChromeScreen {
  private term: Terminal;
  grid: Grid;
  private pending: string | undefined;
  private last: string | undefined;
  private writing = false;
  /** How many times the emulator failed and was reset (0 unless xterm has a bug we did not avoid). */
  failures = 0;

  constructor(
    cols: number,
    rows: number,
    private onUpdate: () => void,
  ) {
    this.term = createEmulator(cols, rows, 0, (e) => {
      // Should the emulator fail anyway, it was reset (emulator.ts): draw the last frame again.
      this.failures++;
      log(`chrome emulator failed and was reset: ${e.stack ?? e.message}`);
      this.pending ??= this.last;
      return undefined;
    });
    this.grid = new Grid(cols, rows);
  }

  resize(cols: number, rows: number): void {
    this.term.reset();
    resizeEmulator(this.term, cols, rows);
    this.grid = new Grid(cols, rows);
    // Ink draws a frame for the new size soon; until then the last one, clipped, beats a blank chrome.
    this.pending ??= this.last;
    if (!this.writing) this.drain();
  }

  /** Accepts one whole frame of Ink output (lines separated by \n). Only the newest frame matters. */
  setFrame(frame: string): void {
    this.pending = frame;
    if (!this.writing) this.drain();
  }

  private drain(): void {
    const frame = this.pending;
    if (frame === undefined) {
      this.writing = false;
      return;
    }
    this.pending = undefined;
    this.last = frame;
    this.writing = true;
    const lines = frame.split('\n');
    // Autowrap off: a line wider than the screen (a frame drawn for the old width) is clipped, not wrapped.
    let data = '\x1b[?7l\x1b[0m\x1b[H\x1b[2J';
    const n = Math.min(lines.length, this.term.rows);
    // Each line is placed absolutely so a trailing newline can never scroll the frame.
    for (let y = 0; y < n; y++) data += `\x1b[${y + 1};1H${lines[y]}\x1b[0m`;
    this.term.write(data, () => {
      paintBuffer(this.term, this.term.buffer.active.viewportY, this.grid, {
        x: 0,
        y: 0,
        width: this.grid.width,
        height: this.grid.height,
      });
      this.onUpdate();
      this.drain();
    });
  }

  dispose(): void {
    this.term.dispose();
  }
}
