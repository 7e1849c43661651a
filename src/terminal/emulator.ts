/**
 * The one place that constructs @xterm/headless terminals, so every emulator gets the same
 * options: the proposed API (buffer and parser access) and Unicode 11 widths, which match what
 * current terminals and string-width (Ink) use for emoji; xterm's default (Unicode 6) makes
 * emoji one cell wide and the screen drifts.
 *
 * It also keeps one emulator's failure inside that emulator. @xterm/headless 6.0 has bugs a program
 * can reach with its output alone (found by fuzzing: `ESC[24;80H ESC[1J` on a fresh 80x24 screen
 * throws in eraseInDisplay, which reads the line below the last one), and xterm parses writes in
 * its own timers, so such an exception would surface from a timer as an uncaught exception and
 * take the whole workspace down. Invariant: an exception while parsing resets that emulator only,
 * writes the owner's notice on it, and parsing goes on with the next chunk; callbacks of writes
 * still fire (pane backpressure keeps counting right).
 *
 * And it takes out a wait xterm adds before parsing: its write queue starts (and, after each 12 ms
 * slice, continues) with `setTimeout(fn)`, which Node clamps to 1 ms, so each time the parser caught
 * up with the program's output it sat idle 1 ms before the next chunk and before a keystroke's echo
 * (measured: a flood 1.91x tmux with it, 1.65x without; keystroke echo p50 3.7 -> 2.5 ms).
 * Invariant: those continuations, and only those, run as `setImmediate` instead.
 */
import xterm from '@xterm/headless';
import unicode11 from '@xterm/addon-unicode11';
import { asLine, expandScrollback, normalBuffer, packSoon, packWhenQuiet } from './compact-scrollback.js';
import { emptyPool, packAsTheyLeave } from './line-pool.js';
import { recycleInPlace } from './recycle-lines.js';

export type Terminal = xterm.Terminal;
export type IMarker = xterm.IMarker;

/** Told the error after the emulator was reset; returns a notice to write on the fresh screen. */
export type FailureHandler = (error: Error) => string | undefined;

const handlers = new WeakMap<Terminal, FailureHandler>();
/** The emulator's own parse, unguarded: writes the notice synchronously, ahead of queued output. */
const rawParse = new WeakMap<Terminal, (data: string) => unknown>();

/**
 * Packing scrollback lines once a pane stops scrolling (compact-scrollback.ts, with reclaim.ts
 * giving the memory back) is on unless AGENTS_COMPACT_SCROLLBACK=0, kept as a way to rule it out
 * when something reads scrollback wrong. Measured (bench/panes.js, 16 panes of 59x19 in 244x85,
 * RSS of the workspace): see docs/profile.md.
 */
export const compactScrollbackEnabled = (env: NodeJS.ProcessEnv = process.env): boolean => env.AGENTS_COMPACT_SCROLLBACK !== '0';

export function createEmulator(cols: number, rows: number, scrollback: number, onFailure?: FailureHandler, compact = compactScrollbackEnabled()): Terminal {
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
  handlers.set(term, onFailure ?? (() => undefined));
  guardParse(term);
  scheduleByImmediate(term);
  if (compact && scrollback > 0) {
    packWhenQuiet(term);
    packAsTheyLeave(term);
  }
  recycleInPlace(term);
  return term;
}

const immediate = new WeakSet<Terminal>();
/** How many of xterm's write continuations ran as setImmediate (a test checks it moves). */
export let immediateContinuations = 0;

/**
 * xterm 6's WriteBuffer calls the global `setTimeout(() => this._innerWrite())` in exactly two
 * places: in `write` when its queue was empty, and at the end of `_innerWrite` when a 12 ms slice
 * left data queued (and the same for the rare async parser handler). Both methods are looked up on
 * the instance when called, so wrapping them on this instance only lets us swap the global
 * `setTimeout`, for their synchronous extent, for one that runs xterm's own continuation (a
 * one-argument call whose function calls `_innerWrite`) as setImmediate and passes every other call
 * (a parser callback's timer, say) through unchanged. Not public API: checked at run time, and a
 * test fails if a new xterm version moves it.
 */
