/**
 * The single writer to the terminal. Composes the chrome (Ink's frame, as cells) with pane
 * interiors read straight from the emulators, diffs against what the terminal shows, and writes
 * the difference inside synchronized output (ESC[?2026h … l) so a frame never tears.
 *
 * Invariants:
 * - at most one frame per FRAME_MS, except `request(true)` (a keystroke), which renders on the next
 *   turn of the event loop so typing feels instant;
 * - only dirty panes are repainted; a frame with no change writes nothing, so idle panes cost nothing;
 * - `shown` mirrors the terminal exactly (a resize or `invalidate()` forces a full redraw).
 */
import { contains, Grid, type Rect } from './grid.js';
import { diffGrids } from './diff.js';

export const FRAME_MS = 33;

export interface PaneSurface {
  readonly dirty: boolean;
  /** The pane keys go to: an echo frame paints only it. */
  readonly focused?: boolean;
  inner: Rect;
  paint(grid: Grid, rect: Rect, skip?: (x: number, y: number) => boolean): void;
}

export interface Scene {
  panes: PaneSurface[];
  /** Chrome drawn over panes (dialogs): pane cells there are not painted. */
  overlays: Rect[];
  /** Absolute cursor position, or undefined to hide it. */
  cursor?: { x: number; y: number };
}

export interface FrameStats {
  frames: number;
  bytes: number;
  lastFrameMs: number;
  /** Time spent composing and diffing frames, for `npm run bench`. */
  totalFrameMs: number;
  maxFrameMs: number;
}

export class Renderer {
  private desired: Grid;
  private shown: Grid;
  private chrome: Grid;
  private chromeChanged = true;
  private full = true;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private lastFrame = 0;
  private cursorKey = '';
  private stopped = false;
  readonly stats: FrameStats = { frames: 0, bytes: 0, lastFrameMs: 0, totalFrameMs: 0, maxFrameMs: 0 };

  constructor(
    private write: (s: string) => void,
    private getScene: () => Scene,
    cols: number,
    rows: number,
  ) {
    this.desired = new Grid(cols, rows);
    this.shown = new Grid(cols, rows);
    this.chrome = new Grid(cols, rows);
  }

  get width(): number {
    return this.desired.width;
  }

  resize(cols: number, rows: number): void {
    this.desired = new Grid(cols, rows);
    this.shown = new Grid(cols, rows);
    this.chrome = new Grid(cols, rows);
    this.invalidate();
  }

  /** The next frame redraws every cell (after a resize, or when something else wrote to the terminal). */
  invalidate(): void {
    this.full = true;
    this.chromeChanged = true;
    this.request();
  }

  setChrome(grid: Grid): void {
    if (grid.width !== this.chrome.width || grid.height !== this.chrome.height) return;
    this.chrome = grid;
    this.chromeChanged = true;
    this.request();
  }

  /**
   * `urgent`: the echo of a keystroke. It is drawn on the next turn of the event loop and only the
   * focused pane is painted, so busy neighbours cannot delay it; they follow in the next regular frame.
   */
  request(urgent = false): void {
    if (this.stopped) return;
    if (urgent) {
      this.immediate ??= setImmediate(() => this.frame(true));
      return;
    }
    if (this.timer || this.immediate) return;
    const wait = Math.max(0, this.lastFrame + FRAME_MS - performance.now());
    this.timer = setTimeout(() => this.frame(), wait);
  }

  frame(echoOnly = false): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.immediate) clearImmediate(this.immediate);
    this.immediate = undefined;
    if (this.stopped) return;
    const t0 = performance.now();
    this.lastFrame = t0;
    const scene = this.getScene();
    const all = this.chromeChanged;
    if (all) this.desired.copyRect(this.chrome, { x: 0, y: 0, width: this.chrome.width, height: this.chrome.height });
    const skip = scene.overlays.length ? (x: number, y: number) => scene.overlays.some((r) => contains(r, x, y)) : undefined;
    let deferred = false;
    for (const p of scene.panes) {
      if (!all && !p.dirty) continue;
      if (!all && echoOnly && !p.focused) {
        deferred = true;
        continue;
      }
      p.paint(this.desired, p.inner, skip);
    }
    this.chromeChanged = false;
    if (deferred) this.request();
    let out = diffGrids(this.shown, this.desired, this.full);
    if (this.full) out = '\x1b[0m\x1b[2J' + out;
    this.full = false;
    const c = scene.cursor;
    const cursorKey = c ? `${c.y};${c.x}` : '';
    if (!out && cursorKey === this.cursorKey) return;
    // Hide while drawing (terminals without synchronized output would show it jumping), then place it.
    const cursor = c ? `\x1b[${c.y + 1};${c.x + 1}H\x1b[?25h` : '';
    this.cursorKey = cursorKey;
    const data = `\x1b[?2026h\x1b[?25l${out}${cursor}\x1b[?2026l`;
    try {
      this.write(data);
    } catch {
      // The terminal is gone (EIO after a hang-up); the owner hears of it through the stream's error.
      this.stop();
      return;
    }
    this.stats.frames++;
    this.stats.bytes += data.length;
    const ms = performance.now() - t0;
    this.stats.lastFrameMs = ms;
    this.stats.totalFrameMs += ms;
    if (ms > this.stats.maxFrameMs) this.stats.maxFrameMs = ms;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
  }
}
