// What in a project config needs trust, how it is shown, and how answers are kept.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configSchemas, type ConfigInput } from '../../src/config/schema.js';
import { configDigest, trustItems, TrustStore } from '../../src/config/trust.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'agents-trust-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const items = (input: ConfigInput, projectDir = dir) => trustItems(configSchemas().ConfigSchema.parse(input), { configDir: projectDir, projectDir });

describe('what needs trust', () => {
  it('presets, themes, keys, layouts, models and instructions need none', () => {
    expect(
      items({
        theme: 'light',
        layout: 'rows',
        keys: { 'pane.zoom': 'Z' },
        watch: { ignore: ['dist/**'] },
        attention: { bell: false },
        agents: [
          { name: 'lead', preset: 'agent', model: 'claude-haiku-4-5', instructions: 'Be brief.', permissions: 'auto-edit' },
          { name: 'careful', preset: 'agent', permissions: 'ask' },
          { name: 'cc', preset: 'claude', cwd: '.' },
          { name: 'sub', preset: 'shell', cwd: 'src' },
        ],
      }),
    ).toEqual([]);
  });

  it('commands with their args, attention.command, auto permissions, extra environment and a folder outside the project do', () => {
    mkdirSync(join(dir, 'src'));
    const found = items({
      agents: [
        { name: 'tests', command: 'npm', args: ['test', '--', '--watch'], cwd: 'src', env: { CI: '1' } },
        { name: 'lead', preset: 'agent', permissions: 'auto' },
        { name: 'cc', preset: 'claude', env: { NODE_OPTIONS: '--require ./hook.js' } },
        { name: 'home', preset: 'agent', cwd: '..' },
      ],
      attention: { command: 'notify-send "$AGENTS_ATTENTION_AGENT needs you"' },
    });
    expect(found.map((i) => i.agent)).toEqual(['tests', 'lead', 'cc', 'home', undefined]);
    expect(found[0].text).toBe(`agent "tests" runs: npm test -- --watch  [in ${join(dir, 'src')}]  [with CI=1]`);
    expect(found[1].text).toMatch(/agent "lead" \(built-in agent\) has "permissions": "auto"/);
    expect(found[2].text).toBe('agent "cc" (claude) runs with extra environment: NODE_OPTIONS="--require ./hook.js"');
    expect(found[3].text).toMatch(/agent "home" \(built-in agent\) works in \S+, outside the project folder/);
    expect(found[4].text).toBe('attention.command runs in /bin/sh when an agent waits for you: notify-send "$AGENTS_ATTENTION_AGENT needs you"');
  });

  it('a working folder that leaves the project through a symlink counts as outside', () => {
    symlinkSync(tmpdir(), join(dir, 'escape'));
    expect(items({ agents: [{ name: 'a', preset: 'agent', cwd: 'escape' }] }).map((i) => i.text)[0]).toMatch(/outside the project folder/);
  });

  it('attack: escape sequences and bidi overrides in a config are shown escaped, never sent raw', () => {
    const osc52 = '\x1b]52;c;ZWNobyBwd25lZA==\x07';
    const found = items({
      agents: [{ name: 'x', command: `ls${osc52}`, args: ['a\u202eb', 'c\rd', '\x9b2J'] }],
      attention: { command: `true\x1b[2J\x1b[H# looks harmless` },
    });
    const shown = found.map((i) => i.text).join('\n');
    // Nothing a terminal would act on, and nothing that reorders or hides text.
    expect(shown).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
    expect(found[0].text).toBe('agent "x" runs: "ls\\x1b]52;c;ZWNobyBwd25lZA==\\x07" "a\\u202eb" "c\\rd" "\\x9b2J"');
    expect(found[1].text).toContain('true\\x1b[2J\\x1b[H# looks harmless');
  });
});

describe('TrustStore', () => {
  it('remembers a config by its real path and content; a change, or another folder, asks again', () => {
    const home = join(dir, 'home');
    const project = join(dir, 'p');
    mkdirSync(project);
    const file = join(project, 'agents.config.json');
    writeFileSync(file, '{"agents":[{"name":"t","command":"make"}]}');
    const sha = configDigest(readFileSync(file));
    const store = new TrustStore(home);
    expect(store.isTrusted(file, sha)).toBe(false);
    store.trust(file, sha);
    expect(new TrustStore(home).isTrusted(file, sha)).toBe(true);
    // Through a symlinked folder it is the same file.
    symlinkSync(project, join(dir, 'link'));
    expect(store.isTrusted(join(dir, 'link', 'agents.config.json'), sha)).toBe(true);
    // One byte more is another config.
    expect(store.isTrusted(file, configDigest(readFileSync(file, 'utf8') + ' '))).toBe(false);
    // The same bytes in another project are asked about there.
    const other = join(dir, 'q');
    mkdirSync(other);
    writeFileSync(join(other, 'agents.config.json'), readFileSync(file));
    expect(store.isTrusted(join(other, 'agents.config.json'), sha)).toBe(false);
    expect(statSync(store.file).mode & 0o777).toBe(0o600);
    expect(statSync(home).mode & 0o777).toBe(0o700);
  });

  it('a trust file that is not what it should be is moved aside and counts as empty (asks again)', () => {
    const home = join(dir, 'home');
    mkdirSync(home);
    const store = new TrustStore(home);
    writeFileSync(store.file, '{"version":1,"trusted":"everything"}');
    expect(store.isTrusted(join(dir, 'agents.config.json'), 'x')).toBe(false);
    expect(readdirSync(home).some((n) => n.startsWith('trust.json.corrupt-'))).toBe(true);
    store.trust(join(dir, 'agents.config.json'), 'x');
    expect(store.isTrusted(join(dir, 'agents.config.json'), 'x')).toBe(true);
  });
});
