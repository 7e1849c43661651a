/**
 * The workspace chrome (borders, titles, status bar, dialogs) as cells. Ink renders the chrome as
 * text with SGR styles; rather than parse that by hand we let a real emulator read it, so widths,
 * wide characters and styles come out exactly as a terminal would show them.
 *
 * Invariant: `grid` always holds the last frame that finished parsing; `onUpdate` fires after each.
 */
import { Grid } from '../render/grid.js';
import { createEmulator, type Terminal } from './emulator.js';
import { paintBuffer } from './snapshot.js';

export class ChromeScreen {
  private term: Terminal;
  grid: Grid;
  private pending: string | undefined;
  private writing = false;

  constructor(
    cols: number,
    rows: number,
    private onUpdate: () => void,
  ) {
    this.term = createEmulator(cols, rows, 0);
    this.grid = new Grid(cols, rows);
  }

  resize(cols: number, rows: number): void {
    this.term.resize(cols, rows);
    this.grid = new Grid(cols, rows);
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
