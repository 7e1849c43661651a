// Worktree panes in a Workspace with fake ptys, over real git (WorktreeSession on a real repository):
// held until their worktree exists, started in it; refusals shown in the pane and retried with
// prefix+R; the picker's worktree choice; review, merge (and a refused merge) and closing.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WorktreeSession } from '../../src/worktree/session.js';
import type { Workspace } from '../../src/workspace/workspace.js';
import type { Pane } from '../../src/workspace/pane.js';
import type { ReviewLine } from '../../src/workspace/review.js';
import { disposeRigs, paneSpec, press, run, workspaceRig } from '../helpers/workspace-rig.js';
import { commit, exists, fingerprint, repo, sh, tempDir, write } from '../worktree/rig.js';

const wait = { timeout: 10_000, interval: 10 };

afterEach(async () => {
  await disposeRigs();
});

function session(dir: string, home: string, setup: string[] = []) {
  return new WorktreeSession(dir, { copy: ['.env*'], setup, merge: 'merge' }, 'ctrl+a R', home);
}

/** The pane's screen without its line breaks and blanks: wrapped lines read as one. */
const screen = (p: Pane) => flat(p.terminal.screenText().join(''));
const flat = (s: string) => s.replace(/\s+/g, '');
const worktreeSpec = (name: string, extra = {}) => paneSpec(name, 'ctrl-c', { worktree: { name }, ...extra });

async function ready(ws: Workspace, name: string) {
  const p = ws.panes.find((x) => x.name === name)!;
  await vi.waitFor(() => expect(ws.worktrees.worktreeOf(p)).toBeDefined(), wait);
  await vi.waitFor(() => expect(p.running).toBe(true), wait);
  return { p, wt: ws.worktrees.worktreeOf(p)! };
}

function reviewDialog(ws: Workspace): { title: string; lines: ReviewLine[] } {
  const d = ws.getView().dialog;
  if (d?.kind !== 'review') throw new Error(`no review dialog (${d?.kind ?? 'none'})`);
  return d;
}

