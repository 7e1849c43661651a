/**
 * A pane in the workspace: what it runs (a PaneSpec), its live terminal, and what is known about it
 * (process status, activity, usage, scroll position). The live objects (pty, emulator, timers) stay
 * here; views handed to the UI are plain data.
 *
 * Invariants:
 * - the state fields are written only by the Workspace while it handles a dispatched input; other
 *   code reads them;
 * - `scroll` is 0 unless the pane is in scroll mode, and never exceeds the scrollback;
 * - `activity` is the one record of what the program is doing: a built-in agent's own report, a
 *   CLI's hook event, a screen reading, the foreground job or a guess (activity.ts); it is undefined
 *   while not running;
 * - once a CLI's hooks have reported in a run, its screen changes that record only where hooks are
 *   silent (activity.ts `screenOverHooks`); a restart starts a run without hook reports.
 */
import type { Grid, Rect } from '../render/grid.js';
import type { IMarker } from '../terminal/emulator.js';
import { PaneTerminal, type ProcessState } from '../terminal/pane-terminal.js';
import type { SpawnPty } from '../terminal/pty.js';
import type { PaneSpec } from './presets.js';
import type { UsageReport } from '../ipc/protocol.js';
import { fileURLToPath } from 'node:url';
import { foregroundJob } from '../terminal/process-tree.js';
import { activityLabel, guessFromOutput, readScreen, screenOverHooks, type Activity, type ActivitySource, type ActivityState } from './activity.js';
import { DETECTORS } from './detectors.js';
import { withSetup } from './worktree-setup.js';

export type PaneStatus =
  | { kind: 'starting' }
  | { kind: 'running' }
  | { kind: 'exited'; code: number; signal?: string }
  | { kind: 'failed'; error: string }
  | { kind: 'missing' };

/** The gap between the two Esc presses of an 'esc-esc' interrupt. */
const ESC_AGAIN_MS = 150;

/** The agent process (dist/agent/start.cjs, built from src/agent/start.ts), run from its code cache. */
const AGENT_MAIN = fileURLToPath(new URL('../agent/start.cjs', import.meta.url));

export interface PaneHooks {
  onDirty: (pane: Pane) => void;
  onProcess: (pane: Pane, state: ProcessState) => void;
  /** Extra environment for a built-in agent (its IPC channel). */
  agentEnv?: (pane: Pane) => Record<string, string>;
  /**
   * Extra environment and trailing arguments for any other program (the shared context's addresses);
   * `hooks` when its CLI was given hooks that report to the workspace.
   */
  external?: (pane: Pane) => { env: Record<string, string>; args: string[]; hooks?: boolean };
}

export class Pane {
  readonly terminal: PaneTerminal;
  status: PaneStatus = { kind: 'starting' };
  scroll = 0;
  /** What the agent is doing, while the pane runs (see activity.ts for how each kind is known). */
  activity: Activity | undefined;
  /** When the pane last stopped waiting for the person (a dialog redrawn a moment later rings once). */
  leftWaitingAt: number | undefined;
  /** Orders panes by when they started waiting (several can start within one millisecond). */
  waitingSeq = 0;
  /** A built-in agent's usage so far, as it last reported it. */
  usage: UsageReport | undefined;
  /** A built-in agent said hello on its channel. */
  connected = false;
  /** Why the workspace stopped giving this agent work (a budget, a circuit breaker), until the person lets it go on. */
  paused: string | undefined;
  /** A short problem report for the title ("Enter did not submit"), until the next action clears it. */
  notice: string | undefined;
  /** When the person last typed into this pane (ms since epoch). */
  lastTyped = 0;
  /** Its CLI was given hooks that report to the workspace. */
  hooksGiven = false;
  /** The run (terminal.run) whose hooks last reported, and when. */
  private hookRun = -1;
  private hookAt = 0;
  /** When the workspace last sent the pane its interrupt key. */
  private interruptedAt = 0;
  private anchor: IMarker | undefined;
  dirty = true;

  constructor(
    readonly id: number,
    readonly spec: PaneSpec,
    size: { cols: number; rows: number },
    scrollback: number,
    hooks: PaneHooks,
    spawn?: SpawnPty,
  ) {
    if (spec.kind === 'missing') this.status = { kind: 'missing' };
    this.terminal = new PaneTerminal({
      spec: this.processSpec(hooks),
      message: spec.message,
      cols: size.cols,
      rows: size.rows,
      scrollback,
      spawn,
      // The built-in agent reads keys raw (src/agent/start.ts): keys typed while it starts wait for that.
      holdInputUntilRaw: spec.kind === 'builtin',
      onDirty: () => {
        this.dirty = true;
        this.followOutput();
        hooks.onDirty(this);
      },
      onState: (s) => hooks.onProcess(this, s),
    });
  }

