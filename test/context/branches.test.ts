// Agent worktrees in the shared context: their changes join the feed with their branch and reach
// the other agents labelled "not in your tree"; overlap checks are coalesced off the hot path; each
// overlap becomes a badge on both sides and one note for each agent. One test runs it all for real
// (watchers on real worktrees, git's conflictsAcross).
import { EventEmitter } from 'node:events';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BranchWatch, WORKSPACE_AUTHOR } from '../../src/context/branches.js';
import { ChangeFeed } from '../../src/context/feed.js';
import type { FileEvent, FileWatcher } from '../../src/context/watcher.js';
import { fileReader } from '../../src/context/reader.js';
import type { SharedFile } from '../../src/worktree/conflicts.js';
import type { Worktree } from '../../src/worktree/types.js';
import type { TreeSpec } from '../../src/workspace/types.js';
import { repo, write } from '../worktree/rig.js';

const wait = { timeout: 10_000, interval: 10 };
const dirs: string[] = [];
const watches: BranchWatch[] = [];
afterEach(async () => {
  for (const w of watches.splice(0)) await w.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

class FakeWatcher extends EventEmitter implements FileWatcher {
  readonly backend = 'parcel' as const;
  readonly ready = Promise.resolve();
  closed = false;
  async close(): Promise<void> {
    this.closed = true;
  }
  send(...paths: string[]): void {
    this.emit('events', paths.map((path): FileEvent => ({ path, kind: 'added', isDir: false, time: Date.now() })));
  }
}

function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'agents-branches-'));
  dirs.push(d);
  return d;
}

function put(root: string, path: string, content: string): string {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
  return createHash('sha256').update(content).digest('hex');
}

function tree(agent: string, root: string): TreeSpec {
  const branch = `agents/${agent}`;
  const worktree: Worktree = { name: agent, branch, base: 'main', path: root, projectTop: root, subdir: '', cwd: root };
  return { agent, branch, root, worktree, guess: false };
}

function setup(compare: (wts: readonly Worktree[]) => Promise<SharedFile[]> = async () => []) {
  const project = dir();
  const feed = new ChangeFeed({ read: fileReader(project) });
  const watchers = new Map<string, FakeWatcher>();
  let changes = 0;
  const bw = new BranchWatch({
    feed,
    ignore: [],
    changed: () => changes++,
    compare,
    watch: (root) => {
      const w = new FakeWatcher();
      watchers.set(root, w);
      return w;
    },
    debounceMs: 20,
  });
  watches.push(bw);
  feed.branchOf = (a) => bw.branchOf(a);
  return { project, feed, bw, watchers, changes: () => changes };
}

