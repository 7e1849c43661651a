import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { findProjectConfig, formatPath, loadConfig, locateJsonError } from '../../src/config/load.js';
import { configSchemas, defaultConfig } from '../../src/config/schema.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'agents-config-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(text: string, name = 'agents.config.json'): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function load(value: unknown) {
  const file = write(JSON.stringify(value, null, 2));
  return { file, ...loadConfig(file) };
}

describe('loadConfig', () => {
  it('accepts the config from DESIGN.md and fills defaults', () => {
    const { value, errors } = load({
      theme: 'dark',
      layout: 'tiled',
      prefix: 'ctrl+a',
      agents: [
        { name: 'lead', preset: 'agent', model: 'm', instructions: 'be brief' },
        { name: 'cc', preset: 'claude' },
        { name: 'tests', command: 'npm', args: ['test'], cwd: '.', env: {} },
      ],
      keys: { 'pane.zoom': 'z', 'pane.next': ['o', 'tab'] },
      watch: { ignore: ['dist/**'] },
    });
    expect(errors).toEqual([]);
    expect(value?.agents?.map((a) => a.name)).toEqual(['lead', 'cc', 'tests']);
    expect(value?.keys['pane.next']).toEqual(['o', 'tab']);
  });

  it('fills every default for an empty object', () => {
    const { value, errors } = load({});
    expect(errors).toEqual([]);
    expect(value).toEqual({
      theme: 'dark',
      layout: 'tiled',
      prefix: 'ctrl+a',
      keys: {},
      watch: { ignore: [] },
      mouse: true,
      attention: { bell: true },
      worktree: { copy: ['.env*'], setup: [], merge: 'merge' },
      roles: {},
      workflows: {},
      maxAgents: 8,
      tasks: { attempts: 3, checkTimeoutMinutes: 10, askTimeoutMinutes: 30, errorsInARow: 3, sameToolErrors: 3, stallMinutes: 20 },
    });
    expect(defaultConfig()).toEqual(value);
    expect(load({ watch: {} }).value?.watch).toEqual({ ignore: [] });
  });

  // defaultConfig() is written out (no schema is built for a workspace without a config file): it
  // must stay what the schema's defaults are, and each caller gets its own copy.
  it('defaultConfig is the schema with nothing set, a new object each time', () => {
    expect(defaultConfig()).toStrictEqual(configSchemas().ConfigSchema.parse({}));
    const a = defaultConfig();
    a.worktree.copy.push('x');
    a.tasks.attempts = 9;
    expect(defaultConfig()).toStrictEqual(configSchemas().ConfigSchema.parse({}));
  });

  it('reports each schema problem on one line with the key path, expected and found', () => {
    const { file, value, errors } = load({
      theme: 3,
      layout: 'grid',
      agents: [
        { name: 'ok', preset: 'shell' },
        { name: 'cc', preset: 'claud' },
        { name: 'x', command: 'ls', args: ['-l', 7] },
      ],
      keys: { 'pane.zoom': 5 },
      watch: { ignore: 'dist' },
    });
    expect(value).toBeUndefined();
    expect(errors).toEqual([
      `${file}: theme: expected a string, found 3`,
      `${file}: layout: expected one of "tiled", "columns", "rows"; found "grid"`,
      `${file}: agents[1].preset: expected one of "agent", "shell", "claude", "codex", "gemini", "aider", "opencode"; found "claud"`,
      `${file}: agents[2].args[1]: expected a string, found 7`,
      `${file}: keys["pane.zoom"]: expected a key like "z" or a list of keys, found 5`,
      `${file}: watch.ignore: expected an array, found "dist"`,
    ]);
  });

  it('rejects unknown keys, suggesting the likely one', () => {
    const { file, errors } = load({ layuot: 'rows', agents: [{ name: 'a', preset: 'shell', agrs: [] }], zzz: 1 });
    expect(errors).toEqual([
      `${file}: agents[0].agrs: unknown key (did you mean "args"?)`,
      `${file}: layuot: unknown key (did you mean "layout"?)`,
      `${file}: zzz: unknown key; expected one of theme, layout, prefix, agents, keys, watch, mouse, attention, worktree, roles, workflows, budget, maxAgents, tasks`,
    ]);
  });

  it('checks agent names', () => {
    const { file, errors } = load({
      agents: [
        { name: '', preset: 'shell' },
        { name: 'has space', preset: 'shell' },
        { name: 'x'.repeat(50), preset: 'shell' },
        { preset: 'shell' },
      ],
    });
    expect(errors).toEqual([
      `${file}: agents[0].name: expected a non-empty name, found ""`,
      `${file}: agents[1].name: expected only letters, digits, - and _, found "has space"`,
      `${file}: agents[2].name: expected at most 32 characters, found "${'x'.repeat(37)}..."`,
      `${file}: agents[3].name: expected a string, found nothing (the key is missing)`,
    ]);
  });

  it('requires unique names', () => {
    const { file, errors } = load({
      agents: [
        { name: 'a', preset: 'shell' },
        { name: 'b', preset: 'shell' },
        { name: 'a', command: 'ls' },
      ],
    });
    expect(errors).toEqual([`${file}: agents[2].name: expected a unique name, found "a" again (first used by agents[0])`]);
  });

  it('requires exactly one of preset and command', () => {
    const { file, errors } = load({
      agents: [
        { name: 'both', preset: 'shell', command: 'bash' },
        { name: 'neither', args: ['x'] },
      ],
    });
    expect(errors).toEqual([
      `${file}: agents[0]: expected either "preset" or "command", found both`,
      `${file}: agents[1]: expected either "preset" or "command", found neither`,
    ]);
  });

  it('reports a non-object file at the top level', () => {
    const { file, errors } = load([1, 2]);
    expect(errors).toEqual([`${file}: (top level): expected an object, found an array`]);
  });

  it('names the file, line and column of a syntax error', () => {
    const file = write('{\n  "theme": "dark",\n  "layout": ,\n}\n');
    expect(loadConfig(file)).toEqual({ errors: [`${file}:3:13: invalid JSON: expected a value, found ','`] });
    const trailing = write('{\n  "theme": "dark",\n}\n');
    expect(loadConfig(trailing).errors).toEqual([`${trailing}:3:1: invalid JSON: trailing comma before }`]);
    const cut = write('{ "theme": "dark"');
    expect(loadConfig(cut).errors).toEqual([`${cut}:1:18: invalid JSON: expected ',' or '}', found end of file`]);
    const empty = write('');
    expect(loadConfig(empty).errors).toEqual([`${empty}:1:1: invalid JSON: expected a value, found end of file`]);
  });

  it('accepts a byte-order mark', () => {
    const file = write('\ufeff{"theme": "light"}');
    expect(loadConfig(file).value?.theme).toBe('light');
  });

  it('reports a missing file and a folder instead of falling back', () => {
    const missing = join(dir, 'nope.json');
    expect(loadConfig(missing)).toEqual({ errors: [`${missing}: file not found`] });
    expect(loadConfig(dir).errors).toEqual([`${dir}: is a folder, expected a JSON file`]);
  });
});

