/**
 * The workspace server's socket: terminals attach to the running workspace over it, detach, ask for
 * its status (`agents ls`) or stop it (`agents stop`).
 *
 * Invariants:
 * - the socket lives in the user's private runtime folder (paths.ts) and is itself 0600;
 * - a connection is nobody until its hello arrives (within HELLO_MS, in one small frame); a hello
 *   from another protocol version gets a `refuse` with a message, never a half-working session;
 * - every attached terminal ends with a `bye` saying why (detached, quit, stopped, crashed), except
 *   when its own side went away first;
 * - a client that stops reading is not waited for: the renderer skips its frames while it is behind.
 */
import { chmodSync, unlinkSync } from 'node:fs';
import { createServer, Socket, type Server } from 'node:net';
import type { Attachment, Frontend, TerminalLink } from '../frontend/frontend.js';
import { log } from '../util/log.js';
import { DirectTerminal } from './direct.js';
import { startMark } from '../util/start-trace.js';
import { FRAME, frame, FrameError, FrameReader, parseBody, protocolSchemas, PROTOCOL_VERSION, sizeSchemas, type Bye, type Info } from './protocol.js';
import { parseHello, type Reply, type ServerRequest } from './requests.js';

/** A connection must say hello within this long. */
const HELLO_MS = 5000;
/** Before hello, nothing bigger than a hello is accepted. */
const HELLO_LIMIT = 4096;
/** After hello: keys, pastes and resizes; a paste of a few megabytes is still a paste. */
const INPUT_LIMIT = 8 * 1024 * 1024;
/** Connections waiting for their hello at once; more are dropped (a local process flooding the socket). */
const MAX_PENDING = 32;

export interface ServerOptions {
  path: string;
  id: string;
  project: string;
  version: string;
}

/** The running workspace behind the socket, given once it exists (`serve`). */
export interface Served {
  mouse: boolean;
  frontend: Frontend;
  /** The workspace's status for `agents ls`. */
  info(): Omit<Info, 'id' | 'project' | 'pid' | 'version' | 'since' | 'clients'>;
  /** `agents stop`: end the workspace (the caller closes everything and says bye). */
  stop(): void;
  /** A command-line request (`agents tasks`, `agents task add`). */
  request(r: ServerRequest): Promise<Reply>;
  /** The first frame went out to a terminal (once). */
  shown?(): void;
}

interface Client {
  socket: Socket;
  /** Set once it attached: its terminal as the frontend draws to it, and its side of the workspace. */
  link?: TerminalLink & { cols: number; rows: number };
  attachment?: Attachment;
  /** It was sent a frame already (for the start-up trace). */
  wrote?: boolean;
  /** Its terminal, drawn to (and its keys read) straight; frames and keys go over the socket otherwise. */
  direct?: DirectTerminal;
  /** Attaches it once its client says `ready` (its terminal's modes are on), when drawing direct. */
  start?: () => void;
}

export class WorkspaceServer {
  private server: Server;
  private clients = new Set<Client>();
  private pending = 0;
  readonly since = Date.now();
  /** Set once the workspace runs; hellos that arrive before wait for it. */
  private served: Served | undefined;
  private waiting: Array<() => void> = [];
  /** A frame went out to some terminal already. */
  private drawn = false;

  private constructor(private o: ServerOptions) {
    this.server = createServer((s) => this.accept(s));
    this.server.on('error', (err) => log(`server: ${err.message}`));
  }

  /** The workspace is up: hellos are answered from now on (those that came early, first). */
  serve(served: Served): void {
    this.served = served;
    for (const go of this.waiting.splice(0)) go();
  }

