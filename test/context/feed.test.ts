import { afterEach, describe, expect, it } from 'vitest';
import { rig, type Rig } from './rig.js';

let r: Rig;
afterEach(() => r?.dispose());

describe('attribution', () => {
  it('credits a write to the agent that announced its hash, without waiting out the hold', async () => {
    r = rig();
    const hash = r.write('src/a.ts', 'one\ntwo\n');
    r.feed.registerWrite({ agent: 'coder', path: 'src/a.ts', hash });
    await r.push(r.ev('src/a.ts', 'added'));
    expect(r.entries).toHaveLength(1);
    expect(r.entries[0]).toMatchObject({ id: 1, path: 'src/a.ts', kind: 'added', who: { kind: 'agent', name: 'coder' }, size: { added: 2, removed: 0 } });
  });

  it('holds an unmatched change so an announcement arriving after the event still counts', async () => {
    r = rig();
    const hash = r.write('a.txt', 'x\n');
    await r.push(r.ev('a.txt', 'added'));
    await r.wait(100);
    expect(r.entries).toHaveLength(0);
    r.feed.registerWrite({ agent: 'coder', path: 'a.txt', hash });
    expect(r.entries.map((e) => e.who)).toEqual([{ kind: 'agent', name: 'coder' }]);
    await r.wait(1000);
    expect(r.entries).toHaveLength(1);
  });

  it('publishes an unannounced change as outside once the hold is over', async () => {
    r = rig();
    r.write('a.txt', 'x\n');
    await r.push(r.ev('a.txt', 'added'));
    await r.wait(149);
    expect(r.entries).toHaveLength(0);
    await r.wait(1);
    expect(r.entries.map((e) => [e.path, e.who.kind])).toEqual([['a.txt', 'outside']]);
  });

  it('does not credit the agent when the content on disk is not what it announced', async () => {
    r = rig();
    r.feed.registerWrite({ agent: 'coder', path: 'a.txt', hash: 'f'.repeat(64) });
    r.write('a.txt', 'the person typed this\n');
    await r.push(r.ev('a.txt', 'added'));
    await r.wait(150); // the hold ends with one more read (the write might have been half done)
    await r.wait(0);
    expect(r.entries.map((e) => e.who)).toEqual([{ kind: 'outside' }]);
  });

  it('a registration is used once: the same content written again later is not the agent’s', async () => {
    r = rig();
    const hash = r.write('a.txt', 'v1\n');
    r.feed.registerWrite({ agent: 'coder', path: 'a.txt', hash });
    await r.push(r.ev('a.txt', 'added'));
    r.write('a.txt', 'v2\n');
    await r.push(r.ev('a.txt', 'modified'));
    await r.wait(200);
    r.write('a.txt', 'v1\n');
    await r.push(r.ev('a.txt', 'modified'));
    await r.wait(200);
    expect(r.entries.map((e) => e.who.kind)).toEqual(['agent', 'outside', 'outside']);
  });

  it('marks a change as a guess for the one busy pane working in that folder', async () => {
    r = rig({ guessOwner: (p) => (p.startsWith('web/') ? 'npm-dev' : undefined) });
    r.write('web/index.html', '<p>\n');
    r.write('api/main.go', 'package main\n');
    await r.push(r.ev('web/index.html', 'added'), r.ev('api/main.go', 'added'));
    await r.wait(150);
    expect(r.entries.map((e) => [e.path, e.who]).sort()).toEqual([
      ['api/main.go', { kind: 'outside' }],
      ['web/index.html', { kind: 'guess', pane: 'npm-dev' }],
    ]);
  });
});