describe('locateJsonError', () => {
  it('finds errors JSON.parse rejects and nothing in valid JSON', () => {
    const bad = ['{"a": 01}', '["a",]', "{'a': 1}", '{"a": "x\ny"}', '{"a": "\\q"}', '[1] 2', '{"a" 1}', '-', 'tru'];
    for (const text of bad) {
      expect(() => JSON.parse(text)).toThrow();
      expect(locateJsonError(text), text).toBeDefined();
    }
    const good = ['{}', '[]', '{"a": [1, -2.5e3, true, false, null, "\\u00e9\\n"]}', ' 0 ', '{"a":{"b":[[]]}}'];
    for (const text of good) expect(locateJsonError(text), text).toBeUndefined();
  });
});

describe('formatPath', () => {
  it('writes paths as a person would type them', () => {
    expect(formatPath(['agents', 1, 'preset'])).toBe('agents[1].preset');
    expect(formatPath(['keys', 'pane.zoom'])).toBe('keys["pane.zoom"]');
    expect(formatPath([])).toBe('(top level)');
  });
});

describe('findProjectConfig', () => {
  it('finds agents.config.json in the folder only', () => {
    expect(findProjectConfig(dir)).toBeUndefined();
    const file = write('{}');
    expect(findProjectConfig(dir)).toBe(file);
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    expect(findProjectConfig(sub)).toBeUndefined();
  });
});

describe('the config schema, built at its first use', () => {
  it('gives the same answers when its first use is a bad config as when it is the defaults', async () => {
    const bad = write(JSON.stringify({ layuot: 'rows', agents: [{ name: 'a', preset: 'shell', agrs: [] }] }));
    const good = write(JSON.stringify({ layout: 'rows' }), 'good.json');
    // Fresh copies of the modules: their schemas are not built yet.
    vi.resetModules();
    const first = await import('../../src/config/load.js');
    const errors = first.loadConfig(bad).errors;
    expect(errors).toEqual([`${bad}: agents[0].agrs: unknown key (did you mean "args"?)`, `${bad}: layuot: unknown key (did you mean "layout"?)`]);
    const { defaultConfig: freshDefaults } = await import('../../src/config/schema.js');
    expect(freshDefaults()).toEqual(defaultConfig());
    expect(first.loadConfig(good).value).toEqual({ ...defaultConfig(), layout: 'rows' });
    expect(first.loadConfig(bad).errors).toEqual(errors);
  });
});
