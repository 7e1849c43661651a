// `agents worktrees [prune]` on the command line, and how one worktree is described.
import { describe, expect, it } from 'vitest';
import { helpText, parseArgs } from '../../src/cli/args.js';
import { describeWorktree } from '../../src/cli/worktrees.js';
import type { WorktreeInfo } from '../../src/worktree/manager.js';

describe('worktrees arguments', () => {
  it('parses worktrees and worktrees prune, keeping a root --config', () => {
    expect(parseArgs(['worktrees'])).toMatchObject({ ok: true, value: { command: 'worktrees' } });
    expect(parseArgs(['worktrees', 'prune'])).toMatchObject({ ok: true, value: { command: 'worktrees', prune: true } });
    expect(parseArgs(['--config', 'c.json', 'worktrees', 'prune'])).toMatchObject({ ok: true, value: { command: 'worktrees', prune: true, config: 'c.json' } });
    expect(parseArgs(['worktrees', '--help'])).toMatchObject({ ok: true, value: { command: 'help' } });
  });

  it('refuses what it does not know, in one line', () => {
    const r = parseArgs(['worktrees', 'prune', '--force']);
    expect(r).toEqual({ ok: false, message: "unknown option '--force'. Run 'agents --help' for usage." });
    expect(parseArgs(['worktrees', 'delete']).ok).toBe(false);
  });

  it('help lists the command', () => {
    expect(helpText()).toMatch(/worktrees\s+list this project's agent worktrees/);
  });
});

describe('describeWorktree', () => {
  const base: WorktreeInfo = {
    name: 'w',
    branch: 'agents/w',
    base: 'main',
    path: '/data/worktrees/p/w',
    exists: true,
    dirty: false,
    changes: [],
    ahead: 0,
    behind: 0,
    merged: true,
    locked: false,
  };

  it('says every state a person needs to decide', () => {
    expect(describeWorktree(base)).toBe('agents/w  merged into main · clean · last agent: unknown\n    /data/worktrees/p/w\n');
    expect(describeWorktree({ ...base, merged: false, ahead: 3, dirty: true, changes: ['a', 'b'], agent: 'lead' })).toBe(
      'agents/w  not merged (3 commits ahead of main) · dirty (2 uncommitted files) · last agent: lead\n    /data/worktrees/p/w\n',
    );
    expect(describeWorktree({ ...base, exists: false, locked: true, offBranch: 'other' })).toContain('has other checked out · folder missing · locked');
    expect(describeWorktree({ ...base, problem: 'its base branch main is gone' })).toMatch(/^agents\/w {2}its base branch main is gone/);
  });
});
