/**
 * A cheaper scrollback for @xterm/headless: lines that have left the screen keep only the cells up
 * to their last non-blank one, packed together in shared arrays, and get their full width back
 * before anything could write to them again.
 *
 * Why: xterm keeps every scrollback line as a `Uint32Array(cols * 3)` with its own ArrayBuffer,
 * two empty objects and the line object (measured: ~1,120 B per line at 59 columns, 3,332 B at 244,
 * whatever the line holds), so sixteen panes with full 5000-line scrollbacks held ~85 MB. A typical
 * line uses a fraction of its width; packed it costs the line object, one typed-array view and
 * 12 B per cell it uses (a `seq` line at 59 columns: ~220 B).
 *
 * When: lazily, once a pane has not scrolled for PACK_QUIET_MS, in slices of PACK_SLICE lines (one
 * macrotask each, ~1 ms). A flood is not packed as it scrolls: packing lines as they left the
 * screen cost a scan of each line's blank tail (as much as parsing it), and in a flood all but the
 * last 5000 lines are thrown away, so that work was wasted and the packed lines were re-grown when
 * xterm recycled them (measured: ~+50% parse CPU with every line of a flood packed; 16
 * flooded panes 233 -> 254 MB with the first 64 lines of each parse slice packed). A lazy pass
 * packs at most the 5000 lines kept, whatever the flood's length. The arrays it drops are old
 * objects: reclaim.ts gives their memory back to the system. The one exception: at an agent's
 * pace (at most 64 lines in 100 ms), the few lines each parsed write moves off the screen are
 * packed at once, and their arrays reused for new lines (line-pool.ts).
 *
 * Invariants:
 * - only the normal buffer's lines above the screen (index < ybase) are ever compacted; the screen
 *   and the alternate buffer are untouched, and programs can only write to the screen.
 * - a compacted line drops only trailing cells that equal xterm's default blank (no character, width
 *   1, default colours and attributes), so reading it through the public API (`getCell` gives
 *   undefined past its length, `translateToString(true)`) and straight from its array (snapshot.ts)
 *   shows the same as before. A line that uses its full width keeps its own array.
 * - a packed line is always shorter than the screen, so when xterm recycles it as a new bottom row
 *   (`copyFrom` a blank row of another length) it gets a full-width array of its own (fresh, or
 *   one a line leaving the screen gave up: line-pool.ts) and objects of its own.
 * - a compacted line's empty `_combined` / `_extendedAttrs` objects are replaced by one shared frozen
 *   empty object; xterm assigns fresh objects (`copyFrom`, `fill`) before it writes to a line it
 *   recycles (`copyFrom` keeps only a line's own empty objects: recycle-lines.ts), and resizing
 *   (the one path that rewrites scrollback lines: reflow) runs only after `expandScrollback` has
 *   given every line its full width and objects back (emulator.ts).
 * - xterm's internals are checked at run time; if they moved, nothing is compacted (a test fails).
 */
import { noteActivity, noteFreed } from './reclaim.js';

/** xterm's cell layout: 3 words per cell (content, fg, bg); content holds the width at bit 22. */
const CELL = 3;
const WIDTH_SHIFT = 22;
/** The content word of a blank cell (no code point, width 1). */
const BLANK = 1 << WIDTH_SHIFT;
export const SHARED_EMPTY: Record<number, never> = Object.freeze({});

/** The fields of xterm's BufferLine this module and its neighbours (recycle-lines.ts, line-pool.ts) use. */
export interface LineInternals {
  _data: Uint32Array;
  _combined: Record<number, unknown>;
  _extendedAttrs: Record<number, unknown>;
  length: number;
  isWrapped: boolean;
}

interface ListInternals {
  length: number;
  get(i: number): unknown;
}

interface BufferInternals {
  ybase: number;
  lines: ListInternals;
}

interface BufferSet {
  readonly normal: BufferInternals;
}

/**
 * The emulator's BufferSet, or undefined if xterm's internals moved. It lives as long as the
 * emulator, but a reset gives it a new normal buffer: read `normal` on each use.
 */
export function bufferSet(term: object): BufferSet | undefined {
  const core: unknown = Reflect.get(term, '_core');
  const buffers: unknown = typeof core === 'object' && core !== null ? Reflect.get(core, 'buffers') : undefined;
  const normal: unknown = typeof buffers === 'object' && buffers !== null ? Reflect.get(buffers, 'normal') : undefined;
  if (typeof normal !== 'object' || normal === null) return undefined;
  const lines: unknown = Reflect.get(normal, 'lines');
  const ybase: unknown = Reflect.get(normal, 'ybase');
  if (typeof lines !== 'object' || lines === null || typeof ybase !== 'number') return undefined;
  if (typeof Reflect.get(lines, 'get') !== 'function' || typeof Reflect.get(lines, 'length') !== 'number') return undefined;
  return buffers as BufferSet;
}

