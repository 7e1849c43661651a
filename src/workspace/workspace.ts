/**
 * The workspace: panes, focus, layout, modes and dialogs, as a single-writer state machine. No React
 * and no I/O of its own beyond the panes' ptys.
 *
 * Everything that changes its state enters through `dispatch(input)` (events.ts): keys, commands,
 * agent reports, process starts and exits, screen readings, timers and the outcomes of its own
 * asynchronous steps (control.ts, delivery.ts), which report back through dispatch too. A dispatch
 * changes the state (core.ts) and publishes once, at its end; typed domain events go out to whoever
 * subscribed (the session store, the shared context, the renderer).
 *
 * Invariants:
 * - the state is written only inside `dispatch`; readers get plain views (`getView`) or read-only
 *   accessors;
 * - one publish per dispatched input, except screen readings, which publish within
 *   READING_PUBLISH_MS (statuses of many panes change together: one redraw covers them all);
 * - views are rebuilt on every publish, but a PaneView object is reused while its content is equal,
 *   so a UI reading one pane's slice re-renders only when that pane changed.
 */
import { EventEmitter } from 'node:events';
import { buildKeymap, type Keymap } from '../config/keymap.js';
import type { Rect } from '../render/grid.js';
import type { WorkspaceMessage } from '../ipc/protocol.js';
import type { BoardAnswer, BoardRequest } from '../tasks/requests.js';
import { runCommand } from './commands.js';
import { AgentControl } from './control.js';
import { Core } from './core.js';
import { Deliveries, type DeliveryResult } from './delivery.js';
import type { DomainEvents, WorkspaceInput } from './events.js';
import { routeKey, type KeyHost } from './keys.js';
import { keyHostOf, type Inside } from './host.js';
import type { LayoutMode } from './layout.js';
import { ActivityMonitor } from './monitor.js';
import { Pane } from './pane.js';
import { Reports } from './reports.js';
import { DEFAULT_TASK_SETTINGS, TaskDesk } from './tasks.js';
import type { Claim } from '../tasks/claims.js';
import { BoardInputs } from './board-inputs.js';
import { PaneWorktrees } from './worktrees.js';
import type { PaneSpec } from './presets.js';
import type { SteerResult } from './steering.js';
import type { ContextView, Dialog, Mode, PaneView, WorkspaceOptions, WorkspaceView } from './types.js';
import { likelyWriter, workspaceView } from './views.js';

export { likelyWriter };
export type { Mode, PickerOption, Dialog, DialogView, ContextView, ContextPort, PaneView, UsageTotals, WorkspaceView, WorkspaceOptions, TaskView, BoardView } from './types.js';

const EMPTY_CONTEXT: ContextView = { lines: [], notes: [], pending: {}, conflicts: {} };
const READING_PUBLISH_MS = 50;

export class Workspace extends EventEmitter<DomainEvents> {
  readonly monitor: ActivityMonitor;
  private readonly core: Core;
  private readonly control: AgentControl;
  private readonly deliveries: Deliveries;
  private readonly keymap: Keymap;
  private readonly host: KeyHost;
  private depth = 0;
  /** A reading changed what the chrome shows; published within READING_PUBLISH_MS. */
  private readingsPending = false;
  private timer: NodeJS.Timeout | undefined;
  private view!: WorkspaceView;
  private paneViews = new Map<number, PaneView>();
  /** Panes closed whose programs are still stopping: their last reports are still stored. */
  private closing = new Map<number, Pane>();
  private nextId = 1;
  private firstInstructions: Record<string, string>;
  private readonly reports: Reports;
  /** The task board, its questions and budgets. */
  readonly desk: TaskDesk;
  /** Agents in git worktrees of their own. */
  readonly worktrees: PaneWorktrees;
  private readonly boardInputs: BoardInputs;

