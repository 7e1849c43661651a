import { afterEach, describe, expect, it } from 'vitest';
import { commonFolder, folderCounts } from '../../src/context/burst.js';
import type { WatchEvent } from '../../src/context/feed-types.js';
import { rig, type Rig } from './rig.js';

let r: Rig;
afterEach(() => r?.dispose());

function installEvents(n: number, time: number): WatchEvent[] {
  // 5 packages of n/5 files each, as an install would add them.
  return Array.from({ length: n }, (_, i) => ({ path: `node_modules/pkg${i % 5}/lib/f${i}.js`, kind: 'added' as const, isDir: false, time }));
}

describe('bursts', () => {
  it('turns 5000 events in one batch into one summary entry with the right counts', async () => {
    const reads: string[] = [];
    r = rig({ read: async (p) => (reads.push(p), undefined) });
    r.feed.ingest(installEvents(5000, r.clock.now()));
    await r.feed.settled();
    r.clock.advance(999);
    expect(r.entries).toHaveLength(0);
    r.clock.advance(1);
    expect(r.entries).toHaveLength(1);
    const e = r.entries[0];
    expect(e).toMatchObject({ path: 'node_modules', kind: 'added', who: { kind: 'outside' } });
    expect(e.summary).toEqual({
      files: 5000,
      folders: { 'node_modules/pkg0/': 1000, 'node_modules/pkg1/': 1000, 'node_modules/pkg2/': 1000, 'node_modules/pkg3/': 1000, 'node_modules/pkg4/': 1000 },
      kinds: { added: 5000, modified: 0, deleted: 0 },
    });
    expect(reads).toEqual([]);
    expect(r.feed.stats()).toMatchObject({ staged: 0, inBurst: false });
  });

  it('sums a burst spread over many small batches, including the events staged before it was detected', async () => {
    r = rig();
    const events = installEvents(5000, r.clock.now());
    for (let i = 0; i < events.length; i += 10) {
      r.feed.ingest(events.slice(i, i + 10).map((e) => ({ ...e, time: r.clock.now() })));
      r.clock.advance(2); // 10 ms per 50 events: well past 50 a second, the whole thing takes 1 s
    }
    await r.feed.settled();
    r.clock.advance(1000);
    expect(r.entries).toHaveLength(1);
    expect(r.entries[0].summary!.files).toBe(5000);
  });

  it('never loses a change: a long burst is cut into a few summaries whose counts add up', async () => {
    r = rig({ burstMaxMs: 3000 });
    let total = 0;
    for (let s = 0; s < 10; s++) {
      const batch = Array.from({ length: 200 }, (_, i) => ({ path: `build/${s}/${i}.o`, kind: 'modified' as const, isDir: false, time: r.clock.now() }));
      r.feed.ingest(batch);
      total += batch.length;
      r.clock.advance(500);
    }
    r.clock.advance(1000);
    expect(r.entries.length).toBeGreaterThan(1);
    expect(r.entries.length).toBeLessThanOrEqual(4);
    expect(r.entries.reduce((n, e) => n + e.summary!.files, 0)).toBe(total);
  });

  it('keeps an agent’s announced write out of a burst, even when the announcement comes late', async () => {
    r = rig();
    const early = r.write('src/early.ts', 'a\n');
    const late = r.write('src/late.ts', 'b\n');
    r.feed.registerWrite({ agent: 'coder', path: 'src/early.ts', hash: early });
    r.feed.ingest([...installEvents(100, r.clock.now()), r.ev('src/early.ts', 'added'), r.ev('src/late.ts', 'added')]);
    r.feed.registerWrite({ agent: 'coder', path: 'src/late.ts', hash: late });
    await r.feed.settled();
    r.clock.advance(1000);
    // The two writes publish in the order their reads finish; the summary after the quiet second.
    expect(r.entries.map((e) => [e.path, e.who.kind, e.summary?.files]).sort()).toEqual([
      ['node_modules', 'outside', 100],
      ['src/early.ts', 'agent', undefined],
      ['src/late.ts', 'agent', undefined],
    ]);
    expect(r.entries[2].summary).toBeDefined();
  });

  it('a burst of files created and removed again (temporary files) leaves no entry', async () => {
    r = rig();
    const tmp = Array.from({ length: 100 }, (_, i) => `tmp/${i}`);
    r.feed.ingest(tmp.map((p) => r.ev(p, 'added')));
    r.feed.ingest(tmp.map((p) => r.ev(p, 'deleted')));
    r.clock.advance(1000);
    expect(r.entries).toHaveLength(0);
  });
});

describe('folder counts', () => {
  it('counts one level below the common folder and folds the small ones', () => {
    expect(commonFolder(['a/b/c', 'a/b', 'a/b/d/e'])).toBe('a/b');
    expect(commonFolder(['a', 'b'])).toBe('.');
    const dirs = new Map([
      ['src/x', 5],
      ['src/y/z', 3],
      ['src', 2],
      ['src/w', 1],
    ]);
    expect(folderCounts(dirs)).toEqual({ 'src/x/': 5, 'src/y/': 3, 'src/': 2, 'src/w/': 1 });
    expect(folderCounts(dirs, 2)).toEqual({ 'src/x/': 5, 'other/': 6 });
    expect(folderCounts(new Map([['', 3]]))).toEqual({ './': 3 });
  });
});