  private processSpec(hooks: PaneHooks) {
    const launch = this.launch(hooks);
    const { setup } = this.spec;
    if (!launch || !setup) return launch;
    // The setup commands get what the person configured, not the workspace's channels to the agent.
    const withhold = Object.keys(launch.env).filter((k) => !(k in this.spec.env));
    return withSetup(launch, { ...setup, withhold });
  }

  private launch(hooks: PaneHooks) {
    const { spec } = this;
    if (spec.kind === 'command' && spec.command !== undefined) {
      const extra = hooks.external?.(this);
      this.hooksGiven = extra?.hooks === true;
      return { command: spec.command, args: [...spec.args, ...(extra?.args ?? [])], cwd: spec.cwd, env: { ...spec.env, ...extra?.env } };
    }
    if (spec.kind !== 'builtin') return undefined;
    const env: Record<string, string> = { ...spec.env, AGENTS_AGENT_NAME: spec.name };
    if (spec.model) env.AGENTS_AGENT_MODEL = spec.model;
    if (spec.instructions) env.AGENTS_AGENT_INSTRUCTIONS = spec.instructions;
    if (spec.permissions) env.AGENTS_AGENT_POLICY = spec.permissions;
    // The workspace's settings last: a --model given on the command line beats the config's.
    Object.assign(env, hooks.agentEnv?.(this));
    return { command: process.execPath, args: [AGENT_MAIN], cwd: spec.cwd, env };
  }

  get isAgent(): boolean {
    return this.spec.kind === 'builtin';
  }

  /** An agent CLI whose screen its preset's rules can read (Claude Code, Codex, ...). */
  get hasScreenRules(): boolean {
    return this.spec.preset !== undefined && DETECTORS[this.spec.preset] !== undefined;
  }

  /** A pane whose status only output timing can tell (a command, not a shell, a CLI or an agent). */
  get guessedOnly(): boolean {
    return !this.isAgent && this.spec.preset !== 'shell' && !this.hasScreenRules;
  }

  /** An agent that takes instructions: a built-in agent or an agent CLI (not a shell or a command). */
  get takesInstructions(): boolean {
    return this.isAgent || this.hasScreenRules;
  }

  get name(): string {
    return this.spec.name;
  }

  /** Its CLI's hooks have reported in the current run: they lead, the screen fills their gaps. */
  get hooked(): boolean {
    return this.hookRun === this.terminal.run;
  }

  /** A hook event of the current run arrived (the workspace calls this while handling it). */
  hookReported(now = Date.now()): void {
    this.hookRun = this.terminal.run;
    this.hookAt = now;
  }

  get running(): boolean {
    return this.status.kind === 'running';
  }

  start(): void {
    this.terminal.start();
  }

  private held: string[] | undefined;

  /** What the person types goes to the program, unless a steering step holds the keyboard. */
  type(bytes: string): void {
    this.lastTyped = Date.now();
    if (this.held) this.held.push(bytes);
    else this.terminal.write(bytes);
  }

  /**
   * Holds the person's keys while text is typed in for them and submitted, so nothing they type
   * lands inside it; the returned function lets them through, in order.
   */
  holdKeys(): () => void {
    if (this.held) return () => {};
    const held: string[] = (this.held = []);
    return () => {
      this.held = undefined;
      if (held.length && this.running) this.terminal.write(held.join(''));
    };
  }

  /** Lines of history above the screen (0 on the alternate screen, which has none). */
  get scrollMax(): number {
    return this.terminal.historyLines;
  }

  scrollBy(lines: number): void {
    this.scroll = Math.max(0, Math.min(this.scrollMax, this.scroll + lines));
    this.anchorAt(this.scrollMax - this.scroll);
    this.dirty = true;
  }

  scrollTo(line: 'top' | 'bottom'): void {
    this.scrollBy(line === 'top' ? this.scrollMax : -this.scroll);
  }

  /**
   * While scrolled back, new output must not move the text being read. The top visible line is
   * held by an xterm marker, which follows its line as output arrives and as a full scrollback
   * trims old lines (baseY alone stops growing then, so it cannot tell).
   */
  private anchorAt(topLine: number): void {
    this.anchor?.dispose();
    this.anchor = undefined;
    if (this.scroll === 0) return;
    this.anchor = this.terminal.mark(topLine);
  }

