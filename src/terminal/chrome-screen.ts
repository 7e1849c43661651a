/**
 * Ink's frames (the overlays: dialogs, help, the task board, the context panel) as cells, for
 * src/frontend/chrome.ts to lay over the painted chrome. Ink renders lines of text with SGR styles;
 * styled-text.ts paints each line into the grid exactly as xterm would store it (widths, wide
 * characters, styles), without an emulator: parsing Ink's frames with xterm in the same isolate as
 * the panes' emulators slowed their flood parse by 15-20%.
 *
 * Invariants:
 * - `grid` always holds the last frame set (parsed synchronously); `onUpdate` fires after each
 *   frame that changed a row.
 * - a row is repainted only when its line of text differs from the one it shows; a resize starts a
 *   blank grid of the new size and draws the last frame on it (clipped or padded) until Ink draws
 *   one for the new size.
 * - a line wider than the screen (a frame drawn for the old width) is clipped, never wrapped, and
 *   lines past the bottom are dropped: a frame can never scroll.
 */
import { Grid } from '../render/grid.js';
import { paintStyledLine } from './styled-text.js';

export class ChromeScreen {
  grid: Grid;
  /** The line of text each row shows (undefined: blank since the grid was made). */
  private shown: Array<string | undefined>;
  private last: string | undefined;

  constructor(
    cols: number,
    rows: number,
    private onUpdate: () => void,
  ) {
    this.grid = new Grid(cols, rows);
    this.shown = new Array<string | undefined>(rows);
  }

  resize(cols: number, rows: number): void {
    this.grid = new Grid(cols, rows);
    this.shown = new Array<string | undefined>(rows);
    // Ink draws a frame for the new size soon; until then the last one, clipped, beats a blank chrome.
    if (this.last !== undefined) this.setFrame(this.last);
  }

  /** Accepts one whole frame of Ink output (lines separated by \n). */
  setFrame(frame: string): void {
    this.last = frame;
    const lines = frame.split('\n');
    let changed = false;
    for (let y = 0; y < this.grid.height; y++) {
      const line = lines[y] ?? '';
      if (this.shown[y] === line) continue;
      this.shown[y] = line;
      paintStyledLine(this.grid, y, line);
      changed = true;
    }
    if (changed) this.onUpdate();
  }

  dispose(): void {
    this.last = undefined;
  }
}
