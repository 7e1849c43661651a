/**
 * A cheaper scrollback for @xterm/headless: lines that have left the screen keep only the cells up
 * to their last non-blank one, packed together in one shared array per pass, and get their full
 * width back before anything could write to them again.
 *
 * Why: xterm keeps every scrollback line as a `Uint32Array(cols * 3)` with its own ArrayBuffer,
 * two empty objects and the line object (measured: ~1,120 B per line at 59 columns, 3,332 B at 244,
 * whatever the line holds), so sixteen panes with full 5000-line scrollbacks held ~85 MB. A typical
 * line uses a fraction of its width; packed it costs the line object, one typed-array view and
 * 12 B per cell it uses.
 *
 * When: as each line leaves the screen (xterm's `scroll`, wrapped per instance below). When the
 * scrollback is full xterm recycles its oldest line as the new bottom row and copies a blank row
 * over it; here the line leaving the screen hands its full-width array (just written, in cache) to
 * the recycled line and keeps a packed copy, so a packed ring does not re-grow as it turns over.
 * Finding a line's last used cell costs ~0.2-0.4 us (a scan of its blank tail), as much as parsing
 * the line: during a flood, where all but the last 5000 lines are thrown away, only the first
 * PACK_PER_SLICE lines of each parse slice are packed on the way. What a flood leaves full-width is
 * packed as later output recycles it, not in a pass of its own: memory a pass frees stays with the
 * process (the allocator keeps it), so after a flood a pass only added its own arrays (measured:
 * 16 flooded panes 232-236 -> 261-268 MB with one).
 *
 * Invariants:
 * - only the normal buffer's lines above the screen (index < ybase) are ever compacted; the screen
 *   and the alternate buffer are untouched, and programs can only write to the screen.
 * - a compacted line drops only trailing cells that equal xterm's default blank (no character, width
 *   1, default colours and attributes), so reading it through the public API (`getCell` gives
 *   undefined past its length, `translateToString(true)`) shows the same as before.
 * - a compacted line's empty `_combined` / `_extendedAttrs` objects are replaced by one shared frozen
 *   empty object; xterm assigns fresh objects (`copyFrom`, `fill`) before it writes to a line it
 *   recycles, and resizing (the one path that rewrites scrollback lines: reflow) runs only after
 *   `expandScrollback` has given every line its full width and objects back (emulator.ts).
 * - xterm's internals are checked at run time; if they moved, nothing is compacted (a test fails).
 */

/** xterm's cell layout: 3 words per cell (content, fg, bg); content holds the width at bit 22. */
const CELL = 3;
const WIDTH_SHIFT = 22;
/** The content word of a blank cell (no code point, width 1). */
const BLANK = 1 << WIDTH_SHIFT;
const SHARED_EMPTY: Record<number, never> = Object.freeze({});

interface LineInternals {
  _data: Uint32Array;
  _combined: object;
  _extendedAttrs: object;
  length: number;
}

interface ListInternals {
  length: number;
  isFull: boolean;
  get(i: number): unknown;
  recycle(): unknown;
}

interface BufferInternals {
  ybase: number;
  scrollTop: number;
  scrollBottom: number;
  lines: ListInternals;
}

function normalBuffer(term: object): BufferInternals | undefined {
  const core: unknown = Reflect.get(term, '_core');
  const buffers: unknown = typeof core === 'object' && core !== null ? Reflect.get(core, 'buffers') : undefined;
  const normal: unknown = typeof buffers === 'object' && buffers !== null ? Reflect.get(buffers, 'normal') : undefined;
  if (typeof normal !== 'object' || normal === null) return undefined;
  const lines: unknown = Reflect.get(normal, 'lines');
  const ybase: unknown = Reflect.get(normal, 'ybase');
  if (typeof lines !== 'object' || lines === null || typeof ybase !== 'number') return undefined;
  if (typeof Reflect.get(lines, 'get') !== 'function' || typeof Reflect.get(lines, 'recycle') !== 'function') return undefined;
  if (typeof Reflect.get(lines, 'length') !== 'number' || typeof Reflect.get(normal, 'scrollTop') !== 'number') return undefined;
  return normal as BufferInternals;
}

