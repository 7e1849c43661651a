/**
 * One pane's terminal: a child process in a pty (optional: a pane may only show a message) feeding
 * an @xterm/headless emulator.
 *
 * Invariants:
 * - pty output goes only into the emulator; `onDirty` fires once per parsed batch and never does work.
 * - each start of the program gets a feed of its own (pty-feed.ts: backpressure, draining at exit,
 *   input held until its first output), so nothing of a previous run reaches the next.
 * - the exit state is published only after every byte received before the exit has been parsed,
 *   so the last screen of a fast-exiting program is complete.
 * - the emulator's replies to terminal queries (DA, DSR cursor position) are piped back to the pty.
 * - resizes are debounced: resizing an emulator with a full scrollback costs ~100 ms.
 * - a failure of the emulator stays in this pane: the emulator is reset and says so on its own
 *   screen (emulator.ts), the program goes on running, and nothing reaches the workspace.
 * - every session this pane starts is reported to the reaper (reaper.ts), which ends it should the
 *   workspace die without stopping it; a session seen empty is reported too, so it is forgotten.
 * - with `holdInputUntilRaw`, what is typed while the program's tty is still in line mode is
 *   held until it leaves it (pty-feed.ts); a program that exits before then gets none of it.
 */
import { log } from '../util/log.js';
import { createEmulator, resizeEmulator, type IMarker, type Terminal } from './emulator.js';
import { paintBuffer } from './snapshot.js';
import { RowCache } from './row-cache.js';
import type { Grid, Rect } from '../render/grid.js';
import { killSession, killSessionNow, sessionMembers, signalName } from './process-tree.js';
import { installedReaper, type SessionReaper } from './reaper.js';
import { childEnv, spawnPty, type PtyLike, type SpawnPty } from './pty.js';
import { PtyFeed } from './pty-feed.js';
import { noteInput } from './reclaim.js';
import type { PtyModes } from './encode.js';

const RESIZE_DEBOUNCE_MS = 60;
/** xterm's smallest screen (it raises narrower sizes to this); the pty gets the same, so both agree. */
const MIN_COLS = 2;

export interface ProcessSpec {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

export type ProcessState =
  | { kind: 'none' }
  | { kind: 'running'; pid: number }
  | { kind: 'exited'; code: number; signal?: string }
  | { kind: 'failed'; error: string };

export interface PaneTerminalOptions {
  spec?: ProcessSpec;
  message?: string;
  cols: number;
  rows: number;
  scrollback: number;
  spawn?: SpawnPty;
  /** Told each session this pane starts and sees end (default: the process's installed reaper). */
  reaper?: SessionReaper;
  onDirty: () => void;
  onState: (s: ProcessState) => void;
  /**
   * Keys typed while the program's terminal is still in line mode are held and written once it is
   * raw. For a program that reads keys raw (the built-in agent, src/agent/start.ts): typed earlier,
   * they would go through the tty's line editing, echoed, with Enter turned into a newline that its
   * prompt never submits.
   */
  holdInputUntilRaw?: boolean;
}

export class PaneTerminal {
  readonly term: Terminal;
  state: ProcessState = { kind: 'none' };
  cursorVisible = true;
  /** The program asked for SGR-encoded mouse reports (DECSET 1006). */
  sgrMouse = false;
  /** When the program last wrote to its terminal (ms since epoch; 0 before it has). */
  lastOutput = 0;
  private pty: PtyLike | undefined;
  /** The running program's feed (its pty to the emulator and back). */
  private feed: PtyFeed | undefined;
  /** What this pane last painted into the compositor's grid (snapshot.ts). */
  private readonly painted = new RowCache();
  private resizeTimer: NodeJS.Timeout | undefined;
  private want: { cols: number; rows: number };
  private generation = 0;
  /** Counts starts: a different value means the program was restarted in between. */
  get run(): number {
    return this.generation;
  }
  private disposed = false;
  /** How many times the emulator failed and was reset. */
  failures = 0;
  private readonly reaper: SessionReaper | undefined;

  constructor(private opts: PaneTerminalOptions) {
    this.want = { cols: Math.max(MIN_COLS, opts.cols), rows: Math.max(1, opts.rows) };
    this.reaper = opts.reaper ?? installedReaper();
    this.term = createEmulator(Math.max(MIN_COLS, opts.cols), Math.max(1, opts.rows), opts.scrollback, (e) => this.emulatorFailed(e));
    this.term.onWriteParsed(() => opts.onDirty());
    this.term.onData((reply) => this.pty?.write(reply));
    // DECTCEM is not in xterm's public modes; watch it on the parser and let xterm handle it too.
    this.term.parser.registerCsiHandler({ prefix: '?', final: 'h' }, (p) => this.trackCursor(p, true));
    this.term.parser.registerCsiHandler({ prefix: '?', final: 'l' }, (p) => this.trackCursor(p, false));
    this.term.parser.registerEscHandler({ final: 'c' }, () => {
      this.cursorVisible = true;
      this.sgrMouse = false;
      return false;
    });
  }

