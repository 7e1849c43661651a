/**
 * The workspace's state and the primitive changes to it. Only the Workspace holds a Core, and it
 * touches it only while handling a dispatched input, so every change is made by one writer and
 * published once (the Workspace publishes when `changed` is set at the end of a dispatch).
 *
 * Invariants:
 * - `focus` indexes `panes` whenever there is at least one pane;
 * - mode is 'dialog' exactly when `dialog` is set; 'scroll' only for the focused pane;
 * - a pane's pty and emulator are sized to its interior rectangle (debounced by the terminal);
 * - the prompt's text lives in `editor` only (the dialog says what the prompt is for).
 */
import type { Rect } from '../render/grid.js';
import { Editor } from '../terminal/line-editor.js';
import { computeLayout, fits, interior, MIN_PANE, neighbour, type Direction, type LayoutMode } from './layout.js';
import type { Pane } from './pane.js';
import type { Dialog, Mode, PromptTarget } from './types.js';

export const STATUS_ROWS = 1;
/** How long a status-bar message stays: long enough to read, then the hints come back. */
export const MESSAGE_MS = 6000;

export class Core {
  panes: Pane[] = [];
  focus = 0;
  mode: Mode = 'normal';
  /** The mode a prefix key came from, to go back to after the command. */
  prefixFrom: 'normal' | 'scroll' | 'board' = 'normal';
  dialog: Dialog | undefined;
  /** The prompt bar's editor; kept between prompts so Up recalls earlier instructions. */
  readonly editor = new Editor();
  zoomed = false;
  layout: LayoutMode;
  cols: number;
  rows: number;
  message: { text: string; until: number } | undefined;
  contextOpen = false;
  /** The task board beside the panes (it takes the context panel's place while open). */
  boardOpen = false;
  /** The selected task's position on the board. */
  boardSel = 0;
  /** The mode a dialog returns to when it closes. */
  private afterDialog: 'normal' | 'board' = 'normal';
  /** How many of the newest feed entries the context panel has scrolled past. */
  contextScroll = 0;
  rects: Rect[] = [];
  /** Terminals attached (1 in a workspace of its own terminal). */
  clients = 1;
  /** Set by every change; the Workspace publishes and clears it at the end of the dispatch. */
  changed = false;
  quitting = false;

  constructor(o: { layout: LayoutMode; cols: number; rows: number }) {
    this.layout = o.layout;
    this.cols = o.cols;
    this.rows = o.rows;
  }

  touch(): void {
    this.changed = true;
  }

  get focused(): Pane | undefined {
    return this.panes[this.focus];
  }

  /** The side panel's column on the right (the context panel or the task board). */
  private get sideRect(): Rect {
    const width = Math.min(this.boardOpen ? 72 : 60, Math.max(30, Math.floor(this.cols * (this.boardOpen ? 0.4 : 0.3))));
    return { x: this.cols - width, y: 0, width, height: Math.max(0, this.rows - STATUS_ROWS) };
  }

  /** The context panel takes a column on the right while it is open. */
  get contextRect(): Rect | undefined {
    return this.contextOpen && !this.boardOpen ? this.sideRect : undefined;
  }

  /** The task board takes that column while it is open. */
  get boardRect(): Rect | undefined {
    return this.boardOpen ? this.sideRect : undefined;
  }

  get paneArea(): Rect {
    const panel = this.contextRect ?? this.boardRect;
    return { x: 0, y: 0, width: this.cols - (panel?.width ?? 0), height: Math.max(0, this.rows - STATUS_ROWS) };
  }

  /** Panes on screen now, with their outer rectangles (only the focused one when zoomed). */
  visible(): Array<{ pane: Pane; rect: Rect; inner: Rect }> {
    if (this.tooSmall()) return [];
    if (this.zoomed && this.focused) {
      const rect = this.paneArea;
      return [{ pane: this.focused, rect, inner: interior(rect) }];
    }
    return this.panes.map((pane, i) => ({ pane, rect: this.rects[i], inner: interior(this.rects[i]) }));
  }

