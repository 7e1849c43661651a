/**
 * Once a scrollback is full, xterm makes each new bottom row of its oldest line (`recycle()`, then
 * `copyFrom` a blank row), and `copyFrom` gives that line two fresh empty objects each time: in a
 * flood, two allocations per line, each stored into an old object (a write barrier), that the next
 * scavenge then promotes. `recycleInPlace` keeps them when it can (below), and gives a packed line
 * coming round again the full-width array a line leaving the screen gave up (line-pool.ts). It
 * reads xterm's line internals through compact-scrollback.ts, whose invariants it keeps.
 */
import { asLine, isEmpty, normalBuffer, SHARED_EMPTY, type LineInternals } from './compact-scrollback.js';
import { take } from './line-pool.js';

/** Line prototypes whose `copyFrom` keeps a recycled line's own empty objects (`recycleInPlace`). */
const recycling = new WeakSet<object>();

/** An empty object that belongs to its line alone: never the shared one, which must not be written. */
function ownEmpty(o: object): boolean {
  return o !== SHARED_EMPTY && isEmpty(o);
}

/**
 * Makes xterm's `copyFrom` keep the line's objects when the row copied has the line's width and no
 * combined characters or extended attributes, and the line's own two objects are empty and its
 * own: it copies the cells alone, which is all the original does then besides the two objects
 * (measured: a flood's parse ~0.56 -> ~0.46 us a line, 4 emulators of 120x40, docs/profile.md).
 * The alternate screen (no scrollback: always full) recycles the same way. A line of another
 * width (a packed one) takes a pooled array when there is one, keeping its objects if they are
 * its own and empty, and gets fresh ones otherwise; without a pooled array the original runs.
 *
 * Invariants, with compact-scrollback.ts's: the packer's shared frozen empty object is never kept
 * (so nothing writes to it), and its `kept` set holds no other empty object (a pass adds only
 * objects with entries), so a recycled line never looks already dealt with to the next pass.
 * Installed once per prototype; false if xterm's internals moved (a test fails then).
 */
export function recycleInPlace(term: object): boolean {
  const first = asLine(normalBuffer(term)?.lines.get(0));
  if (!first) return false;
  const proto: unknown = Object.getPrototypeOf(first);
  if (typeof proto !== 'object' || proto === null) return false;
  if (recycling.has(proto)) return true;
  const copyFrom: unknown = Reflect.get(proto, 'copyFrom');
  if (typeof copyFrom !== 'function' || copyFrom.length !== 1) return false;
  const original = copyFrom as (this: LineInternals, from: LineInternals) => void;
  const keeping = function copyFrom(this: LineInternals, from: LineInternals): void {
    if (this.length === from.length && ownEmpty(this._combined) && ownEmpty(this._extendedAttrs) && isEmpty(from._combined) && isEmpty(from._extendedAttrs)) {
      this._data.set(from._data);
      this.isWrapped = from.isWrapped;
      return;
    }
    // A packed line (or one of another width) needs a full array: a pooled one, when there is one.
    const data = this.length !== from.length && isEmpty(from._combined) && isEmpty(from._extendedAttrs) ? take(from._data.length) : undefined;
    if (data) {
      data.set(from._data);
      this._data = data;
      this.length = from.length;
      if (!ownEmpty(this._combined)) this._combined = {};
      if (!ownEmpty(this._extendedAttrs)) this._extendedAttrs = {};
      this.isWrapped = from.isWrapped;
      return;
    }
    original.call(this, from);
  };
  Reflect.set(proto, 'copyFrom', keeping);
  recycling.add(proto);
  return true;
}
