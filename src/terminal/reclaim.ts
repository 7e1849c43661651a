/**
 * Gives the memory of packed scrollback back to the system.
 *
 * Why: packing (compact-scrollback.ts) drops the lines' full-width arrays, but those are old
 * objects: only a full GC frees them, and in a workspace at rest V8 runs none for minutes. What a
 * GC frees goes back to glibc's malloc, which keeps it (the holes sit between live allocations)
 * until `malloc_trim`. And a flood grows V8's young generation to its 16 MB semispaces (32 MB),
 * which V8 shrinks only at a GC that comes after ~5 s of little allocation. Measured, 16 emulators
 * of 59x19 with full 5000-line scrollbacks filled by a flood (scratch harness, RSS): 195 MB;
 * packed 195; packed + GC 183; + malloc_trim 105-115; a GC 6 s after the flood, + malloc_trim 91.
 *
 * So, once at least MIN_FREED bytes were packed away: a full GC, malloc_trim TRIM_DELAY_MS later
 * (V8 frees array buffers' memory on a background thread after the GC), and, if the young
 * generation is still large, one more GC + trim SHRINK_AFTER_MS after the last activity (with a
 * scavenge before and one GC more after, so that V8 does shrink it: `settle`).
 *
 * Invariants:
 * - a GC stops the process (~15-30 ms with 16 full scrollbacks), so it starts only when no key went
 *   to a pane (`noteInput`) and no emulator parsed output (`noteActivity`) for QUIET_MS; a
 *   workspace whose panes never stop printing still gets it once DUE_MS have passed without keys.
 * - at most one reclaim is pending; nothing here runs on the parse path (the notes are stores).
 * - without the native part (no malloc_trim) or the gc function, the steps it lacks are skipped.
 * - timers are unref'd: they never keep a process alive.
 */
import vm from 'node:vm';
import { mallocTrim } from './native.js';
import { builtin } from '../util/builtin.js';

/** node:v8 on first use: this module loads on the workspace's way to its first frame, which needs none of it. */
const v8 = (): typeof import('node:v8') => builtin('node:v8');

export const MIN_FREED = 2 * 1024 * 1024;
const QUIET_MS = 1000;
const DUE_MS = 10_000;
const TRIM_DELAY_MS = 200;
const SHRINK_AFTER_MS = 6000;
/** After a reclaim's GC, when the scavenge that closes the output's tail runs (see `settle`). */
const SETTLE_MS = 1000;
/** After a shrinking GC that left the young generation large, when one more comes (see `settle`). */
const SHRINK_AGAIN_MS = 1000;
/** A young generation larger than this after a reclaim is worth a second GC to shrink it. */
const YOUNG_LIMIT = 4 * 1024 * 1024;

export interface ReclaimPorts {
  now: () => number;
  /** A full GC, or with `minor` a scavenge (undefined when it cannot be had). */
  gc: ((minor?: boolean) => void) | undefined;
  trim: () => boolean;
  /** Bytes of the young generation in memory. */
  young: () => number;
  setTimer: (fn: () => void, ms: number) => void;
}

export interface ReclaimStats {
  reclaims: number;
  shrinks: number;
  lastGcMs: number;
}

export class Reclaimer {
  private freed = 0;
  private dueSince = 0;
  private lastInput = -Infinity;
  private lastActivity = -Infinity;
  private pending = false;
  /** The shrinking GC after this reclaim may be followed by one more (see `settle`). */
  private shrinkAgain = false;
  readonly stats: ReclaimStats = { reclaims: 0, shrinks: 0, lastGcMs: 0 };

  constructor(private ports: ReclaimPorts) {}

  noteInput(): void {
    this.lastInput = this.ports.now();
  }

  /** Whether keys went to the workspace or a pane within the last `ms` (noteInput's). */
  typedWithin(ms: number): boolean {
    return this.ports.now() - this.lastInput < ms;
  }

  noteActivity(): void {
    this.lastActivity = this.ports.now();
  }

  noteFreed(bytes: number): void {
    this.freed += bytes;
    if (this.freed < MIN_FREED || this.pending) return;
    this.pending = true;
    this.dueSince = this.ports.now();
    this.ports.setTimer(() => this.tryReclaim(), QUIET_MS);
  }

