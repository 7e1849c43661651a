/**
 * A pane's program on a pty started by our addon (native/src/spawn.c: posix_spawn, no fork) and
 * read by it (reader.c), with node-pty's contract as pty.ts gives it: output decoded as UTF-8 in
 * order, none of it lost when the program exits, `onExit` once after the last output.
 *
 * Why not node-pty: on Linux it forkpty()s, a copy of the whole workspace's page tables, which left
 * every page of the workspace write-protected: the next write to each faulted (~13 µs a page on this
 * machine), so each pane started, and every restart, cost the frames and keys after it up to a
 * hundred ms or more (docs/profile.md). node-pty stays the way on other systems, without the native
 * build, and with AGENTS_NATIVE_SPAWN=0 or AGENTS_NATIVE_READ=0 (native-exec.ts does the rest).
 *
 * Invariants:
 * - the program holds the pty's slave as 0, 1 and 2 and nothing else of ours (spawn.c closes every
 *   descriptor from 3 in the child, so no sweep of close-on-exec flags is needed first, native.ts);
 *   our master and slave are close-on-exec besides;
 * - it is a session leader (its pid is its session id, which the reaper is told) with the pty as
 *   its controlling terminal, every signal at its default;
 * - the process holds a slave of its own until the end, so the master never reads EIO early: the
 *   program's last output is read, then, EXIT_DRAIN_MS after its exit (the kernel pushes a pty's
 *   output on a worker thread), what is left is drained, the descriptors closed and `onExit` called;
 * - its exit is learnt at SIGCHLD by waitpid on its pid alone (libuv waits only for its own
 *   children, by pid, so the two never take each other's).
 */
import { closeSync, writeSync } from 'node:fs';
import { addonFunction } from '../util/native-addon.js';
import type { PtyExit, PtyLike, SpawnOptions } from './pty.js';

/** As node-pty: its reader goes 200 ms after the program's exit. */
const EXIT_DRAIN_MS = 200;
/** A write the pty could not take (the program is not reading) is tried again this soon. */
const WRITE_RETRY_MS = 2;

type Fn = (...args: unknown[]) => unknown;
interface Natives {
  spawn: Fn;
  resize: Fn;
  reap: Fn;
  open: Fn;
  pause: Fn;
  resume: Fn;
  drain: Fn;
  take: Fn;
  close: Fn;
}

let natives: Natives | null | undefined;

function load(): Natives | null {
  if (natives !== undefined) return natives;
  const names = ['ptySpawn', 'ptyResize', 'reapChild', 'readerOpen', 'readerPause', 'readerResume', 'readerDrain', 'readerTake', 'readerClose'] as const;
  const fns = names.map(addonFunction);
  natives = fns.every((f) => f !== undefined) ? { spawn: fns[0]!, resize: fns[1]!, reap: fns[2]!, open: fns[3]!, pause: fns[4]!, resume: fns[5]!, drain: fns[6]!, take: fns[7]!, close: fns[8]! } : null;
  return natives;
}

let lineModeFn: ((...args: unknown[]) => unknown) | null | undefined;

/** Whether the pty whose master is `fd` is in line mode (PtyLike.lineMode); undefined without the addon or on error. */
export function ptyLineMode(fd: number): boolean | undefined {
  lineModeFn ??= addonFunction('ptyLineMode') ?? null;
  const mode = lineModeFn?.(fd);
  return typeof mode === 'boolean' ? mode : undefined;
}

