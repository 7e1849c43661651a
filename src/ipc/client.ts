/**
 * The agent end of the workspace channel. Without AGENTS_IPC (the agent run on its own) it is a
 * silent no-op, so the agent never depends on the workspace to work.
 */
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import { encode, lineReader, WorkspaceMessageSchema, type AgentMessage, type WorkspaceMessage } from './protocol.js';

export class IpcClient extends EventEmitter<{ command: [WorkspaceMessage] }> {
  private socket: Socket | undefined;

  static async fromEnv(env: NodeJS.ProcessEnv, hello: { name: string; model: string }): Promise<IpcClient> {
    const client = new IpcClient();
    const path = env.AGENTS_IPC;
    if (!path || !env.AGENTS_IPC_TOKEN) return client;
    await new Promise<void>((resolve) => {
      const s = connect(path, () => resolve());
      s.on('error', () => resolve());
      s.on('data', lineReader(WorkspaceMessageSchema, (m) => client.emit('command', m), () => {}));
      client.socket = s;
    });
    client.send({ t: 'hello', pane: Number(env.AGENTS_PANE_ID ?? 0), token: env.AGENTS_IPC_TOKEN, name: hello.name, model: hello.model, pid: process.pid });
    return client;
  }

  get connected(): boolean {
    return this.socket !== undefined && !this.socket.destroyed && !this.socket.connecting;
  }

  send(m: AgentMessage): void {
    if (this.socket && !this.socket.destroyed) this.socket.write(encode(m));
  }

  close(): void {
    this.socket?.end();
  }
}
