// POST /hook on the MCP server: agent CLIs' hook events reach the workspace only from the pane whose
// token they carry, only on 127.0.0.1 with a loopback Host, and a PreToolUse gets the workspace's
// decision. Each refusal is tried as an attack: what a local process, a web page (DNS rebinding) or
// one agent's own shell commands (which have that agent's token) would send.
import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { workspaceMcpHost } from '../../src/mcp/host.js';
import { startMcpServer, type McpServerHandle } from '../../src/mcp/server.js';
import type { Workspace } from '../../src/workspace/workspace.js';
import { disposeRigs, paneSpec, workspaceRig } from '../helpers/workspace-rig.js';

let server: McpServerHandle;
let ws: Workspace;
const CLAIMED = '/proj/claimed.txt';

beforeEach(async () => {
  server = await startMcpServer({});
  ({ ws } = workspaceRig([paneSpec('cc', 'esc', { preset: 'claude' }), paneSpec('other', 'esc', { preset: 'claude' })], {
    checkWrite: (agent, paths) => (paths.includes(CLAIMED) ? `${CLAIMED} is claimed by task t1 (owner: lead); ${agent} may not write it` : undefined),
  }));
  server.serve(workspaceMcpHost(ws, undefined));
});
afterEach(async () => {
  await server.close();
  await disposeRigs();
});

function post(path: string, body: string | Buffer, headers: Record<string, string> = {}, method = 'POST'): Promise<{ status: number; body: string }> {
  const u = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: u.port, path, method, headers: { 'content-type': 'application/json', host: u.host, ...headers } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
const auth = (agent: string) => ({ authorization: `Bearer ${server.tokenFor(agent)}` });
const event = (name: string, extra: object = {}) => JSON.stringify({ session_id: 's', cwd: '/proj', hook_event_name: name, ...extra });
const pane = (name: string) => ws.panes.find((p) => p.name === name)!;

describe('hook events', () => {
  it("set the status of the pane whose token sent them, and only that pane's", async () => {
    const r = await post('/hook?cli=claude', event('UserPromptSubmit', { prompt: 'hi' }), auth('cc'));
    expect(r).toEqual({ status: 200, body: '{}' });
    expect(pane('cc').activity).toMatchObject({ state: 'busy', source: 'hook' });
    expect(pane('other').activity?.source).not.toBe('hook');
    // Nothing in the body can choose another pane: the token alone says who is speaking.
    await post('/hook?cli=claude', JSON.stringify({ hook_event_name: 'Stop', agent: 'other', name: 'other', pane: 2 }), auth('cc'));
    expect(pane('cc').activity?.state).toBe('idle');
    expect(pane('other').hooked).toBe(false);
  });

  it('a PreToolUse writing into a claim is denied with the message; others are let through', async () => {
    const write = (file_path: string) => event('PreToolUse', { tool_name: 'Write', tool_input: { file_path, content: 'x' } });
    const denied = await post('/hook?cli=claude', write(CLAIMED), auth('cc'));
    expect(denied.status).toBe(200);
    expect(JSON.parse(denied.body)).toEqual({
      hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: `${CLAIMED} is claimed by task t1 (owner: lead); cc may not write it` },
    });
    expect(JSON.parse((await post('/hook?cli=claude', write('claimed.txt'), auth('cc'))).body).hookSpecificOutput.permissionDecision).toBe('deny');
    expect((await post('/hook?cli=claude', write('/proj/free.txt'), auth('cc'))).body).toBe('{}');
    expect((await post('/hook?cli=claude', event('PreToolUse', { tool_name: 'Bash', tool_input: { command: `echo > ${CLAIMED}` } }), auth('cc'))).body).toBe('{}');
  });
});

describe('attacks on the hook endpoint', () => {
  it('a local process without a token cannot set a status or probe claims', async () => {
    for (const headers of [{}, { authorization: 'Bearer sk-agents-guess' }, { authorization: `Basic ${server.tokenFor('cc')}` }]) {
      const r = await post('/hook?cli=claude', event('Stop'), headers);
      expect(r.status).toBe(401);
    }
    const r = await post('/hook?cli=claude', event('PreToolUse', { tool_name: 'Write', tool_input: { file_path: CLAIMED } }), {});
    expect(r.status).toBe(401);
    expect(r.body).not.toContain('claimed');
    expect(pane('cc').hooked).toBe(false);
  });

  it('a web page cannot reach it through DNS rebinding or a cross-origin request', async () => {
    expect((await post('/hook?cli=claude', event('Stop'), { ...auth('cc'), host: 'evil.example:80' })).status).toBe(403);
    expect((await post('/hook?cli=claude', event('Stop'), { ...auth('cc'), origin: 'http://evil.example' })).status).toBe(403);
    expect(pane('cc').hooked).toBe(false);
  });

  it('bad input is refused with a clear status and changes nothing', async () => {
    const bad = async (path: string, body: string | Buffer, method = 'POST') => (await post(path, body, auth('cc'), method)).status;
    expect(await bad('/hook?cli=claude', '{not json')).toBe(400);
    expect(await bad('/hook?cli=claude', '{"tool_name":"Write"}')).toBe(400);
    expect(await bad('/hook?cli=gemini', event('Stop'))).toBe(400);
    expect(await bad('/hook', event('Stop'))).toBe(400);
    expect(await bad('/hook?cli=claude', '', 'GET')).toBe(405);
    expect(await bad('/hook?cli=claude', Buffer.alloc(16 * 1024 * 1024 + 1, 0x20))).toBe(413);
    expect(pane('cc').hooked).toBe(false);
    // And the server still answers.
    expect((await post('/hook?cli=claude', event('Stop'), auth('cc'))).status).toBe(200);
  });

  it('a pane that is gone gets a plain answer', async () => {
    const token = auth('gone');
    expect(await post('/hook?cli=claude', event('PreToolUse', { tool_name: 'Write', tool_input: { file_path: CLAIMED } }), token)).toEqual({ status: 200, body: '{}' });
  });
});
