// One emulator's failure stays in its pane: xterm parses in its own timers, so an exception there
// used to be an uncaught exception that took every agent down. Now that pane is reset and says so.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEmulator, immediateContinuations, isGuarded, resizeEmulator, schedulesByImmediate, type Terminal } from '../../src/terminal/emulator.js';
import { PaneTerminal, type ProcessSpec } from '../../src/terminal/pane-terminal.js';

const wait = { timeout: 10_000, interval: 10 };
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

const written = (t: Terminal, data: string) => new Promise<void>((r) => t.write(data, r));
const screen = (t: Terminal) => {
  const b = t.buffer.active;
  const out: string[] = [];
  for (let y = 0; y < t.rows; y++) out.push(b.getLine(b.baseY + y)?.translateToString(true) ?? '');
  return out;
};

/**
 * xterm 6.0 throws on this before the screen has scrolled (erase-above with the cursor in the
 * bottom-right cell reads the line below the last one): a program's output alone reaches it.
 */
const XTERM_BUG = '\x1b[999;999H\x1b[1J';

function pane(script: string, setup?: (pt: PaneTerminal) => void): PaneTerminal {
  const spec: ProcessSpec = { command: '/bin/bash', args: ['--norc', '--noprofile', '-c', script], cwd: '/', env: {} };
  // Wide enough that the notice fits on one row.
  const pt = new PaneTerminal({ spec, cols: 160, rows: 24, scrollback: 1000, onDirty: () => {}, onState: () => {} });
  setup?.(pt);
  cleanup.push(async () => {
    await pt.kill(200);
    pt.dispose();
  });
  pt.start();
  return pt;
}

describe('emulator failures are contained', () => {
  it("xterm's parse is guarded on this version (a new xterm that moves its internals fails here)", () => {
    const t = createEmulator(80, 24, 100);
    cleanup.push(() => t.dispose());
    expect(isGuarded(t)).toBe(true);
  });

  it('a write that throws inside xterm resets that emulator, which shows the notice and goes on', async () => {
    const errors: Error[] = [];
    const broken = createEmulator(80, 24, 100, (e) => {
      errors.push(e);
      return 'NOTICE: reset\r\n';
    });
    const sibling = createEmulator(80, 24, 100);
    cleanup.push(() => broken.dispose(), () => sibling.dispose());
    await written(broken, 'before\r\n');
    await written(sibling, 'sibling line\r\n');
    await written(broken, XTERM_BUG);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/isWrapped/);
    await written(broken, 'after\r\n');
    expect(screen(broken).slice(0, 2)).toEqual(['NOTICE: reset', 'after']);
    expect(screen(sibling)[0]).toBe('sibling line');
  });

  it('resizeEmulator resets instead of throwing', () => {
    const errors: Error[] = [];
    const t = createEmulator(80, 24, 100, (e) => {
      errors.push(e);
      return undefined;
    });
    cleanup.push(() => t.dispose());
    const resize = t.resize.bind(t);
    let calls = 0;
    // One failing resize, as a buffer left inconsistent by an earlier bug would give.
    t.resize = (c, r) => {
      if (calls++ === 0) throw new TypeError('inconsistent buffer');
      resize(c, r);
    };
    resizeEmulator(t, 100, 30);
    expect(errors.map((e) => e.message)).toEqual(['inconsistent buffer']);
    expect([t.cols, t.rows]).toEqual([100, 30]);
  });
});

describe('a pane whose emulator fails', () => {
  it('is reset and says so on its own screen; its program goes on and the sibling pane is untouched', async () => {
    // Injected: a parser hook that throws, as any bug inside xterm's parse would (from xterm's timer).
    // It waits for a line after the failing write: the rest of the chunk being parsed when xterm
    // threw is lost with the reset, and later output must not share that chunk.
    const failing = pane('echo first; IFS= read -r; printf "\\e[5555z"; IFS= read -r; echo still-running; exec sleep 100', (pt) =>
      pt.term.parser.registerCsiHandler({ final: 'z' }, (params) => {
        if (params[0] === 5555) throw new Error('injected parser failure');
        return false;
      }),
    );
    const sibling = pane('for i in 1 2 3; do echo sibling-$i; done; exec sleep 100');
    await vi.waitFor(() => expect(failing.screenText()[0]).toBe('first'), wait);
    failing.write('\r');
    await vi.waitFor(() => expect(failing.failures).toBe(1), wait);
    failing.write('\r');
    await vi.waitFor(() => expect(failing.screenText().join('\n')).toContain('still-running'), wait);
    const lines = failing.screenText();
    expect(lines[0]).toBe('⚠ the terminal emulator failed (Error: injected parser failure); the pane was reset');
    expect(lines[lines.indexOf('still-running') - 1]).toBe('');  // the echo of the Enter typed after the reset
    expect(failing.failures).toBe(1);
    expect(failing.state.kind).toBe('running');
    await vi.waitFor(() => expect(sibling.screenText().slice(0, 3)).toEqual(['sibling-1', 'sibling-2', 'sibling-3']), wait);
    expect(sibling.failures).toBe(0);
  });

  it("the attack: a program printing a sequence that trips xterm's own bug no longer takes the workspace down", async () => {
    const p = pane(`printf 'before\\n${XTERM_BUG.replace(/\x1b/g, '\\e')}'; IFS= read -r; echo after-the-bug; exec sleep 100`);
    await vi.waitFor(() => expect(p.failures).toBe(1), wait);
    p.write('\r');
    await vi.waitFor(() => expect(p.screenText().join('\n')).toContain('after-the-bug'), wait);
    expect(p.screenText()[0]).toMatch(/^⚠ the terminal emulator failed \(TypeError: .*isWrapped.*\); the pane was reset$/);
    expect(p.state.kind).toBe('running');
  });
});

