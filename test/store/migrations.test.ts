import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { upgrade } from '../../src/store/migrations.js';
import { RECORD_VERSION } from '../../src/store/schema.js';
import { ProjectStore } from '../../src/store/store.js';
import { later, setup } from './helpers.js';

describe('record migrations', () => {
  it('reads v0 records (the unversioned draft format) as v1', async () => {
    const { project, home } = setup();
    const { store } = await ProjectStore.open(project, { home, env: {} });
    later(() => store!.close());
    const s = store!.create({ layout: 'grid', agents: [] });
    await store!.close();
    const dir = join(store!.dir, 'sessions', s.id);
    mkdirSync(dir, { recursive: true });
    const when = '2026-11-27T22:01:00.000Z';
    writeFileSync(join(dir, 'agent-main.jsonl'), JSON.stringify({ time: when, role: 'user', content: 'hello' }) + '\n' + JSON.stringify({ v: 9, t: 1, kind: 'message' }) + '\n');
    writeFileSync(join(dir, 'usage.jsonl'), JSON.stringify({ time: when, agent: 'main', input_tokens: 10, output_tokens: 5, cost_usd: 0.01 }) + '\n');
    writeFileSync(join(dir, 'notes.jsonl'), JSON.stringify({ time: Date.parse(when), author: 'person', text: 'hi' }) + '\n');

    const { store: again } = await ProjectStore.open(project, { home, env: {} });
    later(() => again!.close());
    const back = again!.openSession(s.id)!;
    const agent = await back.read('agent:main');
    expect(agent.records).toEqual([{ v: 1, t: Date.parse(when), kind: 'message', message: { role: 'user', content: 'hello' } }]);
    expect(agent.skipped).toBe(1); // v9: from a newer agents, not guessed at
    expect((await back.read('usage')).records).toEqual([{ v: 1, t: Date.parse(when), agent: 'main', inputTokens: 10, outputTokens: 5, cost: 0.01 }]);
    // Notes and feed entries have a `time` of their own, which they keep.
    expect((await back.read('notes')).records).toEqual([{ v: 1, t: Date.parse(when), time: Date.parse(when), author: 'person', text: 'hi' }]);
  });

  it('leaves current records alone and refuses versions it does not know', () => {
    const rec = { v: RECORD_VERSION, t: 5, type: 'x' };
    expect(upgrade('events', rec)).toBe(rec);
    expect(upgrade('events', { v: RECORD_VERSION + 1, t: 5, type: 'x' })).toBeUndefined();
    expect(upgrade('events', { v: 'one', t: 5, type: 'x' })).toBeUndefined();
    expect(upgrade('events', { v: -1, t: 5, type: 'x' })).toBeUndefined();
    expect(upgrade('events', { time: 'not a date', type: 'x' })).toEqual({ v: 1, t: undefined, type: 'x' });
  });
});
