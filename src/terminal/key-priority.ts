/**
 * Keys first: while a person types into one pane, the other panes' programs are read BUDGET_BYTES
 * per WINDOW_MS (one read of a flood, ~120 KB a second), until TYPING_MS after the last key.
 *
 * Why: three flooding neighbours keep both cores of a small machine busy (the programs, the kernel's
 * pty work, the parsing), and a keystroke's echo waits its turn at every hop. Read less, the floods
 * block on their full ptys and the cores are free for the echo. Measured with bench row 3's method
 * (150 keys, 3 rounds, interleaved with AGENTS_KEY_PRIORITY=0, tmux in the same minutes): p50
 * 3.3-5.3 -> 2.7-2.9 ms, p95 15.3-16.1 -> 6.6-8.7, p99 21.6-27.0 -> 9.6-21.9; tmux 2.8-3.1 /
 * 6.6-8.5 / 8.8-13.2.
 *
 * Why one read, not 8 KB (two or three reads) as before: the keys a person types in a workspace's
 * first second, while neighbours flood, came slowest. Each new scrollback line then costs xterm a
 * fresh full-width array in memory the process never touched (~5 us a line of page faults alone on
 * the bench's machine), so the same bytes cost the main thread several times what they cost once
 * the scrollbacks are full. Bench row 3's method, 10 rounds of 50 keys, interleaved: p99 20.5 ->
 * 15.1 ms, and over the first 10 keys of each round p95 20.5 -> 9.3, worst 37.3 -> 12.6 (tmux 17.7,
 * 14.0 and 23.0); docs/profile.md.
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
export const BUDGET_BYTES = 4 * 1024;

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