  /**
   * Listens on `o.path` (claiming the project before its workspace is built, so two starts at once
   * cannot both start its agents); a stale socket left by a dead server is replaced, a live one is not.
   */
  static async listen(o: ServerOptions): Promise<WorkspaceServer> {
    const s = new WorkspaceServer(o);
    await new Promise<void>((resolve, reject) => {
      const attempt = (retry: boolean) => {
        s.server.once('error', (err: NodeJS.ErrnoException) => {
          if (err.code !== 'EADDRINUSE' || !retry) return reject(err);
          // Someone answering there is a live server; silence means a socket left by a dead one.
          const probe = new Socket();
          probe.once('connect', () => {
            probe.destroy();
            reject(new Error(`a workspace server already runs for this project (${o.path})`));
          });
          probe.once('error', () => {
            try {
              unlinkSync(o.path);
            } catch {
              // Gone already.
            }
            attempt(false);
          });
          probe.connect(o.path);
        });
        s.server.listen(o.path, () => resolve());
      };
      attempt(true);
    });
    chmodSync(o.path, 0o600);
    return s;
  }

  get path(): string {
    return this.o.path;
  }

  get id(): string {
    return this.o.id;
  }

  get attached(): number {
    let n = 0;
    for (const c of this.clients) if (c.link) n++;
    return n;
  }