describe('claims', () => {
  it("marks a change by anyone but the owner into a task's claim, naming the owner and the task", async () => {
    const asked: Array<[string, string | undefined]> = [];
    r = rig({
      claimOf: (path, writer) => (asked.push([path, writer]), path.startsWith('src/cart') && writer !== 'w1' ? { task: 't1', owner: 'w1' } : undefined),
    });
    const hash = r.write('src/cart.js', 'mine\n');
    r.feed.registerWrite({ agent: 'w1', path: 'src/cart.js', hash });
    await r.push(r.ev('src/cart.js', 'added'));
    r.write('src/cart.js', 'theirs\n');
    await r.push(r.ev('src/cart.js', 'modified'));
    r.write('README.md', 'free\n');
    await r.push(r.ev('README.md', 'added'));
    await r.wait(200);
    expect(r.entries.map((e) => [e.path, e.who.kind, e.claim])).toEqual([
      ['src/cart.js', 'agent', undefined],
      ['src/cart.js', 'outside', { task: 't1', owner: 'w1' }],
      ['README.md', 'outside', undefined],
    ]);
    expect(asked).toContainEqual(['src/cart.js', 'w1']);
    expect(asked).toContainEqual(['src/cart.js', undefined]);
  });
});

describe('sizes', () => {
  it('counts lines against the cached previous content, and bytes when nothing is known', async () => {
    r = rig();
    r.write('a.txt', 'a\nb\nc\n');
    await r.push(r.ev('a.txt', 'modified')); // never seen, no baseline
    await r.wait(150);
    r.write('a.txt', 'a\nB\nc\nd\n');
    await r.push(r.ev('a.txt', 'modified'));
    await r.wait(150);
    r.remove('a.txt');
    await r.push(r.ev('a.txt', 'deleted'));
    await r.wait(150);
    expect(r.entries.map((e) => [e.kind, e.size])).toEqual([
      ['modified', { bytes: 6 }],
      ['modified', { added: 2, removed: 1 }],
      ['deleted', { added: 0, removed: 4 }],
    ]);
  });

  it('falls back to the baseline (git HEAD) for a file it has not seen', async () => {
    const asked: string[] = [];
    r = rig({ baseline: async (p) => (asked.push(p), p === 'a.txt' ? 'one\ntwo\nthree\n' : undefined) });
    r.write('a.txt', 'one\n2\nthree\nfour\n');
    await r.push(r.ev('a.txt', 'modified'));
    await r.wait(150);
    expect(r.entries[0].size).toEqual({ added: 2, removed: 1 });
    r.write('a.txt', 'one\n');
    await r.push(r.ev('a.txt', 'modified'));
    await r.wait(150);
    expect(r.entries[1].size).toEqual({ added: 0, removed: 3 });
    expect(asked).toEqual(['a.txt']); // the second diff came from the cache
  });

  it('gives bytes for binary and oversized files', async () => {
    r = rig({ cache: { maxFileBytes: 100 } });
    r.write('img.png', Buffer.from([0x89, 0x50, 0, 0, 1, 2]));
    r.write('big.txt', 'x'.repeat(200));
    await r.push(r.ev('img.png', 'added'), r.ev('big.txt', 'added'));
    await r.wait(150);
    expect(r.entries.map((e) => [e.path, e.size]).sort()).toEqual([
      ['big.txt', { bytes: 200 }],
      ['img.png', { bytes: 6 }],
    ]);
  });

  it('drops a touch that left the content as it was', async () => {
    r = rig();
    r.write('a.txt', 'same\n');
    await r.push(r.ev('a.txt', 'added'));
    await r.wait(150);
    await r.push(r.ev('a.txt', 'modified'));
    await r.wait(150);
    expect(r.entries).toHaveLength(1);
  });
});

