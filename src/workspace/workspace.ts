/**
 * The workspace core: panes, focus, layout, modes and dialogs. No React and no I/O of its own
 * beyond the panes' ptys. Commands come in as data (`run(name)`, `handleKey(ev)`); changes go out
 * as a new immutable `WorkspaceView` (for the chrome) and `dirty` notifications (for pane contents).
 *
 * Invariants:
 * - `focus` indexes `panes` whenever there is at least one pane.
 * - mode is 'dialog' exactly when `dialog` is set; 'scroll' only for the focused pane.
 * - a pane's pty and emulator are sized to its interior rectangle (debounced by the terminal).
 * - views are rebuilt on every publish, but a PaneView object is reused while its content is equal,
 *   so a UI reading one pane's slice re-renders only when that pane changed.
 */
import { EventEmitter } from 'node:events';
import type { Rect } from '../render/grid.js';
import { computeLayout, fits, interior, MIN_PANE, neighbour, type Direction, type LayoutMode } from './layout.js';
import { Pane } from './pane.js';
import type { AgentMessage, WorkspaceMessage } from '../ipc/protocol.js';
import type { PaneSpec } from './presets.js';
import { ActivityMonitor } from './monitor.js';
import { likelyWriter, paneViewOf, samePaneView, usageTotals } from './views.js';
import type { SteerResult } from './steering.js';
import { AgentControl } from './control.js';
import type { ContextView, Dialog, Mode, PaneView, WorkspaceOptions, WorkspaceView } from './types.js';

export { likelyWriter };
export type { Mode, PickerOption, Dialog, ContextView, ContextPort, PaneView, UsageTotals, WorkspaceView, WorkspaceOptions } from './types.js';

const EMPTY_CONTEXT: ContextView = { lines: [], notes: [], pending: {}, conflicts: {} };

const STATUS_ROWS = 1;
const ACTIVITY_PUBLISH_MS = 50;


export class Workspace extends EventEmitter<{ change: []; dirty: [Pane]; quit: []; attention: [Pane]; activity: [Pane]; conversation: [Pane] }> {
  panes: Pane[] = [];
  focus = 0;
  mode: Mode = 'normal';
  dialog: Dialog | undefined;
  zoomed = false;
  layout: LayoutMode;
  cols: number;
  rows: number;
  message: string | undefined;
  contextOpen = false;
  /** How many of the newest feed entries the context panel has scrolled past. */
  contextScroll = 0;
  /** Every pane's busy / waiting / idle, read from screens or reported; raises attention. */
  readonly monitor = new ActivityMonitor({
    changed: (p) => {
      if (p.activity?.state === 'busy' && p.activity.source === 'screen') this.control.hadTurn(p);
      this.emit('activity', p);
      this.publishSoon();
    },
    attention: (p) => this.emit('attention', p),
  });
  private readonly control = new AgentControl(this);
  private publishTimer: NodeJS.Timeout | undefined;
  private rects: Rect[] = [];
  private nextId = 1;
  private view!: WorkspaceView;
  private paneViews = new Map<number, PaneView>();
  private quitting = false;

  constructor(private opts: WorkspaceOptions) {
    super();
    // Every UI slice subscribes on its own; dozens of listeners are expected.
    this.setMaxListeners(0);
    this.layout = opts.layout;
    this.cols = opts.cols;
    this.rows = opts.rows;
    for (const spec of opts.specs) this.panes.push(this.createPane(spec));
    this.relayout();
    // Each program starts at its pane's real size: a resize right after start makes full-screen
    // programs (and Ink) draw twice, and the emulator's reflow of their first frame leaves residue.
    for (const p of this.panes) {
      p.terminal.applyResize();
      p.start();
    }
    opts.context?.subscribe(() => this.publish());
    this.publish();
  }

  private createPane(spec: PaneSpec): Pane {
    // Start at the size the pane will have, so the program's first screen is drawn for it.
    const size = { cols: Math.max(1, Math.floor(this.cols / 2) - 2), rows: Math.max(1, this.rows - 3) };
    return new Pane(
      this.nextId++,
      spec,
      size,
      this.opts.scrollback ?? 5000,
      {
        onDirty: (p) => {
          this.emit('dirty', p);
          this.monitor.output(p);
        },
        onStatus: (p) => {
          if (!p.running) p.agent = undefined;
          this.monitor.processChanged(p);
          this.publish();
        },
        agentEnv: (p) => this.opts.agents?.env(p.id) ?? {},
        external: (p) => this.opts.external?.(p.spec) ?? { env: {}, args: [] },
      },
      this.opts.spawn,
    );
  }

  get focused(): Pane | undefined {
    return this.panes[this.focus];
  }

  /** The context panel takes a column on the right while it is open. */
  get contextRect(): Rect | undefined {
    if (!this.contextOpen) return undefined;
    const width = Math.min(60, Math.max(30, Math.floor(this.cols * 0.3)));
    return { x: this.cols - width, y: 0, width, height: Math.max(0, this.rows - STATUS_ROWS) };
  }

