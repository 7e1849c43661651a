// The MCP port under a resource attack from another local user: 22,000 half-sent requests once
// exhausted the workspace's descriptors ("could not start /bin/bash: forkpty(3) failed"). Slow and
// silent clients are timed out (checked here on this Node, with short timeouts injected), and the
// server holds at most its connection cap, so panes can still start.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { startMcpServer, type McpHost, type McpLimits, type McpServerHandle } from '../../src/mcp/server.js';
import { until } from '../helpers/term.js';

const host: McpHost = {
  board: async () => ({ ok: true, text: '' }),
  changes: () => ({ changes: [], next: 0, more: false }),
  notes: () => [],
  postNote: (author, text) => ({ id: 1, time: Date.now(), author, text }),
  agents: () => [{ name: 'claude', preset: 'claude', status: 'idle', guessed: false, focused: true }],
  sendMessage: async () => ({ ok: true, detail: 'delivered' }),
};

const sockets: Socket[] = [];
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  sockets.splice(0).forEach((s) => s.destroy());
  for (const c of cleanups.splice(0)) await c();
});

/** A raw connection that sends `head` and then nothing more (unless the test trickles more). */
function halfSent(port: number, head: string): Promise<{ socket: Socket; closed: () => boolean; gone: Promise<void> }> {
  return new Promise((resolve) => {
    let closed = false;
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    socket.on('error', () => {});
    // Read what the server answers (a 408): a socket nobody reads never sees the end, nor closes.
    socket.resume();
    const gone = new Promise<void>((r) =>
      socket.on('close', () => {
        closed = true;
        r();
      }),
    );
    // Resolves even when the server refuses at once (a connection over the cap).
    socket.on('connect', () => {
      if (head) socket.write(head);
      resolve({ socket, closed: () => closed, gone });
    });
    socket.on('close', () => resolve({ socket, closed: () => closed, gone }));
  });
}

async function listTools(url: string, token: string): Promise<string[]> {
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  try {
    return (await client.listTools()).tools.map((t) => t.name);
  } finally {
    await client.close();
  }
}

const SHORT: Partial<McpLimits> = { headersTimeoutMs: 300, requestTimeoutMs: 600, checkIntervalMs: 50 };

describe('timeouts (Node 20 http server, as configured)', () => {
  let server: McpServerHandle;
  async function serve(limits: Partial<McpLimits> = SHORT) {
    server = await startMcpServer({ host, limits });
    cleanups.push(() => server.close());
    return Number(new URL(server.url).port);
  }

  it('closes a slow-loris client that keeps trickling header bytes', async () => {
    const port = await serve();
    const c = await halfSent(port, `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
    const t0 = performance.now();
    // One more header byte every 40 ms: each arrives well within any idle timeout.
    const trickle = setInterval(() => !c.closed() && c.socket.write('X'), 40);
    await c.gone;
    clearInterval(trickle);
    expect(performance.now() - t0).toBeLessThan(3_000);
  });

  it('closes a connection that never sends anything', async () => {
    const port = await serve();
    const c = await halfSent(port, '');
    await c.gone;
  });

  it('closes a request whose headers came but whose body never finishes, token or not', async () => {
    const port = await serve();
    const head = (auth: string) =>
      `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${auth}Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: 1000\r\n\r\n{"jsonrpc"`;
    const withToken = await halfSent(port, head(`Authorization: Bearer ${server.tokenFor('claude')}\r\n`));
    const without = await halfSent(port, head(''));
    await Promise.all([withToken.gone, without.gone]);
  });
});

describe('a slow answer is not a slow request', () => {
  it('a tool call answered after longer than the request timeout (send_message waiting for delivery) completes', async () => {
    const slow: McpHost = { ...host, agents: () => [...host.agents(), { name: 'codex', preset: 'codex', status: 'idle', guessed: false, focused: false }], sendMessage: () => new Promise((r) => setTimeout(() => r({ ok: true, detail: 'delivered late' }), 1_000)) };
    const server = await startMcpServer({ host: slow, limits: SHORT });
    cleanups.push(() => server.close());
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { Authorization: `Bearer ${server.tokenFor('claude')}` } } }));
    cleanups.push(() => client.close());
    const r = await client.callTool({ name: 'send_message', arguments: { to: 'codex', text: 'hello' } });
    expect(JSON.stringify(r.content)).toContain('delivered late');
  });
});

/** The server in a child process whose descriptor limit is `nofile`. */
async function child(nofile: number, limits: Partial<McpLimits>) {
  const script = fileURLToPath(new URL('./fd-child.js', import.meta.url));
  const p: ChildProcessWithoutNullStreams = spawn('/bin/sh', ['-c', `ulimit -n ${nofile} && exec "$0" "$@"`, process.execPath, script, JSON.stringify(limits)]);
  cleanups.push(() => void p.kill('SIGKILL'));
  const lines: Array<Record<string, unknown>> = [];
  createInterface({ input: p.stdout }).on('line', (l) => lines.push(JSON.parse(l) as Record<string, unknown>));
  const next = async (key: string, send?: string): Promise<unknown> => {
    const from = lines.length;
    if (send) p.stdin.write(send + '\n');
    await until(() => lines.slice(from).some((l) => key in l), { timeout: 10_000, message: `the child's ${key}` });
    return lines.slice(from).find((l) => key in l)?.[key];
  };
  const url = String(await next('url'));
  const token = String(lines[0].token);
  return { url, token, port: Number(new URL(url).port), ask: (cmd: string) => next(cmd, cmd) };
}

describe('connection cap', () => {
  it('400 half-sent requests against a 200-descriptor workspace: a pane still starts, and a real request works once they time out', async () => {
    const cap = 64;
    const w = await child(200, { maxConnections: cap, headersTimeoutMs: 1_000, requestTimeoutMs: 2_000, checkIntervalMs: 100 });
    const before = Number(await w.ask('fds'));
    const attack = await Promise.all(Array.from({ length: 400 }, () => halfSent(w.port, `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${w.port}\r\nX-Slow: `)));
    // What failed before: "could not start /bin/bash: forkpty(3) failed".
    expect(await w.ask('spawn')).toBe('ok');
    const held = Number(await w.ask('fds')) - before;
    const open = attack.filter((c) => !c.closed()).length;
    console.log(`mcp flood: 400 half-sent requests, cap ${cap}: the server held ${held} more descriptors; ${open} connections still open`);
    expect(held).toBeLessThanOrEqual(cap + 4);
    await Promise.all(attack.map((c) => c.gone));
    expect(await listTools(w.url, w.token)).toContain('post_note');
  });
});