function asLine(l: unknown): LineInternals | undefined {
  if (typeof l !== 'object' || l === null) return undefined;
  const data: unknown = Reflect.get(l, '_data');
  if (!(data instanceof Uint32Array) || typeof Reflect.get(l, 'length') !== 'number') return undefined;
  if (typeof Reflect.get(l, '_combined') !== 'object' || typeof Reflect.get(l, '_extendedAttrs') !== 'object') return undefined;
  return l as LineInternals;
}

/** Whether this emulator's scrollback can be compacted (false if xterm's internals moved). */
export function canCompact(term: object): boolean {
  const buf = normalBuffer(term);
  return !!buf && buf.lines.length > 0 && !!asLine(buf.lines.get(0));
}

/** A compacted line's data is a view into a shared array; a line xterm (re)built owns its array. */
function isCompact(line: LineInternals): boolean {
  return line._data.byteLength !== line._data.buffer.byteLength;
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
    if (d[o] !== BLANK || (d[o + 1]! | d[o + 2]!) !== 0) {
      // The second half of a wide character is a cell of width 0 after it; keep the pair whole.
      return d[o]! >>> WIDTH_SHIFT === 2 && i + 2 <= len ? i + 2 : i + 1;
    }
  }
  return 0;
}

function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

/**
 * Packs the scrollback lines that are not packed yet (not scheduled: see the header on passes); a line that uses its full width stays as it
 * is (a view of it would keep the whole shared array alive once xterm recycles the line). Returns
 * how many lines were packed.
 */
export function compactScrollback(term: object): number {
  const buf = normalBuffer(term);
  if (!buf) return 0;
  const todo: LineInternals[] = [];
  const keep: number[] = [];
  let cells = 0;
  for (let y = 0; y < buf.ybase; y++) {
    const line = asLine(buf.lines.get(y));
    if (!line) return 0;
    if (isCompact(line)) continue;
    const n = usedCells(line);
    if (n === line.length) continue;
    todo.push(line);
    keep.push(n);
    cells += n;
  }
  if (todo.length === 0) return 0;
  // One array for the whole pass; one cell more so no line's view spans it whole (see isCompact).
  const slab = new Uint32Array((cells + 1) * CELL);
  let at = 0;
  for (let i = 0; i < todo.length; i++) {
    const line = todo[i]!;
    const n = keep[i]! * CELL;
    slab.set(line._data.subarray(0, n), at);
    line._data = slab.subarray(at, at + n);
    line.length = keep[i]!;
    at += n;
    if (isEmpty(line._combined)) line._combined = SHARED_EMPTY;
    if (isEmpty(line._extendedAttrs)) line._extendedAttrs = SHARED_EMPTY;
  }
  return todo.length;
}

/** Gives every packed line its full width (`cols`) and its own objects back. */
export function expandScrollback(term: object, cols: number): number {
  const buf = normalBuffer(term);
  if (!buf) return 0;
  let n = 0;
  for (let y = 0; y < buf.lines.length; y++) {
    const line = asLine(buf.lines.get(y));
    if (!line) return n;
    if (!isCompact(line)) continue;
    const width = Math.max(cols, line.length);
    const data = new Uint32Array(width * CELL);
    data.set(line._data);
    for (let i = line.length; i < width; i++) data[i * CELL] = BLANK;
    line._data = data;
    line.length = width;
    if (line._combined === SHARED_EMPTY) line._combined = {};
    if (line._extendedAttrs === SHARED_EMPTY) line._extendedAttrs = {};
    n++;
  }
  return n;
}

/** Per emulator: the array that packed lines are carved from, and where the next one goes. */
interface Packer {
  slab: Uint32Array;
  at: number;
}
const SLAB_WORDS = 16 * 1024;

/** Packs one line into the packer's slab (a new slab when it is full). */
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
  const view = slab.subarray(at, at + words);
  p.at = at + words;
  line._data = view;
  line.length = n;
  if (isEmpty(line._combined)) line._combined = SHARED_EMPTY;
  if (isEmpty(line._extendedAttrs)) line._extendedAttrs = SHARED_EMPTY;
}

/** How many lines were packed as they left a screen (a test checks it moves). */
export let packedOnScroll = 0;
/** Lines packed on the way out per parse slice (xterm parses in slices of up to 12 ms). */
const PACK_PER_SLICE = 64;

interface Parsed {
  onWriteParsed(cb: () => void): unknown;
}