describe("xterm's write queue continues by setImmediate, not a 1 ms timer", () => {
  it('is installed on this version (a new xterm that moves its WriteBuffer fails here)', () => {
    const t = createEmulator(80, 24, 100);
    cleanup.push(() => t.dispose());
    expect(schedulesByImmediate(t)).toBe(true);
  });

  it("no write reaches Node's setTimeout; other one-argument timers still do", async () => {
    const t = createEmulator(80, 24, 100);
    cleanup.push(() => t.dispose());
    const real = globalThis.setTimeout;
    const seen: string[] = [];
    const spy = (cb: () => void, ...rest: unknown[]) => {
      seen.push(String(cb));
      return real(cb, ...(rest as [number]));
    };
    globalThis.setTimeout = spy as typeof setTimeout;
    let timerRan = false;
    try {
      const before = immediateContinuations;
      // Idle starts, and one long write that takes several of xterm's 12 ms slices.
      for (let i = 0; i < 20; i++) await written(t, `line ${i}\r\n`);
      await written(t, '\x1b[31mred\x1b[0m '.repeat(20000) + '\r\nend\r\n');
      // A parser callback's own one-argument timer is not taken for xterm's.
      t.parser.registerCsiHandler({ final: 'z' }, () => {
        setTimeout(() => (timerRan = true));
        return true;
      });
      await written(t, '\x1b[1z');
      expect(immediateContinuations - before).toBeGreaterThanOrEqual(22);
    } finally {
      globalThis.setTimeout = real;
    }
    expect(seen.filter((s) => s.includes('_innerWrite'))).toEqual([]);
    expect(seen.some((s) => s.includes('timerRan'))).toBe(true);
    await vi.waitFor(() => expect(timerRan).toBe(true), wait);
    expect(screen(t).filter((l) => l !== '').at(-1)).toBe('end');
  });
});

describe("narrowing a pane with a full scrollback keeps its newest lines (xterm 6's reflow lost them)", () => {
  const line = (i: number) => `L${String(i).padStart(6, '0')} 漢字😀 ${'x'.repeat(32)}`;
  /** The buffer's lines, wrapped rows joined. */
  const logical = (t: Terminal) => {
    const b = t.buffer.active;
    let text = '';
    for (let y = 0; y < b.length; y++) text += (b.getLine(y)?.isWrapped ? '' : '\n') + (b.getLine(y)?.translateToString(true) ?? '');
    return text.split('\n').filter((l) => l !== '');
  };

  it.each([10, 11, 16, 20, 23])('from 120 columns to %i: the last lines and END read whole and in order', async (cols) => {
    const t = createEmulator(120, 45, 300);
    cleanup.push(() => t.dispose());
    await written(t, Array.from({ length: 1500 }, (_, i) => line(i + 1)).join('\r\n') + '\r\nEND\r\n');
    resizeEmulator(t, cols, 45);
    expect(logical(t).slice(-4)).toEqual([line(1498), line(1499), line(1500), 'END']);
    // And back: nothing older shows up among them.
    resizeEmulator(t, 120, 45);
    expect(logical(t).slice(-4)).toEqual([line(1498), line(1499), line(1500), 'END']);
  });

  it('drops no history when the narrower lines still fit', async () => {
    const t = createEmulator(120, 45, 300);
    cleanup.push(() => t.dispose());
    await written(t, Array.from({ length: 100 }, (_, i) => line(i + 1)).join('\r\n') + '\r\nEND\r\n');
    resizeEmulator(t, 60, 45);
    const all = logical(t);
    expect(all[0]).toBe(line(1));
    expect(all.at(-1)).toBe('END');
  });
});
