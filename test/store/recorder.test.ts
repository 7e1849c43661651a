// Usage records from agents' reported totals: a CLI's own figures can go down (Claude Code's session
// cost restarts with the program), which once made an invalid record that took the workspace down.
import { describe, expect, it } from 'vitest';
import { ProjectStore } from '../../src/store/store.js';
import { SessionRecorder } from '../../src/store/recorder.js';
import type { UsageReport } from '../../src/ipc/protocol.js';
import { later, setup } from './helpers.js';

const usage = (input: number, output: number, cost: number): UsageReport => ({ input, output, cacheRead: 0, cacheWrite: 0, cost, priced: true, context: 0, contextWindow: 0 });

describe('usage from reported totals', () => {
  it('stores growth only: totals that go down add nothing and never make a bad record; cost alone counts', async () => {
    const { project, home } = setup();
    const r = await ProjectStore.open(project, { home, env: {} });
    const store = r.store!;
    later(() => store.close());
    const s = store.create({ layout: 'tiled', agents: [] });
    const rec = new SessionRecorder(s);
    rec.agentMessage('claude', { t: 'usage', usage: usage(100, 50, 0.5) });
    expect(() => rec.agentMessage('claude', { t: 'usage', usage: usage(150, 10, 0.1) })).not.toThrow();
    rec.agentMessage('claude', { t: 'usage', usage: usage(150, 10, 0.3) });
    const back = (await s.read('usage')).records;
    expect(back).toMatchObject([
      { agent: 'claude', inputTokens: 100, outputTokens: 50, cost: 0.5 },
      { agent: 'claude', inputTokens: 50, outputTokens: 0, cost: 0 },
      { agent: 'claude', inputTokens: 0, outputTokens: 0, cost: expect.closeTo(0.2, 10) },
    ]);
  });
});
