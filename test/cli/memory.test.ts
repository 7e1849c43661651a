// Turning panes into stored metadata and back: CLIs that take a conversation id get one of their own,
// so a resumed session gives each pane its own conversation, not "the latest in this folder".
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assignConversations, metaOf, specsFromSession } from '../../src/cli/memory.js';
import { resolveAgents } from '../../src/workspace/presets.js';
import type { SessionSummary } from '../../src/store/store.js';

const project = mkdtempSync(join(tmpdir(), 'agents-memory-cli-'));
const bin = join(project, 'node_modules', '.bin');
mkdirSync(bin, { recursive: true });
for (const name of ['claude', 'codex']) {
  writeFileSync(join(bin, name), '#!/bin/sh\n');
  chmodSync(join(bin, name), 0o755);
}
afterAll(() => rmSync(project, { recursive: true, force: true }));
const env = { PATH: '/usr/bin:/bin' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('conversation ids for CLIs that take one', () => {
  it('two Claude Code panes get ids of their own; Codex keeps its "resume latest" flag', () => {
    const { specs } = resolveAgents({ names: ['claude', 'claude', 'codex'], cmds: [], projectDir: project, env });
    assignConversations(specs);
    const [a, b] = [specs[0].conversation?.id, specs[1].conversation?.id];
    expect(specs.map((s) => s.conversation?.had)).toEqual([false, false, undefined]);
    expect(a).toMatch(UUID);
    expect(b).not.toBe(a);
    expect(specs[0].args).toEqual(['--session-id', a]);
    expect(specs[2].args).toEqual(['--no-daemon']);
    // The stored metadata has no start-only flag: it is put back from `resume` on a resume.
    expect(metaOf(specs[0]).args).toEqual([]);
  });

  it('a resumed session resumes each pane by its id, and starts afresh one that never had a turn', () => {
    const summary = {
      id: '2026-11-27-2201-ab12',
      started: 0,
      layout: 'tiled',
      messages: 0,
      tokens: 0,
      cost: 0,
      agents: [
        { name: 'claude', kind: 'command', preset: 'claude', args: [], cwd: project, resume: '11111111-2222-4333-8444-555555555555' },
        { name: 'claude-2', kind: 'command', preset: 'claude', args: [], cwd: project },
        { name: 'codex', kind: 'command', preset: 'codex', args: ['--no-daemon'], cwd: project },
      ],
    } as SessionSummary;
    const specs = specsFromSession(summary, project, env);
    assignConversations(specs);
    expect(specs[0].args).toEqual(['--resume', '11111111-2222-4333-8444-555555555555']);
    expect(specs[0].conversation).toEqual({ id: '11111111-2222-4333-8444-555555555555', had: true });
    expect(specs[1].args).toEqual(['--session-id', specs[1].conversation?.id]);
    expect(specs[1].conversation?.had).toBe(false);
    expect(specs[2].args).toEqual(['--no-daemon', 'resume', '--last']);
  });
});

describe('withConversation', () => {
  it('replaces the flags where they stood, so options after them keep their place', async () => {
    const { PRESETS, withConversation } = await import('../../src/workspace/presets.js');
    const args = ['--model', 'x', '--session-id', 'old', '--mcp-config', '/f', '--allowedTools', 'a,b'];
    expect(withConversation(args, PRESETS.claude, 'new', true)).toEqual(['--model', 'x', '--resume', 'new', '--mcp-config', '/f', '--allowedTools', 'a,b']);
    expect(withConversation(['--resume', 'old'], PRESETS.claude, 'n2', false)).toEqual(['--session-id', 'n2']);
    expect(withConversation(['a'], PRESETS.codex, 'n', true)).toEqual(['a']);
  });
});

describe('worktree agents', () => {
  it('are stored with their worktree and come back to it (from the project folder until it is found)', () => {
    const wtDir = join(project, 'elsewhere');
    const { specs } = resolveAgents({ names: ['claude'], cmds: [], projectDir: project, env });
    const meta = metaOf({ ...specs[0], cwd: wtDir, worktree: { name: 'claude', sub: 'web' } });
    expect(meta).toMatchObject({ isolation: 'worktree', worktree: 'claude', worktreeSub: 'web', cwd: wtDir });
    expect(metaOf(specs[0])).not.toHaveProperty('isolation');
    const summary = { id: '2026-11-27-2201-ab12', started: 0, layout: 'tiled', messages: 0, tokens: 0, cost: 0, agents: [meta, metaOf(specs[0])] } as SessionSummary;
    const [back, shared] = specsFromSession(summary, project, env);
    expect(back.worktree).toEqual({ name: 'claude', sub: 'web' });
    expect(back.cwd).toBe(project);
    expect(shared.worktree).toBeUndefined();
  });
});

describe('agents opened by an agent', () => {
  it('are stored as spawned and come back so, to count against maxAgents', () => {
    const { specs } = resolveAgents({ names: ['agent', 'claude'], cmds: [], projectDir: project, env });
    const summary = { id: '2026-11-27-2201-ab12', started: 0, layout: 'tiled', messages: 0, tokens: 0, cost: 0, agents: [metaOf({ ...specs[0], spawned: true }), metaOf(specs[1])] } as SessionSummary;
    expect(summary.agents[1]).not.toHaveProperty('spawned');
    const [spawned, own] = specsFromSession(summary, project, env);
    expect(spawned.spawned).toBe(true);
    expect(own.spawned).toBeUndefined();
  });
});
