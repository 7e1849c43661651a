// Giving packed scrollback's memory back costs a GC pause: it must wait for keys and output to stop,
// happen once per batch of freed memory, trim malloc after the GC, and shrink the young generation
// only when it is large. The real parts (V8's gc without --expose-gc, glibc's malloc_trim) must work.
import { describe, expect, it, vi } from 'vitest';
import { MIN_FREED, Reclaimer, exposedGc } from '../../src/terminal/reclaim.js';
import { mallocTrim } from '../../src/terminal/native.js';

/** A reclaimer on a fake clock: `advance` runs the timers that come due, in order. */
function rig(young = 32 << 20) {
  let now = 0;
  const timers: Array<{ at: number; fn: () => void }> = [];
  const log: string[] = [];
  const state = { young };
  const r = new Reclaimer({
    now: () => now,
    gc: (minor) => log.push(`${minor ? 'scavenge' : 'gc'}@${now}`),
    trim: () => {
      log.push(`trim@${now}`);
      return true;
    },
    young: () => state.young,
    setTimer: (fn, ms) => void timers.push({ at: now + ms, fn }),
  });
  const advance = (ms: number, every?: () => void) => {
    const end = now + ms;
    for (;;) {
      timers.sort((a, b) => a.at - b.at);
      const next = timers[0];
      const step = every ? Math.min(end, now + 100) : end;
      if (next && next.at <= step) {
        now = next.at;
        timers.shift();
        next.fn();
        continue;
      }
      if (now >= end) break;
      now = step;
      every?.();
    }
  };
  return { r, log, advance, state, at: () => now };
}

describe('reclaim', () => {
  it('does nothing until enough memory was packed away', () => {
    const { r, log, advance } = rig();
    r.noteFreed(MIN_FREED / 2);
    advance(60_000);
    expect(log).toEqual([]);
  });

  it('collects once the panes are quiet, trims malloc after the GC, then shrinks a large young generation', () => {
    const { r, log, advance, state } = rig();
    r.noteActivity();
    r.noteFreed(MIN_FREED);
    r.noteFreed(MIN_FREED);
    advance(999);
    expect(log).toEqual([]);
    advance(500);
    expect(log).toEqual(['gc@1000', 'trim@1200']);
    // A scavenge a second later closes V8's account of the output's tail; the shrinking GC comes
    // 6 s after the reclaim, and as the young generation is still large, one more a second later.
    advance(10_000);
    expect(log).toEqual(['gc@1000', 'trim@1200', 'scavenge@2000', 'gc@7000', 'trim@7200', 'gc@8000', 'trim@8200']);
    expect(state.young).toBe(32 << 20);
    // One batch, one reclaim: nothing more happens, however large the young generation stays.
    advance(60_000);
    expect(log).toHaveLength(7);
  });

  it('no GC after the shrinking one once the young generation is small', () => {
    const { r, log, advance, state } = rig();
    r.noteFreed(MIN_FREED);
    advance(6999);
    expect(log).toEqual(['gc@1000', 'trim@1200', 'scavenge@2000']);
    advance(1);
    state.young = 1 << 20;
    advance(20_000);
    expect(log).toEqual(['gc@1000', 'trim@1200', 'scavenge@2000', 'gc@7000', 'trim@7200']);
  });

  it('no second GC when the young generation is small already', () => {
    const { r, log, advance } = rig(1 << 20);
    r.noteFreed(MIN_FREED);
    advance(20_000);
    expect(log).toEqual(['gc@1000', 'trim@1200']);
  });

  it('waits while keys go to a pane, however long', () => {
    const { r, log, advance } = rig();
    r.noteFreed(MIN_FREED);
    // A key every 300 ms for a minute.
    let t = 0;
    advance(60_000, () => {
      if ((t += 100) % 300 === 0) r.noteInput();
    });
    expect(log).toEqual([]);
    advance(1000);
    expect(log[0]).toMatch(/^gc@/);
  });

  it('says whether a key went to the workspace lately (the code cache waits for a pause too)', () => {
    const { r, advance } = rig();
    expect(r.typedWithin(500)).toBe(false);
    r.noteInput();
    advance(499);
    expect(r.typedWithin(500)).toBe(true);
    advance(1);
    expect(r.typedWithin(500)).toBe(false);
  });

  it('output that never stops delays it only so long, since it pauses nobody typing', () => {
    const { r, log, advance, at } = rig();
    r.noteFreed(MIN_FREED);
    advance(30_000, () => r.noteActivity());
    expect(log[0]).toBe('gc@10000');
    expect(at()).toBe(30_000);
  });

  it("gets V8's gc without --expose-gc, and it collects", async () => {
    const gc = exposedGc();
    expect(typeof gc).toBe('function');
    let ref: WeakRef<object> | undefined;
    (() => {
      ref = new WeakRef({ big: new Array(1000).fill(1) });
    })();
    // A WeakRef's target is kept until the end of the current job.
    await new Promise((r) => setImmediate(r));
    gc!();
    expect(ref!.deref()).toBeUndefined();
  });

  it("V8's gc without --expose-gc gives a scavenge when asked for a minor GC, a full GC otherwise", async () => {
    const { PerformanceObserver, constants } = await import('node:perf_hooks');
    const kinds: number[] = [];
    const seen = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) kinds.push((e.detail as { kind: number }).kind);
    });
    seen.observe({ entryTypes: ['gc'] });
    const gc = exposedGc()!;
    gc(true);
    gc();
    // Entries come on a later turn of the event loop.
    await vi.waitFor(() => expect(kinds).toEqual(expect.arrayContaining([constants.NODE_PERFORMANCE_GC_MINOR, constants.NODE_PERFORMANCE_GC_MAJOR])), { timeout: 5000 });
    seen.disconnect();
  });

  it('malloc_trim is there (the native part is built)', () => {
    expect(typeof mallocTrim()).toBe('boolean');
  });
});
