import { afterEach, describe, expect, it } from 'vitest';
import { estimateTokens, formatBlock } from '../../src/context/delivery.js';
import type { FeedEntry } from '../../src/context/feed-types.js';
import { rig, type Rig } from './rig.js';

let r: Rig;
afterEach(() => r?.dispose());

/** An outside change to `path`, published. */
async function outside(path: string, content: string): Promise<void> {
  r.write(path, content);
  await r.push(r.ev(path, 'added'));
  await r.wait(150);
}

async function byAgent(agent: string, path: string, content: string): Promise<void> {
  r.feed.registerWrite({ agent, path, hash: r.write(path, content) });
  await r.push(r.ev(path, 'added'));
}

describe('delivery', () => {
  it('delivers each change once to each agent, and nothing before it joined', async () => {
    r = rig();
    await outside('before.txt', 'x\n');
    r.feed.addAgent('a');
    r.feed.addAgent('b');
    await outside('src/one.ts', '1\n');
    const da = r.feed.formatDelivery('a')!;
    expect(da.text).toContain('src/one.ts');
    expect(da.text).not.toContain('before.txt');
    r.feed.markDelivered('a', da.upTo);
    expect(r.feed.formatDelivery('a')).toBeUndefined();
    expect(r.feed.undeliveredCounts()).toEqual({ a: 0, b: 1 });

    await outside('src/two.ts', '2\n');
    const db = r.feed.formatDelivery('b')!;
    expect(db.text).toContain('src/one.ts');
    expect(db.text).toContain('src/two.ts');
    r.feed.markDelivered('b', db.upTo);
    const da2 = r.feed.formatDelivery('a')!;
    expect(da2.text).not.toContain('src/one.ts');
    expect(da2.text).toContain('src/two.ts');
  });

  it('a change published between formatting and marking is still delivered next time', async () => {
    r = rig();
    r.feed.addAgent('a');
    await outside('one.txt', '1\n');
    const d = r.feed.formatDelivery('a')!;
    await outside('two.txt', '2\n');
    r.feed.markDelivered('a', d.upTo);
    expect(r.feed.pendingFor('a').map((e) => e.path)).toEqual(['two.txt']);
    r.feed.markDelivered('a', 1); // cursors never move back
    expect(r.feed.pendingFor('a').map((e) => e.path)).toEqual(['two.txt']);
  });

  it("tells every agent when a change landed in another task's claim", async () => {
    r = rig({ claimOf: (path) => (path === 'src/cart.js' ? { task: 't1', owner: 'w1' } : undefined) });
    r.feed.addAgent('w1');
    r.feed.addAgent('lead');
    await outside('src/cart.js', 'x\n');
    expect(r.feed.formatDelivery('w1')!.text).toContain("src/cart.js (new) +1 (claimed by w1 for t1)");
    expect(r.feed.formatDelivery('lead')!.text).toContain('claimed by w1 for t1');
  });

  it('never shows an agent its own changes', async () => {
    r = rig();
    r.feed.addAgent('a');
    r.feed.addAgent('b');
    await byAgent('a', 'mine.ts', 'a\n');
    expect(r.feed.formatDelivery('a')).toBeUndefined();
    expect(r.feed.undelivered('a')).toBe(0);
    const d = r.feed.formatDelivery('b')!;
    expect(d.text).toContain('agent a: mine.ts (new) +1');
  });

  it('tells 10 changes in at most 200 tokens, grouped by who', async () => {
    r = rig();
    r.feed.addAgent('coder');
    const paths = [
      'src/context/feed.ts', 'src/context/delivery.ts', 'src/agent/tools/edit-file.ts', 'test/context/feed.test.ts',
      'src/ui/ContextPanel.tsx', 'README.md', 'package.json', 'src/workspace/workspace.ts', 'docs/bench.md', 'src/cli/main.ts',
    ];
    for (const [i, p] of paths.entries()) {
      const content = Array.from({ length: 20 + i * 7 }, (_, j) => `line ${j}`).join('\n');
      if (i < 4) await byAgent('reviewer', p, content);
      else await outside(p, content);
    }
    const d = r.feed.formatDelivery('coder')!;
    expect(d.entries).toBe(10);
    for (const p of paths) expect(d.text).toContain(p);
    expect(d.text).toMatch(/^agent reviewer: /m);
    expect(d.text).toMatch(/^outside: /m);
    expect(estimateTokens(d.text)).toBeLessThanOrEqual(200);
  });

  it('stays within the hard cap for 1000 changes, with counts per folder and the most relevant paths', async () => {
    r = rig({ burstThreshold: 1e9 }); // make them separate entries: this is about the block, not bursts
    r.feed.addAgent('coder');
    const events = [];
    for (let i = 0; i < 1000; i++) {
      const path = `${['src', 'test', 'docs'][i % 3]}/m${i % 17}/file${i}.ts`;
      r.write(path, Array.from({ length: i === 500 ? 900 : 3 }, (_, j) => `${j}`).join('\n'));
      events.push(r.ev(path, 'added'));
    }
    await r.push(...events);
    await r.wait(150);
    expect(r.entries).toHaveLength(1000);
    const d = r.feed.formatDelivery('coder', { maxChars: 1500 })!;
    expect(d.text.length).toBeLessThanOrEqual(1500);
    expect(d.text).toMatch(/outside: 1000 files \(\+/);
    expect(d.text).toMatch(/src\/ 334/);
    expect(d.text).toContain('docs/m7/file500.ts (new) +900'); // the most changed
    expect(d.text).toContain('src/m13/file999.ts'); // the most recent
    expect(d.text).toMatch(/, … \+\d+ more\n<\/workspace_update>$/); // not cut by the hard cap
  });
});

describe('formatBlock', () => {
  const entry = (id: number, over: Partial<FeedEntry>): FeedEntry => ({ id, time: id, path: `f${id}`, kind: 'modified', who: { kind: 'outside' }, ...over });

  it('merges repeated changes to one path and describes each kind', () => {
    const text = formatBlock({
      entries: [
        entry(1, { path: 'a.ts', kind: 'added', size: { added: 3, removed: 0 } }),
        entry(2, { path: 'a.ts', size: { added: 2, removed: 1 } }),
        entry(3, { path: 'b.png', size: { bytes: 2048 } }),
        entry(4, { path: 'n.ts', kind: 'renamed', from: 'o.ts' }),
        entry(5, { path: 'gone.ts', kind: 'deleted', size: { added: 0, removed: 9 } }),
        entry(6, { path: 'tmp.ts', kind: 'added' }),
        entry(7, { path: 'tmp.ts', kind: 'deleted' }),
        entry(8, { path: 'web', kind: 'added', dir: true, who: { kind: 'guess', pane: 'dev' } }),
      ],
      notes: [],
    })!;
    expect(text.split('\n')).toEqual([
      '<workspace_update>',
      'Changed by others since your last turn:',
      'outside (dev?): web/ (new folder)',
      'outside: a.ts (new) +5, b.png (2.0 KB), n.ts (renamed from o.ts), gone.ts (deleted)',
      '</workspace_update>',
    ]);
  });

  it('describes a burst by its counts and flags files the agent changed too', () => {
    const summary = { files: 4980, folders: { 'node_modules/a/': 4000, 'node_modules/b/': 980 }, kinds: { added: 4900, modified: 0, deleted: 80 } };
    const text = formatBlock({ entries: [entry(1, { path: 'node_modules', summary }), entry(2, { path: 'x.ts' })], notes: [], alsoYours: (p) => p === 'x.ts' })!;
    expect(text).toContain('4980 files at once under node_modules/ (4900 added, 80 deleted; node_modules/a/ 4000, node_modules/b/ 980)');
    expect(text).toContain('x.ts (modified) (you changed it too!)');
  });

  it('holds the hard cap even with many groups and long notes', () => {
    const entries = Array.from({ length: 300 }, (_, i) => entry(i + 1, { path: `dir${i}/${'x'.repeat(60)}.ts`, who: { kind: 'agent', name: `agent-${i}` } }));
    const notes = Array.from({ length: 20 }, (_, i) => ({ id: 1000 + i, time: 0, author: 'person', text: 'n'.repeat(500) }));
    for (const maxChars of [300, 800, 1500]) {
      const text = formatBlock({ entries, notes, missed: true }, { maxChars })!;
      expect(text.length).toBeLessThanOrEqual(maxChars);
      expect(text.endsWith('</workspace_update>')).toBe(true);
    }
  });
});