  /** The emulator threw on this pane's output and was reset: say so on the pane's own screen. */
  private emulatorFailed(error: Error): string {
    this.failures++;
    const reason = `${error.name}: ${error.message}`.replace(/[\x00-\x1f\x7f-\x9f]/g, ' ').slice(0, 120);
    log(`pane emulator failed (${this.failures}x; ${this.opts.spec?.command ?? 'message'}): ${error.stack ?? reason}`);
    this.cursorVisible = true;
    this.sgrMouse = false;
    this.opts.onDirty();
    const times = this.failures > 1 ? `, ${this.failures} times so far` : '';
    return `\x1b[0;33m⚠ the terminal emulator failed (${reason}${times}); the pane was reset\x1b[0m\r\n`;
  }

  private trackCursor(params: (number | number[])[], visible: boolean): boolean {
    if (params.includes(25)) this.cursorVisible = visible;
    // SGR mouse encoding (1006) is not in xterm's public modes either.
    if (params.includes(1006)) this.sgrMouse = visible;
    return false;
  }

  /** Which mouse events the program asked for ('none' unless it enabled mouse reporting). */
  get mouseTracking(): 'none' | 'x10' | 'vt200' | 'drag' | 'any' {
    return this.term.modes.mouseTrackingMode;
  }

  get modes(): PtyModes {
    const m = this.term.modes;
    return { applicationCursorKeys: m.applicationCursorKeysMode, bracketedPaste: m.bracketedPasteMode };
  }

  /** The visible screen (the bottom of the buffer) as plain text, a string per row. */
  screenText(): string[] {
    const buf = this.term.buffer.active;
    const out: string[] = [];
    for (let y = 0; y < this.term.rows; y++) out.push(buf.getLine(buf.baseY + y)?.translateToString(true) ?? '');
    return out;
  }

  get pid(): number | undefined {
    return this.state.kind === 'running' ? this.state.pid : undefined;
  }

  start(): void {
    const { spec, message } = this.opts;
    if (message) this.term.write(message.replace(/\r?\n/g, '\r\n'));
    if (!spec) {
      this.opts.onDirty();
      return;
    }
    const gen = ++this.generation;
    let pty: PtyLike;
    try {
      pty = (this.opts.spawn ?? spawnPty)({
        command: spec.command,
        args: spec.args,
        cwd: spec.cwd,
        env: childEnv(spec.env),
        cols: this.term.cols,
        rows: this.term.rows,
      });
    } catch (e) {
      const error = `could not start ${spec.command}: ${(e as Error).message}`;
      this.term.write(`\x1b[31m${error}\x1b[0m\r\n`);
      this.setState({ kind: 'failed', error });
      return;
    }
    this.pty = pty;
    this.feed?.stop();
    const feed = (this.feed = new PtyFeed(pty, this.term, this.opts.holdInputUntilRaw === true));
    this.reaper?.track(pty.pid);
    this.setState({ kind: 'running', pid: pty.pid });
    pty.onData((data) => {
      if (gen !== this.generation) return;
      this.lastOutput = Date.now();
      feed.output(data);
    });
    pty.onExit(({ exitCode, signal }) => {
      if (gen !== this.generation) return;
      this.pty = undefined;
      feed.dropHeld();
      this.releaseSession(pty.pid);
      // An empty write completes after everything queued before it has been parsed.
      this.term.write('', () => {
        if (gen !== this.generation || this.disposed) return;
        this.setState({ kind: 'exited', code: exitCode, signal: signal ? signalName(signal) ?? String(signal) : undefined });
      });
    });
  }

  /** Tells the reaper a session is over once none of its processes is left (a job may outlive its leader). */
  private releaseSession(sid: number): void {
    if (this.reaper && sessionMembers(sid).length === 0) this.reaper.forget(sid);
  }

  private setState(s: ProcessState): void {
    this.state = s;
    this.opts.onState(s);
    this.opts.onDirty();
  }

  write(data: string): void {
    // Keys: the memory reclaim (a GC pause) waits until they stop.
    noteInput();
    if (this.pty) this.feed?.input(data);
  }

