/**
 * The one home for making text that came from outside (a config value, a file name, a stored
 * instruction, a note, another agent's message) safe to show on a terminal, to write to a file, or to
 * type into a program.
 *
 * Why it is needed: a terminal obeys the control characters in whatever it is given. ESC starts
 * commands (OSC 52 writes the clipboard, OSC 0/2 sets the window title, CSI moves the cursor and
 * repaints); U+0080–U+009F are the same commands in one character for terminals that read 8-bit
 * controls; a program reading keys takes CR as Enter, ETX as Ctrl-C and `ESC[201~` as the end of a
 * bracketed paste (after which every further byte is a key press). Bidi embeddings, overrides and
 * isolates (U+202A–U+202E, U+2066–U+2069) reorder what is drawn, so `txt.exe` can show as `exe.txt`.
 *
 * Three treatments, each a pure function:
 * - `printable`: for showing. Every such character is shown escaped (`\x1b`, `\u202e`), so the
 *   person sees that it was there and nothing acts on it. Backslashes are left alone, which keeps it
 *   idempotent (safe to apply twice) at the price that `\x1b` typed literally reads the same.
 * - `typeable`: for typing into a program. Whole escape sequences are removed (their payload is
 *   terminal commands, not words), then every remaining control character; newlines are kept only
 *   where the caller says they stay newlines (inside a bracketed paste).
 * - `safeToWrite`: for files (context.md, logs, crash reports): secrets scrubbed, then `printable`.
 *
 * Not escaped, on purpose: the implicit direction marks U+200E, U+200F and U+061C (they occur in
 * ordinary right-to-left text and move only the neutral characters beside them) and zero-width
 * characters (they can make two names look alike, but make no terminal do anything).
 */
import stripAnsi from 'strip-ansi';
import { makeScrubber, type Scrubber } from '../store/secrets.js';

/** C0, DEL and C1 controls, the bidi explicit formatting characters, and the line/paragraph separators. */
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_BUT_NEWLINE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function escaped(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

export interface PrintableOptions {
  /** Keep `\n` as a line break (a multi-line message); otherwise it shows as `\n` too. */
  newlines?: boolean;
}

/** `text` with every control, bidi-formatting and separator character shown escaped (see the header). */
export function printable(text: string, opts: PrintableOptions = {}): string {
  return text.replace(opts.newlines ? UNSAFE_BUT_NEWLINE : UNSAFE, escaped);
}

/** Whether `text` would be shown as it is (nothing in it needs escaping). */
export function isPrintable(text: string, opts: PrintableOptions = {}): boolean {
  return printable(text, opts) === text;
}

export interface TypeableOptions {
  /**
   * True inside a bracketed paste, where a newline is text. Otherwise a newline would press Enter:
   * each line break, with the blanks around it, becomes one space.
   */
  newlines: boolean;
}

/**
 * `text` as it may be typed into a program: no escape sequence, no control character (CR and CRLF
 * become newlines, tabs become spaces), no bidi formatting character; newlines per `opts`.
 */
export function typeable(text: string, opts: TypeableOptions): string {
  const plain = stripAnsi(text)
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, ' ')
    // Everything left, including an ESC that began no complete sequence and C1 controls.
    .replace(UNSAFE_BUT_NEWLINE, '');
  return opts.newlines ? plain : plain.replace(/\s*\n\s*/g, ' ');
}

let scrubber: Scrubber | undefined;

/** Keys and tokens out (the session store's rules, src/store/secrets.ts, for this process's environment). */
export function scrubSecrets(text: string): string {
  scrubber ??= makeScrubber(process.env);
  return scrubber(text);
}

/** For a file a person or another program will read: secrets scrubbed, then `printable`. */
export function safeToWrite(text: string, opts: PrintableOptions = {}): string {
  return printable(scrubSecrets(text), opts);
}
