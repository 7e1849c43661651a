/**
 * The single writer to the terminals. Composes the chrome (src/frontend/chrome.ts, as cells) with pane
 * interiors read straight from the emulators, then, for each attached terminal (an output), diffs
 * against what that terminal shows and writes the difference inside synchronized output
 * (ESC[?2026h … l) so a frame never tears.
 *
 * Invariants:
 * - at most one frame per FRAME_MS, except `request(true)` (a keystroke), which renders on the next
 *   turn of the event loop so typing feels instant;
 * - only dirty panes are repainted; a frame with no change writes nothing, so idle panes cost nothing,
 *   and with no output attached nothing is composed at all;
 * - each output's `shown` mirrors its terminal exactly (attaching, a resize or `invalidate()` forces
 *   a full redraw of it); an output that is behind (its bytes not yet taken) skips frames and catches
 *   up with one diff once it drains, since its `shown` only changes when something was written;
 * - an output of another size than the layout sees the composed screen clipped or padded, and its
 *   bottom row says so.
 */
import { contains, Grid, type Rect } from './grid.js';
import { FrameBytes } from './bytes.js';
import { diffInto } from './diff.js';
import { LabelLayer, type Label } from './labels.js';

export const FRAME_MS = 33;
/** An output with more than this many bytes queued is behind: it gets no frame until it drains. */
const BEHIND_BYTES = 256 * 1024;

export interface PaneSurface {
  readonly dirty: boolean;
  /** The pane keys go to: an echo frame paints only it. */
  readonly focused?: boolean;
  inner: Rect;
  /**
   * Paints the pane's interior into `rect`. `fresh`: something else was laid over the grid since the
   * pane last painted it (the chrome, after a change of it or of the layout), so every row must be
   * painted; otherwise rows the pane knows unchanged may be left as they are (not marked touched).
   */
  paint(grid: Grid, rect: Rect, skip: ((x: number, y: number) => boolean) | undefined, fresh: boolean): void;
}

export interface Scene {
  panes: PaneSurface[];
  /** Chrome drawn over panes (dialogs): pane cells there are not painted. */
  overlays: Rect[];
  /** Laid over the chrome after the panes, except where an overlay is (labels.ts). */
  labels?: Label[];
  /** Absolute cursor position, or undefined to hide it. */
  cursor?: { x: number; y: number };
}

/** A terminal frames are written to. */
export interface Output {
  readonly cols: number;
  readonly rows: number;
  /** One frame's bytes: a view of the renderer's buffer, valid during the call only (copy to keep). */
  write(data: Uint8Array): void;
  /** Bytes written but not yet taken by the terminal. */
  backlog?(): number;
}

export interface FrameStats {
  frames: number;
  bytes: number;
  lastFrameMs: number;
  /** Time spent composing and diffing frames, for `npm run bench`. */
  totalFrameMs: number;
  maxFrameMs: number;
  /** Which frame (1 = the first) took maxFrameMs: a cold first frame, or a later one. */
  maxFrameNumber: number;
}

interface Attached {
  out: Output;
  shown: Grid;
  /** Rows of the composed screen changed since this output was last written. */
  rows: Uint8Array;
  full: boolean;
  cursorKey: string;
  /** The composed screen at this output's size, when it differs from the layout's. */
  view?: Grid;
}

export class Renderer {
  private desired: Grid;
  private chrome: Grid;
  private chromeChanged = true;
  private labels = new LabelLayer();
  private outputs = new Map<Output, Attached>();
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private lastFrame = 0;
  private stopped = false;
  /** Each frame's bytes, built in one buffer reused from frame to frame. */
  private bytes = new FrameBytes();
  readonly stats: FrameStats = { frames: 0, bytes: 0, lastFrameMs: 0, totalFrameMs: 0, maxFrameMs: 0, maxFrameNumber: 0 };

  /** `write`: a terminal of the layout's own size to attach at once (the in-process case). */
  constructor(
    write: ((data: Uint8Array) => void) | undefined,
    private getScene: () => Scene,
    cols: number,
    rows: number,
  ) {
    this.desired = new Grid(cols, rows);
    this.chrome = new Grid(cols, rows);
    if (write) {
      const layout = () => this.desired;
      this.attach({
        write,
        get cols() {
          return layout().width;
        },
        get rows() {
          return layout().height;
        },
      });
    }
  }

  get width(): number {
    return this.desired.width;
  }

  /**
   * Starts drawing to `out`: its first frame redraws every cell, on the next turn of the event loop
   * rather than the frame clock's next tick. Someone is waiting for that frame (an attach), and the
   * timer's hop cost it 1-7 ms with busy panes; the other outputs merely get their next frame early.
   */
  attach(out: Output): void {
    this.outputs.set(out, this.fresh(out));
    this.chromeChanged = true;
    if (this.stopped) return;
    this.immediate ??= setImmediate(() => this.frame());
  }

  detach(out: Output): void {
    this.outputs.delete(out);
  }

  /** The output's terminal changed size (or was cleared): redraw it whole. */
  refresh(out: Output): void {
    if (this.outputs.has(out)) this.outputs.set(out, this.fresh(out));
    this.request();
  }

  private fresh(out: Output): Attached {
    const same = out.cols === this.desired.width && out.rows === this.desired.height;
    return { out, shown: new Grid(out.cols, out.rows), rows: new Uint8Array(this.desired.height).fill(1), full: true, cursorKey: '', view: same ? undefined : new Grid(out.cols, out.rows) };
  }

  /** The layout's size changed: every output is redrawn whole. */
  resize(cols: number, rows: number): void {
    this.desired = new Grid(cols, rows);
    this.chrome = new Grid(cols, rows);
    this.invalidate();
  }

