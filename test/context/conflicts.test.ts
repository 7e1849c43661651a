import { afterEach, describe, expect, it } from 'vitest';
import { rig, type Rig } from './rig.js';

let r: Rig;
afterEach(() => r?.dispose());

async function outside(path: string, content: string): Promise<void> {
  r.write(path, content);
  await r.push(r.ev(path, 'modified'));
  await r.wait(150);
}

async function byAgent(agent: string, path: string, content: string): Promise<void> {
  r.feed.registerWrite({ agent, path, hash: r.write(path, content) });
  await r.push(r.ev(path, 'modified'));
}

describe('changed under you', () => {
  it('tells an agent who changed a file since it last read it, and not its own changes', async () => {
    r = rig();
    r.feed.addAgent('a');
    r.clock.advance(10);
    await outside('x.ts', '0\n'); // after a joined, before it read the file
    r.feed.noteRead('a', 'x.ts');
    expect(r.feed.touchedSince('a', 'x.ts')).toEqual([]);
    r.clock.advance(10);
    await byAgent('b', 'x.ts', '1\n');
    r.clock.advance(10);
    await outside('x.ts', '2\n');
    expect(r.feed.touchedSince('a', 'x.ts').map((t) => [t.party, t.who.kind]).sort()).toEqual([
      ['b', 'agent'],
      ['outside', 'outside'],
    ]);
    r.feed.noteRead('a', 'x.ts');
    expect(r.feed.touchedSince('a', 'x.ts')).toEqual([]);
    r.clock.advance(10);
    await byAgent('a', 'x.ts', '3\n');
    expect(r.feed.touchedSince('a', 'x.ts')).toEqual([]); // its own write
    expect(r.feed.touchedSince('b', 'x.ts').map((t) => t.party).sort()).toEqual(['a', 'outside']); // since b wrote it
  });

  it('an agent’s own write counts as having seen the file', async () => {
    r = rig();
    await outside('y.ts', '0\n');
    r.clock.advance(10);
    await byAgent('a', 'y.ts', '1\n');
    expect(r.feed.touchedSince('a', 'y.ts')).toEqual([]);
    expect(r.feed.touchedSince('a', 'y.ts', 0).map((t) => t.party)).toEqual(['outside']);
  });
});

describe('conflicts', () => {
  it('reports two agents changing one file within the window, once per pair and window', async () => {
    r = rig();
    await byAgent('b', 'f.ts', '1\n');
    r.clock.advance(5000);
    await byAgent('a', 'f.ts', '2\n');
    expect(r.conflicts).toEqual([{ path: 'f.ts', parties: ['a', 'b'], who: [{ kind: 'agent', name: 'a' }, { kind: 'agent', name: 'b' }], time: r.clock.now() }]);
    r.clock.advance(1000);
    await byAgent('b', 'f.ts', '3\n');
    expect(r.conflicts).toHaveLength(1);
    r.clock.advance(61_000);
    await byAgent('a', 'f.ts', '4\n'); // b's last change is 61 s old: no conflict
    expect(r.conflicts).toHaveLength(1);
    r.clock.advance(1000);
    await byAgent('b', 'f.ts', '5\n');
    expect(r.conflicts).toHaveLength(2);
    expect(r.feed.conflicts()).toEqual(r.conflicts);
  });

  it('reports an agent and outside, but never outside against outside', async () => {
    r = rig();
    await outside('g.ts', '1\n');
    await outside('g.ts', '2\n');
    expect(r.conflicts).toEqual([]);
    await byAgent('a', 'g.ts', '3\n');
    expect(r.conflicts.map((c) => c.parties)).toEqual([['a', 'outside']]);
  });

  it('flags the file in the block for the agent that changed it too', async () => {
    r = rig();
    r.feed.addAgent('a');
    await byAgent('a', 'h.ts', '1\n');
    await outside('h.ts', '2\n');
    expect(r.feed.formatDelivery('a')!.text).toContain('h.ts +1 -1 (you changed it too!)');
  });

  it('counts a burst that rewrites a file an agent just changed', async () => {
    r = rig();
    await byAgent('a', 'src/k.ts', '1\n');
    r.clock.advance(10);
    r.feed.ingest(Array.from({ length: 60 }, (_, i) => r.ev(i === 0 ? 'src/k.ts' : `src/other${i}.ts`, 'modified')));
    r.clock.advance(1000);
    expect(r.conflicts.map((c) => [c.path, c.parties])).toEqual([['src/k.ts', ['a', 'outside']]]);
    expect(r.feed.touchedSince('a', 'src/k.ts').map((t) => t.party)).toEqual(['outside']);
  });
});