  /** The emulator size a pane wants; applied after RESIZE_DEBOUNCE_MS of quiet. */
  resize(cols: number, rows: number): void {
    cols = Math.max(MIN_COLS, cols);
    rows = Math.max(1, rows);
    if (cols === this.want.cols && rows === this.want.rows) return;
    this.want = { cols, rows };
    clearTimeout(this.resizeTimer);
    this.resizeTimer = setTimeout(() => this.applyResize(), RESIZE_DEBOUNCE_MS);
  }

  /** Applies a pending resize now (tests, and before a restart spawns at the right size). */
  applyResize(): void {
    clearTimeout(this.resizeTimer);
    this.resizeTimer = undefined;
    const { cols, rows } = this.want;
    if (this.disposed || (cols === this.term.cols && rows === this.term.rows)) return;
    resizeEmulator(this.term, cols, rows);
    try {
      this.pty?.resize(cols, rows);
    } catch {
      // node-pty throws EBADF when the child exited in between (FIELD-NOTES); the exit event follows.
    }
    this.opts.onDirty();
  }

  /** TERM then KILL the whole session of the child; resolves when it is gone. */
  async kill(graceMs?: number): Promise<void> {
    if (this.state.kind !== 'running') return;
    const sid = this.state.pid;
    await killSession(sid, graceMs);
    this.releaseSession(sid);
  }

  killNow(): void {
    if (this.state.kind === 'running') killSessionNow(this.state.pid);
  }

  /** Where the program starts (the next start or restart): a worktree made after the pane was. */
  setCwd(cwd: string): void {
    if (this.opts.spec) this.opts.spec = { ...this.opts.spec, cwd };
  }

  /** Text of the workspace's own on the pane's screen (what it is preparing, why it did not start). */
  print(text: string): void {
    if (!this.disposed) this.term.write(text.replace(/\r?\n/g, '\r\n'));
  }

  /** Stops the program and starts it again, on the same screen; `args` may change its arguments. */
  async restart(args?: (current: string[]) => string[]): Promise<void> {
    await this.kill();
    if (args && this.opts.spec) this.opts.spec = { ...this.opts.spec, args: args(this.opts.spec.args) };
    this.generation++;
    this.pty = undefined;
    this.feed?.stop();
    this.feed = undefined;
    this.applyResize();
    // Output of the old run still queued in the parser must land before the reset, not after it.
    await new Promise<void>((r) => this.term.write('', r));
    this.term.reset();
    this.cursorVisible = true;
    this.sgrMouse = false;
    this.start();
  }

  // ---- the screen, for the workspace (the emulator itself stays behind this module) -------------

  /** Lines of history above the screen (0 on the alternate screen, which has none). */
  get historyLines(): number {
    return this.term.buffer.active.baseY;
  }

  /** A full-screen program (vim, htop) is on the alternate screen. */
  get alternateScreen(): boolean {
    return this.term.buffer.active.type === 'alternate';
  }

  /** The emulator's size (it trails the pane's size while a resize is debounced). */
  get size(): { cols: number; rows: number } {
    return { cols: this.term.cols, rows: this.term.rows };
  }

  /** The cursor on the visible screen. */
  get cursor(): { x: number; y: number } {
    const buf = this.term.buffer.active;
    return { x: buf.cursorX, y: buf.cursorY };
  }

  /**
   * A marker on buffer line `line` (0 = the oldest line kept) that follows its line as output
   * arrives and as a full scrollback trims old lines; `line` reads -1 once the line is gone.
   */
  mark(line: number): IMarker | undefined {
    const buf = this.term.buffer.active;
    return this.term.registerMarker(line - (buf.baseY + buf.cursorY));
  }

  /**
   * Paints the screen as it stood `linesBack` lines of history ago into `rect` of `grid`. Rows that
   * did not change since this pane last painted them are left as they are unless `fresh` (the grid
   * may have been painted over since).
   */
  paint(grid: Grid, rect: Rect, linesBack = 0, skip?: (x: number, y: number) => boolean, fresh = true): void {
    paintBuffer(this.term, this.term.buffer.active.baseY - linesBack, grid, rect, skip, false, { rows: this.painted, fresh });
  }

  /** Resolves once everything written to the emulator so far has been parsed. */
  parsed(): Promise<void> {
    return new Promise((resolve) => this.term.write('', resolve));
  }

  dispose(): void {
    this.disposed = true;
    this.generation++;
    clearTimeout(this.resizeTimer);
    this.feed?.stop();
    this.term.dispose();
  }
}
