/**
 * The workspace end of the agent channel: a unix socket in a folder only the user can enter, and a
 * random token each agent must present, so no other process can drive or impersonate an agent.
 *
 * Invariant: a connection is bound to a pane only after a valid hello; anything else is dropped.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { makePrivateDir } from '../util/private-dir.js';
import { join } from 'node:path';
import { log } from '../util/log.js';
import { AgentMessageSchema, encode, lineReader, type AgentMessage, type WorkspaceMessage } from './protocol.js';

export class IpcServer extends EventEmitter<{ message: [pane: number, message: AgentMessage]; disconnect: [pane: number] }> {
  readonly token = randomBytes(24).toString('hex');
  readonly path: string;
  private dir: string;
  private server: Server;
  private sockets = new Map<number, Socket>();

  private constructor() {
    super();
    // mkdtemp creates the folder 0700; the socket inside inherits that protection.
    this.dir = makePrivateDir('agents-ipc');
    this.path = join(this.dir, 'ipc.sock');
    this.server = createServer((s) => this.accept(s));
  }

  static async start(): Promise<IpcServer> {
    const ipc = new IpcServer();
    await new Promise<void>((resolve, reject) => {
      ipc.server.once('error', reject);
      ipc.server.listen(ipc.path, () => resolve());
    });
    return ipc;
  }

  /** Environment that lets the agent in pane `pane` connect back. */
  envFor(pane: number): Record<string, string> {
    return { AGENTS_IPC: this.path, AGENTS_IPC_TOKEN: this.token, AGENTS_PANE_ID: String(pane) };
  }

  private accept(socket: Socket): void {
    let pane: number | undefined;
    socket.on(
      'data',
      lineReader(
        AgentMessageSchema,
        (m) => {
          if (pane === undefined) {
            if (m.t !== 'hello' || m.token !== this.token) {
              log('ipc: connection without a valid hello dropped');
              socket.destroy();
              return;
            }
            pane = m.pane;
            this.sockets.get(pane)?.destroy();
            this.sockets.set(pane, socket);
          }
          this.emit('message', pane, m);
        },
        (line, why) => log(`ipc: bad line from pane ${pane ?? '?'} (${why}): ${line.slice(0, 200)}`),
      ),
    );
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
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
    for (const s of this.sockets.values()) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