  tooSmall(): { cols: number; rows: number } | undefined {
    const n = this.zoomed ? 1 : this.panes.length;
    if (n === 0 || fits(this.zoomed ? [this.paneArea] : this.rects)) return undefined;
    const across = this.layout === 'rows' ? 1 : this.layout === 'columns' ? n : Math.ceil(Math.sqrt(n));
    const down = this.layout === 'columns' ? 1 : this.layout === 'rows' ? n : Math.ceil(n / across);
    return { cols: across * MIN_PANE.width, rows: down * MIN_PANE.height + STATUS_ROWS };
  }

  relayout(): void {
    this.rects = computeLayout(this.panes.length, this.layout, this.paneArea);
    for (const { pane, inner } of this.visible()) pane.terminal.resize(inner.width, inner.height);
    this.touch();
  }

  say(text: string | undefined, now = Date.now()): void {
    this.message = text ? { text, until: now + MESSAGE_MS } : undefined;
    this.touch();
  }

  focusIndex(i: number): void {
    if (i < 0 || i >= this.panes.length) return this.say(`no pane ${i + 1}`);
    this.leaveScroll();
    this.focus = i;
    // Zoom follows focus, as in tmux: the newly focused pane is the one shown.
    if (this.zoomed) this.relayout();
    this.touch();
  }

  focusNext(step = 1): void {
    if (this.panes.length) this.focusIndex((this.focus + step + this.panes.length) % this.panes.length);
  }

  focusDirection(dir: Direction): void {
    if (this.zoomed) return this.focusNext(dir === 'left' || dir === 'up' ? -1 : 1);
    const n = neighbour(this.rects, this.focus, dir);
    if (n !== undefined) this.focusIndex(n);
  }

  toggleZoom(): void {
    this.zoomed = !this.zoomed && this.panes.length > 0;
    this.relayout();
  }

  setLayout(layout: LayoutMode): void {
    this.layout = layout;
    this.relayout();
  }

  resize(cols: number, rows: number): void {
    this.cols = cols;
    this.rows = rows;
    this.relayout();
  }

  enterScroll(): void {
    const p = this.focused;
    if (!p) return;
    if (p.scrollMax === 0) return this.say('no scrollback in this pane');
    this.mode = 'scroll';
    this.touch();
  }

  scroll(by: number | 'top' | 'bottom'): void {
    const p = this.focused;
    if (!p || this.mode !== 'scroll') return;
    if (typeof by === 'number') p.scrollBy(by);
    else p.scrollTo(by);
    this.touch();
  }

  leaveScroll(): void {
    if (this.mode !== 'scroll') return;
    this.focused?.scrollTo('bottom');
    this.mode = 'normal';
    this.touch();
  }

  openDialog(d: Dialog): void {
    this.leaveScroll();
    // A dialog opened from the board gives the keyboard back to the board when it closes.
    if (this.mode !== 'dialog') this.afterDialog = this.mode === 'board' ? 'board' : 'normal';
    this.dialog = d;
    this.mode = 'dialog';
    this.touch();
  }

  closeDialog(): void {
    this.dialog = undefined;
    this.mode = this.afterDialog === 'board' && this.boardOpen ? 'board' : 'normal';
    this.touch();
  }

  openPrompt(target: PromptTarget, o: { text?: string; task?: string; question?: number; hint?: string; pane?: number } = {}): void {
    if (target === 'focused' && !this.focused?.running) return this.say('the focused pane is not running');
    this.editor.clear();
    if (o.text) this.editor.insert(o.text);
    this.openDialog({ kind: 'prompt', target, task: o.task, question: o.question, hint: o.hint, pane: o.pane });
  }

  /** Opens (and gives the keyboard to) the task board, or closes it. */
  toggleBoard(): void {
    this.boardOpen = !this.boardOpen;
    this.leaveScroll();
    this.mode = this.boardOpen ? 'board' : 'normal';
    this.relayout();
  }

  /** Moves the context panel's feed by `by` entries (positive: older); 0 is the newest at the top. */
  scrollContext(by: number, total: number): void {
    if (!this.contextOpen) return this.say('the shared-context panel is closed');
    this.contextScroll = Math.max(0, Math.min(Math.max(0, total - 1), this.contextScroll + by));
    this.touch();
  }

  /** A pane's place in the list, or -1. */
  indexOf(id: number): number {
    return this.panes.findIndex((p) => p.id === id);
  }

  pane(id: number): Pane | undefined {
    return this.panes.find((p) => p.id === id);
  }
}