/** An environment as the `NAME=value` list a program is started with (unset names left out). */
export function envList(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`]));
}

/** Whether programs start without a fork here (the native build on Linux, and not turned off). */
export function nativeSpawnAvailable(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.AGENTS_NATIVE_SPAWN !== '0' && addonFunction('reapChild') !== undefined;
}

/** Whether panes start this way here: besides, read by the addon (not with AGENTS_NATIVE_READ=0). */
export function nativePtyAvailable(env: NodeJS.ProcessEnv = process.env): boolean {
  return nativeSpawnAvailable(env) && env.AGENTS_NATIVE_READ !== '0' && load() !== null;
}

/** Programs started here and not yet seen to end, by pid. */
const running = new Map<number, (e: PtyExit) => void>();
let listening = false;

/** At each SIGCHLD (one may stand for several exits), asks after each of ours. */
function onChild(): void {
  const reap = addonFunction('reapChild');
  if (!reap) return;
  for (const [pid, ended] of running) {
    const r = reap(pid);
    if (!Array.isArray(r)) continue;
    running.delete(pid);
    ended({ exitCode: Number(r[0]), signal: Number(r[1]) || undefined });
  }
}

/**
 * Calls `ended` once `pid`, a child this process started with the addon, has ended (and reaps it).
 * False without the addon.
 */
export function watchChild(pid: number, ended: (e: PtyExit) => void): boolean {
  const reap = addonFunction('reapChild');
  if (!reap) return false;
  if (!listening) {
    // Before the first spawn, so that no exit can come before anyone listens. Signal listeners do
    // not keep the process alive (a pane's reader does, until its exit is dealt with).
    process.on('SIGCHLD', onChild);
    listening = true;
  }
  running.set(pid, ended);
  // Ended before anyone listened: its SIGCHLD came and went.
  setImmediate(onChild);
  return true;
}

/**
 * Pacing: a pty that prints in bursts (an agent's few lines at a time) is read at ticks shared by
 * every pane instead of at each of its program's writes. Each write had woken the workspace on its
 * own: epoll, a call into JavaScript, the emulator's parse, for a few lines at a time. With four
 * panes at bench row 2b's pace the server's main thread switched in and out ~300 times a second;
 * read at 16 ms ticks, ~140; at 30 ms ticks, ~115 (docs/profile.md).
 *
 * A tick comes a little more often than frames (FRAME_MS, 33 ms), so each frame has something read
 * since the last one. At 16 ms the reads were twice as many for the same frames (row 2b's server:
 * 6.7 ms of CPU a second more, lower in 8 of 10 pairs); at 33 ms, a tick set again after the last
 * one's work came later than a frame now and then, and frames fell to 28.6-29 a second.
 *
 * A pty is paced after a read of less than BURST_MAX characters (the reader gives a flood 4 KB at a
 * time: reader.c) unless it was written to within TYPED_MS (keys: their echo is read at once, for
 * the echo frame) or flooded within FLOOD_MS. It goes back to being read at each write once a tick
 * reads FLOOD_MIN or more (a flood: read as fast as it comes), once PACE_IDLE ticks in a row found
 * nothing, and at once when it is written to.
 */
const PACE_MS = 30;
const BURST_MAX = 2048;
const FLOOD_MIN = 16384;
/** After a flood's read, no pacing this long: a flood's reads that catch up with it are short too. */
const FLOOD_MS = 1000;
const PACE_IDLE = 6;
const TYPED_MS = 1000;

/** The ptys read at ticks: each one's read. */
const paced = new Set<() => void>();
/** One timer for every tick, set again (`refresh`) rather than made anew at each. */
let paceTimer: NodeJS.Timeout | undefined;
let paceArmed = false;
/** What was read where: at a program's writes (`event`) or at ticks (tests check both). */
export const paceStats = { ticks: 0, eventChars: 0, tickChars: 0 };

/** How many ptys are read at ticks now. */
export function pacedPtys(): number {
  return paced.size;
}

function pace(read: () => void): void {
  paced.add(read);
  armPace();
}

function armPace(): void {
  if (paceArmed) return;
  paceArmed = true;
  if (paceTimer) paceTimer.refresh();
  else paceTimer = setTimeout(paceTick, PACE_MS);
}

function paceTick(): void {
  paceArmed = false;
  paceStats.ticks++;
  // A pty that stops being paced leaves the set itself (a Set's loop skips what left it).
  for (const read of paced) read();
  if (paced.size > 0) armPace();
}

/** How many ptys this process started with the addon (a test checks that it is the path taken). */
export let nativeSpawns = 0;

export function spawnNativePty(o: SpawnOptions): PtyLike {
  const n = load();
  if (!n) throw new Error('the native part is not built');
  const env = envList({ ...o.env, PWD: o.cwd });
  const made = n.spawn(o.command, o.args, env, o.cwd, o.cols, o.rows);
  if (!Array.isArray(made) || made.length !== 3) throw new Error('ptySpawn gave no pty');
  const [fd, pid, slave] = made.map(Number);
  nativeSpawns++;

  const dataListeners: Array<(data: string) => void> = [];
  const exitListeners: Array<(e: PtyExit) => void> = [];
  const deliver = (data: string): void => {
    for (const l of dataListeners) l(data);
  };
  let reader: unknown;
  let closed = false;
  /** Paused by its owner (a pane's backpressure), or paced (`tick` in the set): either stops the poll. */
  let held = false;
  let idleTicks = 0;
  let typedAt = -Infinity;
  let floodAt = -Infinity;
  const unpace = (): void => {
    paced.delete(tick);
    if (!held && !closed) n.resume(reader);
  };
  const tick = (): void => {
    if (held) return;
    const text: unknown = n.take(reader);
    if (typeof text === 'string' && text) {
      idleTicks = 0;
      paceStats.tickChars += text.length;
      deliver(text);
      // A write while it was delivered ended the pacing already; a flood ends it here.
      if (!paced.has(tick) || text.length < FLOOD_MIN) return;
      floodAt = performance.now();
    } else if (++idleTicks < PACE_IDLE) return;
    unpace();
  };
  try {
    reader = n.open(fd, (data: unknown) => {
      if (typeof data !== 'string') return;
      paceStats.eventChars += data.length;
      deliver(data);
      if (paced.has(tick) || held || closed) return;
      const now = performance.now();
      if (data.length >= BURST_MAX) floodAt = now;
      if (now - floodAt < FLOOD_MS || now - typedAt < TYPED_MS) return;
      idleTicks = 0;
      n.pause(reader);
      pace(tick);
    });
  } catch (err) {
    closeSync(fd);
    closeSync(slave);
    throw err;
  }
  const queue: Buffer[] = [];
  let retry: NodeJS.Timeout | undefined;

  /** Writes what is queued until the pty takes no more; false when some is left. */
  const flush = (): void => {
    retry = undefined;
    while (queue.length > 0 && !closed) {
      const head = queue[0];
      let wrote = 0;
      try {
        wrote = writeSync(fd, head);
      } catch (err) {
        // EAGAIN: the program is not reading; anything else (EIO: it is gone) ends the writing.
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') queue.length = 0;
        break;
      }
      if (wrote >= head.length) queue.shift();
      else queue[0] = head.subarray(wrote);
    }
    if (queue.length > 0 && !closed) retry = setTimeout(flush, WRITE_RETRY_MS);
  };

  watchChild(pid, (e) => {
    setTimeout(() => {
      closed = true;
      paced.delete(tick);
      clearTimeout(retry);
      queue.length = 0;
      let rest: unknown;
      try {
        rest = n.drain(reader);
      } finally {
        // Before the descriptor is closed: a poll left on it would refuse the next pty given its number.
        n.close(reader);
        closeSync(fd);
        closeSync(slave);
      }
      if (typeof rest === 'string' && rest) deliver(rest);
      for (const l of exitListeners) l(e);
    }, EXIT_DRAIN_MS);
  });

  return {
    pid,
    onData: (cb) => void dataListeners.push(cb),
    onExit: (cb) => void exitListeners.push(cb),
    write: (data) => {
      if (closed) return;
      typedAt = performance.now();
      if (paced.has(tick)) unpace();
      queue.push(Buffer.from(data, 'utf8'));
      if (queue.length === 1 && retry === undefined) flush();
    },
    resize: (cols, rows) => {
      if (!closed) n.resize(fd, cols, rows);
    },
    lineMode: () => (closed ? undefined : ptyLineMode(fd)),
    pause: () => {
      held = true;
      if (!closed) n.pause(reader);
    },
    resume: () => {
      held = false;
      if (!closed && !paced.has(tick)) n.resume(reader);
    },
  };
}