function scheduleByImmediate(term: Terminal): void {
  const core: unknown = Reflect.get(term, '_core');
  const wb: unknown = typeof core === 'object' && core !== null ? Reflect.get(core, '_writeBuffer') : undefined;
  if (typeof wb !== 'object' || wb === null) return;
  const write: unknown = Reflect.get(wb, 'write');
  const inner: unknown = Reflect.get(wb, '_innerWrite');
  if (typeof write !== 'function' || typeof inner !== 'function') return;
  // xterm calls both with at most two arguments (its data and callback; the time and a parser
  // handler's result); its defaults apply to the ones left undefined, as when it calls them.
  Reflect.set(wb, 'write', withShim(wb, write));
  Reflect.set(wb, '_innerWrite', withShim(wb, inner));
  immediate.add(term);
}

/**
 * The swap of the global `setTimeout`, made once however deep the calls nest (a listener called
 * during a parse may write to an emulator). Plain stores to the global and one shim made once: a
 * `Reflect.set` of the global and two closures per call were ~1.5% of the workspace's main thread
 * in a `perf` profile of bench row 2b (~300 writes and continuations a second).
 */
const globals = globalThis as { setTimeout: unknown };
let depth = 0;
let realSetTimeout: unknown;

/** `method` of `wb`, run with the shim in place: the wrapper is made once, not per call. */
function withShim(wb: object, method: { call(self: object, a: unknown, b: unknown): unknown }): (a: unknown, b: unknown) => unknown {
  return (a, b) => {
    enter();
    try {
      return method.call(wb, a, b);
    } finally {
      leave();
    }
  };
}

function enter(): void {
  if (depth++ > 0) return;
  realSetTimeout = globals.setTimeout;
  globals.setTimeout = continuationShim;
}

function leave(): void {
  if (--depth > 0) return;
  globals.setTimeout = realSetTimeout;
}

function continuationShim(cb: unknown, ...rest: unknown[]): unknown {
  if (rest.length === 0 && typeof cb === 'function' && Function.prototype.toString.call(cb).includes('_innerWrite')) {
    immediateContinuations++;
    return setImmediate(() => Reflect.apply(cb, undefined, []));
  }
  return Reflect.apply(realSetTimeout as typeof setTimeout, globalThis, [cb, ...rest]);
}

/** Whether this emulator's write queue continues by setImmediate (false if xterm's internals moved). */
export function schedulesByImmediate(term: Terminal): boolean {
  return immediate.has(term);
}

/**
 * Every write reaches xterm's InputHandler.parse, called from its WriteBuffer as
 * `this._inputHandler.parse(...)` (looked up on each call), so wrapping that one method on this
 * instance catches every parse error, in whichever timer it happens. It is not public API: checked
 * at run time, and a test fails if a new xterm version moves it.
 */
function guardParse(term: Terminal): void {
  const core: unknown = Reflect.get(term, '_core');
  const input: unknown = typeof core === 'object' && core !== null ? Reflect.get(core, '_inputHandler') : undefined;
  const parse: unknown = typeof input === 'object' && input !== null ? Reflect.get(input, 'parse') : undefined;
  if (typeof input !== 'object' || input === null || typeof parse !== 'function') return;
  rawParse.set(term, (data) => Reflect.apply(parse, input, [data]));
  Reflect.set(input, 'parse', (...args: unknown[]) => {
    try {
      const result: unknown = Reflect.apply(parse, input, args);
      // Only async parser handlers return a promise (we register none); xterm rethrows their errors in a microtask.
      if (result instanceof Promise) {
        return result.catch((e: unknown) => {
          emulatorFailed(term, e);
          return true;
        });
      }
      return result;
    } catch (e) {
      emulatorFailed(term, e);
      return undefined;
    }
  });
}

/** Whether parse errors of this emulator are contained (false if xterm's internals moved). */
export function isGuarded(term: Terminal): boolean {
  return rawParse.has(term);
}