  private followOutput(): void {
    if (!this.anchor) return;
    const max = this.scrollMax;
    // A trimmed-away anchor means the text being read is gone: stay at the oldest line left.
    this.scroll = this.anchor.isDisposed || this.anchor.line < 0 ? max : Math.max(0, Math.min(max, max - this.anchor.line));
  }

  /** `fresh`: the grid may have been painted over since this pane's last paint (every row is painted). */
  paint(grid: Grid, rect: Rect, skip?: (x: number, y: number) => boolean, fresh = true): void {
    this.terminal.paint(grid, rect, this.scroll, skip, fresh);
    this.dirty = false;
  }

  /** Cursor position inside the pane's interior, or undefined when it should not show. */
  cursor(): { x: number; y: number } | undefined {
    if (this.scroll > 0 || !this.running || !this.terminal.cursorVisible) return undefined;
    return this.terminal.cursor;
  }

  /**
   * Reads what the agent is doing now, for panes that do not report it themselves (built-in agents
   * report over IPC). Shells: the terminal's foreground job; presets with rules: the screen (for a CLI
   * whose hooks report, only what they leave out); anything else, or a screen no rule knows: a guess
   * from output timing.
   */
  detect(now = Date.now()): { state: ActivityState; source: ActivitySource; reason: string; silentHooks?: boolean } | undefined {
    const pid = this.terminal.pid;
    if (this.isAgent || !this.running || pid === undefined) return undefined;
    if (this.spec.preset === 'shell') {
      const job = foregroundJob(pid);
      if (!job) return { state: 'idle', source: 'process', reason: 'prompt' };
      // A full-screen program (vim, less, htop) in the foreground waits for keys: that is not work.
      if (this.terminal.alternateScreen) return { state: 'idle', source: 'process', reason: `fullscreen:${job.command}` };
      return { state: 'busy', source: 'process', reason: `fg:${job.command}` };
    }
    const detector = this.hasScreenRules ? DETECTORS[this.spec.preset!] : undefined;
    const read = detector && readScreen(detector, this.terminal.screenText());
    if (this.hooked) {
      // Keys (the person's, or the workspace's interrupt) since the last hook event: what they did
      // to a turn or a dialog, no hook reports.
      const keysSinceHook = Math.max(this.lastTyped, this.interruptedAt) > this.hookAt;
      return read ? screenOverHooks(this.activity, { state: read.state, source: 'screen', reason: read.rule, ends: read.ends }, keysSinceHook) : undefined;
    }
    // Work or a dialog read off the screen while the hooks it was given stay silent: the title says so.
    if (read) return { state: read.state, source: 'screen', reason: read.rule, ...(this.hooksGiven && read.state !== 'idle' ? { silentHooks: true } : {}) };
    const guess = guessFromOutput(this.terminal.lastOutput, now, this.lastTyped);
    return { state: guess.state, source: 'guess', reason: guess.rule };
  }

  interrupt(): boolean {
    if (!this.running) return false;
    this.interruptedAt = Date.now();
    const { interrupt } = this.spec;
    this.terminal.write(interrupt === 'ctrl-c' ? '\x03' : '\x1b');
    // Two Esc bytes at once would read as Alt+Esc: the second goes a moment later.
    if (interrupt === 'esc-esc') setTimeout(() => this.running && this.terminal.write('\x1b'), ESC_AGAIN_MS);
    return true;
  }

  dispose(): void {
    this.terminal.dispose();
  }
}

/** The pane's status after its process reported `s`. */
export function toStatus(s: ProcessState, prev: PaneStatus): PaneStatus {
  switch (s.kind) {
    case 'running':
      return { kind: 'running' };
    case 'exited':
      return { kind: 'exited', code: s.code, signal: s.signal };
    case 'failed':
      return { kind: 'failed', error: s.error };
    default:
      return prev;
  }
}

export function statusLabel(s: PaneStatus): string {
  switch (s.kind) {
    case 'starting':
      return 'starting';
    case 'running':
      return 'running';
    case 'exited':
      return s.signal ? `killed by ${s.signal}` : `exited ${s.code}`;
    case 'failed':
      return 'failed to start';
    case 'missing':
      return 'not installed';
  }
}

/** What the program is doing stands in for "running" while it runs. */
export function paneLabel(s: PaneStatus, activity: Activity | undefined): string {
  if (s.kind === 'running' && activity) return activityLabel(activity);
  return statusLabel(s);
}
