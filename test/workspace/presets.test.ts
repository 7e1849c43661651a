import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configSchemas, type ConfigInput } from '../../src/config/schema.js';
import { PRESETS, findExecutable, resolveAgents } from '../../src/workspace/presets.js';

let root: string;
let bin: string;
let project: string;

function fakeExecutable(dir: string, name: string, mode = 0o755): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, '#!/bin/sh\nexit 0\n');
  chmodSync(file, mode);
  return file;
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'agents-presets-'));
  bin = join(root, 'bin');
  project = join(root, 'project');
  mkdirSync(project);
  fakeExecutable(bin, 'claude');
  fakeExecutable(bin, 'fakesh');
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const env = (): NodeJS.ProcessEnv => ({ PATH: bin, SHELL: join(bin, 'fakesh') });
const config = (input: ConfigInput) => configSchemas().ConfigSchema.parse(input);

describe('findExecutable', () => {
  it('searches PATH and the project node_modules/.bin, checking the executable bit', () => {
    expect(findExecutable('claude', { pathEnv: bin, projectDir: project })).toBe(join(bin, 'claude'));
    expect(findExecutable('codex', { pathEnv: bin, projectDir: project })).toBeUndefined();
    const local = fakeExecutable(join(project, 'node_modules', '.bin'), 'codex');
    expect(findExecutable('codex', { pathEnv: bin, projectDir: project })).toBe(local);
    fakeExecutable(bin, 'plain', 0o644);
    expect(findExecutable('plain', { pathEnv: bin, projectDir: project })).toBeUndefined();
    mkdirSync(join(bin, 'adir'));
    expect(findExecutable('adir', { pathEnv: bin, projectDir: project })).toBeUndefined();
  });

  it('treats a command with a slash as a path relative to the project', () => {
    const script = fakeExecutable(join(project, 'scripts'), 'dev');
    expect(findExecutable('./scripts/dev', { pathEnv: '', projectDir: project })).toBe(script);
    expect(findExecutable(script, { pathEnv: '', projectDir: '/' })).toBe(script);
    expect(findExecutable('./scripts/nope', { pathEnv: bin, projectDir: project })).toBeUndefined();
  });

  it('ignores empty and relative PATH entries', () => {
    fakeExecutable(project, 'here');
    expect(findExecutable('here', { pathEnv: `:.:${bin}`, projectDir: project })).toBeUndefined();
  });
});