describe('BranchWatch', () => {
  it('a worktree\'s changes join the feed with their branch; every other agent is told they are not in its tree', async () => {
    const { project, feed, bw, watchers } = setup();
    const tests = tree('tests', dir());
    const lead = tree('lead', dir());
    bw.add(tests);
    bw.add(lead);
    for (const a of ['tests', 'lead', 'shared']) feed.addAgent(a);
    expect(bw.branchOf('tests')).toBe('agents/tests');
    expect(bw.branchOf('shared')).toBeUndefined();

    // tests writes in its worktree: announced to its own tree's feed, seen by its own tree's watcher.
    const hash = put(tests.root, 'src/cart.js', 'total()\n');
    expect(bw.registerWrite({ agent: 'tests', path: 'src/cart.js', hash })).toBe(true);
    expect(bw.registerWrite({ agent: 'shared', path: 'x', hash })).toBe(false);
    watchers.get(tests.root)!.send('src/cart.js');
    await vi.waitFor(() => expect(feed.entries()).toHaveLength(1), wait);
    expect(feed.entries()[0]).toMatchObject({ path: 'src/cart.js', kind: 'added', who: { kind: 'agent', name: 'tests' }, branch: 'agents/tests' });

    // The person edits the project's own tree.
    put(project, 'README.md', 'hi\n');
    feed.ingest([{ path: 'README.md', kind: 'added', isDir: false, time: Date.now() }]);
    await vi.waitFor(() => expect(feed.entries()).toHaveLength(2), wait);

    expect(feed.formatDelivery('lead')!.text).toBe(
      [
        '<workspace_update>',
        'Changed by others since your last turn:',
        'agent tests, on agents/tests, not in your tree: src/cart.js (new) +1',
        "outside, in the project's own tree, not in yours: README.md (new) +1",
        '</workspace_update>',
      ].join('\n'),
    );
    expect(feed.formatDelivery('shared')!.text).toContain('agent tests, on agents/tests, not in your tree: src/cart.js (new) +1');
    expect(feed.formatDelivery('shared')!.text).toContain('\noutside: README.md (new) +1');
    // Its own change is never news to it.
    expect(feed.formatDelivery('tests')!.text).not.toContain('cart.js');
  });

  it('checks for overlaps off the hot path: a burst of changes is one check, changes during a check one more', async () => {
    let release: () => void = () => {};
    let calls = 0;
    const { bw, watchers } = setup(async () => {
      calls++;
      await new Promise<void>((r) => (release = r));
      return [];
    });
    const a = tree('a', dir());
    bw.add(a);
    bw.add(tree('b', dir()));
    for (let i = 0; i < 20; i++) {
      put(a.root, `f${i}.js`, `${i}\n`);
      watchers.get(a.root)!.send(`f${i}.js`);
    }
    await vi.waitFor(() => expect(calls).toBe(1), wait);
    // More changes while git runs: one more check after it, not one each.
    for (let i = 0; i < 5; i++) bw.recheck();
    await new Promise((r) => setTimeout(r, 60));
    expect(calls).toBe(1);
    release();
    await vi.waitFor(() => expect(calls).toBe(2), wait);
    release();
    await vi.waitFor(() => expect(bw.checks).toBe(2), wait);
  });

  it('one tree alone shares nothing: no git is asked', async () => {
    let calls = 0;
    const { bw } = setup(async () => {
      calls++;
      return [];
    });
    bw.add(tree('a', dir()));
    await vi.waitFor(() => expect(bw.checks).toBe(1), wait);
    expect(calls).toBe(0);
  });

  it('an overlap is a badge on both sides and one note for each agent; it clears when the overlap goes', async () => {
    let shared: SharedFile[] = [
      { path: 'src/cart.js', worktrees: [{ name: 'tests', branch: 'agents/tests' }, { name: 'lead', branch: 'agents/lead' }] },
      { path: 'src/tax.js', worktrees: [{ name: 'tests', branch: 'agents/tests' }, { name: 'lead', branch: 'agents/lead' }] },
    ];
    const { feed, bw, changes } = setup(async () => shared);
    bw.add(tree('tests', dir()));
    bw.add(tree('lead', dir()));
    await vi.waitFor(() => expect(bw.badges).toEqual({ tests: 'src/cart.js also on agents/lead (+1 more)', lead: 'src/cart.js also on agents/tests (+1 more)' }), wait);
    expect(changes()).toBe(1);
    const notes = feed.notes();
    expect(notes.map((n) => [n.author, n.to])).toEqual([
      [WORKSPACE_AUTHOR, 'tests'],
      [WORKSPACE_AUTHOR, 'tests'],
      [WORKSPACE_AUTHOR, 'lead'],
      [WORKSPACE_AUTHOR, 'lead'],
    ]);
    expect(notes[0].text).toBe("src/cart.js is changed on your branch (agents/tests) and on agents/lead (lead's) too: merging both will conflict there unless you agree who changes it.");
    // The same overlap again: no new note, no new badge.
    bw.recheck();
    await vi.waitFor(() => expect(bw.checks).toBe(2), wait);
    expect(feed.notes()).toHaveLength(4);
    expect(changes()).toBe(1);
    shared = [];
    bw.recheck();
    await vi.waitFor(() => expect(bw.badges).toEqual({}), wait);
  });

  it('a removed tree stops being watched and compared', async () => {
    const { bw, watchers } = setup();
    const a = tree('a', dir());
    bw.add(a);
    bw.remove('a');
    expect(watchers.get(a.root)!.closed).toBe(true);
    expect(bw.branchOf('a')).toBeUndefined();
    expect(bw.registerWrite({ agent: 'a', path: 'x', hash: 'h' })).toBe(false);
  });

  it('for real: watchers on two git worktrees, and git finding the file both branches change', async () => {
    const r = repo({ 'src/cart.js': '1\n' });
    const m = await r.open();
    const tests = (await m.create({ name: 'tests' })).worktree;
    const lead = (await m.create({ name: 'lead' })).worktree;
    const feed = new ChangeFeed({ read: fileReader(r.dir) });
    const bw = new BranchWatch({ feed, ignore: [], changed: () => {}, debounceMs: 50 });
    watches.push(bw);
    bw.add({ agent: 'tests', branch: tests.branch, root: tests.cwd, worktree: tests, guess: false });
    bw.add({ agent: 'lead', branch: lead.branch, root: lead.cwd, worktree: lead, guess: true });
    // The watchers need a moment to be ready; keep writing until both changes are seen.
    await vi.waitFor(
      () => {
        write(tests.cwd, { 'src/cart.js': `tests ${Date.now()}\n` });
        write(lead.cwd, { 'src/cart.js': `lead ${Date.now()}\n` });
        expect(new Set(feed.entries().map((e) => e.branch))).toEqual(new Set(['agents/tests', 'agents/lead']));
      },
      { timeout: 15_000, interval: 300 },
    );
    // Unannounced in lead's tree, whose pane is an agent CLI: probably lead's.
    expect(feed.entries().find((e) => e.branch === 'agents/lead')?.who).toEqual({ kind: 'guess', pane: 'lead' });
    expect(feed.entries().find((e) => e.branch === 'agents/tests')?.who).toEqual({ kind: 'outside' });
    await vi.waitFor(() => expect(bw.badges).toEqual({ tests: 'src/cart.js also on agents/lead', lead: 'src/cart.js also on agents/tests' }), wait);
  });
});
