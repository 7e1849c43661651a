// The workspace's MCP server, driven by the SDK's real client over real HTTP (STYLE.md: the real SDK
// against the local server), with an in-memory host standing in for the workspace.
import { request } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startMcpServer, type McpAgentInfo, type McpChange, type McpHost, type McpNote, type McpServerHandle } from '../../src/mcp/server.js';

class FakeHost implements McpHost {
  changeList: McpChange[] = [];
  noteList: McpNote[] = [];
  agentList: McpAgentInfo[] = [
    { name: 'claude', preset: 'claude', status: 'busy', guessed: false, focused: true },
    { name: 'codex', preset: 'codex', status: 'waiting', guessed: true, focused: false },
    { name: 'gemini', preset: 'gemini', status: 'idle', guessed: false, focused: false },
  ];
  sent: { from: string; to: string; text: string }[] = [];
  sendResult = { ok: true, detail: 'typed into its pane; its turn started' };
  private nextId = 1;

  addChange(path: string, who = 'codex'): McpChange {
    const c = { id: this.nextId++, time: Date.UTC(2026, 0, 1, 12, 0, 0), who, kind: 'modified', path, size: '+3 -1' };
    this.changeList.push(c);
    return c;
  }
  changes(since: number, limit: number) {
    const after = this.changeList.filter((c) => c.id > since);
    const page = after.slice(0, limit);
    return { changes: page, next: page.at(-1)?.id ?? since, more: after.length > page.length };
  }
  notes(since: number) {
    return this.noteList.filter((n) => n.id > since);
  }
  postNote(author: string, text: string) {
    const n = { id: this.nextId++, time: Date.now(), author, text };
    this.noteList.push(n);
    return n;
  }
  agents() {
    return this.agentList;
  }
  /** Board requests, answered with what was asked (the workspace's answers are tested in test/e2e/tasks.test.ts). */
  boardRequests: Array<{ by: string; request: unknown }> = [];
  async board(by: string, request: unknown) {
    this.boardRequests.push({ by, request });
    return { ok: true, text: `board: ${JSON.stringify(request)}` };
  }

  async sendMessage(from: string, to: string, text: string) {
    this.sent.push({ from, to, text });
    return this.sendResult;
  }
}

let host: FakeHost;
let server: McpServerHandle;
const clients: Client[] = [];

beforeEach(async () => {
  host = new FakeHost();
  server = await startMcpServer({ host });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server.close();
});

async function connect(agent: string): Promise<Client> {
  const client = new Client({ name: 'test', version: '1.0.0' });
  const headers = { Authorization: `Bearer ${server.tokenFor(agent)}` };
  await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers } }));
  clients.push(client);
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}
const textOf = (r: CallToolResult) => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

/** A raw request, for headers fetch will not let us forge (Host). */
function raw(headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/mcp', method: 'POST', headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }));
  });
}

describe('access', () => {
  const post = (headers: Record<string, string>) =>
    fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });

  it('answers 401 with a JSON-RPC error without a token or with a wrong one', async () => {
    server.tokenFor('claude');
    const cases: Record<string, string>[] = [
      {},
      { authorization: 'Bearer nope' },
      { authorization: `Bearer ${'A'.repeat(server.tokenFor('claude').length)}` },
      { authorization: `Basic ${server.tokenFor('claude')}` },
    ];
    for (const headers of cases) {
      const res = await post(headers);
      expect(res.status).toBe(401);
      const body = (await res.json()) as { jsonrpc: string; error: { message: string } };
      expect(body.jsonrpc).toBe('2.0');
      expect(body.error.message).toMatch(/bearer token/);
    }
  });

  it('answers GET and DELETE with 405 (stateless: no standalone stream) and other paths with 404', async () => {
    const authorization = `Bearer ${server.tokenFor('claude')}`;
    for (const method of ['GET', 'DELETE']) {
      const res = await fetch(server.url, { method, headers: { authorization, accept: 'text/event-stream' } });
      expect(res.status).toBe(405);
    }
    expect((await fetch(new URL('/other', server.url), { method: 'POST', headers: { authorization } })).status).toBe(404);
  });

  it('answers 403 to a foreign Host or Origin, even with a valid token', async () => {
    const authorization = `Bearer ${server.tokenFor('claude')}`;
    const { port } = new URL(server.url);
    const base = { authorization, 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    expect((await raw({ ...base, host: `evil.example:${port}` })).status).toBe(403);
    expect((await raw({ ...base, host: `127.0.0.1:${Number(port) + 1}` })).status).toBe(403);
    expect((await raw({ ...base, host: `localhost:${port}`, origin: 'http://evil.example' })).status).toBe(403);
    expect((await raw({ ...base, host: `localhost:${port}`, origin: 'null' })).status).toBe(403);
    const ok = await raw({ ...base, host: `localhost:${port}`, origin: `http://localhost:${port}` });
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('read_changes');
  });

  it('issues one stable random token per agent and a Claude Code config carrying it', () => {
    const a = server.tokenFor('claude');
    expect(server.tokenFor('claude')).toBe(a);
    expect(a).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(server.tokenFor('codex')).not.toBe(a);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    expect(JSON.parse(server.claudeConfig('claude'))).toEqual({
      mcpServers: { agents: { type: 'http', url: server.url, headers: { Authorization: `Bearer ${a}` } } },
    });
  });

  it('close() stops it', async () => {
    const client = await connect('claude');
    await server.close();
    await expect(client.listTools()).rejects.toThrow();
    await expect(fetch(server.url, { method: 'POST' })).rejects.toThrow();
  });
});

