/**
 * A terminal attached to a workspace server: the person's keys and its size go to the server, the
 * server's frames come back and are written as they are. The client draws nothing of its own except
 * a "starting" screen, and owns only its terminal's modes (alternate screen, raw input, bracketed
 * paste, mouse), which it restores however it ends.
 *
 * Invariants:
 * - the terminal is restored before anything is printed and before the process exits;
 * - losing the terminal (SIGHUP, SIGTERM) only detaches: the workspace and its agents go on;
 * - a server that goes away without saying goodbye is reported as stopped, with how to resume.
 *
 * Imports only Node and the small protocol module, so attaching is fast.
 */
import { connect, type Socket } from 'node:net';
import { ScreenMode } from '../render/screen-mode.js';
import { printable } from '../util/safe-text.js';
import { codeCacheReady } from '../cli/code-cache.js';
import { startMark } from '../util/start-trace.js';
import { handleFd } from '../util/native-addon.js';
import { handOverTo } from './hand-over.js';
import { frame, FrameReader, parseBody, protocolSchemas, PROTOCOL_VERSION, type Bye, type Info } from '../server/protocol.js';
import type { Reply, requestSchemas, ServerRequest } from '../server/requests.js';

/** A frame from the server is a screen's worth of bytes at most; a full redraw of a big terminal is well under this. */
const OUTPUT_LIMIT = 64 * 1024 * 1024;

export interface AttachOptions {
  path: string;
  version: string;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** The terminal already shows the "starting" screen (the alternate screen is on). */
  started?: boolean;
  /**
   * A server still starting (launch.ts): its error, should it fail before it welcomes this terminal,
   * is what the person is told (its socket closing is only the consequence).
   */
  failed?: Promise<{ error: string; code: number } | undefined>;
  /** A connection to `path` already made (`agents attach` dials to see whether it answers): used, not made again. */
  socket?: Socket;
}

export type AttachResult = { code: number };

function hello(want: 'attach' | 'info' | 'stop' | 'request', version: string, cols = 80, rows = 24, request?: ServerRequest, direct = false): Buffer {
  return frame('hello', { protocol: PROTOCOL_VERSION, version, want, cols, rows, pid: process.pid, ...(request ? { request } : {}), ...(direct ? { direct } : {}) });
}

/** How long a client that is leaving on its own waits for the server to stop drawing to its screen. */
const LEAVE_WAIT_MS = 300;

/**
 * Whether the server may draw to this client's output itself: a terminal that is this process's
 * standard output, on Linux (where the server can open it from /proc, direct.ts). AGENTS_DIRECT=0
 * keeps every frame on the socket.
 */
function canDrawDirect(stdout: NodeJS.WriteStream): boolean {
  if (process.env.AGENTS_DIRECT === '0') return false;
  return process.platform === 'linux' && stdout.isTTY === true && (stdout as { fd?: number }).fd === 1;
}

/** Connects, or resolves undefined when nobody listens there (no server, or a stale socket). */
export function dial(path: string): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => resolve(s));
    s.once('error', () => resolve(undefined));
  });
}

export type Answer = { info?: Info; bye?: Bye; refused?: string; reply?: Reply };

/**
 * A request for a workspace (`agents tasks`, a workflow started while it runs) and the schema its
 * reply is checked with. The asker brings the schema: replies carry tasks, whose schemas need zod's
 * full API, and `agents attach`, `ls` and `stop` (dist/cli/servers.cjs) must not carry it.
 */
export interface Ask {
  request: ServerRequest;
  replies: ReturnType<typeof requestSchemas>['ReplySchema'];
}

/**
 * Asks a server for its status (`agents ls`), to stop, or a request (`agents tasks`); undefined
 * when it does not answer.
 */