describe('resolveAgents', () => {
  it('opens the default set, built-in agent and shell, when nothing is asked', () => {
    const { specs, errors } = resolveAgents({ names: [], cmds: [], projectDir: project, env: env() });
    expect(errors).toEqual([]);
    expect(specs).toHaveLength(2);
    expect(specs[0]).toMatchObject({ name: 'agent', kind: 'builtin', preset: 'agent', interrupt: 'esc', cwd: project });
    // The built-in agent runs its own process; no placeholder message any more.
    expect(specs[0].message).toBeUndefined();
    expect(specs[1]).toEqual({
      name: 'shell',
      title: 'shell',
      kind: 'command',
      preset: 'shell',
      command: join(bin, 'fakesh'),
      args: ['-i'],
      cwd: project,
      env: {},
      interrupt: 'ctrl-c',
    });
  });

  it('falls back to /bin/sh when SHELL is unset', () => {
    const { specs } = resolveAgents({ names: ['shell'], cmds: [], projectDir: project, env: { PATH: '/bin:/usr/bin' } });
    expect(specs[0].command).toBe('/bin/sh');
  });

  it('uses presets with their interrupt strategy', () => {
    const { specs } = resolveAgents({ names: ['claude'], cmds: [], projectDir: project, env: env() });
    expect(specs[0]).toMatchObject({ name: 'claude', kind: 'command', command: join(bin, 'claude'), interrupt: 'esc' });
    expect(PRESETS.codex.interrupt).toBe('esc');
    expect(PRESETS.gemini.interrupt).toBe('esc');
    expect(PRESETS.aider.interrupt).toBe('ctrl-c');
    // opencode quits on Ctrl-C and wants Esc twice to stop a turn.
    expect(PRESETS.opencode.interrupt).toBe('esc-esc');
  });

  it('hands each CLI the MCP server its own way, with the token off the command line', () => {
    const files = new Map<string, string>();
    const access = { url: 'http://127.0.0.1:4000/mcp', token: 'tok-123', privateFile: (name: string, content: string) => (files.set(name, content), `/private/${name}`) };
    const claude = PRESETS.claude.mcp!(access);
    expect(claude.args?.slice(0, 2)).toEqual(['--mcp-config', '/private/claude-mcp.json']);
    expect(JSON.parse(files.get('claude-mcp.json')!)).toEqual({ mcpServers: { agents: { type: 'http', url: access.url, headers: { Authorization: 'Bearer tok-123' } } } });
    expect(claude.args?.join(' ')).toContain('mcp__agents__read_changes');
    expect(claude.args?.join(' ')).not.toContain('send_message');
    const codex = PRESETS.codex.mcp!(access);
    expect(codex.args).toEqual(['-c', 'mcp_servers.agents.url="http://127.0.0.1:4000/mcp"', '-c', 'mcp_servers.agents.bearer_token_env_var="AGENTS_MCP_TOKEN"']);
    expect(PRESETS.gemini.mcp!(access).env).toEqual({ GEMINI_CLI_SYSTEM_DEFAULTS_PATH: '/private/gemini-settings.json' });
    expect(JSON.parse(files.get('gemini-settings.json')!).mcpServers.agents).toEqual({ httpUrl: access.url, headers: { Authorization: 'Bearer tok-123' } });
    expect(JSON.parse(PRESETS.opencode.mcp!(access).env!.OPENCODE_CONFIG_CONTENT).mcp.agents).toMatchObject({ type: 'remote', url: access.url });
    for (const p of [claude, codex]) expect(p.args?.join(' ')).not.toContain('tok-123');
    expect(PRESETS.aider.mcp).toBeUndefined();
  });

  it('turns a preset that is not installed into a pane explaining how to install it', () => {
    const { specs, errors } = resolveAgents({ names: ['codex', 'aider'], cmds: [], projectDir: project, env: env() });
    expect(errors).toEqual([]);
    expect(specs[0]).toMatchObject({ name: 'codex', kind: 'missing', command: 'codex', interrupt: 'esc' });
    expect(specs[0].message).toContain('codex is not installed');
    expect(specs[0].message).toContain('npm install -g @openai/codex');
    expect(specs[1].message).toContain('python -m pip install aider-install && aider-install');
  });

  it('numbers duplicate names', () => {
    const { specs } = resolveAgents({ names: ['shell', 'shell', 'claude', 'shell'], cmds: [], projectDir: project, env: env() });
    expect(specs.map((s) => s.name)).toEqual(['shell', 'shell-2', 'claude', 'shell-3']);
    expect(specs.map((s) => s.title)).toEqual(['shell', 'shell-2', 'claude', 'shell-3']);
  });

  it('runs --cmd entries through /bin/sh -c, titled with the command', () => {
    const { specs } = resolveAgents({ names: [], cmds: ['npm test', 'npm run lint'], projectDir: project, env: env() });
    expect(specs).toEqual([
      { name: 'npm', title: 'npm test', kind: 'command', command: '/bin/sh', args: ['-c', 'npm test'], cwd: project, env: {}, interrupt: 'ctrl-c' },
      { name: 'npm-2', title: 'npm run lint', kind: 'command', command: '/bin/sh', args: ['-c', 'npm run lint'], cwd: project, env: {}, interrupt: 'ctrl-c' },
    ]);
  });

  it('rejects unknown names, listing the valid ones', () => {
    const cfg = config({ agents: [{ name: 'lead', preset: 'agent' }] });
    const { errors } = resolveAgents({ names: ['claud'], cmds: [], config: cfg, projectDir: project, env: env() });
    expect(errors).toEqual([
      "unknown agent 'claud'. Valid names: agent, shell, claude, codex, gemini, aider, opencode; from the config: lead.",
    ]);
  });

  it("opens the config's agents, with cwd relative to the config folder", () => {
    const configDir = join(root, 'conf');
    mkdirSync(join(configDir, 'web'), { recursive: true });
    const cfg = config({
      agents: [
        { name: 'lead', preset: 'agent', model: 'claude-x', instructions: 'lead the team' },
        { name: 'cc', preset: 'claude', args: ['--verbose'], env: { FOO: 'bar' } },
        { name: 'tests', command: 'claude', args: ['test'], cwd: 'web' },
        { name: 'gone', command: 'not-a-real-tool' },
      ],
    });
    const { specs, errors } = resolveAgents({ names: [], cmds: [], config: cfg, configDir, projectDir: project, env: env() });
    expect(errors).toEqual([]);
    expect(specs[0]).toMatchObject({ name: 'lead', kind: 'builtin', model: 'claude-x', instructions: 'lead the team' });
    expect(specs[1]).toMatchObject({ name: 'cc', args: ['--verbose'], env: { FOO: 'bar' }, cwd: project, interrupt: 'esc' });
    expect(specs[2]).toMatchObject({ name: 'tests', kind: 'command', command: join(bin, 'claude'), cwd: join(configDir, 'web'), interrupt: 'ctrl-c' });
    expect(specs[3]).toMatchObject({ name: 'gone', kind: 'missing', command: 'not-a-real-tool' });
    expect(specs[3].message).toContain('not-a-real-tool is not installed');
  });

  it('prefers a config name over a preset of the same name, and mixes names with --cmd', () => {
    const cfg = config({ agents: [{ name: 'shell', preset: 'claude' }, { name: 'other', preset: 'shell' }] });
    const { specs } = resolveAgents({ names: ['shell'], cmds: ['ls'], config: cfg, projectDir: project, env: env() });
    expect(specs.map((s) => [s.name, s.preset])).toEqual([
      ['shell', 'claude'],
      ['ls', undefined],
    ]);
  });

  it('an agent with "isolation": "worktree" is marked for one, with its cwd\'s place in the project; a cwd outside it is refused', () => {
    mkdirSync(join(project, 'web'), { recursive: true });
    const cfg = config({
      agents: [
        { name: 'lead', preset: 'agent', isolation: 'worktree' },
        { name: 'web', preset: 'shell', cwd: 'web', isolation: 'worktree' },
        { name: 'plain', preset: 'shell', isolation: 'shared' },
        { name: 'far', preset: 'shell', cwd: root, isolation: 'worktree' },
      ],
    });
    const { specs, errors } = resolveAgents({ names: [], cmds: [], config: cfg, configDir: project, projectDir: project, env: env() });
    expect(specs.map((s) => [s.name, s.worktree])).toEqual([
      ['lead', { name: 'lead' }],
      ['web', { name: 'web', sub: 'web' }],
      ['plain', undefined],
    ]);
    expect(errors).toEqual([`agent 'far': "isolation": "worktree" works in a copy of the project, so its cwd must be inside the project (${root} is not)`]);
  });

  it('reports a config cwd that does not exist', () => {
    const cfg = config({ agents: [{ name: 'w', preset: 'shell', cwd: 'missing' }] });
    const { specs, errors } = resolveAgents({ names: [], cmds: [], config: cfg, configDir: root, projectDir: project, env: env() });
    expect(specs).toEqual([]);
    expect(errors).toEqual([`agent 'w': cwd ${join(root, 'missing')} is not an existing folder`]);
  });
});
