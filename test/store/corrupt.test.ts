import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProjectStore, type AgentMeta } from '../../src/store/store.js';
import { later, setup } from './helpers.js';

const main: AgentMeta = { name: 'main', kind: 'builtin', args: [], cwd: '/p' };

/** A closed store with one ended session holding two messages and one usage record. */
async function seeded() {
  const { project, home } = setup();
  const { store } = await ProjectStore.open(project, { home, env: {} });
  const s = store!.create({ layout: 'grid', agents: [main] });
  s.append('agent:main', { kind: 'message', message: { role: 'user', content: 'rename the config loader' } });
  s.append('agent:main', { kind: 'message', message: { role: 'assistant', content: 'Done.' } });
  s.append('usage', { agent: 'main', inputTokens: 100, outputTokens: 20, cost: 0.5 });
  s.end();
  await store!.close();
  return { project, home, dir: store!.dir, id: s.id, index: join(store!.dir, 'index.json') };
}

async function reopen(project: string, home: string) {
  const r = await ProjectStore.open(project, { home, env: {} });
  if (r.store) later(() => r.store!.close());
  return r;
}

describe('a damaged index.json', () => {
  const damage: Record<string, (text: string) => string> = {
    'truncated mid-file': (t) => t.slice(0, Math.floor(t.length / 2)),
    'not JSON': () => 'this is not json {',
    empty: () => '',
    'JSON null': () => 'null',
    'JSON of the wrong shape': () => JSON.stringify({ version: 1, project: '/p', sessions: [{ id: 'nope' }] }),
  };
  for (const [name, mangle] of Object.entries(damage)) {
    it(`${name}: is moved aside, reported, and rebuilt from the session folders`, async () => {
      const { project, home, dir, id, index } = await seeded();
      const original = mangle(readFileSync(index, 'utf8'));
      writeFileSync(index, original);
      const { store, error } = await reopen(project, home);
      expect(error?.kind).toBe('corrupt');
      expect(error?.path).toBe(index);
      expect(error?.message).not.toMatch(/\n\s+at /); // no stack trace
      const aside = readdirSync(dir).filter((f) => f.startsWith('index.json.corrupt-'));
      expect(aside).toHaveLength(1);
      expect(error?.message).toContain(join(dir, aside[0]));
      expect(error?.message).toContain('1 session(s) recovered');
      expect(readFileSync(join(dir, aside[0]), 'utf8')).toBe(original);
      const [s] = store!.sessions();
      expect(s).toMatchObject({ id, layout: 'grid', agents: [main], messages: 2, tokens: 120, cost: 0.5, firstInstruction: 'rename the config loader' });
      expect(s.ended).toBeTypeOf('number');
      // The rebuilt index is written, so the next open is clean.
      await store!.close();
      const next = await reopen(project, home);
      expect(next.error).toBeUndefined();
      expect(next.store!.sessions().map((x) => x.id)).toEqual([id]);
    });
  }

  it('from a newer agents: left untouched, no store, and the lock is not kept', async () => {
    const { project, home, index } = await seeded();
    const newer = JSON.stringify({ version: 7, project: '/p', sessions: [], future: true });
    writeFileSync(index, newer);
    const { store, error } = await reopen(project, home);
    expect(store).toBeUndefined();
    expect(error?.kind).toBe('corrupt');
    expect(error?.message).toMatch(/newer agents \(index version 7/);
    expect(readFileSync(index, 'utf8')).toBe(newer);
    writeFileSync(index, JSON.stringify({ version: 1, project: '/p', sessions: [] }));
    expect((await reopen(project, home)).store).toBeDefined();
  });

  it('a session folder the index does not list (a crash before the index was written) is added back', async () => {
    const { project, home, id, index } = await seeded();
    writeFileSync(index, JSON.stringify({ version: 1, project: '/p', sessions: [] }));
    const { store, error } = await reopen(project, home);
    expect(error).toBeUndefined();
    expect(store!.sessions()).toMatchObject([{ id, messages: 2 }]);
  });

  it('a session folder without a readable events.jsonl is still listed, with what can be known', async () => {
    const { project, home, dir, id, index } = await seeded();
    writeFileSync(join(dir, 'sessions', id, 'events.jsonl'), 'garbage\n{"also":"bad"\n');
    writeFileSync(index, '{');
    const { store, error } = await reopen(project, home);
    expect(error?.kind).toBe('corrupt');
    expect(store!.sessions()).toMatchObject([{ id, layout: 'unknown', messages: 0 }]);
    // Its streams are still there to read.
    expect((await store!.openSession(id)!.read('agent:main')).records).toHaveLength(2);
  });

  it('an entry whose folder is gone is dropped from the index', async () => {
    const { project, home, index } = await seeded();
    const data = JSON.parse(readFileSync(index, 'utf8'));
    data.sessions.push({ ...data.sessions[0], id: '2001-01-01-0000-gone' });
    writeFileSync(index, JSON.stringify(data));
    const { store } = await reopen(project, home);
    expect(store!.sessions().map((s) => s.id)).not.toContain('2001-01-01-0000-gone');
    expect(existsSync(index)).toBe(true);
  });
});