  constructor(private opts: WorkspaceOptions) {
    super();
    // Every UI slice subscribes on its own; dozens of listeners are expected.
    this.setMaxListeners(0);
    this.core = new Core(opts);
    this.keymap = opts.keymap ?? buildKeymap().keymap!;
    this.firstInstructions = { ...opts.firstInstructions };
    this.monitor = new ActivityMonitor((p, reading) => this.dispatch({ t: 'reading', pane: p.id, reading }));
    const dispatch = (input: WorkspaceInput) => this.dispatch(input);
    const core = this.core;
    this.control = new AgentControl({
      get panes() {
        return core.panes;
      },
      get focused() {
        return core.focused;
      },
      monitor: this.monitor,
      dispatch,
      sendToAgent: (id, m) => this.sendToAgent(id, m),
    });
    this.deliveries = new Deliveries({
      monitor: this.monitor,
      instruct: (p, text, interrupt) => this.control.instruct(p, text, interrupt),
      postNote: (author, text) => opts.context?.postNote(author, text),
    });
    this.desk = new TaskDesk(
      {
        panes: () => core.panes,
        changed: (task, from, by) => {
          this.emit('task', { task: { ...task }, from, by });
          this.boardInputs.shareClaims();
        },
        alert: (text, pane) => this.alert(text, pane),
        tell: (to, text) => opts.context?.tell?.(to, 'the task board', text),
        spawn: (req) => this.spawn(req),
        pause: (p, why) => this.pause(p, why),
        interrupt: (p) => void this.control.stop(p),
        touch: () => core.touch(),
      },
      { ...DEFAULT_TASK_SETTINGS, ...opts.tasks?.settings },
      opts.tasks?.restored,
    );
    this.boardInputs = new BoardInputs({ core, desk: this.desk, sendToAgent: (id, m) => this.sendToAgent(id, m), pause: (p, why) => this.pause(p, why), checkWrite: opts.checkWrite });
    this.reports = new Reports({
      core,
      monitor: this.monitor,
      desk: this.desk,
      limits: opts.tasks?.breakers ?? { errorsInARow: 3, sameToolErrors: 3 },
      sendToAgent: (id, m) => this.sendToAgent(id, m),
      agentEvent: (e) => this.emit('agent', e),
      attention: (p) => this.emit('attention', p),
      conversation: (p) => this.emit('conversation', p),
      readingsChanged: () => (this.readingsPending = true),
      pause: (p, why) => this.pause(p, why),
      connected: (p) => this.boardInputs.connected(p),
      closing: (id) => this.closing.get(id),
      takeFirstInstruction: (name) => {
        const first = this.firstInstructions[name];
        delete this.firstInstructions[name];
        return first;
      },
    });
    this.worktrees = new PaneWorktrees({ core, desk: this.desk, port: opts.worktrees, context: opts.context, dispatch });
    this.on('agent', (e) => this.worktrees.agentEvent(e));
    this.host = keyHostOf(this.inside());
    for (const spec of opts.specs) core.panes.push(this.createPane(spec));
    core.relayout();
    opts.context?.subscribe(() => this.dispatch({ t: 'context' }));
    this.publish();
  }

  /** Starts every pane's program, each at its pane's real size (a resize right after start makes full-screen programs draw twice). */
  start(): void {
    for (const p of this.core.panes) {
      p.terminal.applyResize();
      if (!this.worktrees.hold(p)) p.start();
    }
  }

  // ---- reading ---------------------------------------------------------------------------------

  get panes(): readonly Pane[] {
    return this.core.panes;
  }
  get focused(): Pane | undefined {
    return this.core.focused;
  }
  get mode(): Mode {
    return this.core.mode;
  }
  get dialog(): Dialog | undefined {
    return this.core.dialog;
  }
  get zoomed(): boolean {
    return this.core.zoomed;
  }
  get layout(): LayoutMode {
    return this.core.layout;
  }
  get contextRect(): Rect | undefined {
    return this.core.contextRect;
  }
  visible(): Array<{ pane: Pane; rect: Rect; inner: Rect }> {
    return this.core.visible();
  }
  getView = (): WorkspaceView => this.view;

  // ---- the one way in --------------------------------------------------------------------------

  dispatch(input: WorkspaceInput): void {
    this.depth++;
    try {
      this.handle(input);
    } finally {
      if (--this.depth === 0) this.settle();
    }
  }

  private settle(): void {
    const { core } = this;
    if (core.quitting) return;
    if (core.changed) this.publish();
    else if (this.readingsPending && !this.timer) this.timer = setTimeout(() => this.dispatch({ t: 'tick' }), READING_PUBLISH_MS);
  }