  get paneArea(): Rect {
    const panel = this.contextRect;
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

  private tooSmall(): { cols: number; rows: number } | undefined {
    const n = this.zoomed ? 1 : this.panes.length;
    if (n === 0 || fits(this.zoomed ? [this.paneArea] : this.rects)) return undefined;
    const across = this.layout === 'rows' ? 1 : this.layout === 'columns' ? n : Math.ceil(Math.sqrt(n));
    const down = this.layout === 'columns' ? 1 : this.layout === 'rows' ? n : Math.ceil(n / across);
    return { cols: across * MIN_PANE.width, rows: down * MIN_PANE.height + STATUS_ROWS };
  }

  private relayout(): void {
    this.rects = computeLayout(this.panes.length, this.layout, this.paneArea);
    for (const { pane, inner } of this.visible()) pane.terminal.resize(inner.width, inner.height);
  }

  resize(cols: number, rows: number): void {
    this.cols = cols;
    this.rows = rows;
    this.relayout();
    this.publish();
  }

  // ---- views -------------------------------------------------------------------------------

  getView = (): WorkspaceView => this.view;

  /**
   * Publishes within ACTIVITY_PUBLISH_MS: statuses of many panes change together (a broadcast, a
   * flood starting everywhere), and each publish redraws the chrome; one redraw covers them all.
   */
  private publishSoon(): void {
    if (this.quitting) return;
    this.publishTimer ??= setTimeout(() => {
      this.publishTimer = undefined;
      this.publish();
    }, ACTIVITY_PUBLISH_MS);
  }

  publish(): void {
    clearTimeout(this.publishTimer);
    this.publishTimer = undefined;
    const visible = this.visible();
    const focusedId = this.focused?.id;
    const ctx = this.opts.context?.view() ?? EMPTY_CONTEXT;
    const panes = visible.map(({ pane, rect }) => {
      const next = paneViewOf(pane, { number: this.panes.indexOf(pane) + 1, rect, focused: pane.id === focusedId, scrolling: this.mode === 'scroll', ctx });
      const prev = this.paneViews.get(pane.id);
      if (prev && samePaneView(prev, next)) return prev;
      this.paneViews.set(pane.id, next);
      return next;
    });
    this.view = {
      cols: this.cols,
      rows: this.rows,
      layout: this.layout,
      mode: this.mode,
      dialog: this.dialog,
      panes,
      focusedId,
      zoomed: this.zoomed,
      tooSmall: this.tooSmall(),
      message: this.message,
      totals: usageTotals(this.panes),
      waiting: this.panes.flatMap((p, i) => (p.activity?.state === 'waiting' ? [{ number: i + 1, name: p.name }] : [])),
      context: this.contextRect ? { ...ctx, rect: this.contextRect, scroll: this.contextScroll } : undefined,
    };
    this.emit('change');
  }



  /** A report from a built-in agent over IPC. */
  agentMessage(paneId: number, m: AgentMessage): void {
    const pane = this.panes.find((p) => p.id === paneId);
    if (pane && this.control.agentMessage(pane, m)) this.publish();
  }


  // ---- commands ----------------------------------------------------------------------------

  focusIndex(i: number): void {
    if (i < 0 || i >= this.panes.length) {
      this.say(`no pane ${i + 1}`);
      return;
    }
    this.leaveScroll();
    this.focus = i;
    // Zoom follows focus, as in tmux: the newly focused pane is the one shown.
    if (this.zoomed) this.relayout();
    this.publish();
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
    this.publish();
  }

  setLayout(layout: LayoutMode): void {
    this.layout = layout;
    this.relayout();
    this.publish();
  }

  /** To a built-in agent over IPC; false when it is not connected. */
  sendToAgent(paneId: number, m: WorkspaceMessage): boolean {
    return this.opts.agents?.send(paneId, m) ?? false;
  }

  conversationStarted(p: Pane): void {
    this.emit('conversation', p);
  }

  /** Interrupts the focused pane (or all) and reports, per pane, whether it stopped. */
  interrupt(all = false): Promise<void> {
    return this.control.interrupt(all);
  }

  async restartFocused(): Promise<void> {
    const pane = this.focused;
    if (!pane || !pane.spec.command) return this.say('this pane has nothing to restart');
    await this.control.restart(pane);
  }

  addPane(spec: PaneSpec): Pane {
    let name = spec.name;
    for (let n = 2; this.panes.some((p) => p.name === name); n++) name = `${spec.name}-${n}`;
    const pane = this.createPane({ ...spec, name });
    this.panes.push(pane);
    this.focus = this.panes.length - 1;
    this.zoomed = false;
    this.relayout();
    pane.terminal.applyResize();
    pane.start();
    this.publish();
    return pane;
  }

  async closePane(id: number): Promise<void> {
    const i = this.panes.findIndex((p) => p.id === id);
    if (i < 0) return;
    const [pane] = this.panes.splice(i, 1);
    this.paneViews.delete(id);
    this.monitor.forget(pane);
    if (this.focus >= this.panes.length) this.focus = Math.max(0, this.panes.length - 1);
    if (this.panes.length === 0) this.zoomed = false;
    this.relayout();
    this.publish();
    await pane.terminal.kill();
    pane.dispose();
    if (this.panes.length === 0) this.emit('quit');
  }

  enterScroll(): void {
    const p = this.focused;
    if (!p) return;
    if (p.scrollMax === 0) return this.say('no scrollback in this pane');
    this.mode = 'scroll';
    this.publish();
  }

  scroll(by: number | 'top' | 'bottom'): void {
    const p = this.focused;
    if (!p || this.mode !== 'scroll') return;
    if (typeof by === 'number') p.scrollBy(by);
    else p.scrollTo(by);
    this.emit('dirty', p);
    this.publish();
  }

  leaveScroll(): void {
    if (this.mode !== 'scroll') return;
    const p = this.focused;
    if (p) {
      p.scrollTo('bottom');
      this.emit('dirty', p);
    }
    this.mode = 'normal';
  }

  openDialog(d: Dialog): void {
    this.leaveScroll();
    this.dialog = d;
    this.mode = 'dialog';
    this.publish();
  }

  closeDialog(): void {
    this.dialog = undefined;
    this.mode = 'normal';
    this.publish();
  }

  /** Focuses the agent that has waited longest for the person. */
  nextWaiting(): void {
    const id = this.monitor.longestWaiting();
    const i = id === undefined ? -1 : this.panes.findIndex((p) => p.id === id);
    if (i < 0) return this.say('no agent is waiting for you');
    if (this.zoomed && this.focus !== i) this.zoomed = false;
    this.focusIndex(i);
  }

  /** Moves the context panel's feed by `by` entries (positive: older); 0 is the newest at the top. */
  scrollContext(by: number): void {
    if (!this.contextOpen) return this.say('the shared-context panel is closed');
    const total = this.opts.context?.view().lines.length ?? 0;
    this.contextScroll = Math.max(0, Math.min(Math.max(0, total - 1), this.contextScroll + by));
    this.publish();
  }

  toggleContext(): void {
    if (!this.opts.context) return this.say('the shared context is not available');
    this.contextScroll = 0;
    this.contextOpen = !this.contextOpen;
    this.relayout();
    this.publish();
  }

  postNote(text: string): void {
    if (!this.opts.context) return this.say('the shared context is not available');
    this.opts.context.postNote('you', text);
    this.say('note posted');
  }

  openPrompt(target: 'focused' | 'all' | 'note'): void {
    if (target === 'focused' && !this.focused?.running) return this.say('the focused pane is not running');
    this.openDialog({ kind: 'prompt', target, text: '', cursor: 0 });
  }

  /** Interrupts and sends a new instruction to the focused agent or all; or posts a note. */
  redirect(target: 'focused' | 'all' | 'note', text: string): Promise<void> {
    if (target === 'note') return Promise.resolve(this.postNote(text));
    return this.control.redirect(target, text);
  }

  /** Gives one pane a new instruction, interrupting its current work or not. */
  instruct(p: Pane, text: string, interrupt: boolean): Promise<SteerResult> {
    return this.control.instruct(p, text, interrupt);
  }

  requestQuit(): void {
    const busy = this.panes.filter((p) => p.running);
    if (busy.length === 0) return this.quit();
    const names = busy.map((p) => p.name).join(', ');
    this.openDialog({ kind: 'confirm', action: 'quit', text: `Quit? ${busy.length} still running (${names}) will be stopped.` });
  }

  requestClose(): void {
    const p = this.focused;
    if (!p) return;
    this.openDialog({ kind: 'confirm', action: 'close', paneId: p.id, text: `Close pane ${this.focus + 1} (${p.name})${p.running ? ' and stop it' : ''}?` });
  }

  openPicker(): void {
    const options = this.opts.presets ?? [];
    if (options.length === 0) return this.say('no presets to choose from');
    this.openDialog({ kind: 'picker', options, selected: 0 });
  }

  newFromPreset(preset: string): void {
    const made = this.opts.makeSpec?.(preset);
    if (made === undefined) return this.say('cannot create panes here');
    if (typeof made === 'string') return this.say(made);
    this.addPane(made);
  }

  quit(): void {
    if (this.quitting) return;
    this.quitting = true;
    this.emit('quit');
  }

  say(message: string | undefined): void {
    this.message = message;
    this.publish();
  }

  /** Stops every pane's processes (TERM, then KILL after the grace period) and frees the emulators. */
  async shutdown(graceMs?: number): Promise<void> {
    this.quitting = true;
    this.monitor.dispose();
    clearTimeout(this.publishTimer);
    await Promise.all(this.panes.map((p) => p.terminal.kill(graceMs)));
    for (const p of this.panes) p.dispose();
  }

  /** Synchronous KILL of everything: the crash path. */
  killAllNow(): void {
    for (const p of this.panes) p.terminal.killNow();
  }
}
