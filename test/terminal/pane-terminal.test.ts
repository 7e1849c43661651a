import { afterEach, describe, expect, it, vi } from 'vitest';
import { PaneTerminal, type ProcessSpec, type ProcessState } from '../../src/terminal/pane-terminal.js';
import { sessionMembers } from '../../src/terminal/process-tree.js';
import { fakeSpawner, type FakePty } from '../helpers/fake-pty.js';
// @ts-expect-error plain JS helper without types
import { allProcs } from '../helpers/procs.js';

const wait = { timeout: 5000, interval: 5 };

/** Every line of the buffer, scrollback included, right-trimmed. */
function allLines(pt: PaneTerminal): string[] {
  const b = pt.term.buffer.active;
  const out: string[] = [];
  for (let y = 0; y < b.length; y++) out.push(b.getLine(y)?.translateToString(true) ?? '');
  return out;
}
const text = (pt: PaneTerminal) => allLines(pt).join('\n');
const lastLine = (pt: PaneTerminal) => allLines(pt).filter((l) => l !== '').at(-1);

/**
 * A program as both sides can run it: `fake` plays it on a FakePty, `real` is a command for node-pty.
 * The contract tests below must pass identically for both.
 */
interface Program {
  fake: (p: FakePty) => void;
  real: ProcessSpec;
}

const spec = (command: string, args: string[]): ProcessSpec => ({ command, args, cwd: process.cwd(), env: {} });
const sh = (script: string) => spec('/bin/sh', ['-c', script]);
const bash = (script: string) => spec('/bin/bash', ['--norc', '--noprofile', '-c', script]);

const LINES = 5000;
const PROGRAMS = {
  hello: {
    fake: (p) => {
      p.output('hello world\r\n');
      p.exit(0);
    },
    real: sh('printf "hello world\\n"'),
  },
  /** Prints a lot and exits at once: the last line must be on screen when the exit is published. */
  seq: {
    fake: (p) => {
      let chunk = '';
      for (let i = 1; i <= LINES; i++) {
        chunk += `${i}\r\n`;
        if (chunk.length > 4000) {
          p.output(chunk);
          chunk = '';
        }
      }
      p.output(chunk);
      p.exit(0);
    },
    real: spec('/usr/bin/seq', ['1', String(LINES)]),
  },
  exit3: { fake: (p) => p.exit(3), real: sh('exit 3') },
  killedByTerm: { fake: (p) => p.exit(0, 15), real: sh('kill -TERM $$') },
  /** Asks for the cursor position (DSR 6) and prints the reply the terminal sent. */
  cursorQuery: {
    fake: (p) => {
      p.onWrite = (d) => {
        const m = /^\x1b\[(\d+;\d+)R$/.exec(d);
        if (m) {
          p.output(`\r\ngot ${m[1]}R\r\n`);
          p.exit(0);
        }
      };
      p.output('ab\x1b[6n');
    },
    real: bash('printf "ab\\e[6n"; IFS= read -rs -n 20 -d R reply; printf "\\ngot %sR\\n" "${reply:2}"'),
  },
  /** Prints the terminal size ("rows cols") for every line of input. */
  size: {
    fake: (p) => {
      p.output('ready\r\n');
      p.onWrite = (d) => {
        if (d.includes('\r')) p.output(`\r\n${p.rows} ${p.cols}\r\n`);
      };
    },
    real: bash('echo ready; while IFS= read -r l; do stty size; done'),
  },
  /** Prints and keeps running until killed. */
  sleeper: {
    fake: (p) => p.output('started\r\n'),
    real: sh('echo started; exec sleep 100'),
  },
} satisfies Record<string, Program>;

interface Opened {
  pt: PaneTerminal;
  states: ProcessState[];
  spawner?: ReturnType<typeof fakeSpawner>;
  /** Set by `onExitCheck`: what the screen held when the exit was published. */
  atExit?: string;
}

const open: Opened[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.pt.kill(200);
    o.pt.dispose();
  }
});

type Side = 'fake' | 'real';

