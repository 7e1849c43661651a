import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RecordError, ProjectStore, type AgentMeta, type StoreError } from '../../src/store/store.js';
import { later, setup } from './helpers.js';

async function open(project: string, home: string, opts: { now?: () => number; onError?: (e: StoreError) => void } = {}) {
  const r = await ProjectStore.open(project, { home, env: {}, ...opts });
  expect(r.error).toBeUndefined();
  const store = r.store!;
  later(() => store.close());
  return store;
}

const main: AgentMeta = { name: 'main', kind: 'builtin', args: [], cwd: '/p', model: 'claude-sonnet-4-5' };
const claude: AgentMeta = { name: 'claude', kind: 'command', preset: 'claude', command: 'claude', args: ['--verbose'], cwd: '/p', resume: 'conv-123' };

describe('ProjectStore round trips', () => {
  it('keeps sessions, their summaries and every stream across a close and reopen', async () => {
    const { project, home } = setup();
    let clock = Date.parse('2026-11-27T22:01:00Z');
    const store = await open(project, home, { now: () => clock });
    expect(store.sessions()).toEqual([]);
    expect(store.dir.startsWith(join(home, 'projects', 'my-project-'))).toBe(true);

    const s = store.create({ layout: 'grid', agents: [main, claude] });
    expect(s.id).toMatch(/^\d{4}-\d{2}-\d{2}-\d{4}-[a-z0-9]{4}$/);
    s.append('agent:main', { kind: 'message', message: { role: 'user', content: 'Add a --json flag to the CLI' } });
    clock += 1000;
    s.append('agent:main', { kind: 'message', message: { role: 'assistant', content: [{ type: 'text', text: 'On it.' }, { type: 'tool_use', id: 't1', name: 'read_file', input: { path: 'a.ts' } }] } });
    s.append('agent:main', { kind: 'message', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'x' }] } });
    s.append('agent:main', { kind: 'compaction', summary: 'we added a flag' });
    s.append('usage', { agent: 'main', inputTokens: 1200, outputTokens: 300, cost: 0.0081, model: 'claude-sonnet-4-5' });
    s.append('feed', { path: 'src/cli.ts', kind: 'modified', who: { kind: 'agent', name: 'main' }, time: clock });
    s.append('notes', { author: 'person', text: 'keep the old flag working' });
    s.append('events', { type: 'pane-exit', pane: 'claude', code: 0 });
    s.end();
    await store.close();

    const again = await open(project, home);
    const [sum] = again.sessions();
    expect(sum).toMatchObject({
      id: s.id,
      layout: 'grid',
      messages: 3,
      tokens: 1500,
      cost: 0.0081,
      firstInstruction: 'Add a --json flag to the CLI',
      started: Date.parse('2026-11-27T22:01:00Z'),
      ended: clock,
    });
    expect(sum.agents).toEqual([main, claude]);
    const back = again.openSession(s.id)!;
    const agent = await back.read('agent:main');
    expect(agent.skipped).toBe(0);
    expect(agent.records.map((r) => r.kind)).toEqual(['message', 'message', 'message', 'compaction']);
    expect(agent.records[1]).toMatchObject({ v: 1, t: clock, message: { role: 'assistant' } });
    expect((await back.read('usage')).records).toMatchObject([{ agent: 'main', inputTokens: 1200 }]);
    expect((await back.read('feed')).records).toMatchObject([{ path: 'src/cli.ts', who: { name: 'main' } }]);
    expect((await back.read('notes')).records).toMatchObject([{ author: 'person', text: 'keep the old flag working' }]);
    const events = (await back.read('events')).records.map((r) => r.type);
    expect(events).toEqual(['session-start', 'pane-exit', 'session-end', 'summary']);
    expect(readdirSync(join(again.dir, 'sessions', s.id)).sort()).toEqual(['agent-main.jsonl', 'events.jsonl', 'feed.jsonl', 'notes.jsonl', 'usage.jsonl']);
  });

  it('lists sessions newest first, and latest() is the newest', async () => {
    const { project, home } = setup();
    let clock = 1_800_000_000_000;
    const store = await open(project, home, { now: () => clock });
    const ids = [];
    for (let i = 0; i < 3; i++) {
      ids.push(store.create({ layout: 'tabs', agents: [] }).id);
      clock += 60_000;
    }
    expect(store.sessions().map((s) => s.id)).toEqual([...ids].reverse());
    expect(store.latest()?.id).toBe(ids[2]);
    await store.close();
    const again = await open(project, home);
    expect(again.sessions().map((s) => s.id)).toEqual([...ids].reverse());
  });

  it('resumes an ended session: appends go to the same files and `ended` is cleared', async () => {
    const { project, home } = setup();
    const store = await open(project, home);
    const s = store.create({ layout: 'grid', agents: [main] });
    s.append('agent:main', { kind: 'message', message: { role: 'user', content: 'first' } });
    s.end();
    await store.close();

    const again = await open(project, home);
    expect(again.latest()?.ended).toBeTypeOf('number');
    const back = again.openSession(s.id)!;
    expect(again.openSession(s.id)).toBe(back);
    back.append('agent:main', { kind: 'message', message: { role: 'user', content: 'second' } });
    expect(again.latest()?.ended).toBeUndefined();
    const { records } = await back.read('agent:main');
    expect(records.map((r) => (r.message as { content: string }).content)).toEqual(['first', 'second']);
    expect((await back.read('events')).records.map((r) => r.type)).toContain('resumed');
    await again.close();
    const third = await open(project, home);
    expect(third.latest()).toMatchObject({ messages: 2, firstInstruction: 'first' });
    expect(third.latest()?.ended).toBeUndefined();
    expect(third.openSession('2000-01-01-0000-zzzz')).toBeUndefined();
  });

  it('end() closes the session files; appending again reopens them', async () => {
    const { project, home } = setup();
    const store = await open(project, home);
    const s = store.create({ layout: 'grid', agents: [main] });
    const openFiles = () => readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`).startsWith(s.dir);
      } catch {
        return false;
      }
    }).length;
    s.append('agent:main', { kind: 'message', message: { role: 'user', content: 'one' } });
    s.flush();
    expect(openFiles()).toBe(2); // events, agent-main
    s.end();
    expect(openFiles()).toBe(0);
    s.append('agent:main', { kind: 'message', message: { role: 'user', content: 'two' } });
    expect((await s.read('agent:main')).records).toHaveLength(2);
  });

  it('updateSummary merges a validated patch and persists it', async () => {
    const { project, home } = setup();
    const store = await open(project, home);
    const s = store.create({ layout: 'grid', agents: [main] });
    s.updateSummary({ layout: 'tabs', agents: [{ ...main, resume: 'abc' }], firstInstruction: 'fix the tests' });
    expect(() => s.updateSummary({ messages: -1 })).toThrow(RecordError);
    expect(() => s.updateSummary({ layout: 3 as unknown as string })).toThrow(/layout/);
    await store.close();
    const again = await open(project, home);
    expect(again.latest()).toMatchObject({ id: s.id, layout: 'tabs', agents: [{ name: 'main', resume: 'abc' }], firstInstruction: 'fix the tests' });
  });

  it('rejects records that do not match their stream, and unknown streams, with a RecordError', async () => {
    const { project, home } = setup();
    const store = await open(project, home);
    const s = store.create({ layout: 'grid', agents: [] });
    expect(() => s.append('agent:main', { kind: 'message', message: { role: 'robot', content: 'x' } })).toThrow(/message\.role/);
    expect(() => s.append('usage', { agent: 'main', inputTokens: 'many', outputTokens: 1 })).toThrow(RecordError);
    expect(() => s.append('events', { type: 'x', v: 0 })).toThrow(/\bv\b/);
    expect(() => s.append('history', { type: 'x' })).toThrow(/unknown stream "history"/);
    expect(() => s.append('agent:', {})).toThrow(RecordError);
    const circular: Record<string, unknown> = { type: 'loop' };
    circular.self = circular;
    expect(() => s.append('events', circular)).toThrow(RecordError);
    expect(() => store.create({ layout: 'grid', agents: [{ name: '', kind: 'builtin', args: [], cwd: '/' }] })).toThrow(/agents\.0\.name/);
  });

  it('keeps an agent name with odd characters inside the session folder', async () => {
    const { project, home } = setup();
    const store = await open(project, home);
    const s = store.create({ layout: 'grid', agents: [] });
    s.append('agent:../../evil name', { kind: 'interruption' });
    await store.close();
    expect(readdirSync(join(store.dir, 'sessions', s.id))).toContain('agent-..%2f..%2fevil%20name.jsonl');
    expect(existsSync(join(store.dir, 'evil name.jsonl'))).toBe(false);
  });

  it('reports (does not throw) a record that arrives after close, and close() twice is fine', async () => {
    const { project, home } = setup();
    const errors: StoreError[] = [];
    const store = await open(project, home, { onError: (e) => errors.push(e) });
    const s = store.create({ layout: 'grid', agents: [] });
    await store.close();
    expect(() => s.append('events', { type: 'late' })).not.toThrow();
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/after the store was closed/)]);
    await store.close();
  });

  it('writes the index debounced, not per record, and writes lines within FLUSH_MS', async () => {
    const { project, home } = setup();
    const store = await open(project, home);
    const s = store.create({ layout: 'grid', agents: [main] });
    const index = join(store.dir, 'index.json');
    for (let i = 0; i < 100; i++) s.append('agent:main', { kind: 'message', message: { role: 'user', content: `m${i}` } });
    expect(existsSync(index)).toBe(false);
    const file = join(store.dir, 'sessions', s.id, 'agent-main.jsonl');
    await until(() => existsSync(file) && readFileSync(file, 'utf8').split('\n').length === 101);
    await until(() => existsSync(index) && JSON.parse(readFileSync(index, 'utf8')).sessions[0]?.messages === 100);
  });
});

async function until(probe: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