describe('tools', () => {
  it('lists the context tools and the task board tools with descriptions and schemas; logs connect and call times', async () => {
    const t0 = performance.now();
    const client = await connect('claude');
    const t1 = performance.now();
    const { tools } = await client.listTools();
    const t2 = performance.now();
    await call(client, 'list_agents');
    const t3 = performance.now();
    console.log(`mcp: connect ${(t1 - t0).toFixed(1)} ms, listTools ${(t2 - t1).toFixed(1)} ms, list_agents ${(t3 - t2).toFixed(1)} ms`);

    expect(tools.map((t) => t.name).sort()).toEqual([
      'ask_human',
      'complete_task',
      'create_task',
      'list_agents',
      'list_tasks',
      'post_note',
      'read_changes',
      'read_notes',
      'send_message',
      'spawn_agent',
      'update_task',
    ]);
    for (const t of tools) expect(t.description?.length).toBeGreaterThan(40);
    const post = tools.find((t) => t.name === 'post_note')!;
    expect(post.inputSchema.required).toEqual(['text']);
    expect(post.inputSchema.properties?.text).toMatchObject({ type: 'string', minLength: 1, maxLength: 2000 });
    expect(client.getInstructions()).toContain('read_changes');
  });

  it('read_changes continues from the caller’s cursor; `since` looks back; limit pages with `more`', async () => {
    for (const p of ['a.ts', 'b.ts', 'c.ts']) host.addChange(p);
    const claude = await connect('claude');

    const first = await call(claude, 'read_changes');
    expect(first.isError).toBeFalsy();
    expect(textOf(first)).toMatch(/^3 changes after #0:\n#1 \d\d:\d\d:\d\d {2}codex {2}modified {2}a\.ts {2}\(\+3 -1\)/);
    expect(textOf(first)).toContain('next: 3; more waiting: no.');
    expect(first.structuredContent).toMatchObject({ next: 3, more: false });

    expect(textOf(await call(claude, 'read_changes'))).toMatch(/^No changes after #3\.\nnext: 3; more waiting: no\.$/);
    host.addChange('d.ts', 'gemini');
    const again = textOf(await call(claude, 'read_changes'));
    expect(again).toMatch(/^1 change after #3:\n#4 .*gemini .*d\.ts/);

    const back = await call(claude, 'read_changes', { since: 1, limit: 2 });
    expect(textOf(back)).toContain('#2 ');
    expect(textOf(back)).toContain('#3 ');
    expect(textOf(back)).toContain('next: 3; more waiting: yes');
    expect(back.structuredContent).toMatchObject({ next: 3, more: true });
    // Looking back did not lose the caller's place.
    expect(textOf(await call(claude, 'read_changes'))).toMatch(/^No changes after #4\./);

    // Another caller has a cursor of its own, and limit pages through.
    const codex = await connect('codex');
    expect(textOf(await call(codex, 'read_changes', { limit: 3 }))).toContain('next: 3; more waiting: yes');
    expect(textOf(await call(codex, 'read_changes'))).toMatch(/^1 change after #3:/);
  });

  it('post_note signs with the caller’s name; read_notes keeps a cursor per caller', async () => {
    host.postNote('person', 'Tests first, please.');
    const claude = await connect('claude');
    const codex = await connect('codex');

    const posted = await call(claude, 'post_note', { text: 'Taking src/db.' });
    expect(textOf(posted)).toBe('Posted note #2 as claude.');
    expect(host.noteList.at(-1)).toMatchObject({ author: 'claude', text: 'Taking src/db.' });

    const mine = textOf(await call(claude, 'read_notes'));
    expect(mine).toMatch(/^2 notes after #0:\n#1 \d\d:\d\d:\d\d {2}person: Tests first, please\.\n#2 .* {2}claude \(you\): Taking src\/db\.$/);
    expect(textOf(await call(claude, 'read_notes'))).toBe('No notes after #2.');
    expect(textOf(await call(claude, 'read_notes', { since: 1 }))).toContain('Taking src/db.');
    expect(textOf(await call(codex, 'read_notes'))).toMatch(/^2 notes after #0:/);
  });

  it('list_agents shows status, guesses, focus, and marks the caller', async () => {
    const codex = await connect('codex');
    const r = await call(codex, 'list_agents');
    expect(textOf(r)).toBe(
      [
        '3 agents:',
        '- claude: preset claude, busy; focused by the person',
        '- codex: preset codex, waiting (a guess from its output); you',
        '- gemini: preset gemini, idle',
      ].join('\n'),
    );
    expect(r.structuredContent).toMatchObject({ agents: [{ you: false }, { name: 'codex', you: true }, { you: false }] });
  });

  it('send_message refuses yourself and unknown names, listing who can be messaged, and delivers to others', async () => {
    const claude = await connect('claude');
    const self = await call(claude, 'send_message', { to: 'claude', text: 'hi' });
    expect(self.isError).toBe(true);
    expect(textOf(self)).toBe('You are claude; send_message goes to another agent. Agents you can message: codex, gemini.');
    const unknown = await call(claude, 'send_message', { to: 'copilot', text: 'hi' });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toBe('No agent named "copilot". Agents you can message: codex, gemini.');
    expect(host.sent).toEqual([]);

    const sent = await call(claude, 'send_message', { to: 'codex', text: 'Please run the tests.' });
    expect(sent.isError).toBeFalsy();
    expect(textOf(sent)).toBe('Sent to codex: typed into its pane; its turn started');
    expect(host.sent).toEqual([{ from: 'claude', to: 'codex', text: 'Please run the tests.' }]);

    host.sendResult = { ok: false, detail: 'codex has exited' };
    const failed = await call(claude, 'send_message', { to: 'codex', text: 'Still there?' });
    expect(failed.isError).toBe(true);
    expect(textOf(failed)).toBe('Not sent to codex: codex has exited');
  });

  it('bad arguments come back as tool errors and the server keeps working', async () => {
    const claude = await connect('claude');
    const bad: [string, Record<string, unknown>, RegExp][] = [
      ['read_changes', { limit: 500 }, /limit/],
      ['read_changes', { since: 'yesterday' }, /since/],
      ['read_notes', { since: -1 }, /since/],
      ['post_note', {}, /text/],
      ['post_note', { text: '   ' }, /blank/],
      ['post_note', { text: 'x'.repeat(2001) }, /text/],
      ['send_message', { to: 'codex', message: 'hi' }, /text|message/],
      ['send_message', { to: 'codex', text: 'x'.repeat(4001) }, /text/],
      ['no_such_tool', {}, /not found/],
    ];
    for (const [name, args, why] of bad) {
      const r = await call(claude, name, args);
      expect(r.isError, `${name} ${JSON.stringify(args).slice(0, 60)}`).toBe(true);
      expect(textOf(r)).toMatch(why);
    }
    expect(host.noteList).toEqual([]);
    expect(host.sent).toEqual([]);
    expect(textOf(await call(claude, 'list_agents'))).toMatch(/^3 agents:/);
  });
});

describe('private files', () => {
  it('are readable by the user only, in a folder of their own that close() removes', async () => {
    const { statSync, existsSync, readFileSync } = await import('node:fs');
    const { dirname } = await import('node:path');
    const handle = await startMcpServer({ host: fakeHostForFiles() });
    const file = handle.privateFile('cc-claude-mcp.json', handle.claudeConfig('cc'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(file)).mode & 0o777).toBe(0o700);
    expect(readFileSync(file, 'utf8')).toContain(handle.tokenFor('cc'));
    expect(handle.tokenFor('cc')).toMatch(/^sk-agents-[A-Za-z0-9_-]{40,}$/);
    await handle.close();
    expect(existsSync(dirname(file))).toBe(false);
  });
});

function fakeHostForFiles() {
  return {
    changes: () => ({ changes: [], next: 0, more: false }),
    notes: () => [],
    postNote: (author: string, text: string) => ({ id: 1, time: 0, author, text }),
    agents: () => [],
    sendMessage: async () => ({ ok: true, detail: '' }),
    board: async () => ({ ok: true, text: '' }),
  };
}
