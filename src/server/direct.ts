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
import { closeSync, constants, fstatSync, openSync, writeSync } from 'node:fs';
import type { Socket } from 'node:net';
import { ReadStream, WriteStream, isatty } from 'node:tty';
import { peerPid } from '../terminal/native.js';
import { handleFd } from '../util/native-addon.js';

/**
 * An attached terminal the server draws to and, when its input is the same terminal, reads the keys
 * of. Writes never block: a terminal that stops reading queues them, and the renderer skips frames
 * while that backlog is high, so it never stalls the workspace.
 */
export class DirectTerminal {
  /** The descriptor of the output's libuv handle (non-blocking, its own file description). */
  private readonly fd: number | undefined;

  private constructor(
    private readonly out: WriteStream,
    private readonly keys: ReadStream | undefined,
  ) {
    this.fd = handleFd(out);
  }

  /**
   * The terminal of the process at the other end of `socket`, or undefined when there is none to
   * draw to. `gone`: the terminal failed (EIO after a hang-up).
   */
  static open(socket: Socket, gone: () => void): DirectTerminal | undefined {
    if (process.platform !== 'linux') return undefined;
    const fd = handleFd(socket);
    const pid = fd !== undefined ? peerPid(fd) : undefined;
    if (pid === undefined) return undefined;
    const screen = openTerminal(`/proc/${pid}/fd/1`, constants.O_WRONLY);
    if (!screen) return undefined;
    const input = openTerminal(`/proc/${pid}/fd/0`, constants.O_RDONLY, screen.device);
    let out: WriteStream | undefined;
    let keys: ReadStream | undefined;
    try {
      out = new WriteStream(screen.fd);
      dropGiven(out, screen.fd);
      // tty.WriteStream makes its writes blocking (for a process's own stdout); here a slow terminal
      // must queue, not stall. libuv reopened the terminal for this handle, so the flag is ours alone.
      (out as unknown as { _handle?: { setBlocking?(blocking: boolean): unknown } })._handle?.setBlocking?.(false);
      out.on('error', gone);
      if (input) {
        keys = new ReadStream(input.fd);
        dropGiven(keys, input.fd);
        // Whole characters: a multi-byte one split across two reads is joined before it is handed on.
        keys.setEncoding('utf8').pause().on('error', gone);
      }
      return new DirectTerminal(out, keys);
    } catch {
      if (out) out.destroy();
      else closeSync(screen.fd);
      if (keys) keys.destroy();
      else if (input) closeSync(input.fd);
      return undefined;
    }
  }

  /** Whether the keys are read here (the client then sends none). */
  get readsKeys(): boolean {
    return this.keys !== undefined;
  }

  /** Bytes written but not yet taken by the terminal. */
  get backlog(): number {
    return this.out.writableLength;
  }

  /**
   * Written at once when nothing of an earlier write waits (a frame nearly always): the descriptor
   * is non-blocking, so this never stalls. What the terminal does not take goes through the stream,
   * in order, copied: the stream holds its bytes past this call, and the renderer reuses its buffer.
   * Row 2b's server spent ~2 ms a second copying frames and in the stream's machinery
   * (docs/profile.md). Any error (EAGAIN: the terminal is not reading; EIO: it hung up) leaves the
   * write to the stream, whose error handling reports a terminal gone.
   */
  write(data: Uint8Array | string): void {
    let bytes = typeof data === 'string' ? Buffer.from(data) : data;
    if (this.fd !== undefined && this.out.writableLength === 0 && !this.out.destroyed) {
      let wrote = 0;
      try {
        wrote = writeSync(this.fd, bytes);
      } catch {
        // Left to the stream, below.
      }
      if (wrote >= bytes.length) return;
      bytes = bytes.subarray(wrote);
    }
    this.out.write(Buffer.from(bytes));
  }

  /** Hands every key read from now on to `input`. */
  takeKeys(input: (keys: string) => void): void {
    this.keys?.on('data', input).resume();
  }

  /** Stops at once, dropping whatever of a frame has not reached the terminal (see above). */
  close(): void {
    this.out.destroy();
    this.keys?.destroy();
  }
}

/**
 * libuv reopens a terminal for its handle (a file description of its own, so that non-blocking is its
 * alone) and leaves the descriptor it was given open, pointing at the same: closed here, or every
 * attach would leave two descriptors behind.
 */
function dropGiven(stream: WriteStream | ReadStream, given: number): void {
  const own = handleFd(stream);
  if (own !== undefined && own !== given) closeSync(given);
}

/**
 * `path` opened with `flags`, non-blocking and without taking it as the server's controlling
 * terminal (the server leads a session of its own), when it is a terminal (the device `device`, if
 * given); else undefined.
 */
function openTerminal(path: string, flags: number, device?: number): { fd: number; device: number } | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, flags | constants.O_NOCTTY | constants.O_NONBLOCK);
    const st = fstatSync(fd);
    if (!st.isCharacterDevice() || !isatty(fd) || (device !== undefined && st.rdev !== device)) throw new Error('not that terminal');
    return { fd, device: st.rdev };
  } catch {
    if (fd !== undefined) closeSync(fd);
    return undefined;
  }
}
