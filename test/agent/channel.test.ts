// The built-in agent's end of the workspace channel, through the real agent process (dist/, as
// bin/agents runs it) in a real pty, talking to a real IpcServer and to the local Messages API server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startMessagesServer, type MessagesServer } from '../../src/demo/server.js';
import type { AgentMessage } from '../../src/ipc/protocol.js';
import { IpcServer } from '../../src/ipc/server.js';
import { Term, until } from '../helpers/term.js';

const AGENT_MAIN = fileURLToPath(new URL('../../dist/agent/start.cjs', import.meta.url));
const PANE = 7;

interface Run {
  t: Term;
  ipc: IpcServer;
  api: MessagesServer;
  token: string;
  got: AgentMessage[];
}

const runs: Run[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const r of runs.splice(0)) {
    r.t.kill('SIGKILL');
    await r.ipc.close();
    await r.api.close();
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The agent in its own pty, as a workspace starts it for pane PANE; resolves once it said hello. */
async function startAgent(): Promise<Run> {
  const api = await startMessagesServer();
  const ipc = await IpcServer.start();
  const env = ipc.envFor(PANE);
  const got: AgentMessage[] = [];
  ipc.on('message', (pane, m) => pane === PANE && got.push(m));
  const root = mkdtempSync(join(tmpdir(), 'agents-channel-'));
  dirs.push(root);
  const t = new Term(process.execPath, [AGENT_MAIN], {
    cwd: root,
    cols: 100,
    rows: 30,
    // AGENTS_PANE_ID as older workspaces set it: it must go too.
    env: { ...env, AGENTS_PANE_ID: String(PANE), ANTHROPIC_BASE_URL: api.url, ANTHROPIC_API_KEY: 'test', AGENTS_AGENT_POLICY: 'auto' },
  });
  const run = { t, ipc, api, token: env.AGENTS_IPC_TOKEN, got };
  runs.push(run);
  await until(() => got.some((m) => m.t === 'hello'), { timeout: 15_000, message: 'the agent to say hello' });
  return run;
}

/** Text of every tool_result the agent reported in its history. */
function toolResults(got: AgentMessage[]): string[] {
  const out: string[] = [];
  for (const m of got) {
    if (m.t !== 'history') continue;
    for (const msg of m.messages) {
      if (typeof msg.content === 'string') continue;
      for (const b of msg.content) if (b.type === 'tool_result' && typeof b.content === 'string') out.push(b.content);
    }
  }
  return out;
}

describe('the agent process and its channel', () => {
  it('runs commands without the channel in their environment (run_command `env`)', async () => {
    const { t, ipc, api, token, got } = await startAgent();
    api.enqueue(
      { kind: 'reply', content: [{ type: 'tool_use', name: 'run_command', input: { command: 'env; echo END-OF-ENV' } }] },
      { kind: 'reply', content: [{ type: 'text', text: 'That is the environment.' }] },
    );
    ipc.send(PANE, { t: 'redirect', text: 'print your environment' });
    await until(() => toolResults(got).some((r) => r.includes('END-OF-ENV')), { timeout: 15_000, message: 'the command output in the history' });
    const output = toolResults(got).find((r) => r.includes('END-OF-ENV')) ?? '';
    expect(output).toMatch(/^PATH=/m);
    expect(output).not.toMatch(/AGENTS_IPC|AGENTS_PANE_ID/);
    expect(output).not.toContain(token);
    await t.waitFor('That is the environment.');
  });

  it('exits cleanly when the workspace end of the channel closes', async () => {
    const { t, ipc } = await startAgent();
    await t.waitFor('is ready');
    await ipc.close();
    const exit = await Promise.race([t.exited, new Promise<undefined>((r) => setTimeout(r, 10_000))]);
    expect(exit).toEqual({ exitCode: 0, signal: 0 });
    expect(t.text()).not.toMatch(/Error|at .*\.js:\d+/);
  });
});
