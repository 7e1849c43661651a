// Keys first (src/terminal/key-priority.ts): while keys go to one pane, the others are read at most a
// budget per window, and nothing they print is lost; nobody typing, nothing is held back.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Terminal } from '../../src/terminal/emulator.js';
import { BUDGET_BYTES, KeyPriority, TYPING_MS, WINDOW_MS } from '../../src/terminal/key-priority.js';
import { killSessionNow } from '../../src/terminal/process-tree.js';
import { PtyFeed } from '../../src/terminal/pty-feed.js';
import { childEnv, spawnNodePty, type PtyLike } from '../../src/terminal/pty.js';

/** A pty that records whether it is paused; what the program "prints" is pushed by the test. */
function fakePty(): PtyLike & { paused: boolean; pauses: number } {
  return {
    pid: process.pid,
    paused: false,
    pauses: 0,
    onData: () => undefined,
    onExit: () => undefined,
    write: () => undefined,
    resize: () => undefined,
    pause() {
      if (!this.paused) this.pauses++;
      this.paused = true;
    },
    resume() {
      this.paused = false;
    },
  };
}

/** An emulator that parses at once, or holds every write until `parse()` when `lazy`. */
function fakeTerm(lazy = false): Terminal & { text: string; parse(): void } {
  const waiting: Array<() => void> = [];
  const t = {
    text: '',
    write(data: string, cb?: () => void) {
      t.text += data;
      if (lazy) waiting.push(() => cb?.());
      else cb?.();
    },
    parse() {
      for (const cb of waiting.splice(0)) cb();
    },
  };
  return t as unknown as Terminal & { text: string; parse(): void };
}

const chunk = (n: number) => 'x'.repeat(n);

describe('keys first: the other panes are read to a budget while someone types', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function setUp(enabled = true) {
    vi.useFakeTimers();
    const keys = new KeyPriority(enabled, () => Date.now());
    const typedPty = fakePty();
    const typed = new PtyFeed(typedPty, fakeTerm(), false, keys);
    const otherPty = fakePty();
    const other = new PtyFeed(otherPty, fakeTerm(), false, keys);
    return { keys, typed, typedPty, other, otherPty };
  }

  it('nobody typing: a flood is never held back', () => {
    const { other, otherPty } = setUp();
    for (let i = 0; i < 100; i++) other.output(chunk(4096));
    expect(otherPty.pauses).toBe(0);
  });

  it('after a key to another pane: its budget spent, the pane waits out the window, then reads again', () => {
    const { typed, other, otherPty } = setUp();
    typed.input('k');
    other.output(chunk(BUDGET_BYTES / 2));
    other.output(chunk(BUDGET_BYTES / 2 - 1));
    expect(otherPty.paused).toBe(false);
    other.output(chunk(1));
    expect(otherPty.paused).toBe(true);
    vi.advanceTimersByTime(WINDOW_MS);
    expect(otherPty.paused).toBe(false);
    // A new window, a new budget.
    other.output(chunk(BUDGET_BYTES - 1));
    expect(otherPty.paused).toBe(false);
  });

  it('a flood gets one read of the native reader (4 KB) a window', () => {
    const { typed, other, otherPty } = setUp();
    typed.input('k');
    other.output(chunk(4096));
    expect(otherPty.paused).toBe(true);
  });

  it('the pane typed into is never held back', () => {
    const { typed, typedPty } = setUp();
    typed.input('k');
    for (let i = 0; i < 10; i++) typed.output(chunk(BUDGET_BYTES));
    expect(typedPty.pauses).toBe(0);
  });

  it('TYPING_MS after the last key, nothing is held back', () => {
    const { typed, other, otherPty } = setUp();
    typed.input('k');
    vi.advanceTimersByTime(TYPING_MS);
    for (let i = 0; i < 10; i++) other.output(chunk(BUDGET_BYTES));
    expect(otherPty.pauses).toBe(0);
  });

  it('AGENTS_KEY_PRIORITY=0 (disabled): nothing is held back', () => {
    const { typed, other, otherPty } = setUp(false);
    typed.input('k');
    for (let i = 0; i < 10; i++) other.output(chunk(BUDGET_BYTES));
    expect(otherPty.pauses).toBe(0);
  });

  it('the window does not undo backpressure, and backpressure does not undo the window', () => {
    vi.useFakeTimers();
    const keys = new KeyPriority(true, () => Date.now());
    const typed = new PtyFeed(fakePty(), fakeTerm(), false, keys);
    const pty = fakePty();
    const term = fakeTerm(true);
    const other = new PtyFeed(pty, term, false, keys);
    typed.input('k');
    // Over the budget and, unparsed, over the backpressure mark (32 KB).
    other.output(chunk(40 * 1024));
    expect(pty.paused).toBe(true);
    vi.advanceTimersByTime(WINDOW_MS);
    expect(pty.paused).toBe(true); // still behind on parsing
    term.parse();
    expect(pty.paused).toBe(false);

    // The other order: parsed while the window still holds it.
    typed.input('k');
    other.output(chunk(BUDGET_BYTES + 1));
    expect(pty.paused).toBe(true);
    term.parse();
    expect(pty.paused).toBe(true);
    vi.advanceTimersByTime(WINDOW_MS);
    expect(pty.paused).toBe(false);
    other.stop();
  });
});

describe('keys first, with a real flood', () => {
  let started: PtyLike | undefined;
  afterEach(() => {
    if (started) killSessionNow(started.pid);
  });

  it('loses nothing: every line of a flood arrives in order while keys go to another pane all along', async () => {
    const keys = new KeyPriority(true);
    const typed = new PtyFeed(fakePty(), fakeTerm(), false, keys);
    const pty = (started = spawnNodePty({ command: '/bin/sh', args: ['-c', 'seq 1 60000'], cwd: '/', env: childEnv({}), cols: 80, rows: 24 }));
    let pauses = 0;
    const pause = pty.pause.bind(pty);
    pty.pause = () => {
      pauses++;
      pause();
    };
    const term = fakeTerm();
    const flood = new PtyFeed(pty, term, false, keys);
    pty.onData((d) => flood.output(d));
    const typing = setInterval(() => typed.input('k'), 20);
    typed.input('k');
    try {
      await new Promise<void>((resolve) => pty.onExit(() => resolve()));
      // node-pty reports the exit once the pty is drained (pty-tail.test.ts).
      const lines = term.text.split(/\r?\n/).filter(Boolean);
      expect(lines.length).toBe(60000);
      expect(lines.every((l, i) => l === String(i + 1))).toBe(true);
      // ~350 KB at 4 KB a window: held back many times (the check can fail: with no typing, none).
      expect(pauses).toBeGreaterThan(5);
    } finally {
      clearInterval(typing);
      flood.stop();
    }
  });
});
