// The setup wrapper run by a real /bin/sh in a real git worktree: output shown, a failure stops it
// with its status and says how to retry, success runs once per worktree, and the agent's channels
// stay out of the setup commands' environment.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETUP_DONE, withSetup } from '../../src/workspace/worktree-setup.js';
import { repo, sh } from '../worktree/rig.js';

function run(cwd: string, commands: string[], env: Record<string, string> = {}) {
  const l = withSetup({ command: '/bin/echo', args: ['the agent runs', 'with "quotes" $HOME'], cwd, env: {} }, { commands, retryKey: 'ctrl+a R', withhold: ['AGENTS_IPC_TOKEN', 'AGENTS_MCP_TOKEN', 'bad name;rm'] });
  const r = spawnSync(l.command, l.args, { cwd: l.cwd, env: { ...process.env, ...env }, encoding: 'utf8' });
  return { code: r.status, out: r.stdout.replace(/\x1b\[[0-9;]*m/g, '') };
}

async function worktree() {
  const r = repo();
  const m = await r.open();
  return (await m.create({ name: 'tests' })).worktree;
}

describe('withSetup', () => {
  it('leaves a launch without setup commands as it is', () => {
    const launch = { command: '/bin/echo', args: ['x'], cwd: '/', env: { A: '1' } };
    expect(withSetup(launch, { commands: [], retryKey: 'R', withhold: [] })).toBe(launch);
  });

  it('runs each command with its output shown, then the program with its arguments intact', async () => {
    const wt = await worktree();
    const r = run(wt.cwd, ['echo installing', 'printf "%s\\n" "$PWD"']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      [
        '▸ worktree setup 1/2: echo installing',
        'installing',
        '▸ worktree setup 2/2: printf "%s\\n" "$PWD"',
        wt.cwd,
        '✓ worktree setup done',
        'the agent runs with "quotes" $HOME',
        '',
      ].join('\n'),
    );
    // Once per worktree: the marker is in the worktree's own git folder, and a second start skips it.
    const marker = sh(wt.cwd, 'rev-parse', '--git-path', SETUP_DONE).trim();
    expect(existsSync(marker)).toBe(true);
    expect(marker.startsWith(wt.cwd)).toBe(false);
    expect(run(wt.cwd, ['echo installing']).out).toBe('the agent runs with "quotes" $HOME\n');
  });

  it('a failing command stops the setup: which one, its status, that the agent did not start, how to retry', async () => {
    const wt = await worktree();
    const r = run(wt.cwd, ['echo first', 'echo broken >&2; exit 3', 'echo never']);
    expect(r.code).toBe(3);
    expect(r.out).toContain('▸ worktree setup 2/3: echo broken >&2; exit 3');
    expect(r.out).toContain('✗ worktree setup failed: "echo broken >&2; exit 3" exited with status 3.');
    expect(r.out).toContain('The agent was not started. Fix the command (worktree.setup in agents.config.json) or the worktree, then press ctrl+a R to run the setup again.');
    expect(r.out).not.toContain('never');
    expect(r.out).not.toContain('the agent runs');
    // Not marked done: the next start runs it again.
    expect(existsSync(sh(wt.cwd, 'rev-parse', '--git-path', SETUP_DONE).trim())).toBe(false);
    expect(run(wt.cwd, ['true']).out).toContain('✓ worktree setup done');
  });

  it('attack: a setup command (an install script) reading the environment finds no channel token of the agent', async () => {
    const wt = await worktree();
    const r = run(wt.cwd, ['env > leaked.txt'], { AGENTS_IPC_TOKEN: 'ipc-secret', AGENTS_MCP_TOKEN: 'mcp-secret', PROJECT_SETTING: 'kept' });
    expect(r.code).toBe(0);
    const leaked = readFileSync(join(wt.cwd, 'leaked.txt'), 'utf8');
    expect(leaked).not.toContain('ipc-secret');
    expect(leaked).not.toContain('mcp-secret');
    expect(leaked).toContain('PROJECT_SETTING=kept');
  });

  it('shows a command with escape sequences escaped, and runs it as written', async () => {
    const wt = await worktree();
    const r = run(wt.cwd, ['true # \x1b]0;owned\x07']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('▸ worktree setup 1/1: true # \\x1b]0;owned\\x07');
  });
});
