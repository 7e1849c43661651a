import type { Grid, Rect } from '../render/grid.js';
import type { PaneSurface } from '../render/renderer.js';
import type { Pane } from '../workspace/pane.js';

/**
 * A visible pane as one frame's scene gives it to the renderer. A class, not an object literal with
 * a getter and a closure: a literal's getter is defined at run time for each object (V8's runtime,
 * ~1.5% of the workspace's main thread in a `perf` profile of bench row 2b, 30 frames a second).
 */
export class Surface implements PaneSurface {
  constructor(
    private readonly pane: Pick<Pane, 'dirty' | 'paint'>,
    readonly inner: Rect,
    readonly focused: boolean,
  ) {}

  get dirty(): boolean {
    return this.pane.dirty;
  }

  paint(grid: Grid, rect: Rect, skip: ((x: number, y: number) => boolean) | undefined, fresh: boolean): void {
    this.pane.paint(grid, rect, skip, fresh);
  }
}
