// A raw client of the agent socket for the channel tests: it sends whatever a test (or an attacker)
// writes and records what comes back, without the protocol's own client in the way.
import { connect, type Socket } from 'node:net';
import { ipcSchemas, type AgentMessage, type WorkspaceMessage } from '../../src/ipc/protocol.js';

export class Peer {
  received: WorkspaceMessage[] = [];
  closed = false;
  readonly gone: Promise<void>;
  private buffered = '';

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.buffered += d;
      let nl: number;
      while ((nl = this.buffered.indexOf('\n')) >= 0) {
        this.received.push(ipcSchemas().WorkspaceMessageSchema.parse(JSON.parse(this.buffered.slice(0, nl))));
        this.buffered = this.buffered.slice(nl + 1);
      }
    });
    // Writes after the server hung up fail with EPIPE: that is what these tests expect to happen.
    socket.on('error', () => {});
    this.gone = new Promise((resolve) =>
      socket.on('close', () => {
        this.closed = true;
        resolve();
      }),
    );
  }

  static open(path: string): Promise<Peer> {
    return new Promise((resolve, reject) => {
      const s = connect(path, () => resolve(new Peer(s)));
      s.once('error', reject);
    });
  }

  /** Any object, so a test can send what the protocol's types would not allow. */
  send(m: AgentMessage | Record<string, unknown>): void {
    this.raw(JSON.stringify(m) + '\n');
  }

  raw(s: string | Buffer): void {
    if (!this.socket.destroyed) this.socket.write(s);
  }

  hello(token: string, extra: Record<string, unknown> = {}): void {
    this.send({ t: 'hello', token, name: 'agent', model: 'm', pid: process.pid, ...extra });
  }

  get welcomed(): boolean {
    return this.received.some((m) => m.t === 'welcome');
  }

  close(): void {
    this.socket.destroy();
  }
}