export async function query(path: string, version: string, want: 'info' | 'stop' | 'request' = 'info', timeoutMs = 3000, ask?: Ask): Promise<Answer | undefined> {
  const s = await dial(path);
  if (!s) return undefined;
  return new Promise((resolve) => {
    const reader = new FrameReader(1024 * 1024);
    const timer = setTimeout(() => {
      s.destroy();
      resolve(undefined);
    }, timeoutMs);
    const done = (r: Answer | undefined) => {
      clearTimeout(timer);
      s.destroy();
      resolve(r);
    };
    s.on('data', (chunk: Buffer) => {
      try {
        for (const f of reader.push(chunk)) {
          if (f.type === 'info') return done({ info: parseBody(protocolSchemas().InfoSchema, f.body) });
          if (f.type === 'bye') return done({ bye: parseBody(protocolSchemas().ByeSchema, f.body) });
          if (f.type === 'refuse') return done({ refused: parseBody(protocolSchemas().RefuseSchema, f.body)?.message ?? 'refused' });
          if (f.type === 'reply') return done({ reply: ask && parseBody(ask.replies, f.body) });
        }
      } catch {
        done(undefined);
      }
    });
    s.on('error', () => done(undefined));
    s.on('close', () => done(undefined));
    s.write(hello(want, version, 80, 24, ask?.request));
  });
}

/** Shows something at once while the workspace starts: the person's screen is taken over, with a word on it. */
export function startingScreen(stdout: NodeJS.WriteStream, what: string): ScreenMode {
  const screen = new ScreenMode(process.stdin, (s) => stdout.write(s));
  screen.enter();
  const cols = stdout.columns || 80;
  const rows = stdout.rows || 24;
  const text = what.slice(0, cols);
  stdout.write(`\x1b[${Math.max(1, Math.floor(rows / 2))};${Math.max(1, Math.floor((cols - text.length) / 2) + 1)}H\x1b[2m${text}\x1b[0m`);
  return screen;
}

/** How long a terminal whose workspace is ending waits for its server to be gone. */
const GONE_WAIT_MS = 3000;

