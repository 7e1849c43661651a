// The agent under test, wired as in production: the real SDK client over real HTTP to the local
// Messages API server, a temp project folder as its root. Tests wait for agent events or conditions
// with deadlines, never for fixed times.
import { mkdtempSync, realpathSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { Agent, type AgentEvent, type AgentOptions } from '../../src/agent/agent.js';
import { startMessagesServer, type MessagesServer, type RecordedRequest } from '../../src/demo/server.js';

export const MODEL = 'claude-sonnet-5';
export const SYSTEM = 'You are a coding agent under test. Use the tools; be brief.';

type Stream = ReturnType<Anthropic['messages']['stream']>;
type EventOf<T extends AgentEvent['type']> = Extract<AgentEvent, { type: T }>;

export interface Rig {
  server: MessagesServer;
  root: string;
  client: Anthropic;
  agent: Agent;
  /** Every event the agent emitted, in order. */
  events: AgentEvent[];
  /** performance.now() when each event of `events` was emitted. */
  times: number[];
  /** Every MessageStream the agent opened (observed, not changed), to wait on SDK-level events. */
  streams: Stream[];
  write(rel: string, content: string): void;
  /** The first event of that type (matching `pred`) at or after index `since` of `events`. */
  event<T extends AgentEvent['type']>(type: T, pred?: (e: EventOf<T>) => boolean, since?: number, timeoutMs?: number): Promise<EventOf<T>>;
  of<T extends AgentEvent['type']>(type: T): EventOf<T>[];
  dispose(): Promise<void>;
}

/** Resolves when `check` returns a value; re-checked on every agent event and every 10 ms. */
export function until<T>(check: () => T | undefined | false, what: string, timeoutMs = 5_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => {
      clearInterval(poll);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const poll = setInterval(tick, 10);
    function tick() {
      const v = check();
      if (v === undefined || v === false) return;
      clearTimeout(deadline);
      clearInterval(poll);
      resolve(v);
    }
    tick();
  });
}

export async function makeRig(opts: Partial<AgentOptions> = {}): Promise<Rig> {
  const server = await startMessagesServer();
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'agents-agent-')));
  const client = new Anthropic({ apiKey: 'test', baseURL: server.url, maxRetries: 2 });
  const streams: Stream[] = [];
  const original = client.messages.stream.bind(client.messages);
  client.messages.stream = ((...args: Parameters<typeof original>) => {
    const s = original(...args);
    streams.push(s);
    return s;
  }) as typeof client.messages.stream;

  const agent = new Agent({ client, model: MODEL, system: SYSTEM, root, ...opts });
  const events: AgentEvent[] = [];
  const times: number[] = [];
  const waiters = new Set<() => void>();
  agent.on('event', (e) => {
    events.push(e);
    times.push(performance.now());
    for (const w of [...waiters]) w();
  });

  const event = <T extends AgentEvent['type']>(type: T, pred: (e: EventOf<T>) => boolean = () => true, since = 0, timeoutMs = 5_000) =>
    new Promise<EventOf<T>>((resolve, reject) => {
      const find = () => events.slice(since).find((e): e is EventOf<T> => e.type === type && pred(e as EventOf<T>));
      const check = () => {
        const hit = find();
        if (!hit) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(hit);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for a ${type} event; saw: ${events.map((e) => e.type).join(' ')}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });

  return {
    server,
    root,
    client,
    agent,
    events,
    times,
    streams,
    write(rel, content) {
      const file = join(root, rel);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
    },
    event,
    of: <T extends AgentEvent['type']>(type: T) => events.filter((e): e is EventOf<T> => e.type === type),
    async dispose() {
      agent.interrupt();
      await until(() => !agent.busy, 'the agent to settle');
      await server.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A request's blocks by message, for assertions. */
export function blocks(req: RecordedRequest, message: number): Array<Record<string, unknown>> {
  const m = req.body.messages.at(message);
  if (!m) throw new Error(`request ${req.index} has no message ${message}`);
  return typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content;
}

/** The text of the last user message of a request (all its text blocks). */
export function lastUserText(req: RecordedRequest): string {
  const users = req.body.messages.filter((m) => m.role === 'user');
  const last = users.at(-1);
  if (!last) return '';
  if (typeof last.content === 'string') return last.content;
  return last.content
    .filter((b) => b.type === 'text')
    .map((b) => String(b.text))
    .join('\n');
}

/** Every request the server refused, with its reason: a test expects this to be empty. */
export function rejected(server: MessagesServer): Array<{ index: number; rejected: string }> {
  return server.requests.filter((r) => r.rejected !== undefined).map((r) => ({ index: r.index, rejected: r.rejected as string }));
}
