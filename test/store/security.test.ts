import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeScrubber } from '../../src/store/secrets.js';
import { ProjectStore } from '../../src/store/store.js';
import { allText, later, setup, walk } from './helpers.js';

const alnum = (n: number) => [...randomBytes(n)].map((b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'[b % 62]).join('');

describe('permissions', () => {
  let umask = 0;
  // A permissive umask, so the modes come from the store itself and not from the environment.
  beforeEach(() => {
    umask = process.umask(0);
  });
  afterEach(() => {
    process.umask(umask);
  });

  it('every file is 0600 and every folder 0700, the moved-aside index too', async () => {
    const { project, home } = setup();
    const { store } = await ProjectStore.open(project, { home, env: {} });
    const s = store!.create({ layout: 'grid', agents: [] });
    for (const stream of ['events', 'feed', 'notes', 'usage', 'agent:main']) {
      const rec: Record<string, Record<string, unknown>> = {
        events: { type: 'x' },
        feed: { path: 'a', kind: 'added' },
        notes: { author: 'me', text: 'n' },
        usage: { agent: 'main', inputTokens: 1, outputTokens: 1 },
        'agent:main': { kind: 'interruption' },
      };
      s.append(stream, rec[stream]);
    }
    s.flush();
    const locked = walk(home);
    expect(locked.map((f) => f.path)).toContain(join(store!.dir, 'lock'));
    await store!.close();
    writeFileSync(join(store!.dir, 'index.json'), '{ broken', { mode: 0o600 });
    const again = await ProjectStore.open(project, { home, env: {} });
    expect(again.error?.kind).toBe('corrupt');
    await again.store!.close();

    const all = [...locked, ...walk(home)];
    expect(all.filter((f) => f.path.includes('.corrupt-'))).toHaveLength(1);
    expect(all.filter((f) => f.path.endsWith('.jsonl'))).toHaveLength(10);
    for (const f of all) expect({ path: f.path, mode: f.mode.toString(8) }).toEqual({ path: f.path, mode: f.isDir ? '700' : '600' });
    expect((walk(home).length)).toBeGreaterThan(8);
  });

  it('narrows a stream file that someone made world-readable when it is next opened', async () => {
    const { project, home } = setup();
    const { store } = await ProjectStore.open(project, { home, env: {} });
    const s = store!.create({ layout: 'grid', agents: [] });
    s.append('notes', { author: 'me', text: 'n' });
    await store!.close();
    const file = join(store!.dir, 'sessions', s.id, 'notes.jsonl');
    chmodSync(file, 0o644);
    const { store: again } = await ProjectStore.open(project, { home, env: {} });
    later(() => again!.close());
    again!.openSession(s.id)!.append('notes', { author: 'me', text: 'm' });
    again!.openSession(s.id)!.flush();
    expect(walk(again!.dir).find((f) => f.path === file)?.mode).toBe(0o600);
  });
});

describe('secrets', () => {
  it('a real key-shaped string appears in no file under the store', async () => {
    const { project, home } = setup();
    const anthropic = `sk-ant-api03-${alnum(40)}-${alnum(20)}AA`;
    const openai = `sk-proj-${alnum(30)}_${alnum(40)}`;
    const legacy = `sk-${alnum(48)}`;
    const gemini = `AIzaSy${alnum(33)}`; // not key-shaped: caught by its variable's value
    const custom = `pa"ss\\word-${alnum(12)}`; // a secret-looking variable whose value needs JSON escaping
    const github = `ghp_${alnum(36)}`; // only ever in an agent's env: dropped with its entry
    const env = { ANTHROPIC_API_KEY: anthropic, GEMINI_API_KEY: gemini, DB_PASSWORD: custom, HOME: '/home/me', KEYTIMEOUT: '1' };
    const { store } = await ProjectStore.open(project, { home, env });
    const s = store!.create({
      layout: 'grid',
      agents: [
        { name: 'main', kind: 'builtin', args: [], cwd: project, env: { OPENAI_API_KEY: openai, GITHUB_TOKEN: github, EDITOR: 'vim' } },
        { name: 'codex', kind: 'command', command: 'codex', args: ['--api-key', legacy], cwd: project },
      ],
    });
    s.append('agent:main', { kind: 'message', message: { role: 'user', content: `my key is ${anthropic}, use it` } });
    s.append('agent:main', { kind: 'message', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: `ANTHROPIC_API_KEY=${anthropic}\nGEMINI_API_KEY=${gemini}\nDB_PASSWORD=${custom}\n${openai}` }] } });
    s.append('events', { type: 'pane-start', argv: ['codex', '--api-key', legacy], env: { OPENAI_API_KEY: openai } });
    const mcpToken = `sk-agents-${alnum(43)}`; // the shape of the workspace's own MCP tokens
    s.append('notes', { author: 'person', text: `rotate ${legacy} and ${custom}; AGENTS_MCP_TOKEN=${mcpToken}` });
    s.updateSummary({ firstInstruction: `use ${anthropic}`, agents: [{ name: 'x', kind: 'command', args: [gemini], cwd: project, env: { API_TOKEN: github } }] });
    s.end();
    await store!.close();

    const text = allText(home);
    expect(text.length).toBeGreaterThan(1000);
    for (const secret of [anthropic, openai, legacy, gemini, custom, JSON.stringify(custom).slice(1, -1), github, mcpToken]) expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
    // Ordinary values are kept, including a short value of a secret-looking variable.
    expect(text).toContain('"EDITOR":"vim"');
    expect(readFileSync(join(store!.dir, 'index.json'), 'utf8')).toContain('use [redacted]');
  });

  it('the scrubber leaves ordinary text alone', () => {
    const scrub = makeScrubber({ KEYTIMEOUT: '1', ANTHROPIC_API_KEY: '' });
    const text = JSON.stringify({ text: 'task-management and sk-learn, 1 + 1, desk-lamp' });
    expect(scrub(text)).toBe(text);
  });
});
