// The command line as a person meets it: help, version, and mistakes that exit 2 with one clear
// paragraph and no stack trace, before the terminal is touched.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/term.js';
import { start, tempDir } from './setup.js';

function run(args: string[], files: Record<string, string> = {}) {
  const cwd = tempDir();
  for (const [name, text] of Object.entries(files)) writeFileSync(join(cwd, name), text);
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, AGENTS_HOME: tempDir() } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, cwd };
}

const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at .+:\d+:\d+/);

describe('command line', () => {
  it('--help and --version', () => {
    const help = run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--layout');
    expect(help.stdout).toMatch(/sessions \[options\]\s+list/);
    const version = run(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('an unknown flag exits 2 with one clear line', () => {
    const r = run(['--frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--frobnicate'/);
    noStack(r.stderr);
  });

  it('a bad config names the file, the key path and what was expected', () => {
    const r = run([], { 'agents.config.json': JSON.stringify({ layout: 'diagonal', agents: [{ name: 'x', preset: 'nope' }] }) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('agents.config.json');
    expect(r.stderr).toMatch(/layout/);
    expect(r.stderr).toMatch(/agents\[0\]\.preset/);
    noStack(r.stderr);
  });

  it('a config that is not JSON gives its line and column', () => {
    const r = run([], { 'agents.config.json': '{\n  "theme": "dark",\n  "layout": ,\n}' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/agents\.config\.json:3:\d+/);
    noStack(r.stderr);
  });

  it('an unknown agent name and an unknown theme exit 2', () => {
    const a = run(['nosuchagent']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/unknown agent 'nosuchagent'/);
    const t = run(['--theme', 'neon']);
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/neon/);
    expect(t.stderr).toMatch(/dark/);
  });

  it('a key binding clash in the config is reported', () => {
    const r = run([], { 'agents.config.json': JSON.stringify({ keys: { 'pane.zoom': 'x' } }) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pane\.zoom/);
    expect(r.stderr).toMatch(/pane\.close/);
  });

  it('refuses to run without a terminal, saying so once and what works anyway', () => {
    const r = run(['shell']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^agents: the workspace is a full-screen program and needs a terminal/);
    expect(r.stderr).not.toMatch(/agents: agents/);
    expect(r.stderr).toContain("'agents sessions'");
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    noStack(r.stderr);
  });

  it('a mistyped subcommand is suggested as the command, a mistyped agent as the agent', () => {
    const r = run(['sesions']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Did you mean 'agents sessions'?");
    expect(r.stderr).not.toMatch(/Did you mean '(agent|shell|claude)'/);
    const a = run(['claud']);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain("Did you mean 'claude'?");
    noStack(a.stderr);
  });

  it('opens the agents of the config file, with its layout and rebound keys', async () => {
    // --trust: the config runs commands (test/e2e/trust.test.ts covers the question).
    const { t } = start(['--trust'], {
      files: {
        'agents.config.json': JSON.stringify({
          layout: 'rows',
          keys: { 'pane.zoom': 'Z' },
          agents: [
            { name: 'first', command: 'sh', args: ['-c', 'echo first-pane; sleep 60'] },
            { name: 'second', command: 'sh', args: ['-c', 'echo second-$GREETING; sleep 60'], env: { GREETING: 'hi' } },
          ],
        }),
      },
    });
    await t.waitFor('second-hi');
    // Rows: pane 2's title is on a line of its own below pane 1.
    const lines = t.lines();
    expect(lines[0]).toMatch(/1 first/);
    expect(lines.findIndex((l) => /2 second/.test(l))).toBeGreaterThan(1);
    t.keys('C-a', 'Z');
    await t.waitFor('(zoomed)');
  });
});