  /** Milliseconds until a GC may start (0: now). */
  private waitFor(): number {
    const now = this.ports.now();
    const keys = this.lastInput + QUIET_MS - now;
    const output = now - this.dueSince >= DUE_MS ? 0 : this.lastActivity + QUIET_MS - now;
    return Math.max(0, keys, output);
  }

  private tryReclaim(): void {
    const wait = this.waitFor();
    if (wait > 0) {
      this.ports.setTimer(() => this.tryReclaim(), wait);
      return;
    }
    this.freed = 0;
    this.pending = false;
    this.stats.reclaims++;
    this.collect();
    this.ports.setTimer(() => this.settle(), SETTLE_MS);
    this.shrinkAgain = true;
    this.ports.setTimer(() => this.tryShrink(), SHRINK_AFTER_MS);
  }

  /**
   * V8 shrinks its young generation at a full GC only when little was allocated lately (under ~1 MB
   * a second), judged by whole intervals between the GCs before it, not by the moment itself.
   * Measured after a flood of 16 panes (`--trace-gc`): the shrinking GC 6 s after the reclaim kept
   * the 32 MB whenever the interval it looked back on began with the output's tail (the last lines
   * packed, the panes' titles going idle); a GC a second after it, looking back on quiet seconds
   * only, gave them back. So a scavenge a second after the reclaim (~1 ms: little is young by then)
   * closes the tail's interval, and a shrinking GC that left the young generation large is
   * followed by one more a second later (`tryShrink`).
   */
  private settle(): void {
    if (this.pending || this.ports.young() <= YOUNG_LIMIT) return;
    this.ports.gc?.(true);
  }

  private collect(): void {
    const { gc } = this.ports;
    if (gc) {
      const t0 = this.ports.now();
      gc();
      this.stats.lastGcMs = this.ports.now() - t0;
    }
    this.ports.setTimer(() => this.ports.trim(), TRIM_DELAY_MS);
  }

  /** V8 shrinks its young generation only at a GC after a few seconds of little allocation. */
  private tryShrink(): void {
    if (this.pending || this.ports.young() <= YOUNG_LIMIT) return;
    const now = this.ports.now();
    if (now - this.lastActivity < SHRINK_AFTER_MS || now - this.lastInput < QUIET_MS) {
      // Busy again: the young generation would not shrink now. Look again later, while it is large.
      this.ports.setTimer(() => this.tryShrink(), SHRINK_AFTER_MS);
      return;
    }
    this.stats.shrinks++;
    this.collect();
    if (!this.shrinkAgain) return;
    this.shrinkAgain = false;
    this.ports.setTimer(() => this.tryShrink(), SHRINK_AGAIN_MS);
  }
}

let gcFn: ((minor?: boolean) => void) | undefined | null = null;
/**
 * V8's gc(), without `--expose-gc` on the command line: the flag is read when a context is made,
 * so a fresh context gets the function (which works on the whole heap); the flag is put back at
 * once. Made on first use only (a context costs ~0.3 MB).
 */
export function exposedGc(): ((minor?: boolean) => void) | undefined {
  if (gcFn !== null) return gcFn;
  gcFn = undefined;
  const call = (fn: unknown) => (minor?: boolean) => void Reflect.apply(fn as () => void, undefined, minor ? [{ type: 'minor' }] : []);
  try {
    const own: unknown = Reflect.get(globalThis, 'gc');
    if (typeof own === 'function') return (gcFn = call(own));
    v8().setFlagsFromString('--expose-gc');
    const fn: unknown = vm.runInNewContext('gc');
    v8().setFlagsFromString('--no-expose-gc');
    if (typeof fn === 'function') gcFn = call(fn);
  } catch {
    gcFn = undefined;
  }
  return gcFn;
}

const youngBytes = (): number => v8().getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.physical_space_size ?? 0;

/** The process's reclaimer (emulators and pane input report to it). */
export const reclaimer = new Reclaimer({
  now: () => performance.now(),
  get gc() {
    return exposedGc();
  },
  trim: mallocTrim,
  young: youngBytes,
  setTimer: (fn, ms) => void setTimeout(fn, ms).unref(),
});

export const noteFreed = (bytes: number): void => reclaimer.noteFreed(bytes);
export const noteActivity = (): void => reclaimer.noteActivity();
export const noteInput = (): void => reclaimer.noteInput();
