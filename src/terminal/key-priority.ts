/**
 * Keys first: while a person types into one pane, the other panes' programs are read at most
 * BUDGET_BYTES per WINDOW_MS (about 30 screenfuls a second), until TYPING_MS after the last key.
 *
 * Why: three flooding neighbours keep both cores of a small machine busy (the programs, the kernel's
 * pty work, the parsing), and a keystroke's echo waits its turn at every hop. Read less, the floods
 * block on their full ptys and the cores are free for the echo. Measured with bench row 3's method
 * (150 keys, 3 rounds, interleaved with AGENTS_KEY_PRIORITY=0, tmux in the same minutes): p50
 * 3.3-5.3 -> 2.7-2.9 ms, p95 15.3-16.1 -> 6.6-8.7, p99 21.6-27.0 -> 9.6-21.9; tmux 2.8-3.1 /
 * 6.6-8.5 / 8.8-13.2.
 *
 * Invariants:
 * - nothing is lost: a held-back pane is only paused (the kernel holds its program's output and the
 *   program waits on its write), for at most one window at a time;
 * - the pane typed into is never held back, and no pane is when nobody typed in the last TYPING_MS
 *   (a flood runs at full speed);
 * - AGENTS_KEY_PRIORITY=0 turns it off, to rule it out.
 */
export const TYPING_MS = 400;
export const WINDOW_MS = 33;
export const BUDGET_BYTES = 8 * 1024;

export class KeyPriority {
  private typedAt = -Infinity;
  private typedBy: object | undefined;

  constructor(
    readonly enabled = true,
    readonly now: () => number = () => performance.now(),
  ) {}

  /** Keys went to the program behind `by` (a pane's feed). */
  typed(by: object): void {
    this.typedAt = this.now();
    this.typedBy = by;
  }

  /** Whether the output of `of` is held to the budget now: keys went to another pane lately. */
  holdsBack(of: object): boolean {
    return this.enabled && this.typedBy !== of && this.now() - this.typedAt < TYPING_MS;
  }
}

/** The process's one (a workspace's panes share it). */
export const processKeyPriority = new KeyPriority(process.env.AGENTS_KEY_PRIORITY !== '0');
