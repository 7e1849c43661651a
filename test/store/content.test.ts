// Which sessions have something in them (what --continue reopens and `agents sessions` lists), and
// that a workspace's session exists only once it started recording.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryService } from '../../src/store/memory-service.js';
import { SessionRecorder } from '../../src/store/recorder.js';
import { ProjectStore, type AgentMeta } from '../../src/store/store.js';
import type { WorkspaceMessage } from '../../src/workspace/events.js';
import { until } from '../helpers/term.js';
import { later, setup } from './helpers.js';

async function open(project: string, home: string, now?: () => number) {
  const r = await ProjectStore.open(project, { home, env: {}, now });
  const store = r.store!;
  later(() => store.close());
  return store;
}

const shell: AgentMeta = { name: 'shell', kind: 'command', preset: 'shell', command: '/bin/bash', args: [], cwd: '/p' };
const claude: AgentMeta = { name: 'claude', kind: 'command', preset: 'claude', command: 'claude', args: [], cwd: '/p' };
const lead: AgentMeta = { name: 'lead', kind: 'builtin', preset: 'agent', args: [], cwd: '/p' };

describe('sessions with something in them', () => {
  it('counts messages, usage, notes, changes and a CLI conversation as something; panes alone are not', async () => {
    const { project, home } = setup();
    let clock = Date.parse('2026-11-27T10:00:00Z');
    const store = await open(project, home, () => (clock += 60_000));
    const make = (agents: AgentMeta[], fill: (s: ReturnType<ProjectStore['create']>) => void) => {
      const s = store.create({ layout: 'tiled', agents });
      fill(s);
      s.end();
      return s.id;
    };
    const withMessage = make([lead], (s) => s.append('agent:lead', { kind: 'message', message: { role: 'user', content: 'fix it' } }));
    const withNote = make([shell], (s) => s.append('notes', { author: 'person', text: 'remember the cache' }));
    const withChange = make([shell], (s) => s.append('feed', { path: 'a.txt', kind: 'modified' }));
    const withConversation = make([claude], (s) => s.updateSummary({ agents: [{ ...claude, resume: '11111111-2222-4333-8444-555555555555' }] }));
    const emptyShell = make([shell], () => {});
    const emptyClaude = make([claude], (s) => s.append('events', { type: 'pane-exit', pane: 'claude' }));

    const byId = new Map(store.sessions().map((s) => [s.id, s]));
    for (const id of [withMessage, withNote, withChange, withConversation]) expect(store.hasContent(byId.get(id)!), id).toBe(true);
    for (const id of [emptyShell, emptyClaude]) expect(store.hasContent(byId.get(id)!), id).toBe(false);
    expect(byId.get(withNote)).toMatchObject({ notes: 1, changes: 0 });
    expect(byId.get(withChange)).toMatchObject({ notes: 0, changes: 1 });

    // The newest two are empty: --continue skips them for the newest with something in it.
    expect(store.latest()?.id).toBe(emptyClaude);
    expect(store.latestWithContent()?.id).toBe(withConversation);
  });

  it('the counts survive a lost index (rebuilt from the session folders)', async () => {
    const { project, home } = setup();
    const store = await open(project, home);
    const s = store.create({ layout: 'tiled', agents: [shell] });
    s.append('notes', { author: 'person', text: 'a' });
    s.append('feed', { path: 'a.txt', kind: 'added' });
    s.append('feed', { path: 'b.txt', kind: 'added' });
    s.end();
    await store.close();
    writeFileSync(join(store.dir, 'index.json'), 'not json');
    const again = await open(project, home);
    expect(again.sessions()[0]).toMatchObject({ id: s.id, notes: 1, changes: 2 });
    expect(again.latestWithContent()?.id).toBe(s.id);
  });

  it('a session stored before notes and changes were counted is judged by its files', async () => {
    const { project, home } = setup();
    const store = await open(project, home);
    const a = store.create({ layout: 'tiled', agents: [shell] });
    a.append('feed', { path: 'a.txt', kind: 'added' });
    a.end();
    const b = store.create({ layout: 'tiled', agents: [shell] });
    b.end();
    await store.close();
    // As an older version wrote them: no notes/changes fields.
    const file = join(store.dir, 'index.json');
    const data = JSON.parse(readFileSync(file, 'utf8')) as { sessions: Record<string, unknown>[] };
    for (const s of data.sessions) {
      delete s.notes;
      delete s.changes;
    }
    writeFileSync(file, JSON.stringify(data));
    const again = await open(project, home);
    const byId = new Map(again.sessions().map((s) => [s.id, s]));
    expect(byId.get(a.id)?.changes).toBeUndefined();
    expect(again.hasContent(byId.get(a.id)!)).toBe(true);
    expect(again.hasContent(byId.get(b.id)!)).toBe(false);
  });
});

