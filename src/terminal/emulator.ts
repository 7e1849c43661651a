/**
 * The one place that constructs @xterm/headless terminals, so every emulator gets the same
 * options: the proposed API (buffer and parser access) and Unicode 11 widths, which match what
 * current terminals and string-width (Ink) use for emoji; xterm's default (Unicode 6) makes
 * emoji one cell wide and the screen drifts.
 */
import xterm from '@xterm/headless';
import unicode11 from '@xterm/addon-unicode11';

export type Terminal = xterm.Terminal;
export type IMarker = xterm.IMarker;

export function createEmulator(cols: number, rows: number, scrollback: number): Terminal {
  const term = new xterm.Terminal({
    cols,
    rows,
    scrollback,
    allowProposedApi: true,
    // xterm logs parse errors (binary garbage from a pane) with console.*, which would land on our
    // own screen; garbage is normal input here, not an error.
    logLevel: 'off',
  });
  term.loadAddon(new unicode11.Unicode11Addon());
  term.unicode.activeVersion = '11';
  return term;
}