  private accept(socket: Socket): void {
    if (this.pending >= MAX_PENDING) {
      log('server: too many connections waiting for their hello; one dropped');
      socket.destroy();
      return;
    }
    this.pending++;
    const client: Client = { socket };
    this.clients.add(client);
    const reader = new FrameReader(HELLO_LIMIT);
    let hello = false;
    const timer = setTimeout(() => {
      log('server: a connection sent no hello in time');
      socket.destroy();
    }, HELLO_MS);
    const greeted = () => {
      if (hello) return;
      hello = true;
      this.pending--;
      clearTimeout(timer);
    };
    socket.on('data', (chunk: Buffer) => {
      let frames;
      try {
        frames = reader.push(chunk);
      } catch (err) {
        log(`server: dropped a connection: ${err instanceof FrameError ? err.message : String(err)}`);
        socket.destroy();
        return;
      }
      for (const f of frames) {
        if (socket.destroyed) return;
        if (!hello) {
          if (f.type !== 'hello') return void socket.destroy();
          greeted();
          reader.limit = INPUT_LIMIT;
          const body = Buffer.from(f.body);
          if (this.served) this.hello(client, body);
          else this.waiting.push(() => !socket.destroyed && this.hello(client, body));
          continue;
        }
        this.message(client, f.type, f.body);
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      if (!hello) {
        this.pending--;
        clearTimeout(timer);
      }
      client.attachment?.detach();
      this.dropDirect(client);
      this.clients.delete(client);
    });
  }

  private hello(c: Client, body: Buffer): void {
    const h = parseHello(body);
    const served = this.served;
    if (!h || !served) return void c.socket.destroy();
    if (h.protocol !== PROTOCOL_VERSION || h.version !== this.o.version) {
      c.socket.end(frame('refuse', { message: `this workspace runs agents ${this.o.version}; this is agents ${h.version}. Use the same version, or stop it first (agents stop ${this.o.id}).` }));
      return;
    }
    if (h.want === 'info') return void c.socket.end(frame('info', this.info()));
    if (h.want === 'request') {
      if (!h.request) return void c.socket.end(frame('reply', { ok: false, text: 'the request was missing' }));
      void served.request(h.request).then((r) => !c.socket.destroyed && c.socket.end(frame('reply', r)));
      return;
    }
    if (h.want === 'stop') {
      this.clients.delete(c);
      c.socket.end(frame('bye', { reason: 'stopped', message: 'stopped' }));
      return served.stop();
    }
    const socket = c.socket;
    const direct = h.direct ? DirectTerminal.open(socket, () => socket.destroy()) : undefined;
    socket.write(frame('welcome', { id: this.o.id, project: this.o.project, version: this.o.version, mouse: served.mouse, direct: direct !== undefined, keys: direct?.readsKeys }));
    const link = {
      cols: h.cols,
      rows: h.rows,
      write: (data: Uint8Array) => {
        // Marked before the write: whoever sees the frame can already read the mark.
        const first = !c.wrote;
        if (first) startMark('first output');
        // frame() copies the bytes, as does the direct write: the renderer reuses its buffer.
        if (c.direct) c.direct.write(data);
        else socket.write(frame('output', data));
        if (!first) return;
        c.wrote = true;
        if (!this.drawn) {
          this.drawn = true;
          // After the frame: what it starts (the reaper's helper, a spawn of several ms) is no part of it.
          setImmediate(() => served.shown?.());
        }
      },
      backlog: () => c.direct?.backlog ?? socket.writableLength,
      bell: () => void (c.direct ? c.direct.write('\x07') : socket.write(frame('output', '\x07'))),
      detach: () => this.bye(c, { reason: 'detached', message: `Detached from the workspace in ${this.o.project}; its agents go on. agents attach comes back.` }),
    };
    c.link = link;
    startMark('hello');
    const start = () => {
      c.attachment = served.frontend.attach(link);
      c.direct?.takeKeys((keys) => c.attachment?.input(keys));
      log(`server: a terminal attached (${h.cols}x${h.rows}, pid ${h.pid}${direct ? `, drawn direct${direct.readsKeys ? ', keys direct' : ''}` : ''}); ${this.attached} now`);
    };
    if (!direct) return start();
    c.direct = direct;
    c.start = start;
  }

  /** Stops drawing to a client's screen, dropping what of a frame has not reached it (see direct.ts). */
  private dropDirect(c: Client): void {
    c.start = undefined;
    c.direct?.close();
    c.direct = undefined;
  }

  private message(c: Client, type: keyof typeof FRAME, body: Buffer): void {
    if (type === 'ready') {
      const start = c.start;
      c.start = undefined;
      return start?.();
    }
    if (!c.link || !c.attachment) return;
    if (type === 'input') return c.attachment.input(body.toString('utf8'));
    if (type === 'resize') {
      const r = parseBody(sizeSchemas().ResizeSchema, body);
      if (!r) return;
      c.link.cols = r.cols;
      c.link.rows = r.rows;
      return c.attachment.resized();
    }
    if (type === 'detach') return this.bye(c, { reason: 'detached', message: 'Detached.' });
  }

  /**
   * Says goodbye to one terminal and lets it go. `hold`: the workspace is ending; the connection stays open until close(), so the terminal knows
   * when the server is really gone (its prompt comes back then, not while panes are still stopping).
   */
  bye(c: Client, bye: Bye, hold = false): void {
    c.attachment?.detach();
    c.attachment = undefined;
    c.link = undefined;
    // Before the bye: its client restores the terminal on reading it, and nothing of ours may follow.
    this.dropDirect(c);
    if (c.socket.destroyed) return void this.clients.delete(c);
    if (hold) return void c.socket.write(frame('bye', protocolSchemas().ByeSchema.parse(bye)));
    this.clients.delete(c);
    c.socket.end(frame('bye', protocolSchemas().ByeSchema.parse(bye)));
  }

  /** Says goodbye to every terminal (the workspace ended); close() hangs up on them. */
  byeAll(bye: Bye): void {
    for (const c of [...this.clients]) if (c.link) this.bye(c, bye, true);
  }

  private info(): Info {
    return { id: this.o.id, project: this.o.project, pid: process.pid, version: this.o.version, since: this.since, clients: this.attached, ...this.served!.info() };
  }

  /**
   * The listener goes first, then the terminals: closing a listening Unix socket unlinks its path at
   * once (libuv's pipe close), and a terminal told of the end by its connection closing gives its
   * prompt back, where `agents` must start afresh, not find this server's socket. The other way
   * round, the server could be preempted between the two on a loaded machine (seen once in a full
   * test run: the socket still there after the terminal's quit had returned). No later unlink: by
   * then the path may be a new server's.
   */
  async close(): Promise<void> {
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    for (const c of this.clients) c.socket.destroy();
    await closed;
  }
}
