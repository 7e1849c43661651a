/**
 * Taking over the terminal and giving it back. `restore` must leave the terminal as the person
 * had it whatever happened (quit, signal, crash), so it is idempotent and never throws.
 */
const ENTER = [
  '\x1b[?1049h', // alternate screen: the person's scrollback is untouched
  '\x1b[?25l',
  '\x1b[?2004h', // bracketed paste: pasted text reaches panes as one paste, not as keys
  '\x1b[H\x1b[2J',
].join('');

const LEAVE = [
  '\x1b[?2026l',
  '\x1b[0m',
  '\x1b[?2004l',
  '\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l', // mouse modes off, in case anything turned them on
  '\x1b[?25h',
  '\x1b[?1049l',
].join('');

export interface TtyIn {
  isTTY?: boolean;
  setRawMode?(raw: boolean): unknown;
  resume(): unknown;
  pause(): unknown;
}

export class ScreenMode {
  private active = false;

  constructor(
    private input: TtyIn,
    private write: (s: string) => void,
  ) {}

  /** `mouse`: ask for button and wheel reports, SGR-encoded (the workspace routes them, see mouse.ts). */
  enter(opts: { mouse?: boolean } = {}): void {
    if (this.active) return;
    this.active = true;
    this.input.setRawMode?.(true);
    this.input.resume();
    this.write(ENTER + (opts.mouse ? '\x1b[?1000h\x1b[?1006h' : ''));
  }

  restore(): void {
    if (!this.active) return;
    this.active = false;
    try {
      this.write(LEAVE);
    } catch {
      // The terminal may be gone (SIGHUP): nothing to restore then.
    }
    try {
      this.input.setRawMode?.(false);
      this.input.pause();
    } catch {
      // As above.
    }
  }
}
