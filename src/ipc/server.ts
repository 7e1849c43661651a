/**
 * The workspace end of the agent channel: a unix socket in a folder only the user can enter, and a
 * random token per pane that the pane's agent presents in its hello.
 *
 * Invariants:
 * - a token is issued by `envFor(pane)` and names that pane: a connection speaks for the pane whose
 *   token its hello carried, never for one it claims, and every message it sends is emitted with
 *   that pane;
 * - a pane has at most one connection: a hello for a pane whose connection is live is refused (the
 *   newcomer is dropped, the live one kept), so no other process can cut an agent off or speak over
 *   it; a hello on a connection already bound is ignored;
 * - before its hello a connection may hold at most `maxHelloLine` characters and live
 *   `helloTimeoutMs`, and at most `maxPending` such connections exist at once (more are closed as
 *   they arrive): what a stranger can make the workspace spend is bounded in memory and descriptors.
 *   After the hello, lines are bounded by MAX_LINE (a whole conversation fits);
 * - tokens are compared by digest in constant time, every issued one, and never logged.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { makePrivateDir } from '../util/private-dir.js';
import { log, LogLimiter } from '../util/log.js';
import { LineReader } from './lines.js';
import { encode, ipcSchemas, MAX_HELLO_LINE, MAX_LINE, type AgentMessage, type WorkspaceMessage } from './protocol.js';

export interface IpcServerOptions {
  /** A connection that has not said a valid hello this long after connecting is closed (default 5 s). */
  helloTimeoutMs?: number;
  /** Most connections waiting for their hello at once (default 16). */
  maxPending?: number;
  /** Longest line after the hello, in characters (default MAX_LINE). */
  maxLine?: number;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export class IpcServer extends EventEmitter<{ message: [pane: number, message: AgentMessage]; disconnect: [pane: number] }> {
  readonly path: string;
  private dir: string;
  private server: Server;
  /** Digest of each pane's current token. */
  private tokens = new Map<number, Buffer>();
  private sockets = new Map<number, Socket>();
  private pending = new Set<Socket>();
  private limiter = new LogLimiter();
  private helloTimeoutMs: number;
  private maxPending: number;
  private maxLine: number;

  private constructor(o: IpcServerOptions) {
    super();
    this.helloTimeoutMs = o.helloTimeoutMs ?? 5000;
    this.maxPending = o.maxPending ?? 16;
    this.maxLine = o.maxLine ?? MAX_LINE;
    // mkdtemp creates the folder 0700; the socket inside inherits that protection.
    this.dir = makePrivateDir('agents-ipc');
    this.path = join(this.dir, 'ipc.sock');
    this.server = createServer((s) => this.accept(s));
  }

  static async start(o: IpcServerOptions = {}): Promise<IpcServer> {
    const ipc = new IpcServer(o);
    await new Promise<void>((resolve, reject) => {
      ipc.server.once('error', reject);
      ipc.server.listen(ipc.path, () => resolve());
    });
    return ipc;
  }

  /**
   * Environment that lets the agent in pane `pane` connect back, with a new token for that pane (an
   * earlier one stops working; a live connection stays).
   */
  envFor(pane: number): Record<string, string> {
    const token = randomBytes(24).toString('hex');
    this.tokens.set(pane, digest(token));
    return { AGENTS_IPC: this.path, AGENTS_IPC_TOKEN: token };
  }

  /** The pane `token` was issued for; every issued token is compared, with no early exit. */
  private paneOf(token: string): number | undefined {
    const sent = digest(token);
    let found: number | undefined;
    for (const [pane, d] of this.tokens) if (timingSafeEqual(sent, d)) found = pane;
    return found;
  }

  private accept(socket: Socket): void {
    socket.on('error', () => socket.destroy());
    if (this.pending.size >= this.maxPending) {
      this.limiter.log('busy', `ipc: a connection was refused: ${this.maxPending} others are still to say hello`);
      socket.destroy();
      return;
    }
    this.pending.add(socket);
    let pane: number | undefined;
    const drop = (kind: string, why: string) => {
      this.limiter.log(kind, `ipc: connection dropped: ${why}`);
      reader.stop();
      socket.destroy();
    };
    const timer = setTimeout(() => drop('timeout', `no valid hello within ${this.helloTimeoutMs} ms`), this.helloTimeoutMs);
    const reader = new LineReader({
      schema: ipcSchemas().AgentMessageSchema,
      maxLine: MAX_HELLO_LINE,
      onMessage: (m) => {
        if (pane !== undefined) {
          if (m.t === 'hello') this.limiter.log('rehello', `ipc: pane ${pane} said hello again; ignored`);
          else this.emit('message', pane, m);
          return;
        }
        if (m.t !== 'hello') return drop('nohello', 'its first line was not a hello');
        const claimed = this.paneOf(m.token);
        if (claimed === undefined) return drop('token', 'its hello carried no token this workspace issued');
        if (this.sockets.has(claimed)) return drop('taken', `a second hello for pane ${claimed}, whose agent is connected, was refused`);
        clearTimeout(timer);
        this.pending.delete(socket);
        pane = claimed;
        reader.maxLine = this.maxLine;
        this.sockets.set(pane, socket);
        socket.write(encode({ t: 'welcome' }));
        this.emit('message', pane, m);
      },
      onBad: (line, why) => {
        if (pane === undefined) return drop('nohello', `its first line was not a valid hello (${why})`);
        log(`ipc: bad line from pane ${pane} (${why}): ${line.slice(0, 200)}`);
      },
      onTooLong: () => {
        if (pane === undefined) return drop('long', `more than ${MAX_HELLO_LINE} characters before a hello`);
        log(`ipc: a line from pane ${pane} longer than ${this.maxLine} characters was dropped`);
      },
    });
    socket.on('data', (chunk) => reader.push(chunk));
    socket.on('close', () => {
      clearTimeout(timer);
      reader.stop();
      this.pending.delete(socket);
      if (pane !== undefined && this.sockets.get(pane) === socket) {
        this.sockets.delete(pane);
        this.emit('disconnect', pane);
      }
    });
  }

  connected(pane: number): boolean {
    return this.sockets.has(pane);
  }

  send(pane: number, m: WorkspaceMessage): boolean {
    const s = this.sockets.get(pane);
    if (!s) return false;
    s.write(encode(m));
    return true;
  }

  async close(): Promise<void> {
    for (const s of [...this.sockets.values(), ...this.pending]) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
