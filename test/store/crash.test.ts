import { describe, expect, it } from 'vitest';
import { ProjectStore } from '../../src/store/store.js';
import { child, later, script, setup } from './helpers.js';

/**
 * Appends agent messages and reports every 500: "wrote <count> <ms>".
 * - `busy`: never yields to the event loop, so no timer ever runs, and spends ~0.3 ms of CPU per
 *   record, so the size limit is not reached either: only append()'s own age check flushes.
 * - `flood`: as fast as it can, yielding every 200 records, so the flush and index timers run as in
 *   the workspace; the queue also fills to its size limit between them.
 */
const WRITER = `import { ProjectStore } from './store/store.js';
const [project, home, mode] = process.argv.slice(2);
const spin = (ms) => { const until = performance.now() + ms; while (performance.now() < until); };
const { store, error } = await ProjectStore.open(project, { home, env: {} });
if (!store) { console.log('error ' + error.message); process.exit(1); }
const s = store.create({ layout: 'grid', agents: [{ name: 'main', kind: 'builtin', args: [], cwd: project }] });
console.log('session ' + s.id);
const pad = 'lorem ipsum dolor sit amet '.repeat(mode === 'busy' ? 4 : 12);
let seq = 0;
function burst(n) {
  for (let i = 0; i < n; i++) {
    s.append('agent:main', { kind: 'message', seq, message: { role: seq % 2 ? 'assistant' : 'user', content: 'message ' + seq + ' ' + pad } });
    s.append('usage', { agent: 'main', inputTokens: 10, outputTokens: 5, seq });
    seq++;
    if (mode === 'busy') spin(0.3);
    if (seq % 500 === 0) process.stdout.write('wrote ' + seq + ' ' + Date.now() + '\\n');
  }
}
if (mode === 'busy') for (;;) burst(1000);
for (;;) { burst(200); await new Promise((r) => setImmediate(r)); }
`;

/** Appends a few records and exits with process.exit() without closing the store. */
const EXITER = `import { ProjectStore } from './store/store.js';
const [project, home] = process.argv.slice(2);
const { store } = await ProjectStore.open(project, { home, env: {} });
const s = store.create({ layout: 'grid', agents: [] });
for (let i = 0; i < 3; i++) s.append('notes', { author: 'me', text: 'note ' + i });
s.updateSummary({ firstInstruction: 'exit early' });
process.exit(0);
`;

/** Records to see reported before the kill, and the least time the writer runs. */
const WANT = { busy: 2_000, flood: 20_000 };
const MIN_RUN_MS = 1200;

describe('kill -9 during heavy writing', () => {
  for (const mode of ['busy', 'flood'] as const) {
    it(`(${mode} writer) the store loads, at most the last second is missing, cut lines are counted`, async () => {
      const { project, home } = setup();
      const c = child(script('writer.js', WRITER), [project, home, mode]);
      const id = (await c.next(/^session (\S+)$/))[1];
      const began = Date.now();
      let reported = 0;
      while (reported < WANT[mode] || Date.now() - began < MIN_RUN_MS) reported = Number((await c.next(/^wrote (\d+) \d+$/))[1]);
      const killedAt = Date.now();
      c.proc.kill('SIGKILL');
      await c.exited;
      expect(c.proc.signalCode).toBe('SIGKILL');

      const { store, error } = await ProjectStore.open(project, { home, env: {} });
      expect(error).toBeUndefined(); // the dead writer's lock is stale; a missing index is rebuilt quietly
      later(() => store!.close());
      expect(store!.sessions().map((s) => s.id)).toEqual([id]);
      const session = store!.openSession(id)!;
      const { records, skipped } = await session.read('agent:main');
      expect(skipped).toBeLessThanOrEqual(1); // only a line cut by the kill
      // Nothing lost in the middle: records 0..n-1, in order.
      expect(records.every((r, i) => r.seq === i)).toBe(true);
      expect(records.length).toBeGreaterThanOrEqual(WANT[mode] / 2);
      const last = records[records.length - 1].t as number;
      expect(killedAt - last).toBeLessThanOrEqual(1000);
      const usage = await session.read('usage');
      expect(usage.skipped).toBeLessThanOrEqual(1);
      expect(usage.records.every((r, i) => r.seq === i)).toBe(true);
      expect(killedAt - (usage.records.at(-1)?.t as number)).toBeLessThanOrEqual(1000);

      // The session can be resumed: new records land on lines of their own after any cut line.
      session.append('agent:main', { kind: 'message', seq: 'after', message: { role: 'user', content: 'resumed' } });
      const again = await session.read('agent:main');
      expect(again.skipped).toBe(skipped);
      expect(again.records.at(-1)?.seq).toBe('after');
    });
  }

  it('process.exit() without close(): queued records, the index and the lock are settled on exit', async () => {
    const { project, home } = setup();
    const c = child(script('exiter.js', EXITER), [project, home]);
    expect(await c.exited).toBe(0);
    const { store, error } = await ProjectStore.open(project, { home, env: {} });
    expect(error).toBeUndefined();
    later(() => store!.close());
    const [s] = store!.sessions();
    expect(s.firstInstruction).toBe('exit early');
    expect((await store!.openSession(s.id)!.read('notes')).records.map((r) => r.text)).toEqual(['note 0', 'note 1', 'note 2']);
  });
});