describe('MemoryService', () => {
  it('writes no session until the workspace starts it, and then exactly one', async () => {
    const { project, home } = setup();
    const store = await open(project, home);
    const memory = new MemoryService(store, () => new SessionRecorder(store.create({ layout: 'tiled', agents: [shell] })), new Map());
    expect(memory.session).toBeUndefined();
    expect(store.sessions()).toEqual([]);
    memory.start();
    memory.start();
    expect(store.sessions()).toHaveLength(1);
    expect(memory.session?.id).toBe(store.sessions()[0].id);
    await memory.close();
    expect(readdirSync(join(store.dir, 'sessions'))).toHaveLength(1);
  });

  it('a pane opened during the run is one of the session agents when it is read again (once)', async () => {
    const { project, home } = setup();
    const store = await open(project, home);
    const memory = new MemoryService(store, () => new SessionRecorder(store.create({ layout: 'tiled', agents: [shell] })), new Map());
    memory.agentOpened(lead);
    memory.agentOpened(claude);
    memory.agentOpened(lead);
    const id = memory.session!.id;
    await memory.close();
    const again = await open(project, home);
    expect(again.sessions().find((s) => s.id === id)?.agents.map((a) => a.name)).toEqual(['shell', 'lead', 'claude']);
  });

  it('answers a search from an index built at the first search, which then follows new messages', async () => {
    const { project, home } = setup();
    const store = await open(project, home);
    const memory = new MemoryService(store, () => new SessionRecorder(store.create({ layout: 'tiled', agents: [lead] })), new Map());
    const replies: WorkspaceMessage[] = [];
    const reply = (m: WorkspaceMessage) => replies.push(m);
    const results = async (n: number) => {
      await until(() => replies.length >= n, { message: `search reply ${n}` });
      const r = replies[n - 1];
      if (r.t !== 'search_results') throw new Error(`expected search results, got ${r.t}`);
      return r;
    };
    memory.agentMessage('lead', { t: 'history', start: 0, messages: [{ role: 'user', content: 'the invoice rounding bug is in the tax module' }] }, reply);
    memory.agentMessage('lead', { t: 'search', id: 1, query: 'invoice rounding', limit: 5 }, reply);
    const first = await results(1);
    expect(first).toMatchObject({ id: 1, available: true });
    expect(first.hits.map((h) => h.record.text)).toEqual([expect.stringContaining('invoice rounding bug')]);
    // Said after the index was built: found by the next search too.
    memory.agentMessage('lead', { t: 'history', start: 1, messages: [{ role: 'assistant', content: 'fixed the currency conversion too' }] }, reply);
    memory.agentMessage('lead', { t: 'search', id: 2, query: 'currency conversion', limit: 5 }, reply);
    const second = await results(2);
    expect(second.hits.map((h) => h.record.text)).toEqual([expect.stringContaining('currency conversion')]);
    await memory.close();
  });

  it('a workspace that never started leaves nothing behind when it closes', async () => {
    const { project, home } = setup();
    const store = await open(project, home);
    const memory = new MemoryService(store, () => new SessionRecorder(store.create({ layout: 'tiled', agents: [shell] })), new Map());
    await memory.close();
    const again = await open(project, home);
    expect(again.sessions()).toEqual([]);
    expect(readdirSync(join(again.dir, 'sessions'))).toEqual([]);
  });
});