export function attach(o: AttachOptions, screen = new ScreenMode(o.stdin, (s) => o.stdout.write(s))): Promise<AttachResult> {
  const { stdin, stdout } = o;
  return new Promise((resolve) => {
    let socket: Socket | undefined;
    let ended = false;
    const reader = new FrameReader(OUTPUT_LIMIT);
    let shown = false;
    let welcomed = false;
    /** The server draws straight to this terminal (src/server/direct.ts): it is told before leaving. */
    let direct = false;
    /** Ends with the starting server's error if it has one, else with `otherwise`. */
    const startFailed = (code: number, otherwise: string) =>
      void (o.failed ?? Promise.resolve(undefined)).then((f) => (f ? finish(f.code, `agents: ${f.error}`, true) : finish(code, otherwise, true)));
    void o.failed?.then((f) => f && !welcomed && finish(f.code, `agents: ${f.error}`, true));
    const size = () => ({ cols: stdout.columns || 80, rows: stdout.rows || 24 });

    /**
     * `untilGone`: the workspace said goodbye and is stopping its panes. The terminal is given back
     * at once, but the prompt returns only once the server is gone (at most GONE_WAIT_MS), so an
     * `agents` typed right after starts a new workspace instead of attaching to one still stopping.
     */
    const finish = (code: number, message?: string, toStderr = false, untilGone = false) => {
      if (ended) return;
      ended = true;
      stdin.off('data', onKeys);
      stdout.off('resize', onResize);
      for (const [sig, h] of handlers) process.off(sig, h);
      const s = socket;
      if (!untilGone || !s || s.destroyed) socket?.destroy();
      screen.restore();
      // The server's words quote paths and errors: shown escaped, never obeyed by the terminal.
      if (message) (toStderr ? o.stderr : stdout).write(`${printable(message.trimEnd(), { newlines: true })}\n`);
      if (!untilGone || !s || s.destroyed) return resolve({ code });
      const gone = () => {
        clearTimeout(timer);
        s.destroy();
        resolve({ code });
      };
      const timer = setTimeout(gone, GONE_WAIT_MS);
      s.once('close', gone);
    };
    // Keys typed while the workspace starts are kept and sent once it takes them.
    let early: Buffer[] | undefined = [];
    const onKeys = (chunk: Buffer) => {
      if (early) early.push(chunk);
      else socket?.write(frame('input', chunk));
    };
    stdin.on('data', onKeys);
    const onResize = () => socket?.write(frame('resize', size()));
    /** Leaving on its own: the server's bye then says nothing the person did not ask for. */
    let quiet = false;
    /**
     * Someone asked this client to stop: with the server drawing to this screen, the terminal is
     * restored only once the server says it stopped (its bye), so no frame of its lands after.
     */
    const leave = () => {
      const s = socket;
      if (!direct || !s || s.destroyed) return finish(0);
      // Leaving: no hand-over to the native client now (it would not know of the detach asked).
      quiet = true;
      s.write(frame('detach'));
      setTimeout(() => finish(0), LEAVE_WAIT_MS).unref();
    };
    // The terminal went away (nothing left to restore or to wait for), or someone asked this client
    // to stop: the workspace goes on without it.
    const handlers: Array<[NodeJS.Signals, () => void]> = [
      ['SIGHUP', () => finish(0)],
      ['SIGTERM', leave],
      ['SIGINT', leave],
    ];
    for (const [sig, h] of handlers) process.on(sig, h);

    /**
     * Execs the native client in this process's place (hand-over.ts), when everything sent has left
     * and nothing received is held here; otherwise, or should the exec fail, this client goes on.
     */
    const becomeNative = (): void => {
      const s = socket;
      const handOver = handOverTo();
      const fd = handleFd(s);
      if (ended || quiet || !s || !handOver || fd === undefined || fd < 3) return;
      if (stdout.writableLength > 0) return void stdout.once('drain', becomeNative);
      if (s.writableLength > 0) return void s.once('drain', becomeNative);
      if (reader.pending > 0 || s.readableLength > 0) return;
      // This client's code cache, when its start had none and it is not made yet: now, before Node goes.
      codeCacheReady(undefined, true);
      // The person's own modes, which the native client restores at the end; raw again at once (in
      // the addon, before the exec: no key is echoed in between).
      stdin.setRawMode?.(false);
      try {
        handOver(['--adopt', String(fd), String(size().cols), String(size().rows)], fd);
      } catch {
        stdin.setRawMode?.(true);
      }
    };

    void (o.socket ? Promise.resolve(o.socket) : dial(o.path)).then((s) => {
      if (!s) return startFailed(1, `agents: the workspace server is not answering at ${o.path}.`);
      socket = s;
      s.on('data', (chunk: Buffer) => {
        let frames;
        try {
          frames = reader.push(chunk);
        } catch (err) {
          return finish(1, `agents: the workspace server sent something this client cannot read (${(err as Error).message}).`, true);
        }
        for (const f of frames) {
          if (f.type === 'output') {
            if (!shown) startMark('first output');
            shown = true;
            // A terminal slower than the workspace: stop reading until it caught up (the server skips frames meanwhile).
            if (!stdout.write(f.body)) {
              s.pause();
              stdout.once('drain', () => s.resume());
            }
          } else if (f.type === 'welcome') {
            startMark('welcome');
            welcomed = true;
            // This client's code cache, when its start had none: a second after, or at the hand-over.
            codeCacheReady();
            const w = parseBody(protocolSchemas().WelcomeSchema, f.body);
            if (!w) return finish(1, 'agents: the workspace server answered with something unexpected.', true);
            if (!o.started) screen.enter({ mouse: w.mouse });
            else if (w.mouse) stdout.write('\x1b[?1000h\x1b[?1006h');
            stdin.setRawMode?.(true);
            stdin.resume();
            // The modes are on: a server drawing to this screen may start (before the early keys,
            // which it takes only once attached). A server reading the keys itself is their only
            // reader from now on: two readers would each get some.
            direct = w.direct === true;
            if (w.keys === true) stdin.pause();
            if (direct) s.write(frame('ready'));
            for (const chunk of early ?? []) s.write(frame('input', chunk));
            early = undefined;
            stdout.on('resize', onResize);
            // Nothing is left for Node to do: the native client takes this process over.
            if (direct && w.keys === true) setImmediate(becomeNative);
          } else if (f.type === 'refuse') {
            return finish(2, `agents: ${parseBody(protocolSchemas().RefuseSchema, f.body)?.message ?? 'the workspace server refused this terminal'}`, true);
          } else if (f.type === 'bye') {
            const bye = parseBody(protocolSchemas().ByeSchema, f.body);
            const crashed = bye?.reason === 'crashed';
            return finish(crashed ? 1 : 0, quiet ? undefined : bye?.message, crashed, bye?.reason === 'quit' || bye?.reason === 'stopped');
          }
        }
      });
      s.on('error', () => undefined);
      s.on('close', () => {
        const unexpected = 'agents: the workspace server stopped unexpectedly. Its panes were stopped; agents --continue resumes the session.';
        if (welcomed) finish(1, unexpected, true);
        else startFailed(1, unexpected);
      });
      s.write(hello('attach', o.version, size().cols, size().rows, undefined, canDrawDirect(stdout)));
    });
  });
}