describe('merging and renames', () => {
  it('pairs a delete and an add of the same content into a rename', async () => {
    r = rig();
    r.write('old/name.ts', 'export const x = 1;\n');
    await r.push(r.ev('old/name.ts', 'added'));
    await r.wait(150);
    r.move('old/name.ts', 'new/name.ts');
    await r.push(r.ev('old/name.ts', 'deleted'), r.ev('new/name.ts', 'added'));
    await r.wait(150);
    expect(r.entries.slice(1)).toEqual([expect.objectContaining({ kind: 'renamed', path: 'new/name.ts', from: 'old/name.ts' })]);
  });

  it('a rename undone by a delete before publishing leaves the deletion, or the modification, of the old path', async () => {
    r = rig();
    r.write('a.txt', '1\n2\n');
    r.write('c.txt', '3\n');
    await r.push(r.ev('a.txt', 'added'), r.ev('c.txt', 'added'));
    await r.wait(150);
    r.move('a.txt', 'b.txt');
    await r.push(r.ev('a.txt', 'deleted'), r.ev('b.txt', 'added'));
    r.remove('b.txt');
    await r.push(r.ev('b.txt', 'deleted'));
    r.move('c.txt', 'd.txt');
    await r.push(r.ev('c.txt', 'deleted'), r.ev('d.txt', 'added'));
    r.write('c.txt', '3\n4\n'); // an editor's save: write the new version, move the old one away
    await r.push(r.ev('c.txt', 'added'));
    r.remove('d.txt');
    await r.push(r.ev('d.txt', 'deleted'));
    await r.wait(150);
    expect(r.entries.slice(2).map((e) => [e.path, e.kind, e.size]).sort()).toEqual([
      ['a.txt', 'deleted', { added: 0, removed: 2 }],
      ['c.txt', 'modified', { added: 1, removed: 0 }],
    ]);
  });

  it('pairs a rename even when the delete is only known from the baseline', async () => {
    r = rig({ baseline: async (p) => (p === 'a.md' ? '# A\n' : undefined) });
    r.write('b.md', '# A\n');
    await r.push(r.ev('b.md', 'added'), r.ev('a.md', 'deleted'));
    await r.wait(150);
    expect(r.entries).toEqual([expect.objectContaining({ kind: 'renamed', path: 'b.md', from: 'a.md' })]);
  });

  it('reads a save by rename (delete then add of one path) as a modification, and a temporary file as nothing', async () => {
    r = rig();
    r.write('a.txt', '1\n');
    await r.push(r.ev('a.txt', 'added'));
    await r.wait(150);
    r.write('a.txt', '1\n2\n');
    await r.push(r.ev('a.txt', 'deleted'), r.ev('.a.txt.swp', 'added'), r.ev('a.txt', 'added'), r.ev('.a.txt.swp', 'deleted'));
    await r.wait(150);
    expect(r.entries.slice(1).map((e) => [e.path, e.kind, e.size])).toEqual([['a.txt', 'modified', { added: 1, removed: 0 }]]);
  });

  it('diffs merged events against the content before the first of them', async () => {
    r = rig();
    r.write('a.txt', 'a\n');
    await r.push(r.ev('a.txt', 'added'));
    await r.wait(150);
    r.write('a.txt', ''); // truncated: the first half of an in-place write
    await r.push(r.ev('a.txt', 'modified'));
    r.write('a.txt', 'a\nb\n');
    await r.push(r.ev('a.txt', 'modified'));
    await r.wait(150);
    expect(r.entries.slice(1).map((e) => e.size)).toEqual([{ added: 1, removed: 0 }]);
  });

  it('leaves out a new folder whose files are reported', async () => {
    r = rig();
    r.write('pkg/x.ts', 'x\n');
    await r.push(r.ev('pkg', 'added', true), r.ev('pkg', 'modified', true), r.ev('pkg/x.ts', 'added'));
    await r.wait(150);
    expect(r.entries.map((e) => e.path)).toEqual(['pkg/x.ts']);
  });

  it('keeps only the newest entries', async () => {
    r = rig({ maxEntries: 3 });
    for (let i = 0; i < 5; i++) {
      r.write(`f${i}`, `${i}\n`);
      await r.push(r.ev(`f${i}`, 'added'));
      await r.wait(150);
    }
    expect(r.feed.entries().map((e) => e.path)).toEqual(['f2', 'f3', 'f4']);
  });
});
