/**
 * The pty seam: the workspace talks to `PtyLike`, so tests can run the same contract against a
 * fake, against our own ptys (native-pty.ts, the default on Linux) and against real node-pty (the
 * fallback, below).
 *
 * Invariant: a program started here holds its pty's slave as 0, 1 and 2 and no other descriptor of
 * the workspace. node-pty 1.1 on Linux forkpty()s and execvp()s without closing descriptors, and its
 * masters are not close-on-exec, so without the sweeps below every pane inherited the masters of all
 * earlier panes and could type into them (`printf 'text\r' >&23` from one pane's shell reached
 * another pane's agent).
 */
import { closeSync, constants, openSync, readSync, writeSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import nodePty from 'node-pty';
import { addonFunction } from '../util/native-addon.js';
import { closeOnExecAll } from './native.js';
import { nativePtyAvailable, ptyLineMode, spawnNativePty } from './native-pty.js';

export interface PtyExit {
  exitCode: number;
  signal?: number;
}

export interface PtyLike {
  readonly pid: number;
  onData(cb: (data: string) => void): void;
  onExit(cb: (e: PtyExit) => void): void;
  write(data: string): void;
  resize(cols: number, rows: number): void;
  pause(): void;
  resume(): void;
  /**
   * Whether the program still has its terminal in line mode (canonical input or echo): keys written
   * now would be edited and echoed by the tty rather than read by the program. Undefined when the
   * modes cannot be read.
   */
  lineMode?(): boolean | undefined;
}

export interface SpawnOptions {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  cols: number;
  rows: number;
}

export type SpawnPty = (o: SpawnOptions) => PtyLike;

/**
 * node-pty drops the tail of a fast-exiting program's output on Linux (upstream #72, #85, #726;
 * measured here: `seq 1 5000` into an emulator lost 30-50% of its bytes in 10 of 10 runs): when the
 * child closes the last slave fd, the master read ends with EIO before everything buffered was
 * read. Holding a slave fd of our own keeps the master readable until node-pty closes the socket,
 * which it does 200 ms after the child's exit, with all output read (10 of 10 complete).
 */
function holdSlave(ptsName: string | undefined): number | undefined {
  if (!ptsName) return undefined;
  try {
    return openSync(ptsName, constants.O_RDWR | constants.O_NOCTTY);
  } catch {
    return undefined;
  }
}

/** node-pty's master descriptor, or undefined when its internals are not where this expects them. */
function masterFd(p: unknown): number | undefined {
  const fd: unknown = Reflect.get(Object(p), '_fd');
  return typeof fd === 'number' ? fd : undefined;
}

/** node-pty's reading socket and master descriptor, or undefined when its internals are not where this expects them. */
function ptyInternals(p: unknown): { sock: object; fd: number } | undefined {
  const sock: unknown = Reflect.get(Object(p), '_socket');
  const fd = masterFd(p);
  return fd !== undefined && typeof sock === 'object' && sock !== null ? { sock, fd } : undefined;
}

/** Runs `first` once, just before node-pty destroys its socket (nothing when it has no destroy to hook). */
function beforeDestroy(sock: object, first: () => void): void {
  const destroy: unknown = Reflect.get(sock, 'destroy');
  if (typeof destroy !== 'function') return;
  let done = false;
  Reflect.set(sock, 'destroy', (...args: unknown[]) => {
    if (!done) {
      done = true;
      first();
    }
    return Reflect.apply(destroy, sock, args);
  });
}

/**
 * node-pty destroys its reader 200 ms after the child's exit (its guard for a reader that never
 * closes, and ours never closes on its own: we hold a slave). A reader that is behind by then (a
 * loaded machine, or paused by a pane's backpressure) loses whatever was still in the pty: a full
 * test run saw `seq 1 5000` end at 4962. So, just before the reader goes, what it buffered and what
 * is left in the pty are read (the master is non-blocking: EAGAIN means empty) and handed on as
 * output, decoded by the reader's own decoder so a character split across reads stays whole.
 * Nothing here runs unless node-pty's internals are where this expects them.
 */
function drainBeforeDestroy(p: unknown, deliver: (data: string) => void): void {
  const pty = ptyInternals(p);
  const read: unknown = pty ? Reflect.get(pty.sock, 'read') : undefined;
  if (!pty || typeof read !== 'function') return;
  beforeDestroy(pty.sock, () => drainPty(pty.fd, pty.sock, () => Reflect.apply(read, pty.sock, []), deliver));
}

function drainPty(fd: number, sock: object, readOne: () => unknown, deliver: (data: string) => void): void {
  try {
    // read() hands each buffered chunk to the reader's 'data' listeners (node-pty's, then ours).
    while (readOne() != null);
  } catch {
    // A reader that cannot give back its buffer: the pty's own content still follows.
  }
  const state: unknown = Reflect.get(sock, '_readableState');
  const own: unknown = typeof state === 'object' && state !== null ? Reflect.get(state, 'decoder') : undefined;
  const decoder = own instanceof StringDecoder ? own : new StringDecoder('utf8');
  const buf = Buffer.allocUnsafe(64 * 1024);
  // Bounded: a grandchild still writing into the pty cannot keep this loop going.
  for (let i = 0; i < 64; i++) {
    let n: number;
    try {
      n = readSync(fd, buf, 0, buf.length, null);
    } catch {
      break; // EAGAIN: nothing left; EIO: no writer left and nothing buffered.
    }
    if (n <= 0) break;
    const text = decoder.write(buf.subarray(0, n));
    if (text) deliver(text);
  }
}

/** A pane's output read by our addon (native/src/reader.c): paused and resumed like node-pty's stream. */
interface NativeRead {
  pause(): void;
  resume(): void;
}

/** How many ptys this process has read with the addon (a test checks that it is the path taken). */
export let nativeReaders = 0;

/**
 * Reads the pty master with our addon instead of node-pty's stream: decoded to a string in C and
 * handed straight to the listeners, an agent's burst of lines in one call (native/src/reader.c),
 * where the stream passed each read through Readable, a StringDecoder and two emitters
 * (docs/profile.md).
 * The stream is kept from ever reading (its first read would watch the same descriptor a second
 * time); node-pty still owns the descriptor and the child. As with the stream, what is left in the
 * pty when node-pty destroys its socket, 200 ms after the child's exit, is read and handed on first
 * (`drainBeforeDestroy`), and the reader is closed before the descriptor is.
 * Undefined (node-pty's stream is used) without the native build, when node-pty's internals are
 * not where this expects them, or with AGENTS_NATIVE_READ=0.
 */
function readNatively(p: unknown, deliver: (data: string) => void): NativeRead | undefined {
  if (process.env.AGENTS_NATIVE_READ === '0') return undefined;
  const [open, pause, resume, drain, close] = ['readerOpen', 'readerPause', 'readerResume', 'readerDrain', 'readerClose'].map(addonFunction);
  const pty = ptyInternals(p);
  if (!open || !pause || !resume || !drain || !close || !pty || typeof Reflect.get(pty.sock, 'destroy') !== 'function') return undefined;
  let handle: unknown;
  try {
    handle = open(pty.fd, (data: unknown) => {
      if (typeof data === 'string') deliver(data);
    });
  } catch {
    return undefined; // libuv refused the descriptor: node-pty's stream reads it instead
  }
  // node-pty's own 'data' listener would start the stream on the next tick: its read now does nothing.
  Reflect.set(pty.sock, '_read', () => {});
  nativeReaders++;
  beforeDestroy(pty.sock, () => {
    let rest: unknown;
    try {
      rest = drain(handle);
    } finally {
      // Before the descriptor is closed, whatever happened: a poll left on it would refuse the next pty given its number.
      close(handle);
    }
    if (typeof rest === 'string') deliver(rest);
  });
  return { pause: () => pause(handle), resume: () => resume(handle) };
}

/**
 * Writes to the pty at once when nothing of an earlier write is still queued: node-pty queues every
 * write and makes it with `fs.write` on libuv's thread pool, so a keystroke waited for a pool thread
 * to wake and run, on a loaded machine a wake-up like any other. The master is non-blocking, so a
 * direct `write` never waits: what it cannot take (EAGAIN, or a partial write of a large paste)
 * goes on through node-pty's queue, in order. Falls back to node-pty's write when its internals
 * are not where this expects them (a test fails then).
 */
export function writeAtOnce(p: unknown, data: string, fallback: (rest: string | Buffer) => void): boolean {
  const fd = masterFd(p);
  const stream: unknown = Reflect.get(Object(p), '_writeStream');
  const queue: unknown = typeof stream === 'object' && stream !== null ? Reflect.get(stream, '_writeQueue') : undefined;
  if (fd === undefined || !Array.isArray(queue) || queue.length > 0) {
    fallback(data);
    return false;
  }
  const buf = Buffer.from(data, 'utf8');
  let written = 0;
  try {
    written = writeSync(fd, buf);
  } catch {
    // EAGAIN (the program is not reading) or an error node-pty's own write will meet and report.
  }
  if (written < buf.length) fallback(buf.subarray(written));
  return true;
}

export const spawnNodePty: SpawnPty = (o) => {
  // Whatever native code opened since the last sweep stays out of this child...
  closeOnExecAll();
  const p = nodePty.spawn(o.command, o.args, {
    name: 'xterm-256color',
    cols: o.cols,
    rows: o.rows,
    cwd: o.cwd,
    env: o.env,
  });
  // ...and this pane's master out of every later one, pty or child_process (git, attention.command).
  closeOnExecAll();
  // Opened by Node, so close-on-exec like every descriptor libuv opens.
  let slave = holdSlave((p as unknown as { ptsName?: string }).ptsName);
  p.onExit(() => {
    if (slave !== undefined) closeSync(slave);
    slave = undefined;
  });
  const listeners: Array<(data: string) => void> = [];
  const deliver = (data: string): void => {
    for (const l of listeners) l(data);
  };
  const native = readNatively(p, deliver);
  if (!native) {
    p.onData(deliver);
    drainBeforeDestroy(p, deliver);
  }
  return {
    get pid() {
      return p.pid;
    },
    onData: (cb) => void listeners.push(cb),
    onExit: (cb) => void p.onExit((e) => cb({ exitCode: e.exitCode, signal: e.signal || undefined })),
    write: (d) => void writeAtOnce(p, d, (rest) => p.write(rest)),
    resize: (c, r) => p.resize(c, r),
    pause: () => (native ? native.pause() : p.pause()),
    resume: () => (native ? native.resume() : p.resume()),
    lineMode: () => {
      const fd = masterFd(p);
      return fd === undefined ? undefined : ptyLineMode(fd);
    },
  };
};

/**
 * How panes start: with our addon (native-pty.ts: no fork of the workspace) where it is built, on
 * Linux; node-pty otherwise.
 */
export const spawnPty: SpawnPty = (o) => (nativePtyAvailable() ? spawnNativePty(o) : spawnNodePty(o));

/** Environment for a child: the user's own, as if they had started the program themselves. */
export function childEnv(extra: Record<string, string>, base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  // bin/agents sets NODE_ENV for its own React; a child must see the user's value.
  if (env.AGENTS_SET_NODE_ENV) {
    delete env.NODE_ENV;
    delete env.AGENTS_SET_NODE_ENV;
  }
  // The child's terminal is ours, not an outer tmux/screen: programs that see these talk to the wrong server.
  delete env.TMUX;
  delete env.TMUX_PANE;
  delete env.STY;
  env.TERM = 'xterm-256color';
  env.COLORTERM = 'truecolor';
  return { ...env, ...extra };
}
