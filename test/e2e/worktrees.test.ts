// `agents worktrees` and `agents worktrees prune` through the real bin/agents, in a real git
// repository whose worktrees were made by the library with the same data folder.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/term.js';
import { merge } from '../../src/worktree/merge.js';
import { commit, repo, tempDir, write } from '../worktree/rig.js';

function agents(cwd: string, home: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, AGENTS_HOME: home } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('agents worktrees', () => {
  it('lists branch, merged or not, dirty or not, last agent and path; prune removes only merged clean ones', async () => {
    const r = repo({ 'cart.js': '1\n' });
    write(r.dir, { '.env': 'KEY=1\n' });
    const m = await r.open();
    const done = (await m.create({ name: 'done', agent: 'lead' })).worktree;
    const busy = (await m.create({ name: 'busy', agent: 'tests' })).worktree;
    const ahead = (await m.create({ name: 'ahead' })).worktree;
    commit(done.path, { 'cart.js': '2\n' });
    await merge(done, { mode: 'merge', message: 'merge done' });
    write(busy.path, { 'draft.js': 'wip\n' });
    commit(ahead.path, { 'feature.js': 'f\n' });

    const list = agents(r.dir, r.home, 'worktrees');
    expect(list.stderr).toBe('');
    expect(list.code).toBe(0);
    expect(list.stdout).toBe(
      [
        'agents/ahead  not merged (1 commit ahead of main) · clean · last agent: unknown',
        `    ${ahead.path}`,
        'agents/busy  merged into main · dirty (1 uncommitted file) · last agent: tests',
        `    ${busy.path}`,
        'agents/done  merged into main · clean · last agent: lead',
        `    ${done.path}`,
        '',
      ].join('\n'),
    );

    const pruned = agents(r.dir, r.home, 'worktrees', 'prune');
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toBe(
      [
        'removed agents/done (merged into main, clean)',
        `    ${done.path}`,
        'kept agents/ahead: not merged (1 commit not in main)',
        `    ${ahead.path}`,
        'kept agents/busy: uncommitted changes (1 file: draft.js)',
        `    ${busy.path}`,
        'Removed 1 worktree, kept 2.',
        '',
      ].join('\n'),
    );
    expect(existsSync(done.path)).toBe(false);
    expect(existsSync(join(busy.path, 'draft.js'))).toBe(true);
    expect(existsSync(ahead.path)).toBe(true);
  });

  it('says so when there are none, and when the folder is not a git repository', () => {
    const r = repo();
    const none = agents(r.dir, r.home, 'worktrees');
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/^No agent worktrees for this project/);
    const plain = tempDir();
    const notRepo = agents(plain, tempDir(), 'worktrees', 'prune');
    expect(notRepo.code).toBe(1);
    expect(notRepo.stderr).toMatch(/^agents: .* is not in a git repository/);
    expect(notRepo.stderr).not.toMatch(/\n\s+at /);
  });

  it('a bad worktree block in the config exits 2 naming the key', () => {
    const r = repo();
    writeFileSync(join(r.dir, 'agents.config.json'), JSON.stringify({ worktree: { merge: 'rebase' } }));
    const bad = agents(r.dir, r.home, 'worktrees');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('worktree.merge: expected one of "merge", "ff", "squash"; found "rebase"');
  });

  it('attack: an agent name with escape sequences (a tampered record) is shown escaped, not obeyed by the terminal', async () => {
    const r = repo();
    const m = await r.open();
    await m.create({ name: 'x', agent: 'evil\x1b]0;pwned\x07\x1b[2J' });
    const out = agents(r.dir, r.home, 'worktrees').stdout;
    expect(out).not.toContain('\x1b');
    expect(out).toContain('last agent: evil\\x1b]0;pwned\\x07\\x1b[2J');
  });
});