  private handle(input: WorkspaceInput): void {
    const { core } = this;
    switch (input.t) {
      case 'key':
        return routeKey(this.host, input.ev);
      case 'command':
        return runCommand(this.host, input.command);
      case 'resize':
        return core.resize(input.cols, input.rows);
      case 'agent':
        return this.reports.agent(input.pane, input.message);
      case 'hook':
        return this.reports.hook(input.pane, input.event);
      case 'process':
        return this.reports.process(input.pane, input.state);
      case 'reading':
        return this.reports.reading(input.pane, input.reading);
      case 'context':
        return core.touch();
      case 'notice': {
        const p = core.pane(input.pane);
        if (p) p.notice = input.notice;
        return core.touch();
      }
      case 'say':
        return core.say(input.text);
      case 'turn-started':
        return this.reports.hadTurn(core.pane(input.pane));
      case 'add-pane':
        return void this.addPane(input.spec);
      case 'new-pane':
        return this.newPane(input.preset, input.worktree);
      case 'close-pane':
        return void this.closePane(input.pane);
      case 'layout':
        return core.setLayout(input.layout);
      case 'clients':
        core.clients = input.count;
        return core.touch();
      case 'tick':
        return this.tick();
      case 'quit':
        return this.quit();
      case 'board':
      case 'task-started':
      case 'task-undelivered':
      case 'task-checked':
      case 'answer':
      case 'workflow':
      case 'pause-agent':
      case 'resume-agent':
        return this.boardInputs.handle(input);
      case 'worktree':
        return this.worktrees.handle(input.outcome);
    }
  }

  private alert(text: string, pane?: Pane): void {
    this.core.say(`⚑ ${text}`);
    this.emit('alert', { text, pane });
  }

  /** Stops an agent's work and keeps new work from it until the person lets it go on. */
  private pause(p: Pane, why: string): void {
    if (p.paused) return;
    p.paused = why;
    this.alert(`${why}: ${p.name} is paused`, p);
    void this.control.stop(p);
    this.core.touch();
  }

  private spawn(req: { preset: string; name: string; role?: string; instructions?: string; worktree?: boolean }): Pane | string {
    const made = this.opts.makeSpec?.(req.preset);
    if (made === undefined) return 'new panes cannot be opened here';
    if (typeof made === 'string') return made;
    const spec = {
      ...made,
      name: req.name,
      title: req.name,
      role: req.role,
      spawned: true,
      ...(req.instructions && made.kind === 'builtin' ? { instructions: req.instructions } : {}),
      ...(req.worktree ? { worktree: { name: req.name } } : {}),
    };
    return this.addPane(spec);
  }

  private tick(): void {
    const { core } = this;
    this.timer = undefined;
    if (this.readingsPending) core.touch();
    if (core.message && Date.now() >= core.message.until) core.say(undefined);
  }

  /** The workspace's own steps, for the handler modules (kept off the public surface). */
  private inside(): Inside {
    return {
      core: this.core,
      opts: this.opts,
      keymap: this.keymap,
      control: this.control,
      desk: this.desk,
      worktrees: this.worktrees,
      resumeAgent: (name) => {
        const p = this.core.panes.find((x) => x.name === name);
        if (p) p.paused = undefined;
        this.core.touch();
      },
      emit: (event) => this.emit(event),
      quit: () => this.quit(),
      newPane: (preset, worktree) => this.newPane(preset, worktree),
      closePane: (id) => this.closePane(id),
    };
  }

  private createPane(spec: PaneSpec): Pane {
    // Start at the size the pane will have, so the program's first screen is drawn for it.
    const size = { cols: Math.max(1, Math.floor(this.core.cols / 2) - 2), rows: Math.max(1, this.core.rows - 3) };
    return new Pane(
      this.nextId++,
      this.worktrees.specFor(spec),
      size,
      this.opts.scrollback ?? 5000,
      {
        onDirty: (p) => {
          this.emit('dirty', p);
          this.monitor.output(p);
        },
        onProcess: (p, state) => this.dispatch({ t: 'process', pane: p.id, state }),
        agentEnv: (p) => this.opts.agents?.env(p.id) ?? {},
        external: (p) => this.opts.external?.(p.spec) ?? { env: {}, args: [] },
      },
      this.opts.spawn,
    );
  }

  private addPane(spec: PaneSpec): Pane {
    const { core } = this;
    let name = spec.name;
    for (let n = 2; core.panes.some((p) => p.name === name); n++) name = `${spec.name}-${n}`;
    const pane = this.createPane({ ...spec, name });
    core.panes.push(pane);
    core.focus = core.panes.length - 1;
    core.zoomed = false;
    core.relayout();
    pane.terminal.applyResize();
    if (!this.worktrees.hold(pane)) pane.start();
    this.emit('pane-added', pane);
    return pane;
  }

  private newPane(preset: string, worktree = false): void {
    const made = this.opts.makeSpec?.(preset);
    if (made === undefined) return this.core.say('cannot create panes here');
    if (typeof made === 'string') return this.core.say(made);
    // Named as the pane will be (addPane makes the name unique): the worktree takes the pane's name.
    this.addPane(worktree ? { ...made, worktree: { name: made.name } } : made);
  }