export function normalBuffer(term: object): BufferInternals | undefined {
  return bufferSet(term)?.normal;
}

export function asLine(l: unknown): LineInternals | undefined {
  if (typeof l !== 'object' || l === null) return undefined;
  const data: unknown = Reflect.get(l, '_data');
  if (!(data instanceof Uint32Array) || typeof Reflect.get(l, 'length') !== 'number') return undefined;
  if (typeof Reflect.get(l, '_combined') !== 'object' || typeof Reflect.get(l, '_extendedAttrs') !== 'object') return undefined;
  if (typeof Reflect.get(l, 'isWrapped') !== 'boolean') return undefined;
  return l as LineInternals;
}

/** Whether this emulator's scrollback can be compacted (false if xterm's internals moved). */
export function canCompact(term: object): boolean {
  return checkedShape(term) !== undefined;
}

/** A compacted line's data is a view into a shared array; a line xterm (re)built owns its array. */
function isCompact(line: LineInternals): boolean {
  return line._data.byteLength !== line._data.buffer.byteLength;
}

/**
 * `_combined` objects of lines a pass kept as they are (they use their whole width): the shared
 * empty one, or the line's own when it holds combined characters. xterm gives a line a fresh
 * `_combined` whenever it rebuilds or recycles it (or keeps an empty one of its own, never one in
 * here), so a line found here is still the one a pass saw.
 */
const kept = new WeakSet<object>([SHARED_EMPTY]);

/** Whether a pass already dealt with this line (packed it, or found it uses its whole width). */
export function handled(line: LineInternals): boolean {
  return isCompact(line) || kept.has(line._combined);
}

/**
 * The number of cells to keep: up to the last cell that is not the default blank. Integer
 * arithmetic only: a length computed by division would be stored as a double and change the shape
 * of xterm's line objects (V8 field representation), slowing every later access to them.
 */
function usedCells(line: LineInternals): number {
  const d = line._data;
  const len = line.length;
  for (let i = len - 1; i >= 0; i--) {
    const o = i * CELL;
    if ((d[o]! ^ BLANK) | d[o + 1]! | d[o + 2]!) {
      // The second half of a wide character is a cell of width 0 after it; keep the pair whole.
      return d[o]! >>> WIDTH_SHIFT === 2 && i + 2 <= len ? i + 2 : i + 1;
    }
  }
  return 0;
}

export function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

/** Per emulator: the array that packed lines are carved from, and where the next one goes. */
interface Packer {
  slab: Uint32Array;
  at: number;
}
const packers = new WeakMap<object, Packer>();
/** 64 KB: a slab lives until the last of its lines is recycled, which goes oldest first. */
const SLAB_WORDS = 16 * 1024;

/** Copies a line's first `n` cells into the packer's slab and makes the line a view of them. */
function pack(p: Packer, line: LineInternals, n: number): void {
  const words = n * CELL;
  // A view never spans a whole slab (see isCompact): the slab is always at least a cell bigger.
  if (p.at + words >= p.slab.length) {
    p.slab = new Uint32Array(Math.max(SLAB_WORDS, words + CELL));
    p.at = 0;
  }
  const slab = p.slab;
  const from = line._data;
  const at = p.at;
  for (let i = 0; i < words; i++) slab[at + i] = from[i]!;
  line._data = slab.subarray(at, at + words);
  line.length = n;
  p.at = at + words;
}

/** How many lines were packed in this process, and the bytes of the arrays they let go. */
export const packStats = { lines: 0, bytes: 0 };

/**
 * Per emulator, once checked: its BufferSet and the class of its lines (xterm's BufferLine). Packing
 * runs after every parsed write (line-pool.ts): checking again each time was ~1% of a busy workspace.
 */
const checked = new WeakMap<object, { buffers: BufferSet; lineClass: unknown }>();

function checkedShape(term: object): { buffers: BufferSet; lineClass: unknown } | undefined {
  let c = checked.get(term);
  if (!c) {
    const buffers = bufferSet(term);
    const first = asLine(buffers?.normal.lines.get(0));
    if (buffers && first) checked.set(term, (c = { buffers, lineClass: Reflect.get(first, 'constructor') }));
  }
  return c;
}

/**
 * Packs up to `max` scrollback lines that no pass has dealt with yet, oldest first from line
 * `from`. Returns how many lines it looked at, so a caller working in slices knows whether to go
 * on. A packed line's own array is offered to `release` (line-pool.ts), and counted as freed if
 * it does not keep it.
 */