describe('worktree panes', () => {
  it('wait for their worktree, then start in it; the pane says where and what was copied', async () => {
    const r = repo({ 'cart.js': '1\n' });
    write(r.dir, { '.env': 'KEY=1\n' });
    const { ws, spawner } = workspaceRig([paneSpec('shell'), worktreeSpec('tests')], { worktrees: session(r.dir, r.home) });
    const p = ws.panes[1];
    // Held: only the shell started so far.
    expect(spawner.ptys.map((x) => x.options.cwd)).toEqual([process.cwd()]);
    expect(p.status.kind).toBe('starting');
    const { wt } = await ready(ws, 'tests');
    expect(wt.branch).toBe('agents/tests');
    expect(spawner.ptys.at(-1)!.options.cwd).toBe(wt.cwd);
    expect(p.spec.cwd).toBe(wt.cwd);
    expect(readFileSync(join(wt.cwd, '.env'), 'utf8')).toBe('KEY=1\n');
    await p.terminal.parsed();
    expect(screen(p)).toContain(flat('Opening the worktree for tests (branch agents/tests)'));
    expect(screen(p)).toContain(flat(`Worktree ${wt.path} on a new branch agents/tests from main`));
    expect(screen(p)).toContain(flat('copied in: 1 file (.env)'));
  });

  it('outside a git repository: the manager\'s words in the pane, no program; prefix+R tries again once it is one', async () => {
    const dir = tempDir();
    const home = tempDir();
    const { ws, spawner } = workspaceRig([worktreeSpec('tests')], { worktrees: session(dir, home) });
    const p = ws.panes[0];
    await vi.waitFor(() => expect(p.status.kind).toBe('failed'), wait);
    await p.terminal.parsed();
    expect(screen(p)).toContain(flat('is not in a git repository: worktrees need one (run git init and make a first commit)'));
    expect(screen(p)).toContain(flat('The agent was not started. Fix that, then press ctrl+a R to try again.'));
    expect(spawner.ptys).toHaveLength(0);
    sh(dir, 'init', '--quiet', '--initial-branch=main');
    sh(dir, '-c', 'user.name=T', '-c', 'user.email=t@e', 'commit', '--quiet', '--allow-empty', '-m', 'first');
    run(ws, 'pane.restart');
    const { wt } = await ready(ws, 'tests');
    expect(spawner.ptys[0].options.cwd).toBe(wt.cwd);
  });

  it('staged changes in the project: refused with what to do, and nothing half-made', async () => {
    const r = repo({ 'cart.js': '1\n' });
    write(r.dir, { 'cart.js': '2\n' });
    sh(r.dir, 'add', 'cart.js');
    const before = fingerprint(r.dir);
    const { ws } = workspaceRig([worktreeSpec('tests')], { worktrees: session(r.dir, r.home) });
    const p = ws.panes[0];
    await vi.waitFor(() => expect(p.status.kind).toBe('failed'), wait);
    await p.terminal.parsed();
    expect(screen(p)).toContain(flat('the project has staged changes the new worktree would not include (1 file: cart.js): commit them, or unstage them'));
    expect(fingerprint(r.dir)).toBe(before);
    expect(sh(r.dir, 'branch', '--list', 'agents/*')).toBe('');
  });

  it('the picker offers a worktree (w), named as the pane', async () => {
    const r = repo();
    const { ws, spawner } = workspaceRig(['shell'], {
      worktrees: session(r.dir, r.home),
      presets: [{ preset: 'shell', label: 'shell', note: 'your shell' }],
      makeSpec: () => paneSpec('shell'),
    });
    run(ws, 'pane.new');
    press(ws, 'w');
    expect(ws.getView().dialog).toMatchObject({ kind: 'picker', worktree: true });
    press(ws, 'enter');
    const { wt } = await ready(ws, 'shell-2');
    expect(wt.branch).toBe('agents/shell-2');
    expect(spawner.ptys.at(-1)!.options.cwd).toBe(wt.cwd);
  });

  it('runs worktree.setup in the pane before the program', async () => {
    const r = repo();
    const { ws, spawner } = workspaceRig([worktreeSpec('tests')], { worktrees: session(r.dir, r.home, ['npm ci']) });
    await ready(ws, 'tests');
    const o = spawner.ptys[0].options;
    expect(o.command).toBe('/bin/sh');
    expect(o.args.slice(3, 7)).toEqual(['ctrl+a R', expect.any(String), '1', 'npm ci']);
    expect(o.args.slice(-2)).toEqual(['npm ci', '/bin/sh']);
  });
});

