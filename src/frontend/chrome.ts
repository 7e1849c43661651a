/**
 * The chrome as the renderer lays it under the panes: the frames and status bar painted from the
 * view (chrome-paint.ts), with what Ink draws over them (dialogs, help, the task board, the
 * shared-context panel, "too small") copied in over their rectangles.
 *
 * Invariants:
 * - `grid` is current with the last view set and the last Ink frame set; `onUpdate` fires after
 *   each change of either.
 * - inside an overlay's rectangle every cell is Ink's (its blanks too, so nothing of the panes
 *   behind shows through); outside, none is.
 * - a wide character cut in half by an overlay's edge becomes a blank.
 */
import { Grid, type Rect } from '../render/grid.js';
import { ChromeScreen } from '../terminal/chrome-screen.js';
import { dialogRect } from '../workspace/geometry.js';
import type { WorkspaceView } from '../workspace/types.js';
import { paintChrome, type ChromeLook } from './chrome-paint.js';

/** Where Ink draws in `view`, in the order it draws them (later ones over earlier ones). */
export function overlayRects(view: WorkspaceView): Rect[] {
  const out: Rect[] = [];
  if (view.tooSmall) out.push({ x: 0, y: 0, width: view.cols, height: Math.max(1, view.rows - 1) });
  if (view.context) out.push(view.context.rect);
  if (view.board) out.push(view.board.rect);
  if (view.dialog) out.push(dialogRect(view.dialog, view.cols, view.rows));
  return out;
}

/**
 * Whether two views paint the same chrome. The view keeps a pane's slice, the focus, the totals and
 * who waits as the same objects while they are equal (views.ts), so identity says it; the overlays'
 * contents are Ink's (its frames come on their own), only their places matter here.
 */
function sameChrome(a: WorkspaceView, b: WorkspaceView): boolean {
  if (a.panes.length !== b.panes.length || a.panes.some((p, i) => p !== b.panes[i])) return false;
  return (
    a.mode === b.mode &&
    a.message === b.message &&
    a.focus === b.focus &&
    a.zoomed === b.zoomed &&
    a.count === b.count &&
    a.clients === b.clients &&
    a.totals === b.totals &&
    a.waiting === b.waiting &&
    a.alerts === b.alerts &&
    a.tooSmall?.cols === b.tooSmall?.cols &&
    a.tooSmall?.rows === b.tooSmall?.rows &&
    sameRects(overlayRects(a), overlayRects(b))
  );
}

function sameRects(a: Rect[], b: Rect[]): boolean {
  return a.length === b.length && a.every((r, i) => r.x === b[i].x && r.y === b[i].y && r.width === b[i].width && r.height === b[i].height);
}

export class Chrome {
  grid: Grid;
  private view: WorkspaceView | undefined;
  /** Ink's frames as cells; only its overlays' rectangles are used. */
  private readonly ink: ChromeScreen;

  constructor(
    cols: number,
    rows: number,
    private readonly look: ChromeLook,
    private readonly onUpdate: () => void,
  ) {
    this.grid = new Grid(cols, rows);
    this.ink = new ChromeScreen(cols, rows, () => this.compose());
  }

  /**
   * The workspace published: paint it (at the view's size) and lay the overlays Ink last drew over
   * it. A publish that changed nothing the chrome shows (most of them: a pane's output, its cursor)
   * changes nothing here: a new chrome makes the renderer redraw every pane whole.
   */
  setView(view: WorkspaceView): void {
    const last = this.view;
    this.view = view;
    if (view.cols !== this.grid.width || view.rows !== this.grid.height) {
      this.grid = new Grid(view.cols, view.rows);
      this.ink.resize(view.cols, view.rows);
    } else if (last && sameChrome(last, view)) return;
    this.compose();
  }

  /** The view painted last. */
  get shows(): WorkspaceView | undefined {
    return this.view;
  }

  /** One whole frame of Ink's output (lines separated by \n). */
  setInkFrame(frame: string): void {
    this.ink.setFrame(frame);
  }

  private compose(): void {
    const view = this.view;
    if (!view) return;
    paintChrome(this.grid, view, this.look);
    for (const r of overlayRects(view)) {
      this.grid.copyRect(this.ink.grid, r);
      this.grid.mendEdges(r);
    }
    this.onUpdate();
  }

  dispose(): void {
    this.ink.dispose();
  }
}
