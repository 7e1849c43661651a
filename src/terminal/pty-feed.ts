/**
 * One run of a pane's program: its pty feeding the pane's emulator, and keys going the other way.
 * A new feed is made for each start, so a restart leaves nothing of the last run's state behind.
 *
 * Invariants:
 * - backpressure: when the emulator has more than HIGH_WATER bytes unparsed the pty is paused, so a
 *   flooding program cannot grow memory without bound or starve the event loop (input to other
 *   panes), and it resumes below LOW_WATER;
 * - a paused pty whose child has exited is read again at once, whatever the backlog (`watchExit`);
 * - while keys go to another pane, this pane's output is read BUDGET_BYTES per WINDOW_MS
 *   (key-priority.ts): once a window's budget is spent the pty is paused for the rest of it, and
 *   resumed then unless backpressure holds it;
 * - with `holdInput`, keys typed while the program still has its tty in line mode are held, in
 *   order, and written once it leaves line mode (checked at its output and every HOLD_POLL_MS) or
 *   after HOLD_LINE_MAX_MS; where the tty's modes cannot be read, once the program first prints or
 *   after HOLD_MAX_MS. Once the run is over (`dropHeld`, `stop`) nothing held is written.
 */
import type { Terminal } from './emulator.js';
import { BUDGET_BYTES, processKeyPriority, WINDOW_MS, type KeyPriority } from './key-priority.js';
import type { PtyLike } from './pty.js';

// Small enough that a flooding pane's backlog parses in a few ms, so a keystroke's echo in another
// pane is not queued behind it (bench: keystroke p99 with 3 floods 25.7-29.8 ms at 256 KB, 20-22 ms
// at 32 KB, flood throughput unchanged within noise).
const HIGH_WATER = 32 * 1024;
const LOW_WATER = 8 * 1024;
/** While paused, how often to check whether the child is gone (see `watchExit`). */
const EXIT_POLL_MS = 25;
/** The longest input is held for a program that has printed nothing yet, where the tty's modes cannot be read (`holdInput`). */
const HOLD_MAX_MS = 3000;
/**
 * The longest input is held for a program whose tty is still in line mode. Not until the first
 * output: something can print before the agent's code runs (a preload in NODE_OPTIONS, a Node
 * warning). Not 3 s: under a CI run's load the agent's process took longer than that to reach its
 * first line, and the held Enter went through the line editing as a newline.
 */
const HOLD_LINE_MAX_MS = 30_000;
/** While keys are held, how often the tty's modes are read. */
const HOLD_POLL_MS = 25;

export class PtyFeed {
  private unparsed = 0;
  private paused = false;
  /** Paused for the rest of a key-priority window (key-priority.ts). */
  private heldBack: NodeJS.Timeout | undefined;
  private windowStart = -Infinity;
  private windowBytes = 0;
  private exitPoll: NodeJS.Timeout | undefined;
  /** Input held until the program reads keys raw (`holdInput`); undefined once sent (or never held). */
  private held: string[] | undefined;
  private holdTimer: NodeJS.Timeout | undefined;
  private holdPoll: NodeJS.Timeout | undefined;
  /** The tty's modes can be read: the hold ends when it leaves line mode, not at the first output. */
  private readonly modeKnown: boolean = false;

  constructor(
    private readonly pty: PtyLike,
    private readonly term: Terminal,
    holdInput: boolean,
    private readonly keys: KeyPriority = processKeyPriority,
  ) {
    if (!holdInput) return;
    this.held = [];
    this.modeKnown = pty.lineMode?.() !== undefined;
    this.holdTimer = setTimeout(() => this.release(), this.modeKnown ? HOLD_LINE_MAX_MS : HOLD_MAX_MS);
    if (this.modeKnown) this.holdPoll = setInterval(() => this.releaseIfRaw(), HOLD_POLL_MS);
  }

  /** The program's output: into the emulator, the pty paused while too much of it waits to be parsed. */
  output(data: string): void {
    if (this.held) this.releaseIfRaw();
    if (!this.heldBack && this.keys.holdsBack(this)) this.spend(data.length);
    this.unparsed += data.length;
    if (!this.paused && this.unparsed > HIGH_WATER) {
      this.paused = true;
      this.pty.pause();
      this.watchExit();
    }
    this.term.write(data, () => {
      this.unparsed -= data.length;
      if (this.paused && this.unparsed < LOW_WATER) this.resume();
    });
  }

  /** Keys for the program (held while it has printed nothing, if asked to). */
  input(data: string): void {
    this.keys.typed(this);
    if (this.held) this.held.push(data);
    else this.pty.write(data);
  }

  /** The program exited: what was held is dropped (reading goes on until its output is drained). */
  dropHeld(): void {
    clearTimeout(this.holdTimer);
    clearInterval(this.holdPoll);
    this.held = undefined;
  }

  /** The run is over for good (a restart, the pane closing): no timer is left. */
  stop(): void {
    this.dropHeld();
    clearTimeout(this.heldBack);
    this.heldBack = undefined;
    clearInterval(this.exitPoll);
    this.exitPoll = undefined;
  }

  /** Releases what is held once the tty is out of line mode (or at any output, where that cannot be known). */
  private releaseIfRaw(): void {
    if (!this.modeKnown || this.pty.lineMode?.() !== true) this.release();
  }

  /** Writes what was held, and holds nothing more. */
  private release(): void {
    clearTimeout(this.holdTimer);
    clearInterval(this.holdPoll);
    this.holdTimer = undefined;
    this.holdPoll = undefined;
    const held = this.held;
    this.held = undefined;
    if (held?.length) this.pty.write(held.join(''));
  }

  /**
   * node-pty destroys its socket 200 ms after the child exits, dropping whatever is still unread;
   * a paused socket reads nothing. So while paused, the child is checked every EXIT_POLL_MS and,
   * once gone, reading resumes at once whatever the backlog (the rest is bounded by the kernel's
   * pty buffer).
   */
  private watchExit(): void {
    clearInterval(this.exitPoll);
    this.exitPoll = setInterval(() => {
      try {
        process.kill(this.pty.pid, 0);
      } catch {
        this.resume();
      }
    }, EXIT_POLL_MS);
  }

  private resume(): void {
    clearInterval(this.exitPoll);
    this.exitPoll = undefined;
    if (!this.paused) return;
    this.paused = false;
    if (!this.heldBack) this.pty.resume();
  }

  /** Counts output against this window's budget while keys go elsewhere; once it is spent, waits out the window. */
  private spend(bytes: number): void {
    const now = this.keys.now();
    if (now - this.windowStart >= WINDOW_MS) {
      this.windowStart = now;
      this.windowBytes = 0;
    }
    this.windowBytes += bytes;
    if (this.windowBytes < BUDGET_BYTES) return;
    if (!this.paused) this.pty.pause();
    this.heldBack = setTimeout(() => {
      this.heldBack = undefined;
      if (!this.paused) this.pty.resume();
    }, Math.max(1, WINDOW_MS - (now - this.windowStart)));
  }
}