describe('review, merge and close', () => {
  it('prefix+v shows files with +/- counts and the coloured diff; a pane in the project\'s tree has none', async () => {
    const r = repo({ 'cart.js': 'a\nb\n' });
    const { ws } = workspaceRig([worktreeSpec('tests'), paneSpec('shell')], { worktrees: session(r.dir, r.home) });
    const { wt } = await ready(ws, 'tests');
    write(wt.path, { 'cart.js': 'a\nB\nc\n', 'new.js': 'x\n' });
    run(ws, 'worktree.review');
    await vi.waitFor(() => reviewDialog(ws), wait);
    const d = reviewDialog(ws);
    expect(d.title).toBe('Review agents/tests → main');
    const text = d.lines.map((l) => l.text);
    expect(text[0]).toBe('agents/tests against main: 2 files, +3 -1 (uncommitted work included)');
    expect(text).toContainEqual(expect.stringMatching(/^M cart\.js +\+2 -1$/));
    expect(text).toContainEqual(expect.stringMatching(/^A new\.js +\+1 -0$/));
    expect(d.lines).toContainEqual({ text: '+B', tone: 'add' });
    expect(d.lines).toContainEqual({ text: '-b', tone: 'del' });
    expect(d.lines.find((l) => l.text.startsWith('@@'))?.tone).toBe('hunk');
    press(ws, 'escape');
    run(ws, 'pane.focus2');
    run(ws, 'worktree.review');
    expect(ws.getView().message).toBe('shell works in the project\'s own tree: it has no branch to review (agents with "isolation": "worktree" have one)');
  });

  it('prefix+m: the message comes from the agent\'s last words and is editable; the work is committed and merged', async () => {
    const r = repo({ 'cart.js': '1\n' });
    const { ws } = workspaceRig([worktreeSpec('tests', { kind: 'builtin' })], { worktrees: session(r.dir, r.home) });
    const { p, wt } = await ready(ws, 'tests');
    write(wt.path, { 'cart.js': '2\n' });
    const history = [
      { role: 'user' as const, content: 'fix the cart' },
      { role: 'assistant' as const, content: [{ type: 'text' as const, text: 'Fixed the cart total.' }] },
    ];
    ws.dispatch({ t: 'agent', pane: p.id, message: { t: 'history', start: 0, messages: history } });
    run(ws, 'worktree.merge');
    expect(ws.getView().dialog).toMatchObject({ kind: 'prompt', target: 'merge', text: 'Fixed the cart total.' });
    for (const ch of ' (reviewed)') press(ws, ch);
    press(ws, 'enter');
    await vi.waitFor(() => expect(ws.getView().message).toMatch(/^merged agents\/tests into main: 1 file \(a merge commit [0-9a-f]{7}\); its uncommitted work was committed first \(1 file\)$/), wait);
    expect(readFileSync(join(r.dir, 'cart.js'), 'utf8')).toBe('2\n');
    expect(sh(wt.path, 'log', '-1', '--format=%s')).toBe('Fixed the cart total. (reviewed)\n');
  });

  it('a merge that would conflict is refused: the files are listed and both trees stay exactly as they were', async () => {
    const r = repo({ 'cart.js': '1\n' });
    const { ws } = workspaceRig([worktreeSpec('tests')], { worktrees: session(r.dir, r.home) });
    const { wt } = await ready(ws, 'tests');
    commit(wt.path, { 'cart.js': 'theirs\n' });
    commit(r.dir, { 'cart.js': 'ours\n' });
    const before = [fingerprint(r.dir), fingerprint(wt.path)];
    run(ws, 'worktree.merge');
    expect(ws.getView().dialog).toMatchObject({ kind: 'prompt', target: 'merge', text: 'Work of tests on agents/tests' });
    press(ws, 'enter');
    await vi.waitFor(() => reviewDialog(ws), wait);
    const d = reviewDialog(ws);
    expect(d.title).toBe('Merge of agents/tests refused');
    expect(d.lines.map((l) => l.text).join(' ')).toContain('agents/tests conflicts with main in 1 file: cart.js. Nothing was changed');
    expect(d.lines.at(-1)).toEqual({ text: '  cart.js', tone: 'file' });
    expect(ws.getView().message).toBe('merge of agents/tests refused (conflict): nothing was changed');
    expect([fingerprint(r.dir), fingerprint(wt.path)]).toEqual(before);
  });

  it('closing keeps an unmerged worktree and says where; a merged, clean one goes', async () => {
    const r = repo({ 'cart.js': '1\n' });
    const { ws } = workspaceRig([worktreeSpec('kept'), worktreeSpec('done'), paneSpec('shell')], { worktrees: session(r.dir, r.home) });
    const kept = await ready(ws, 'kept');
    const done = await ready(ws, 'done');
    commit(kept.wt.path, { 'feature.js': 'f\n' });
    ws.dispatch({ t: 'close-pane', pane: kept.p.id });
    await vi.waitFor(() => expect(ws.getView().message).toBe(`the worktree kept stays at ${kept.wt.path}: not merged (1 commit not in main)`), wait);
    expect(existsSync(join(kept.wt.path, 'feature.js'))).toBe(true);
    ws.dispatch({ t: 'close-pane', pane: done.p.id });
    await vi.waitFor(() => expect(ws.getView().message).toBe('removed the worktree of done: agents/done was merged into main and clean'), wait);
    expect(exists(done.wt.path)).toBe(false);
    expect(sh(r.dir, 'branch', '--list', '--format=%(refname:short)', 'agents/*')).toBe('agents/kept\n');
  });
});