/**
 * The emulator's state is no longer trusted after `error`: reset it and write the owner's notice.
 * For callers whose own call into the emulator threw (resize), as the parse guard does.
 */
export function emulatorFailed(term: Terminal, error: unknown): void {
  const err = error instanceof Error ? error : new Error(String(error));
  const parse = rawParse.get(term);
  try {
    // RIS through the parser: `term.reset()` alone leaves the parser in the state the exception
    // left it (mid-CSI, it swallowed the first character of the notice as a final byte).
    if (parse) parse('\x1bc');
    else term.reset();
  } catch {
    try {
      term.reset();
    } catch {
      // A reset rebuilds the buffers from the options; nothing more can be done if even that throws.
    }
  }
  const notice = handlers.get(term)?.(err);
  if (!notice) return;
  try {
    if (parse) parse(notice);
    else term.write(notice);
  } catch {
    // The notice is a courtesy; the pane goes on without it.
  }
}

/** Resizes, resetting the emulator instead of throwing when its state was inconsistent. */
export function resizeEmulator(term: Terminal, cols: number, rows: number): void {
  // Resizing rewrites scrollback lines (reflow) and may pull them back onto the screen: they need
  // their full width and objects first (compact-scrollback.ts).
  expandScrollback(term, term.cols);
  packSoon(term);
  emptyPool();
  if (cols < term.cols) trimBeforeNarrowing(term, cols, rows);
  try {
    term.resize(cols, rows);
  } catch (e) {
    emulatorFailed(term, e);
    term.resize(cols, rows);
  }
}

/**
 * xterm 6.0's reflow to fewer columns loses the newest lines when the reflowed lines need more
 * rows than the buffer keeps (scrollback + rows): the last rows then hold text of older lines, and
 * what the program printed last is gone (docs/profile.md; from 120 columns to 16-23, say, with a
 * full scrollback). So before narrowing, the oldest scrollback lines, which that reflow would
 * drop anyway, are dropped here, whole, until what is left fits. A line's rows are counted high
 * (one cell of each row may go to a wide character pushed to the next), so a few more old lines
 * may go than xterm itself would drop. Screen rows are never dropped: when the screen and the
 * newest scrollback lines cannot fit at the new width on their own (a few columns, a small
 * scrollback), nothing is dropped and xterm's reflow runs as it would have.
 * Nothing is done if xterm's internals are not where this expects them.
 */
function trimBeforeNarrowing(term: Terminal, cols: number, rows: number): void {
  const b = normalBuffer(term);
  const trimStart: unknown = b ? Reflect.get(b.lines, 'trimStart') : undefined;
  const ydisp: unknown = b ? Reflect.get(b, 'ydisp') : undefined;
  if (!b || typeof trimStart !== 'function' || typeof ydisp !== 'number') return;
  const keep = (term.options.scrollback ?? 0) + rows;
  const perRow = Math.max(1, cols - 1);
  let need = 0;
  for (let y = b.lines.length - 1; y >= 0; ) {
    // A line and the rows it wraps onto: start..y.
    let start = y;
    while (start > 0 && asLine(b.lines.get(start))?.isWrapped) start--;
    let cells = 0;
    for (let k = start; k <= y; k++) cells += rowCells(b.lines.get(k), k === y);
    need += Math.max(1, Math.ceil(cells / perRow));
    if (need > keep) {
      // Only whole scrollback lines go, and only when that makes the rest fit.
      const drop = y + 1;
      if (drop > b.ybase) return;
      Reflect.apply(trimStart, b.lines, [drop]);
      b.ybase -= drop;
      Reflect.set(b, 'ydisp', Math.max(0, ydisp - drop));
      return;
    }
    y = start - 1;
  }
}

/** The cells a buffer row gives its line: all of them, or up to its last printed one for the line's last row. */
function rowCells(row: unknown, last: boolean): number {
  const line = asLine(row);
  if (!line) return 0;
  const trimmed: unknown = Reflect.get(line, 'getTrimmedLength');
  return last && typeof trimmed === 'function' ? Number(Reflect.apply(trimmed, line, [])) : line.length;
}