function start(side: Side, program: Program, size = { cols: 40, rows: 10 }, scrollback = 10000): Opened {
  const spawner = side === 'fake' ? fakeSpawner(program.fake) : undefined;
  const o: Opened = { pt: undefined as unknown as PaneTerminal, states: [], spawner };
  o.pt = new PaneTerminal({
    spec: program.real,
    cols: size.cols,
    rows: size.rows,
    scrollback,
    spawn: spawner,
    onDirty: () => {},
    onState: (s) => {
      o.states.push(s);
      if (s.kind === 'exited') o.atExit = lastLine(o.pt);
    },
  });
  open.push(o);
  o.pt.start();
  return o;
}

const exited = async (o: Opened) => {
  await vi.waitFor(() => expect(o.pt.state.kind).toBe('exited'), wait);
  return o.pt.state;
};

describe.each<Side>(['fake', 'real'])('PaneTerminal contract (%s pty)', (side) => {
  it('output reaches the emulator, and the state goes running -> exited 0', async () => {
    const o = start(side, PROGRAMS.hello);
    expect(o.pt.state.kind).toBe('running');
    expect(o.pt.pid).toBeGreaterThan(0);
    expect(await exited(o)).toEqual({ kind: 'exited', code: 0, signal: undefined });
    expect(allLines(o.pt)[0]).toBe('hello world');
    expect(o.states.map((s) => s.kind)).toEqual(['running', 'exited']);
    expect(o.pt.pid).toBeUndefined();
  });

  it(`publishes the exit only after all output is parsed (${LINES} lines then exit, 20 runs)`, async () => {
    // Real runs go four at a time: node-pty spends ~200 ms on each exit waiting for its socket.
    for (let batch = 0; batch < 20; batch += 4) {
      const runs = Array.from({ length: 4 }, () => start(side, PROGRAMS.seq));
      await Promise.all(runs.map(exited));
      runs.forEach((o, i) => {
        expect(o.atExit, `run ${batch + i}: last line when the exit was published`).toBe(String(LINES));
        expect(allLines(o.pt).filter((l) => l !== '')).toHaveLength(LINES);
      });
    }
  });

  it('reports the exit code', async () => {
    expect(await exited(start(side, PROGRAMS.exit3))).toEqual({ kind: 'exited', code: 3, signal: undefined });
  });

  it('reports the signal that killed the program by name', async () => {
    const s = await exited(start(side, PROGRAMS.killedByTerm));
    expect(s).toMatchObject({ kind: 'exited', signal: 'SIGTERM' });
  });

  it("pipes the emulator's replies to terminal queries back to the program", async () => {
    const o = start(side, PROGRAMS.cursorQuery);
    await exited(o);
    expect(allLines(o.pt)).toContain('got 1;3R');
    if (o.spawner) expect(o.spawner.last()!.input).toBe('\x1b[1;3R');
  });

  it('resizes are debounced, then applied to the emulator and the pty together', async () => {
    const o = start(side, PROGRAMS.size, { cols: 40, rows: 10 });
    await vi.waitFor(() => expect(text(o.pt)).toContain('ready'), wait);
    o.pt.resize(30, 8);
    o.pt.resize(45, 9);
    o.pt.resize(50, 12);
    // Not yet: a burst of resizes (a window being dragged) costs one real resize at the end.
    expect([o.pt.term.cols, o.pt.term.rows]).toEqual([40, 10]);
    await vi.waitFor(() => expect([o.pt.term.cols, o.pt.term.rows]).toEqual([50, 12]), wait);
    if (o.spawner) expect(o.spawner.last()!.resizes).toEqual([[50, 12]]);
    o.pt.write('\r');
    await vi.waitFor(() => expect(allLines(o.pt)).toContain('12 50'), wait);
  });

  it('restart kills the running program and starts it again on a clean screen', async () => {
    const o = start(side, PROGRAMS.sleeper);
    await vi.waitFor(() => expect(text(o.pt)).toContain('started'), wait);
    const firstPid = o.pt.pid!;
    await o.pt.restart();
    expect(o.pt.state.kind).toBe('running');
    expect(o.pt.pid).not.toBe(firstPid);
    await vi.waitFor(() => expect(allLines(o.pt)[0]).toBe('started'), wait);
    expect(allLines(o.pt).filter((l) => l !== '')).toEqual(['started']);
    if (side === 'real') await vi.waitFor(() => expect(sessionMembers(firstPid)).toEqual([]), wait);
    if (o.spawner) {
      // Output from the old process that arrives late is dropped, and so is its exit.
      o.spawner.ptys[0].output('stale output\r\n');
      o.spawner.ptys[0].exit(1);
      await new Promise<void>((r) => o.pt.term.write('', r));
      expect(text(o.pt)).not.toContain('stale');
      expect(o.pt.state.kind).toBe('running');
    }
  });

  it('restart after an exit starts the program again', async () => {
    const o = start(side, PROGRAMS.hello);
    await exited(o);
    await o.pt.restart();
    await vi.waitFor(() => expect(o.states.map((s) => s.kind)).toEqual(['running', 'exited', 'running', 'exited']), wait);
    expect(allLines(o.pt).filter((l) => l === 'hello world')).toHaveLength(1);
  });

  it('tracks the cursor visibility and terminal modes the program sets', async () => {
    const o = start(side, PROGRAMS.sleeper);
    await vi.waitFor(() => expect(text(o.pt)).toContain('started'), wait);
    const feed = (s: string) => new Promise<void>((r) => o.pt.term.write(s, r));
    expect(o.pt.cursorVisible).toBe(true);
    await feed('\x1b[?25l');
    expect(o.pt.cursorVisible).toBe(false);
    await feed('\x1b[?1;25h');
    expect(o.pt.cursorVisible).toBe(true);
    expect(o.pt.modes).toEqual({ applicationCursorKeys: true, bracketedPaste: false });
    await feed('\x1b[?25l\x1b[?2004h');
    await feed('\x1bc');
    expect(o.pt.cursorVisible).toBe(true);
  });
});