/**
 * Packs each line as it leaves the screen of the normal buffer. xterm's BufferService calls its own
 * `scroll` through the instance (`this._bufferService.scroll(...)` in the input handler), so this
 * wraps that one method on this emulator only. Only the common case is handled (scroll region at
 * the top of the screen, screen at the bottom of the buffer: the line at `ybase` becomes the newest
 * scrollback line); anything else is left to `compactScrollback`. Returns false if xterm's
 * internals moved.
 */
export function packOnScroll(term: Parsed): boolean {
  const core: unknown = Reflect.get(term, '_core');
  const service: unknown = typeof core === 'object' && core !== null ? Reflect.get(core, '_bufferService') : undefined;
  const buffers: unknown = typeof core === 'object' && core !== null ? Reflect.get(core, 'buffers') : undefined;
  if (typeof service !== 'object' || service === null || typeof buffers !== 'object' || buffers === null) return false;
  const scroll: unknown = Reflect.get(service, 'scroll');
  if (typeof scroll !== 'function' || !canCompact(term) || Reflect.get(service, 'buffer') !== Reflect.get(buffers, 'normal')) return false;
  // Checked above: the shapes below are xterm's (BufferService.buffer, BufferSet.normal).
  const svc = service as { buffer: unknown };
  const set = buffers as { normal: unknown };
  const original = scroll as (this: unknown, eraseAttr: unknown, isWrapped?: boolean) => unknown;
  const p: Packer = { slab: new Uint32Array(SLAB_WORDS), at: 0 };
  /** Lines scrolled in the current parse slice. */
  let scrolled = 0;
  term.onWriteParsed(() => {
    if (scrolled > PACK_PER_SLICE) Reflect.set(service, 'scroll', packing);
    scrolled = 0;
  });
  /** Set while xterm's scroll runs with a line to pack and the scrollback full. */
  let pending: LineInternals | undefined;
  let pendingCells = 0;
  // A reset builds new buffers (and lists): each list gets its recycle wrapped once, permanently,
  // so the list's shape does not change on every scroll.
  const wrapped = new WeakSet<object>();
  const wrapRecycle = (lines: ListInternals): void => {
    wrapped.add(lines);
    const recycle = lines.recycle;
    lines.recycle = function (this: ListInternals): unknown {
      const rec = recycle.call(this);
      const top = pending;
      if (top && rec !== top) {
        // xterm copies a blank row over the line it recycles: hand it the full-width array of the
        // line leaving the screen (same width, so the copy stays in place and in cache).
        pending = undefined;
        const full = top._data;
        const width = top.length;
        pack(p, top, pendingCells);
        const line = rec as LineInternals;
        line._data = full;
        line.length = width;
      }
      return rec;
    };
  };
  const packing = function (this: unknown, eraseAttr: unknown, isWrapped?: boolean): unknown {
    if (++scrolled > PACK_PER_SLICE) {
      // A flood: xterm's own scroll, called directly, for the rest of this parse slice.
      Reflect.set(service, 'scroll', original);
      return original.call(service, eraseAttr, isWrapped);
    }
    const buf = svc.buffer as BufferInternals;
    if (buf !== set.normal || buf.scrollTop !== 0) return original.call(service, eraseAttr, isWrapped);
    const lines = buf.lines;
    if (buf.ybase + buf.scrollBottom !== lines.length - 1) return original.call(service, eraseAttr, isWrapped);
    const top = lines.get(buf.ybase) as LineInternals;
    const data = top._data;
    // Only a line that owns a full-width array of its own is packed (not one xterm left as a view).
    if (data.byteLength !== data.buffer.byteLength || data.length !== top.length * CELL) return original.call(service, eraseAttr, isWrapped);
    const n = usedCells(top);
    if (n === top.length) return original.call(service, eraseAttr, isWrapped);
    const full = lines.isFull;
    if (full && !wrapped.has(lines)) wrapRecycle(lines);
    pending = full ? top : undefined;
    pendingCells = n;
    try {
      return original.call(service, eraseAttr, isWrapped);
    } finally {
      pending = undefined;
      // The scrollback was still growing (no recycle): the line keeps its array until packed here.
      if (top._data === data) pack(p, top, n);
      packedOnScroll++;
    }
  };
  Reflect.set(service, 'scroll', packing);
  return true;
}