  private async closePane(id: number): Promise<void> {
    const { core } = this;
    const i = core.indexOf(id);
    if (i < 0) return;
    const [pane] = core.panes.splice(i, 1);
    this.paneViews.delete(id);
    this.monitor.forget(pane);
    if (core.focus >= core.panes.length) core.focus = Math.max(0, core.panes.length - 1);
    if (core.panes.length === 0) core.zoomed = false;
    core.relayout();
    this.emit('pane-closed', pane);
    this.closing.set(id, pane);
    const stopped = pane.terminal.kill();
    // Its worktree goes once nothing runs in it any more, and only if that loses nothing.
    this.worktrees.closed(pane, stopped);
    await stopped;
    this.closing.delete(id);
    pane.dispose();
    if (core.panes.length === 0) this.quit();
  }

  private quit(): void {
    if (this.core.quitting) return;
    this.core.quitting = true;
    this.emit('quit');
  }

  // ---- views -----------------------------------------------------------------------------------

  private publish(): void {
    const { core } = this;
    core.changed = false;
    this.readingsPending = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.view = workspaceView(core, this.desk, { context: this.opts.context?.view() ?? EMPTY_CONTEXT, simulated: this.opts.simulated, reuse: this.paneViews, previous: this.view });
    // A message fades: look again when it is due to go.
    if (core.message) this.timer = setTimeout(() => this.dispatch({ t: 'tick' }), Math.max(0, core.message.until - Date.now()));
    this.emit('change');
  }

  // ---- asynchronous steps (their state changes come back through dispatch) ----------------------

  /** To a built-in agent over IPC; false when it is not connected. */
  sendToAgent(paneId: number, m: WorkspaceMessage): boolean {
    return this.opts.agents?.send(paneId, m) ?? false;
  }

  /** Interrupts the focused pane (or all) and reports, per pane, whether it stopped. */
  interrupt(all = false): Promise<void> {
    return this.control.interrupt(all);
  }

  /** Interrupts and sends a new instruction to the focused agent or all. */
  redirect(target: 'focused' | 'all', text: string): Promise<void> {
    return this.control.redirect(target, text);
  }

  /** Gives one pane a new instruction, interrupting its current work or not. */
  instruct(p: Pane, text: string, interrupt: boolean): Promise<SteerResult> {
    return this.control.instruct(p, text, interrupt);
  }

  /** Whether `agent` may write `paths` (a CLI's pre-tool hook asks): undefined, or the refusal (board-inputs.ts). */
  checkWrite(agent: string, paths: readonly string[]): string | undefined {
    return this.boardInputs.checkWrite(agent, paths);
  }

  /** The claim `path` falls under for someone other than `writer` (the change feed marks such writes). */
  claimOn(path: string, writer: string | undefined): Claim | undefined {
    return this.boardInputs.claimOn(path, writer);
  }

  /** A board request (from a tool, the board's keys or the command line); resolves with its answer. */
  board(by: string, request: BoardRequest): Promise<BoardAnswer> {
    return new Promise((reply) => this.dispatch({ t: 'board', by, request, reply }));
  }

  /** Hands `text` to `p` once it is idle (the person's own redirects do not wait behind it). */
  deliver(p: Pane, from: string, text: string): Promise<DeliveryResult> {
    return this.deliveries.enqueue(p, from, text);
  }

  /** One agent's message to another: delivered as its next instruction once it is idle (delivery.ts). */
  sendMessage(from: string, to: string, text: string): Promise<DeliveryResult> {
    const p = this.core.panes.find((x) => x.name === to);
    if (!p) return Promise.resolve({ ok: false, detail: `there is no agent named ${to}` });
    return this.deliveries.send(p, from, `Message from ${from}, another agent in this workspace: ${text}`);
  }

  /** Stops every pane's processes (TERM, then KILL after the grace period) and frees the emulators. */
  async shutdown(graceMs?: number): Promise<void> {
    this.core.quitting = true;
    this.monitor.dispose();
    clearTimeout(this.timer);
    await Promise.all(this.core.panes.map((p) => p.terminal.kill(graceMs)));
    for (const p of this.core.panes) p.dispose();
  }

  /** Synchronous KILL of everything: the crash path. */
  killAllNow(): void {
    for (const p of this.core.panes) p.terminal.killNow();
  }
}