describe('PaneTerminal with a fake pty', () => {
  it('pauses the pty while a flood is unparsed and resumes it once the emulator caught up', async () => {
    const o = start('fake', { fake: () => {}, real: sh('true') }, { cols: 80, rows: 24 }, 1000);
    await vi.waitFor(() => expect(o.spawner!.last()).toBeDefined(), wait);
    const p = o.spawner!.last()!;
    const line = 'x'.repeat(78) + '\r\n';
    const chunk = line.repeat(50); // 4 KB
    for (let i = 0; i < 200; i++) p.output(chunk); // 800 KB at once
    p.output('the end\r\n');
    expect(p.pauses).toBe(1);
    expect(p.paused).toBe(true);
    await vi.waitFor(() => expect(p.paused).toBe(false), wait);
    expect(p.resumes).toBe(1);
    await new Promise<void>((r) => o.pt.term.write('', r));
    expect(lastLine(o.pt)).toBe('the end');
  });

  // BUG (src/terminal/pane-terminal.ts, restart): term.reset() runs at once, but output the old
  // process sent just before the restart may still sit in xterm's write queue; it is parsed after
  // the reset and shows on the new run's screen. Fix: drain the queue first, e.g.
  // `await new Promise<void>((r) => this.term.write('', r))` right before `this.term.reset()`.
  it('output of the old process still queued at restart does not show on the new screen', async () => {
    const o = start('fake', PROGRAMS.sleeper);
    await vi.waitFor(() => expect(text(o.pt)).toContain('started'), wait);
    o.spawner!.last()!.output('leftover from the first run\r\n');
    await o.pt.restart();
    await vi.waitFor(() => expect(o.spawner!.ptys).toHaveLength(2), wait);
    await new Promise<void>((r) => o.pt.term.write('', r));
    expect(allLines(o.pt).filter((l) => l !== '')).toEqual(['started']);
  });

  it('sends what it is given to the pty byte for byte', async () => {
    const o = start('fake', PROGRAMS.sleeper);
    await vi.waitFor(() => expect(text(o.pt)).toContain('started'), wait);
    o.pt.write('\x01\x1b[A é 😀\r');
    expect(o.spawner!.last()!.input).toBe('\x01\x1b[A é 😀\r');
  });

  it('spawns at the emulator size with the child environment', async () => {
    const o = start('fake', { fake: () => {}, real: { ...sh('true'), env: { MY_VAR: '1' } } }, { cols: 33, rows: 7 });
    await vi.waitFor(() => expect(o.spawner!.last()).toBeDefined(), wait);
    const opts = o.spawner!.last()!.options;
    expect([opts.cols, opts.rows]).toEqual([33, 7]);
    expect(opts.env.MY_VAR).toBe('1');
    expect(opts.env.TERM).toBe('xterm-256color');
  });

  it('a spawn that throws leaves a failed state and the reason on screen', async () => {
    const pt = new PaneTerminal({
      spec: sh('true'),
      cols: 60,
      rows: 5,
      scrollback: 100,
      spawn: () => {
        throw new Error('no such file');
      },
      onDirty: () => {},
      onState: () => {},
    });
    pt.start();
    expect(pt.state).toEqual({ kind: 'failed', error: 'could not start /bin/sh: no such file' });
    await new Promise<void>((r) => pt.term.write('', r));
    expect(pt.term.buffer.active.getLine(0)?.translateToString(true)).toBe('could not start /bin/sh: no such file');
    pt.dispose();
  });

  it('a pane without a program shows its message and never spawns', async () => {
    const spawner = fakeSpawner();
    let dirty = 0;
    const pt = new PaneTerminal({ message: 'line one\nline two', cols: 20, rows: 4, scrollback: 10, spawn: spawner, onDirty: () => dirty++, onState: () => {} });
    pt.start();
    await new Promise<void>((r) => pt.term.write('', r));
    expect([0, 1].map((y) => pt.term.buffer.active.getLine(y)?.translateToString(true))).toEqual(['line one', 'line two']);
    expect(spawner.ptys).toHaveLength(0);
    expect(pt.state.kind).toBe('none');
    expect(dirty).toBeGreaterThan(0);
    pt.dispose();
  });

  it('after dispose, a late exit publishes nothing', async () => {
    const o = start('fake', PROGRAMS.sleeper);
    await vi.waitFor(() => expect(text(o.pt)).toContain('started'), wait);
    const p = o.spawner!.last()!;
    open.splice(open.indexOf(o), 1);
    o.pt.dispose();
    p.output('late');
    p.exit(0);
    await new Promise((r) => setImmediate(r));
    expect(o.states.map((s) => s.kind)).toEqual(['running']);
  });

  it('kill() of a fake pid (no such process) resolves at once', async () => {
    const o = start('fake', PROGRAMS.sleeper);
    const t0 = Date.now();
    await o.pt.kill(5000);
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});

describe('PaneTerminal.kill with a real pty', () => {
  interface Proc {
    pid: number;
    sid: number;
    pgid: number;
  }
  const inSession = (sid: number): Proc[] => (allProcs() as Proc[]).filter((p) => p.sid === sid);

  it("kills a job-control shell with its background jobs, which sit in process groups of their own", async () => {
    const o = start('real', { fake: () => {}, real: spec('/bin/bash', ['--norc', '--noprofile', '-i']) });
    const sid = o.pt.pid!;
    o.pt.write('sleep 100 &\r');
    o.pt.write('sleep 101 &\r');
    // Each job sits in a process group of its own, which kill(-pid) of the shell's group would miss.
    await vi.waitFor(() => expect(new Set(inSession(sid).map((p) => p.pgid)).size).toBeGreaterThanOrEqual(3), wait);
    await o.pt.kill(1000);
    await vi.waitFor(() => expect(inSession(sid)).toEqual([]), wait);
    expect(await exited(o)).toMatchObject({ kind: 'exited' });
  });

  it('kills processes that ignore TERM and HUP after the grace period', async () => {
    const o = start('real', { fake: () => {}, real: sh('trap "" TERM HUP; sleep 100 & sleep 100') });
    const sid = o.pt.pid!;
    await vi.waitFor(() => expect(inSession(sid).length).toBeGreaterThanOrEqual(3), wait);
    const t0 = Date.now();
    await o.pt.kill(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    await vi.waitFor(() => expect(inSession(sid)).toEqual([]), wait);
    expect(await exited(o)).toMatchObject({ kind: 'exited', signal: 'SIGKILL' });
  });

  it('killNow() kills the whole session at once', async () => {
    const o = start('real', { fake: () => {}, real: sh('trap "" TERM HUP; sleep 100 & sleep 100') });
    const sid = o.pt.pid!;
    await vi.waitFor(() => expect(inSession(sid).length).toBeGreaterThanOrEqual(3), wait);
    o.pt.killNow();
    await vi.waitFor(() => expect(inSession(sid)).toEqual([]), wait);
  });
});

describe('PaneTerminal holding keys until the program reads them raw', () => {
  // A program that, like the built-in agent, puts its terminal in raw mode before it prints: keys
  // typed while it starts must reach it raw, not through the tty's line editing (echoed, and Enter
  // turned into a newline).
  const rawLater = spec('/bin/sh', ['-c', 'sleep 0.4; stty raw -echo; printf "ready\\r\\n"; dd bs=1 count=3 2>/dev/null | od -An -c']);

  function typedEarly(hold: boolean): Opened {
    const o: Opened = { pt: undefined as unknown as PaneTerminal, states: [] };
    o.pt = new PaneTerminal({ spec: rawLater, cols: 40, rows: 6, scrollback: 10, holdInputUntilRaw: hold, onDirty: () => {}, onState: (s) => o.states.push(s) });
    open.push(o);
    o.pt.start();
    o.pt.write('ab');
    o.pt.write('\r');
    return o;
  }

  it('holds them, in order, and writes them once the program has printed', async () => {
    const o = typedEarly(true);
    await vi.waitFor(() => expect(text(o.pt)).toMatch(/a\s+b\s+\\r/), wait);
    // Nothing was echoed by the tty before the program's own output.
    expect(allLines(o.pt)[0]).toBe('ready');
  });

  it('holds them past output printed while the tty is still in line mode, and past 3 s', async () => {
    // What a CI run met: the agent's process reached raw mode after more than 3 s, and a warning or a
    // preload can print before that. Released at either, Enter became a newline.
    const slow = spec('/bin/sh', ['-c', 'printf "warning\\r\\n"; sleep 3.3; stty raw -echo; printf "ready\\r\\n"; dd bs=1 count=3 2>/dev/null | od -An -c']);
    const o: Opened = { pt: undefined as unknown as PaneTerminal, states: [] };
    o.pt = new PaneTerminal({ spec: slow, cols: 40, rows: 6, scrollback: 10, holdInputUntilRaw: true, onDirty: () => {}, onState: (s) => o.states.push(s) });
    open.push(o);
    o.pt.start();
    await vi.waitFor(() => expect(text(o.pt)).toContain('warning'), wait);
    o.pt.write('ab\r');
    await vi.waitFor(() => expect(text(o.pt)).toMatch(/a\s+b\s+\\r/), { timeout: 10_000, interval: 20 });
    expect(allLines(o.pt).slice(0, 2)).toEqual(['warning', 'ready']);
  });

  it('a program that goes raw and prints nothing gets them at once', async () => {
    const o: Opened = { pt: undefined as unknown as PaneTerminal, states: [] };
    o.pt = new PaneTerminal({ spec: spec('/bin/sh', ['-c', 'stty raw -echo; exec od -An -c']), cols: 40, rows: 6, scrollback: 10, holdInputUntilRaw: true, onDirty: () => {}, onState: (s) => o.states.push(s) });
    open.push(o);
    o.pt.start();
    o.pt.write('xyz0123456789abcdef');
    await vi.waitFor(() => expect(text(o.pt)).toMatch(/x\s+y\s+z\s+0/), { timeout: 8000, interval: 20 });
  });

  it('without it, the tty echoes them and Enter becomes a newline (what the hold prevents)', async () => {
    const o = typedEarly(false);
    await vi.waitFor(() => expect(text(o.pt)).toMatch(/a\s+b\s+\\n/), wait);
    expect(allLines(o.pt)[0]).toContain('ab');
  });
});
