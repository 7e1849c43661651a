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
import { log } from '../util/log.js';
import { AGENT_STATES, nextActivity } from './activity.js';
import { hookState, type HookEvent } from '../hooks/hook-event.js';
import { runCommand } from './commands.js';
import { AgentControl } from './control.js';
import { Core } from './core.js';
import { Deliveries, type DeliveryResult } from './delivery.js';
import type { AgentMessage, DomainEvents, Reading, WorkspaceInput } from './events.js';
import { helpViewport } from './geometry.js';
import { helpLines, helpSections } from './help.js';
import { patternBytes, routeKey, sendToPane, type KeyHost } from './keys.js';
import type { LayoutMode } from './layout.js';
import { ActivityMonitor } from './monitor.js';
import { Pane, toStatus } from './pane.js';
import type { PaneSpec } from './presets.js';
import type { SteerResult } from './steering.js';
import type { ContextView, Dialog, DialogView, Mode, PaneView, WorkspaceOptions, WorkspaceView } from './types.js';
import { likelyWriter, longestWaiting, paneViewOf, samePaneView, usageTotals } from './views.js';

export { likelyWriter };
export type { Mode, PickerOption, Dialog, DialogView, ContextView, ContextPort, PaneView, UsageTotals, WorkspaceView, WorkspaceOptions } from './types.js';

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
  private nextId = 1;
  private waitingSeq = 0;
  private firstInstructions: Record<string, string>;

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
    this.host = this.keyHost();
    for (const spec of opts.specs) core.panes.push(this.createPane(spec));
    core.relayout();
    opts.context?.subscribe(() => this.dispatch({ t: 'context' }));
    this.publish();
  }

  /** Starts every pane's program, each at its pane's real size (a resize right after start makes full-screen programs draw twice). */
  start(): void {
    for (const p of this.core.panes) {
      p.terminal.applyResize();
      p.start();
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
        return this.agentReport(input.pane, input.message);
      case 'hook':
        return this.hookEvent(input.pane, input.event);
      case 'process':
        return this.processState(input.pane, input.state);
      case 'reading':
        return this.reading(input.pane, input.reading);
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
        return this.hadTurn(core.pane(input.pane));
      case 'add-pane':
        return void this.addPane(input.spec);
      case 'new-pane':
        return this.newPane(input.preset);
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
    }
  }

  private tick(): void {
    const { core } = this;
    this.timer = undefined;
    if (this.readingsPending) core.touch();
    if (core.message && Date.now() >= core.message.until) core.say(undefined);
  }

  // ---- handlers --------------------------------------------------------------------------------

  private agentReport(id: number, m: AgentMessage): void {
    const pane = this.core.pane(id);
    if (!pane) return;
    if (m.t === 'hello') {
      pane.connected = true;
      // A new agent is at its prompt until it says otherwise.
      if (!pane.activity) this.reading(id, { state: 'idle', source: 'reported', reason: 'idle' });
      this.core.touch();
    } else if (m.t === 'status') this.reading(id, { state: AGENT_STATES[m.status], source: 'reported', reason: m.status });
    else if (m.t === 'usage') {
      pane.usage = m.usage;
      this.core.touch();
    }
    this.emit('agent', { pane: id, name: pane.name, message: m, reply: (r) => void this.sendToAgent(id, r) });
    // The tour's first instruction goes out once the agent is listening (after any restored conversation).
    const first = this.firstInstructions[pane.name];
    if (m.t === 'hello' && first !== undefined) {
      delete this.firstInstructions[pane.name];
      this.sendToAgent(id, { t: 'redirect', text: first });
    }
  }

  /** A CLI's hook event: from now on in this run, its hooks lead and its screen fills their gaps. */
  private hookEvent(id: number, event: HookEvent): void {
    const pane = this.core.pane(id);
    if (!pane || !pane.running) return;
    pane.hookReported();
    const r = hookState(event);
    if (r) this.reading(id, { ...r, source: 'hook' });
  }

  private processState(id: number, state: Parameters<typeof toStatus>[0]): void {
    const pane = this.core.pane(id);
    if (!pane) return;
    pane.status = toStatus(state, pane.status);
    if (!pane.running) {
      if (pane.activity?.state === 'waiting') pane.leftWaitingAt = Date.now();
      pane.activity = undefined;
      pane.connected = false;
    }
    this.monitor.processChanged(pane);
    this.monitor.changed(pane);
    this.core.touch();
  }

  private reading(id: number, r: Reading): void {
    const pane = this.core.pane(id);
    if (!pane || !pane.running) return;
    const now = Date.now();
    const prev = pane.activity;
    const next = nextActivity(prev, r, now, pane.leftWaitingAt);
    if (prev?.state === 'waiting' && next.activity.state !== 'waiting') pane.leftWaitingAt = now;
    if (prev?.state !== 'waiting' && next.activity.state === 'waiting') pane.waitingSeq = ++this.waitingSeq;
    pane.activity = next.activity;
    if (next.changed) {
      if (r.source !== 'reported' && prev?.state !== r.state) log(`activity ${pane.name}: ${prev?.state ?? '-'} -> ${r.state} (${r.source}: ${r.reason})`);
      // Reported statuses are exact and rare: show them now; screen readings batch.
      if (r.source === 'reported' || r.source === 'hook') this.core.touch();
      else this.readingsPending = true;
    }
    if (r.state === 'busy' && (r.source === 'screen' || r.source === 'hook')) this.hadTurn(pane);
    this.monitor.changed(pane);
    if (next.attention) this.emit('attention', pane);
  }

  /** A CLI with a conversation id of its own now has a conversation behind it (worth resuming). */
  private hadTurn(p: Pane | undefined): void {
    const c = p?.spec.conversation;
    if (!p || !c || c.had) return;
    c.had = true;
    this.emit('conversation', p);
  }

  private createPane(spec: PaneSpec): Pane {
    // Start at the size the pane will have, so the program's first screen is drawn for it.
    const size = { cols: Math.max(1, Math.floor(this.core.cols / 2) - 2), rows: Math.max(1, this.core.rows - 3) };
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
    pane.start();
    this.emit('pane-added', pane);
    return pane;
  }

  private newPane(preset: string): void {
    const made = this.opts.makeSpec?.(preset);
    if (made === undefined) return this.core.say('cannot create panes here');
    if (typeof made === 'string') return this.core.say(made);
    this.addPane(made);
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
    await pane.terminal.kill();
    pane.dispose();
    if (core.panes.length === 0) this.quit();
  }

  private quit(): void {
    if (this.core.quitting) return;
    this.core.quitting = true;
    this.emit('quit');
  }

  /** What commands and keys can do beyond changing state (kept off the public surface). */
  private keyHost(): KeyHost {
    const { core, keymap, opts } = this;
    const host: KeyHost = {
      core,
      keymap,
      typed: () => this.emit('typed'),
      interrupt: (all) => void this.control.interrupt(all),
      restartFocused: () => {
        const p = core.focused;
        if (!p || !p.spec.command) return core.say('this pane has nothing to restart');
        void this.control.restart(p);
      },
      requestClose: () => {
        const p = core.focused;
        if (p) core.openDialog({ kind: 'confirm', action: 'close', paneId: p.id, text: `Close pane ${core.focus + 1} (${p.name})${p.running ? ' and stop it' : ''}?` });
      },
      requestQuit: () => {
        // Asks only when quitting would stop work we know of: an agent or a shell's job at work, or an
        // agent waiting for the person. A guess from output timing (a log tail, a dev server) is not
        // enough to stand between the person and quitting.
        const working = core.panes.filter((p) => p.running && p.activity?.source !== 'guess' && (p.activity?.state === 'busy' || p.activity?.state === 'waiting'));
        if (working.length === 0) return this.quit();
        const what = working.map((p) => `${p.name} ${p.activity?.state === 'waiting' ? 'needs you' : 'is busy'}`).join(', ');
        core.openDialog({ kind: 'confirm', action: 'quit', text: `Quit? ${what}; everything will be stopped (the session is saved).` });
      },
      openPicker: () => {
        const options = opts.presets ?? [];
        if (options.length === 0) return core.say('no presets to choose from');
        core.openDialog({ kind: 'picker', options, selected: 0 });
      },
      nextWaiting: () => {
        const p = longestWaiting(core.panes);
        if (!p) return core.say('no agent is waiting for you');
        const i = core.panes.indexOf(p);
        if (core.zoomed && core.focus !== i) core.zoomed = false;
        core.focusIndex(i);
      },
      toggleContext: () => {
        if (!opts.context) return core.say('the shared context is not available');
        core.contextScroll = 0;
        core.contextOpen = !core.contextOpen;
        core.relayout();
      },
      contextTotal: () => opts.context?.view().lines.length ?? 0,
      detach: () => this.emit('detach'),
      sendPrefix: () => sendToPane(host, patternBytes(keymap.prefix, core.focused?.terminal.modes ?? { applicationCursorKeys: false, bracketedPaste: false })),
      confirmed: (d) => {
        if (d.action === 'quit') this.quit();
        else if (d.paneId !== undefined) void this.closePane(d.paneId);
      },
      submitted: (target, text) => {
        if (target !== 'note') return void this.control.redirect(target, text);
        if (!opts.context) return core.say('the shared context is not available');
        opts.context.postNote('you', text);
        core.say('note posted');
      },
      picked: (preset) => this.newPane(preset),
      helpLines: () => helpLines(helpSections(keymap), helpViewport(core.cols, core.rows).width).length,
    };
    return host;
  }

  // ---- views -----------------------------------------------------------------------------------

  private publish(): void {
    const { core } = this;
    core.changed = false;
    this.readingsPending = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    const visible = core.visible();
    const focusedId = core.focused?.id;
    const ctx = this.opts.context?.view() ?? EMPTY_CONTEXT;
    const panes = visible.map(({ pane, rect }) => {
      const next = paneViewOf(pane, { number: core.panes.indexOf(pane) + 1, rect, focused: pane.id === focusedId, scrolling: core.mode === 'scroll', ctx });
      const prev = this.paneViews.get(pane.id);
      if (prev && samePaneView(prev, next)) return prev;
      this.paneViews.set(pane.id, next);
      return next;
    });
    const d = core.dialog;
    const dialog: DialogView | undefined = d?.kind === 'prompt' ? { ...d, text: core.editor.text, cursor: core.editor.cursor } : d;
    const panel = core.contextRect;
    this.view = {
      cols: core.cols,
      rows: core.rows,
      layout: core.layout,
      mode: core.mode,
      dialog,
      panes,
      count: core.panes.length,
      focusedId,
      focus: core.focused && { number: core.focus + 1, name: core.focused.name },
      zoomed: core.zoomed,
      tooSmall: core.tooSmall(),
      message: core.message?.text,
      totals: { ...usageTotals(core.panes), simulated: this.opts.simulated },
      clients: core.clients,
      waiting: core.panes.flatMap((p, i) => (p.activity?.state === 'waiting' ? [{ number: i + 1, name: p.name }] : [])),
      context: panel ? { ...ctx, rect: panel, scroll: core.contextScroll } : undefined,
    };
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

  /** One agent's message to another: delivered as its next instruction once it is idle (delivery.ts). */
  sendMessage(from: string, to: string, text: string): Promise<DeliveryResult> {
    const p = this.core.panes.find((x) => x.name === to);
    if (!p) return Promise.resolve({ ok: false, detail: `there is no agent named ${to}` });
    return this.deliveries.send(p, from, `Message from ${from}, another agent in this workspace: ${text}`);
  }

  /**
   * Whether agent `agentName` may write `paths` (absolute): undefined when it may, else the refusal
   * the agent is given (its CLI's PreToolUse hook blocks the call with it). Allows everything until
   * the task board's claims decide; `opts.checkWrite` (tests) decides instead.
   */
  checkWrite(agentName: string, paths: readonly string[]): string | undefined {
    if (paths.length === 0) return undefined;
    return this.opts.checkWrite?.(agentName, paths);
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