  /** The next frame redraws every cell of every output. */
  invalidate(): void {
    for (const a of this.outputs.values()) this.outputs.set(a.out, this.fresh(a.out));
    this.chromeChanged = true;
    this.request();
  }

  /** `urgent`: the chrome's answer to a key (a mode, a dialog, the board's selection), drawn as an echo is. */
  setChrome(grid: Grid, urgent = false): void {
    if (grid.width !== this.chrome.width || grid.height !== this.chrome.height) return;
    this.chrome = grid;
    this.chromeChanged = true;
    this.request(urgent);
  }

  /**
   * `urgent`: the echo of a keystroke. It is drawn on the next turn of the event loop and only the
   * focused pane is painted, so busy neighbours cannot delay it; they follow in the next regular frame.
   */
  request(urgent = false): void {
    if (this.stopped || this.outputs.size === 0) return;
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
    if (this.stopped || this.outputs.size === 0) return;
    const t0 = performance.now();
    this.lastFrame = t0;
    const scene = this.getScene();
    const desired = this.desired;
    const all = this.chromeChanged;
    if (all) desired.copyRect(this.chrome, { x: 0, y: 0, width: this.chrome.width, height: this.chrome.height });
    const skip = scene.overlays.length ? (x: number, y: number) => scene.overlays.some((r) => contains(r, x, y)) : undefined;
    let deferred = false;
    for (const p of scene.panes) {
      if (!all && !p.dirty) continue;
      if (!all && echoOnly && !p.focused) {
        deferred = true;
        continue;
      }
      p.paint(desired, p.inner, skip, all);
    }
    this.labels.lay(desired, this.chrome, scene.labels ?? [], all, skip);
    this.chromeChanged = false;
    if (deferred) this.request();
    // Every output owes the rows changed by this frame.
    for (let y = 0; y < desired.height; y++) {
      if (!desired.touched[y]) continue;
      desired.touched[y] = 0;
      for (const a of this.outputs.values()) a.rows[y] = 1;
    }
    let bytes = 0;
    for (const a of [...this.outputs.values()]) bytes += this.draw(a, scene);
    if (bytes === 0) return;
    this.stats.frames++;
    this.stats.bytes += bytes;
    const ms = performance.now() - t0;
    this.stats.lastFrameMs = ms;
    this.stats.totalFrameMs += ms;
    if (ms > this.stats.maxFrameMs) {
      this.stats.maxFrameMs = ms;
      this.stats.maxFrameNumber = this.stats.frames;
    }
  }

  /** One output's share of a frame; returns the bytes written. */
  private draw(a: Attached, scene: Scene): number {
    if ((a.out.backlog?.() ?? 0) > BEHIND_BYTES) {
      // Behind: its `shown` is still what it has; the next frame after it drains catches up.
      setTimeout(() => this.request(), FRAME_MS);
      return 0;
    }
    let source = this.desired;
    let rows = a.rows;
    if (a.view) {
      rows = this.clip(a);
      source = a.view;
    }
    // Hide the cursor while drawing (terminals without synchronized output would show it jumping),
    // then place it. A whole redraw clears the screen first, which then shows exactly what a fresh
    // `shown` grid holds (blanks in the default style): so it is diffed like any frame, against that
    // blank grid, and the blank cells (most of a first frame: the insides of idle panes) are not
    // written at all.
    const out = this.bytes;
    out.reset();
    out.ascii(a.full ? '\x1b[?2026h\x1b[?25l\x1b[0m\x1b[2J' : '\x1b[?2026h\x1b[?25l');
    const changed = diffInto(out, a.shown, source, rows) || a.full;
    a.full = false;
    const c = scene.cursor && scene.cursor.x < a.out.cols && scene.cursor.y < a.out.rows ? scene.cursor : undefined;
    const cursorKey = c ? `${c.y};${c.x}` : '';
    if (!changed && cursorKey === a.cursorKey) return 0;
    if (c) {
      out.move(c.y, c.x);
      out.ascii('\x1b[?25h');
    }
    a.cursorKey = cursorKey;
    out.ascii('\x1b[?2026l');
    const data = out.bytes();
    try {
      a.out.write(data);
    } catch {
      // The terminal is gone (EIO after a hang-up); its owner hears of it and detaches it.
      this.outputs.delete(a.out);
      return 0;
    }
    return data.length;
  }

  /** Copies the changed rows of the composed screen into an output of another size; returns its row mask. */
  private clip(a: Attached): Uint8Array {
    const view = a.view!;
    const src = this.desired;
    const mask = new Uint8Array(view.height);
    const w = Math.min(view.width, src.width);
    for (let y = 0; y < view.height; y++) {
      if (y >= src.height) {
        if (a.full) view.fillBlank({ x: 0, y, width: view.width, height: 1 });
        mask[y] = a.full ? 1 : 0;
        continue;
      }
      if (!a.rows[y] && !a.full) continue;
      a.rows[y] = 0;
      mask[y] = 1;
      for (let x = 0; x < w; x++) view.copyCell(y * view.width + x, src, y * src.width + x);
      if (view.width > w) view.fillBlank({ x: w, y, width: view.width - w, height: 1 });
      // A wide character cut by the clip would break the grid's pairing: blank its lead half.
      if (w < src.width && w > 0 && view.widths[y * view.width + w - 1] === 2) view.set(y * view.width + w - 1, ' ', 1, 0, 0, 0);
    }
    // Its bottom row says whose size the layout follows.
    const note = ` sized for another terminal (${src.width}×${src.height}) `;
    const y = view.height - 1;
    const x0 = Math.max(0, view.width - note.length);
    for (let i = 0; i < note.length && x0 + i < view.width; i++) view.set(y * view.width + x0 + i, note[i], 1, 0, 0, 32);
    mask[y] = 1;
    return mask;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
  }
}
