// Session memory end to end: a real workspace records, quits or is killed, and comes back.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMessagesServer } from '../../src/demo/server.js';
import type { MessagesServer, RecordedRequest } from '../../src/demo/types.js';
import { BIN, Term, until } from '../helpers/term.js';
import { quit, serverPid, start, statusBar, tempDir } from './setup.js';

// Key-shaped, so the store's scrubber must catch it wherever it would appear.
const KEY = 'sk-ant-api03-THISISNOTAREALKEY0123456789abcdefghij';
let server: MessagesServer;
beforeAll(async () => {
  server = await startMessagesServer();
});
afterAll(() => server.close());

const messagesOf = (r: RecordedRequest) => (r.body as { messages: Array<{ role: string; content: unknown }> }).messages;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

function cli(args: string[], cwd: string, home: string) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, AGENTS_HOME: home, NO_COLOR: '1' } });
}

describe('session memory', () => {
  it('a session is listed, searchable, and --continue brings the conversation and panes back', async () => {
    const env = { ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: KEY };
    const { t, project, home } = start(['agent', '--cmd', 'echo cmd-pane-$$; sleep 600'], { env });
    await t.waitFor(/1 agent · idle/);
    server.enqueue({ kind: 'reply', content: [{ type: 'text', text: 'We chose a token bucket for the rate limiter.' }] });
    t.write('decide the rate limiter design\r');
    await t.waitFor('token bucket');
    expect(await quit(t)).toBe(0);

    const list = cli(['sessions'], project, home);
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/\d{4}-\d{2}-\d{2}-\d{4}-\w{4}/);
    expect(list.stdout).toContain('decide the rate limiter design');
    const found = cli(['search', 'token bucket'], project, home);
    expect(found.status).toBe(0);
    expect(found.stdout).toContain('token bucket');

    // Files are the user's only, and the key is nowhere in them.
    for (const f of files(join(home, 'projects'))) {
      expect(statSync(f).mode & 0o077).toBe(0);
      expect(readFileSync(f, 'utf8')).not.toContain(KEY);
    }

    const resumed = Term.agents(['--continue'], { cols: 120, rows: 30, cwd: project, env: { AGENTS_HOME: home, HOME: home, ...env } });
    try {
      await resumed.waitFor('resumed: the conversation above continues');
      await resumed.waitFor(/cmd-pane-\d+/, { message: 'the command pane runs again' });
      const n = server.requests.length;
      server.enqueue({ kind: 'reply', content: [{ type: 'text', text: 'Still a token bucket.' }] });
      resumed.write('remind me\r');
      await resumed.waitFor('Still a token bucket.');
      const history = messagesOf(server.requests[n]);
      expect(JSON.stringify(history)).toContain('decide the rate limiter design');
      expect(JSON.stringify(history)).toContain('We chose a token bucket');
      expect(server.requests[n].rejected).toBeUndefined();

      // search_memory goes to the workspace's index over every session of the project.
      const m = server.requests.length;
      server.enqueue(
        { kind: 'reply', stopReason: 'tool_use', content: [{ type: 'tool_use', name: 'search_memory', input: { query: 'rate limiter design' } }] },
        { kind: 'reply', content: [{ type: 'text', text: 'Found it.' }] },
      );
      resumed.write('what did we decide before?\r');
      await resumed.waitFor('Found it.');
      const toolResult = JSON.stringify(messagesOf(server.requests[m + 1]).at(-1));
      expect(toolResult).toContain('tool_result');
      expect(toolResult).toMatch(/match(es)? for/);
      expect(toolResult).toContain('rate limiter design');
    } finally {
      resumed.kill('SIGKILL');
    }
  });

  it('empty sessions are not recorded as work: sessions hides them, --continue skips them, a failed start records none', async () => {
    const env = { ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: 'test' };
    const work = start(['agent'], { env });
    const dirs = { project: work.project, home: work.home };
    await work.t.waitFor(/1 agent · idle/);
    server.enqueue({ kind: 'reply', content: [{ type: 'text', text: 'Logged the migration plan.' }] });
    work.t.write('plan the migration\r');
    await work.t.waitFor('Logged the migration plan.');
    expect(await quit(work.t)).toBe(0);
    // Two launches where nobody did anything, and one that never got a terminal.
    for (let i = 0; i < 2; i++) {
      const idle = start(['shell'], { env, dirs });
      await idle.t.waitFor('NORMAL');
      expect(await quit(idle.t)).toBe(0);
    }
    const noTty = spawnSync(process.execPath, [BIN, 'shell'], { cwd: dirs.project, encoding: 'utf8', env: { ...process.env, AGENTS_HOME: dirs.home } });
    expect(noTty.status).toBe(2);

    const list = cli(['sessions'], dirs.project, dirs.home);
    expect(list.stdout.match(/^\d{4}-\d{2}-\d{2}-\d{4}-\w{4}/gm)).toHaveLength(1);
    expect(list.stdout).toContain('plan the migration');
    expect(list.stdout).toContain('1 pane: agent');
    expect(list.stdout).toContain("2 empty sessions not shown (nothing was said, noted or changed in them): 'agents sessions --all' lists them too.");
    const all = cli(['sessions', '--all'], dirs.project, dirs.home);
    expect(all.stdout.match(/^\d{4}-\d{2}-\d{2}-\d{4}-\w{4}/gm)).toHaveLength(3);
    expect(all.stdout.match(/\(empty\)/g)).toHaveLength(2);

    // The newest sessions are the empty ones; --continue reopens the one with the work.
    const resumed = start(['--continue'], { env, dirs });
    await resumed.t.waitFor('resumed: the conversation above continues');
    expect(resumed.t.text()).toContain('plan the migration');
  });

  it('after kill -9 of the workspace the store loads and keeps the conversation', async () => {
    const env = { ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: 'test' };
    const run = start(['agent'], { env });
    const { t, project, home } = run;
    await t.waitFor(/1 agent · idle/);
    server.enqueue({ kind: 'reply', content: [{ type: 'text', text: 'Noted the crash test.' }] });
    t.write('remember the crash test\r');
    await t.waitFor('Noted the crash test.');
    // The store flushes within a fraction of a second; give it that, as the issue allows.
    await until(() => files(join(home, 'projects')).some((f) => f.endsWith('.jsonl') && readFileSync(f, 'utf8').includes('Noted the crash test')), { message: 'the reply on disk' });
    // The workspace is its server: that is what dies.
    process.kill(await serverPid(run), 'SIGKILL');
    await t.exited;
    const list = cli(['sessions'], project, home);
    expect(list.status).toBe(0);
    expect(list.stdout).toContain('remember the crash test');
  });

  it('a second workspace on the same project runs without memory and says so', async () => {
    const project = tempDir();
    const home = tempDir('agents-home-');
    // Two workspaces on one project and one data folder (each in its own terminal: with the server,
    // a second `agents` attaches to the first instead).
    const env = { AGENTS_HOME: home, AGENTS_SERVER: '0' };
    const a = Term.agents(['--cmd', 'sleep 600'], { cols: 100, rows: 24, cwd: project, env });
    const b = Term.agents(['--cmd', 'sleep 600'], { cols: 100, rows: 24, cwd: project, env });
    try {
      await a.waitFor('NORMAL');
      await b.waitFor('NORMAL');
      await until(() => /session memory is off/.test(statusBar(a)) || /session memory is off/.test(statusBar(b)), { message: 'one of them says memory is off' });
      const list = cli(['sessions'], project, home);
      expect(list.status).toBe(0);
    } finally {
      a.kill('SIGKILL');
      b.kill('SIGKILL');
    }
  });
});
