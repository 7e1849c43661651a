/**
 * Drawing straight to an attached terminal's screen, as tmux's server does, instead of sending each
 * frame through the client, which would only read it from the socket and write it to its terminal.
 *
 * Why: every frame then cost a second process a wake-up, a read and a write (row 2b's client used
 * ~2% of a core relaying ~360 KB/s). The keys are read here too, when the client's input is the same
 * terminal: each one otherwise waited for the client to wake, read and send it (~0.5 ms of a
 * keystroke's echo with busy neighbours, bench row 12). The client keeps owning its terminal's modes
 * (alternate screen, raw input, mouse), restoring them however it ends, and its size.
 *
 * Which terminal: never one a client names. The server opens `/proc/PID/fd/1` of the process the
 * kernel says is at the other end of the connection (SO_PEERCRED, our native part), so it can only
 * ever be that process's own standard output, and only when that is a terminal. Anything else
 * (not Linux, no native part, a redirected output, /proc refusing) falls back to frames over the
 * socket, as before.
 *
 * Ordering, the one hazard: the client writes its terminal's modes before the first frame and
 * restores them after the last. So the server draws only once the client said `ready` (its modes
 * are on), and before any `bye` it drops whatever of a frame has not reached the terminal yet
 * (destroy); the client restores the terminal only after that `bye`, or once the connection is gone.
 * A frame cut short leaves nothing behind: the restore starts with an escape that ends any sequence.
 */
import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import type { Socket } from 'node:net';
import { ReadStream, WriteStream, isatty } from 'node:tty';
import { peerPid } from '../terminal/native.js';

/**
 * The screen of the process at the other end of `socket`, opened for writing and non-blocking (a
 * terminal that stops reading must never stall the workspace: the renderer skips frames while its
 * backlog is high), and its keys when its input is that same terminal; undefined when there is no
 * screen to draw to.
 */
export function openPeerTerminal(socket: Socket): { out: WriteStream; keys?: ReadStream } | undefined {
  if (process.platform !== 'linux') return undefined;
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  const pid = typeof fd === 'number' && fd >= 0 ? peerPid(fd) : undefined;
  if (pid === undefined) return undefined;
  let tty: number | undefined;
  try {
    // O_NOCTTY: the server leads a session of its own and must not take this terminal as its controlling one.
    tty = openSync(`/proc/${pid}/fd/1`, constants.O_WRONLY | constants.O_NOCTTY | constants.O_NONBLOCK);
    if (!fstatSync(tty).isCharacterDevice() || !isatty(tty)) throw new Error('not a terminal');
    const device = fstatSync(tty).rdev;
    const out = new WriteStream(tty);
    tty = undefined;
    // tty.WriteStream makes its writes blocking (for a process's own stdout); here a slow terminal
    // must queue, not stall. libuv reopened the terminal for this handle, so the flag is ours alone.
    (out as unknown as { _handle?: { setBlocking?(blocking: boolean): unknown } })._handle?.setBlocking?.(false);
    return { out, keys: openKeys(pid, device) };
  } catch {
    if (tty !== undefined) closeSync(tty);
    return undefined;
  }
}

/** The peer's standard input when it is the terminal `device` (its screen); else undefined. */
function openKeys(pid: number, device: number): ReadStream | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(`/proc/${pid}/fd/0`, constants.O_RDONLY | constants.O_NOCTTY | constants.O_NONBLOCK);
    const st = fstatSync(fd);
    if (!st.isCharacterDevice() || st.rdev !== device || !isatty(fd)) throw new Error('not the same terminal');
    const keys = new ReadStream(fd);
    fd = undefined;
    // Whole characters: a multi-byte one split across two reads is joined before it is handed on.
    keys.setEncoding('utf8');
    keys.pause();
    return keys;
  } catch {
    if (fd !== undefined) closeSync(fd);
    return undefined;
  }
}
