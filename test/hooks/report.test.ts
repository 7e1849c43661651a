// The command-hook program (dist/hooks/report.js, what Codex runs per event) against a real MCP
// server: it forwards the event as the pane's token says, prints the workspace's decision, and fails
// open (exit 0, nothing printed, the failure logged) when the workspace cannot answer.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { denyAnswer } from '../../src/hooks/hook-event.js';
import { reporterScript } from '../../src/hooks/settings.js';
import { startMcpServer, type McpHost, type McpServerHandle } from '../../src/mcp/server.js';

const script = reporterScript();
if (!script) throw new Error('dist/hooks/report.js is missing: run `npm run build` first');

const received: Array<{ agent: string; cli: string | null; body: unknown }> = [];
const host: McpHost = {
  changes: () => ({ changes: [], next: 0, more: false }),
  notes: () => [],
  postNote: () => ({ id: 1, time: 0, author: 'x', text: 'x' }),
  agents: () => [],
  sendMessage: async () => ({ ok: true, detail: '' }),
  hook(agent, cli, body) {
    received.push({ agent, cli, body });
    return (body as { tool_name?: string }).tool_name === 'apply_patch' ? denyAnswer('claimed.txt is claimed by task t1 (owner: lead)') : {};
  },
};

let server: McpServerHandle;
beforeEach(async () => {
  received.length = 0;
  server = await startMcpServer({ host });
});
afterEach(() => server.close());

function report(input: string, env: Record<string, string | undefined>): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script!, 'codex'], { env: { PATH: process.env.PATH, AGENTS_HOME: process.env.AGENTS_HOME, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - t0 }));
    child.stdin.end(input);
  });
}

const patch = JSON.stringify({ session_id: 's', turn_id: 't', cwd: '/p', hook_event_name: 'PreToolUse', model: 'm', tool_name: 'apply_patch', tool_input: { command: '*** Begin Patch\n*** Add File: claimed.txt\n+x\n*** End Patch\n' } });
const stop = JSON.stringify({ session_id: 's', turn_id: 't', cwd: '/p', hook_event_name: 'Stop', model: 'm' });
const envFor = (agent: string) => ({ AGENTS_MCP_URL: server.url, AGENTS_MCP_TOKEN: server.tokenFor(agent) });
const logText = () => {
  try {
    return readFileSync(join(process.env.AGENTS_HOME!, 'logs', 'agents.log'), 'utf8');
  } catch {
    return '';
  }
};

describe('the hook reporter', () => {
  it("forwards the event for the token's pane and prints the workspace's refusal", async () => {
    const r = await report(patch, envFor('codex'));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(denyAnswer('claimed.txt is claimed by task t1 (owner: lead)'));
    expect(received).toEqual([{ agent: 'codex', cli: 'codex', body: JSON.parse(patch) }]);
  });

  it('prints nothing when the workspace has no opinion', async () => {
    const r = await report(stop, envFor('codex'));
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(received).toHaveLength(1);
  });

  it('fails open when the workspace is gone: exit 0, nothing printed, the failure logged', async () => {
    const url = server.url;
    await server.close();
    const r = await report(patch, { AGENTS_MCP_URL: url, AGENTS_MCP_TOKEN: 'sk-agents-x' });
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(r.stderr).toMatch(/did not answer this hook .*going ahead/);
    expect(logText()).toMatch(/hook \(codex\) not reported, the call went ahead: .*ECONNREFUSED/);
  });

  it('fails open on a token the workspace does not know (it says 401), and outside a workspace', async () => {
    expect(await report(patch, { AGENTS_MCP_URL: server.url, AGENTS_MCP_TOKEN: 'sk-agents-wrong' })).toMatchObject({ code: 0, stdout: '' });
    expect(logText()).toMatch(/answered 401/);
    expect(await report(patch, {})).toMatchObject({ code: 0, stdout: '' });
    expect(received).toHaveLength(0);
  });

  it('fails open when the workspace does not answer in time', { timeout: 20_000 }, async () => {
    const silent: Server = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      const r = await report(patch, { AGENTS_MCP_URL: `http://127.0.0.1:${port}/mcp`, AGENTS_MCP_TOKEN: 'sk-agents-x' });
      expect(r).toMatchObject({ code: 0, stdout: '' });
      expect(r.ms).toBeLessThan(15_000);
      expect(logText()).toMatch(/no answer within 4000 ms/);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('costs one node start per event (measured, printed)', async () => {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) times.push((await report(stop, envFor('codex'))).ms);
    const bare: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await new Promise((r) => spawn(process.execPath, ['-e', ''], { stdio: 'ignore' }).on('close', r));
      bare.push(performance.now() - t0);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log(`hook reporter: ${median(times).toFixed(0)} ms per event (median of 5); a bare node start here: ${median(bare).toFixed(0)} ms`);
    expect(received).toHaveLength(5);
  });
});
