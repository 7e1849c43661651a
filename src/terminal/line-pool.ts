/**
 * Scrollback lines packed as they leave the screen, a few at a time, and their full-width arrays
 * reused: each line that leaves is packed at once (compact-scrollback.ts) and its array goes to a
 * pool, from which xterm's next new bottom row takes its array instead of allocating one.
 *
 * Why: until a scrollback holds its 5000 lines, xterm makes every new bottom row a fresh line
 * (`clone()` of a blank row): a new full-width `Uint32Array` (1.4 KB at 120 columns), two empty
 * objects and, in the constructor, a cell object, in memory the process has never touched (page
 * faults), all of it kept, so every scavenge promotes it. At an agent's pace that is the state a
 * pane stays in for minutes (5000 lines at 20 a second), and at bench row 2b's pace a line cost
 * ~17 us against ~4.6 once the scrollback is full (docs/profile.md). Packed as they leave, lines
 * keep only the cells they use, their empty objects die young, and the full-width arrays are
 * reused. Once the scrollback is full, xterm recycles its oldest line for each new one: a packed
 * line then needs a full-width array again, and takes the one the line that just left gave up
 * (recycle-lines.ts); packing stopped there would only have moved the allocations to the first
 * turn of the ring.
 *
 * When: after each parsed write, for the lines that left the screen since the last one (below the
 * newest scrollback line of then, and not dealt with by a pass), while at most EAGER_MAX have left
 * in the last EAGER_WINDOW_MS. More is a flood, whether it comes in big writes or in many small
 * ones (a shell loop printing as fast as it can): its lines are recycled long before anyone reads
 * them, and packing each cost as much as parsing it (+75% a line in 40-line writes), so they are
 * left to the lazy pass (`packWhenQuiet`), and the lines after it are packed as they leave again.
 *
 * Invariants, with compact-scrollback.ts's: an array enters the pool only from a line that owned
 * it whole (its own buffer) and no longer refers to it, so no two lines share an array; a line
 * takes one only of the length it needs, and every word of it is written. The pool is bounded
 * (POOL_MAX per length) and emptied on any resize. xterm's internals are checked at run time; if
 * they moved, nothing is pooled and nothing is packed early (a test fails).
 */
import { asLine, bufferSet, compactScrollback, handled, type LineInternals } from './compact-scrollback.js';
import { noteFreed } from './reclaim.js';

/** Lines packed at once per EAGER_WINDOW_MS: more leaving in that time is a flood. */
export const EAGER_MAX = 64;
const EAGER_WINDOW_MS = 100;
/** Arrays kept per length: a few parsed writes' worth of new lines, for every pane of that width. */
const POOL_MAX = 256;

const pool = new Map<number, Uint32Array[]>();
/** How many of xterm's new lines took a pooled array (a test checks it moves). */
export const poolStats = { given: 0, taken: 0 };

/** Keeps `data` for a new line, if there is room: it must belong to nothing any more. */
function give(data: Uint32Array): boolean {
  if (data.byteLength !== data.buffer.byteLength) return false;
  let free = pool.get(data.length);
  if (!free) pool.set(data.length, (free = []));
  if (free.length >= POOL_MAX) return false;
  free.push(data);
  poolStats.given++;
  return true;
}

/** A pooled array of `length` words, or undefined: its old words are still in it. */
export function take(length: number): Uint32Array | undefined {
  const data = pool.get(length)?.pop();
  if (data) poolStats.taken++;
  return data;
}

/** How many arrays the pool holds, of every length. */
export function poolSize(): number {
  let n = 0;
  for (const free of pool.values()) n += free.length;
  return n;
}

/** Drops every pooled array (a resize: lines of the old width will not be made again soon). */
export function emptyPool(): void {
  pool.clear();
}

/** Line prototypes whose `clone` takes its array from the pool. */
const cloning = new WeakSet<object>();
/** Passed as the constructor's fill cell: with 0 columns it is never read, and none is made. */
const NO_FILL = Object.freeze({});

/**
 * Makes xterm's `BufferLine.clone` take its array from the pool when one of the right length is
 * there. The copy is the same as the original's: every word of the array, the line's length, its
 * combined characters, extended attributes and wrap flag. The line is made by the class's own
 * constructor (0 columns), so it has the same shape as every other line. Installed once per
 * prototype; false if xterm's internals moved.
 */
function cloneFromPool(first: object): boolean {
  const proto: unknown = Object.getPrototypeOf(first);
  if (typeof proto !== 'object' || proto === null) return false;
  if (cloning.has(proto)) return true;
  const clone: unknown = Reflect.get(proto, 'clone');
  const Line: unknown = Reflect.get(proto, 'constructor');
  if (typeof clone !== 'function' || clone.length !== 0 || typeof Line !== 'function') return false;
  const original = clone as (this: LineInternals) => LineInternals;
  const make = Line as new (cols: number, fill: object) => LineInternals;
  const pooled = function clone(this: LineInternals): LineInternals {
    const data = take(this._data.length);
    if (!data) return original.call(this);
    const line = new make(0, NO_FILL);
    data.set(this._data);
    line._data = data;
    line.length = this.length;
    for (const k in this._combined) line._combined[k] = this._combined[k];
    for (const k in this._extendedAttrs) line._extendedAttrs[k] = this._extendedAttrs[k];
    line.isWrapped = this.isWrapped;
    return line;
  };
  Reflect.set(proto, 'clone', pooled);
  cloning.add(proto);
  return true;
}

interface Watched {
  onWriteParsed(cb: () => void): unknown;
}

/**
 * Packs this emulator's lines as they leave the screen, a parsed write's worth at a time, their
 * arrays going to the pool its new lines are made from (`clock`: milliseconds, for the flood
 * limit). Returns false if xterm's internals moved.
 */
export function packAsTheyLeave(term: Watched, clock: () => number = () => performance.now()): boolean {
  const buffers = bufferSet(term);
  const first = asLine(buffers?.normal.lines.get(0));
  if (!buffers || !first || !cloneFromPool(first)) return false;
  // The newest scrollback line after the last parsed write: the lines below it left since.
  let newest: unknown;
  let windowStart = -Infinity;
  let windowLines = 0;
  term.onWriteParsed(() => {
    const b = buffers.normal;
    const top = b.ybase > 0 ? b.lines.get(b.ybase - 1) : undefined;
    // Nothing left the screen (an echo, a spinner): the usual write, done with at once.
    if (top === newest) return;
    const since = newest;
    newest = top;
    const now = clock();
    if (now - windowStart >= EAGER_WINDOW_MS) {
      windowStart = now;
      windowLines = 0;
    }
    // A flood in this window already: not even looked at.
    if (windowLines > EAGER_MAX) return;
    // Every line of the buffer is one of xterm's lines (checked on the first, above).
    const stop = Math.max(0, b.ybase - EAGER_MAX - 1);
    let y = b.ybase;
    while (y > stop) {
      const line = b.lines.get(y - 1) as LineInternals | undefined;
      if (!line || line === since || handled(line)) break;
      y--;
    }
    const left = b.ybase - y;
    windowLines += left;
    if (left === 0 || windowLines > EAGER_MAX) return;
    const { bytes } = compactScrollback(term, left, y, give);
    // Arrays the pool had no room for.
    if (bytes > 0) noteFreed(bytes);
  });
  return true;
}
