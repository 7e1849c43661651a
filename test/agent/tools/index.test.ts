import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeCall, runTool, toolDefinitionsForApi, TOOLS } from '../../../src/agent/tools/index.js';
import { sandbox, type Sandbox } from './helpers.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.dispose());

describe('tool definitions', () => {
  it('has the contract names, kinds and inputs in a stable order', () => {
    expect(TOOLS.map((t) => [t.name, t.kind])).toEqual([
      ['read_file', 'read'],
      ['write_file', 'edit'],
      ['edit_file', 'edit'],
      ['list_files', 'read'],
      ['search', 'read'],
      ['run_command', 'exec'],
    ]);
    const props = Object.fromEntries(
      toolDefinitionsForApi().map((d) => [d.name, [Object.keys(d.input_schema.properties as object), d.input_schema.required]]),
    );
    expect(props).toEqual({
      read_file: [['path', 'offset', 'limit'], ['path']],
      write_file: [['path', 'content'], ['path', 'content']],
      edit_file: [['path', 'old_text', 'new_text', 'replace_all'], ['path', 'old_text', 'new_text']],
      list_files: [['pattern'], ['pattern']],
      search: [['pattern', 'path'], ['pattern']],
      run_command: [['command', 'timeout_ms'], ['command']],
    });
  });

  it('is byte-stable and not changed by callers mutating their copy', () => {
    const first = JSON.stringify(toolDefinitionsForApi());
    const copy = toolDefinitionsForApi();
    (copy[copy.length - 1] as Record<string, unknown>).cache_control = { type: 'ephemeral' };
    copy[0].input_schema.type = 'changed';
    expect(JSON.stringify(toolDefinitionsForApi())).toBe(first);
    expect(first).not.toContain('$schema');
    expect(first).not.toContain(String(Number.MAX_SAFE_INTEGER));
  });
});

describe('bad input becomes an error result with the key path', () => {
  it.each([
    ['read_file', {}, /- path: Invalid input: expected string, received undefined/],
    ['read_file', { path: 'a', offset: -1 }, /- offset: Too small: expected number to be >=0/],
    ['read_file', { path: 'a', limit: 1.5 }, /- limit: .*int/i],
    ['write_file', { path: 'a' }, /- content: Invalid input: expected string/],
    ['write_file', { path: 7, content: 'x' }, /- path: Invalid input: expected string, received number/],
    ['edit_file', { path: 'a', old_text: 'x', new_text: 'y', replace_all: 'yes' }, /- replace_all: Invalid input: expected boolean/],
    ['edit_file', { path: 'a', old_text: '', new_text: 'y' }, /- old_text: Too small/],
    ['list_files', { pattern: ['*'] }, /- pattern: Invalid input: expected string, received array/],
    ['search', 'foo', /- \(input\): Invalid input: expected object, received string/],
    ['run_command', { command: 'true', timeout_ms: 700_000 }, /- timeout_ms: Too big: expected number to be <=600000/],
  ])('%s %j', async (name, input, message) => {
    const r = await runTool(name, input, box.ctx());
    expect(r.isError).toBe(true);
    expect(r.content).toMatch(message);
    expect(r.content).toContain(`Invalid input for ${name}`);
    expect(r.summary).toBe(`${name}: invalid input`);
  });

  it('names unknown tools and lists the real ones', async () => {
    const r = await runTool('delete_everything', {}, box.ctx());
    expect(r.isError).toBe(true);
    expect(r.content).toContain('Unknown tool "delete_everything"');
    expect(r.content).toContain('read_file, write_file, edit_file, list_files, search, run_command');
  });

  it('does not throw when the project folder is gone', async () => {
    box.dispose();
    const r = await runTool('read_file', { path: 'a' }, box.ctx());
    expect(r.isError).toBe(true);
    expect(r.content).toMatch(/not accessible/);
  });
});

describe('describeCall', () => {
  it('gives one compact line', () => {
    expect(describeCall('edit_file', { path: 'src/a.ts', old_text: 'x', new_text: 'y' })).toBe('edit_file src/a.ts');
    expect(describeCall('run_command', { command: 'npm   test\n  --silent' })).toBe('run_command npm test --silent');
    expect(describeCall('search', { pattern: 'TODO', path: 'src' })).toBe('search /TODO/ in src');
    expect(describeCall('list_files', { pattern: '**/*.ts' })).toBe('list_files **/*.ts');
    expect(describeCall('read_file', null)).toBe('read_file');
    expect(describeCall('run_command', { command: 'x'.repeat(200) })).toHaveLength(80);
  });
});
