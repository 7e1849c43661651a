/**
 * The agent end of the workspace channel. Without AGENTS_IPC (the agent run on its own) it is a
 * silent no-op, so the agent never depends on the workspace to work.
 *
 * Invariants:
 * - the channel's address and token leave the process environment the moment they are read, before
 *   the agent can start any command, so no program the agent runs inherits them;
 * - once connected, the channel closing means the workspace is gone (or refused this agent): `onLost`
 *   callbacks run once, so the agent can end rather than outlive its workspace.
 */
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import { log } from '../util/log.js';
import { conversationSchemas } from '../store/conversation.js';
import { LineReader } from './lines.js';
import { encode, ipcSchemas, MAX_LINE, type AgentMessage, type WorkspaceMessage } from './protocol.js';

/** The variables the workspace sets for an agent's channel (AGENTS_PANE_ID is an older one). */
export const CHANNEL_ENV = ['AGENTS_IPC', 'AGENTS_IPC_TOKEN', 'AGENTS_PANE_ID'] as const;

/** Reads the channel's address and token and removes every channel variable from `env`. */
export function takeChannel(env: NodeJS.ProcessEnv): { path: string; token: string } | undefined {
  const path = env.AGENTS_IPC;
  const token = env.AGENTS_IPC_TOKEN;
  for (const k of CHANNEL_ENV) delete env[k];
  return path && token ? { path, token } : undefined;
}

export class IpcClient extends EventEmitter<{ command: [WorkspaceMessage] }> {
  private socket: Socket | undefined;
  private welcomed = false;
  /** The socket connected at least once: only then does its closing mean anything. */
  private opened = false;
  private lost: string | undefined;
  private lostHandlers: Array<(why: string) => void> = [];

  /** Connects as `env` says (taking the channel out of it) and says hello. */
  static async fromEnv(env: NodeJS.ProcessEnv, hello: { name: string; model: string }): Promise<IpcClient> {
    const client = new IpcClient();
    const channel = takeChannel(env);
    if (!channel) return client;
    const reader = new LineReader({
      schema: ipcSchemas().WorkspaceMessageSchema,
      maxLine: MAX_LINE,
      onMessage: (m) => {
        if (m.t === 'welcome') client.welcomed = true;
        else client.emit('command', m);
      },
      onBad: () => {},
      onTooLong: () => {},
    });
    const connected = await new Promise<boolean>((resolve) => {
      const s = connect(channel.path, () => {
        client.opened = true;
        resolve(true);
      });
      s.on('error', () => resolve(false));
      s.on('data', (chunk) => reader.push(chunk));
      s.on('close', () => {
        reader.stop();
        client.markLost(client.welcomed ? 'the workspace closed the channel' : 'the workspace refused this agent');
      });
      client.socket = s;
    });
    // Never connected: the agent runs on its own, as without a workspace.
    if (!connected) {
      client.socket = undefined;
      return client;
    }
    client.send({ t: 'hello', token: channel.token, name: hello.name, model: hello.model, pid: process.pid });
    return client;
  }

  get connected(): boolean {
    return this.socket !== undefined && !this.socket.destroyed && !this.socket.connecting;
  }

  /** Runs `handler` once when a connected channel closes (at once if it already has). */
  onLost(handler: (why: string) => void): void {
    if (this.lost !== undefined) handler(this.lost);
    else this.lostHandlers.push(handler);
  }

  private markLost(why: string): void {
    if (this.lost !== undefined || !this.opened) return;
    this.lost = why;
    for (const h of this.lostHandlers.splice(0)) h(why);
  }

  send(m: AgentMessage): void {
    if (this.socket && !this.socket.destroyed) this.socket.write(encode(m));
  }

  /**
   * Reports the conversation from `start` on (session memory). The agent's history is typed by the
   * SDK; it is checked against the protocol's schema here rather than cast, and a message that does
   * not fit is logged and not sent (the workspace would refuse it anyway).
   */
  sendHistory(start: number, messages: readonly unknown[], reset?: boolean): void {
    const parsed = conversationSchemas().ConversationSchema.safeParse(messages);
    if (parsed.success) this.send({ t: 'history', start, messages: parsed.data, reset });
    else log(`agent: conversation from message ${start} not reported to the workspace: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
  }

  close(): void {
    this.lostHandlers = [];
    this.socket?.end();
  }
}