export function compactScrollback(term: object, max = Infinity, from = 0, release?: (data: Uint32Array) => boolean): { done: number; packed: number; bytes: number } {
  const out = { done: 0, packed: 0, bytes: 0 };
  const c = checkedShape(term);
  if (!c) return out;
  const { buffers, lineClass } = c;
  const buf = buffers.normal;
  let p = packers.get(term);
  for (let y = from; y < buf.ybase && out.done < max; y++) {
    const l: unknown = buf.lines.get(y);
    if (typeof l !== 'object' || l === null || l.constructor !== lineClass) return out;
    const line = l as LineInternals;
    if (handled(line)) continue;
    out.done++;
    const n = usedCells(line);
    const whole = n === line.length;
    if (!whole) {
      const own = line._data;
      if (!p) packers.set(term, (p = { slab: new Uint32Array(SLAB_WORDS), at: 0 }));
      pack(p, line, n);
      out.packed++;
      if (!release?.(own)) out.bytes += own.buffer.byteLength;
    }
    // A line using its whole width keeps its array; its empty objects are shared all the same,
    // and its `_combined` marks it as dealt with.
    if (isEmpty(line._combined)) line._combined = SHARED_EMPTY;
    else if (whole) kept.add(line._combined);
    if (isEmpty(line._extendedAttrs)) line._extendedAttrs = SHARED_EMPTY;
  }
  packStats.lines += out.packed;
  packStats.bytes += out.bytes;
  return out;
}

/** Gives every packed line its full width (`cols`) and its own objects back. */
export function expandScrollback(term: object, cols: number): number {
  const buf = normalBuffer(term);
  if (!buf) return 0;
  let n = 0;
  for (let y = 0; y < buf.lines.length; y++) {
    const line = asLine(buf.lines.get(y));
    if (!line) return n;
    // After a resize a line may no longer fill its width: every line is looked at again.
    if (line._combined === SHARED_EMPTY) line._combined = {};
    else kept.delete(line._combined);
    if (line._extendedAttrs === SHARED_EMPTY) line._extendedAttrs = {};
    if (!isCompact(line)) continue;
    const width = Math.max(cols, line.length);
    const data = new Uint32Array(width * CELL);
    data.set(line._data);
    for (let i = line.length; i < width; i++) data[i * CELL] = BLANK;
    line._data = data;
    line.length = width;
    n++;
  }
  packers.delete(term);
  return n;
}

/** How long a pane must go without scrolling before its new scrollback lines are packed. */
export const PACK_QUIET_MS = 300;
/** Lines looked at per macrotask (~1 ms at 120 columns), so a pass never holds up a keystroke. */
const PACK_SLICE = 1000;

interface Watched {
  onWriteParsed(cb: () => void): unknown;
}

/** Per watched emulator: what to call when its scrollback changed without scrolling (a resize). */
const kicks = new WeakMap<object, () => void>();

/**
 * Packs this emulator's new scrollback lines once it has not scrolled for `quietMs`. Scrolling is
 * noticed once per parsed batch, by the newest scrollback line changing (a spinner redrawing the
 * screen does not count). Timers are unref'd; after the emulator is disposed at most one pass runs.
 * Returns false if xterm's internals moved (nothing is ever packed then).
 */
export function packWhenQuiet(term: Watched, quietMs = PACK_QUIET_MS): boolean {
  const buffers = bufferSet(term);
  if (!buffers || !canCompact(term)) return false;
  let newest: unknown;
  let lastScroll = 0;
  let scheduled = false;
  const slice = (): void => {
    const wait = lastScroll + quietMs - performance.now();
    if (wait > 0) {
      setTimeout(slice, wait).unref();
      return;
    }
    const r = compactScrollback(term, PACK_SLICE);
    if (r.bytes > 0) noteFreed(r.bytes);
    if (r.done === PACK_SLICE) setImmediate(slice).unref();
    else scheduled = false;
  };
  const changed = (): void => {
    lastScroll = performance.now();
    if (scheduled) return;
    scheduled = true;
    setTimeout(slice, quietMs).unref();
  };
  kicks.set(term, changed);
  term.onWriteParsed(() => {
    noteActivity();
    const buf = buffers.normal;
    if (buf.ybase === 0) return;
    const top = buf.lines.get(buf.ybase - 1);
    if (top === newest) return;
    newest = top;
    changed();
  });
  return true;
}

/** Packs the scrollback again a while after it was expanded (a resize), if this emulator packs at all. */
export function packSoon(term: object): void {
  kicks.get(term)?.();
}
