import { mkdirSync, mkdtempSync, rmSync, statSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { helpText, parseArgs, subcommandNames, unknownNamesMessage, type CliArgs } from '../../src/cli/args.js';
import { dataDir, ensurePrivateDir, logDir } from '../../src/util/paths.js';

const defaults: CliArgs = { command: 'run', names: [], cmds: [], continue: false, demo: false, trust: false };

function ok(argv: string[]): CliArgs {
  const result = parseArgs(argv);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(argv)} to parse: ${result.message}`);
  return result.value;
}

function fails(argv: string[]): string {
  const result = parseArgs(argv);
  if (result.ok) throw new Error(`expected ${JSON.stringify(argv)} to fail`);
  return result.message;
}

describe('parseArgs', () => {
  it('opens the workspace with no arguments', () => {
    expect(ok([])).toEqual(defaults);
  });

  it('takes agent names and every run flag, in any order', () => {
    expect(
      ok(['claude', '--cmd', 'npm test', 'shell', '--cmd=ls -l', '--config', 'c.json', '--theme', 'light', '--layout', 'rows', '--demo']),
    ).toEqual({
      ...defaults,
      names: ['claude', 'shell'],
      cmds: ['npm test', 'ls -l'],
      config: 'c.json',
      theme: 'light',
      layout: 'rows',
      demo: true,
    });
    expect(ok(['--continue'])).toEqual({ ...defaults, continue: true });
    expect(ok(['--trust'])).toEqual({ ...defaults, trust: true });
    expect(ok(['--demo', '--continue'])).toEqual({ ...defaults, demo: true, continue: true });
    expect(ok(['--resume', 'abc123'])).toEqual({ ...defaults, resume: 'abc123' });
  });

  it('recognises help and version', () => {
    for (const argv of [['--help'], ['-h'], ['help'], ['claude', '-h'], ['sessions', '--help']]) {
      expect(ok(argv).command, argv.join(' ')).toBe('help');
    }
    expect(ok(['--version']).command).toBe('version');
    expect(ok(['-V']).command).toBe('version');
  });

  it('has the sessions and search subcommands', () => {
    expect(ok(['sessions'])).toEqual({ ...defaults, command: 'sessions' });
    expect(ok(['search', 'rate limit'])).toEqual({ ...defaults, command: 'search', query: 'rate limit' });
    expect(ok(['search', 'rate', 'limit']).query).toBe('rate limit');
    expect(ok(['--config', 'x.json', 'sessions'])).toEqual({ ...defaults, command: 'sessions', config: 'x.json' });
    expect(ok(['sessions', '--all'])).toEqual({ ...defaults, command: 'sessions', all: true });
  });

  it('explains bad input in one paragraph that points to --help', () => {
    const hint = "Run 'agents --help' for usage.";
    expect(fails(['--foo'])).toBe(`unknown option '--foo'. ${hint}`);
    expect(fails(['--layout', 'grid'])).toBe(`--layout must be one of tiled, columns, rows; found 'grid'. ${hint}`);
    expect(fails(['--config'])).toBe(`option '--config <file>' argument missing. ${hint}`);
    expect(fails(['--continue', '--resume', 'x'])).toBe(`option '--continue' cannot be used with option '--resume <id>'. ${hint}`);
    expect(fails(['search'])).toBe(`missing required argument 'QUERY'. ${hint}`);
    expect(fails(['sessions', 'extra'])).toBe(`too many arguments for 'sessions'. Expected 0 arguments but got 1. ${hint}`);
    expect(fails(['--cmd', ' '])).toBe(`--cmd needs a command, found an empty string. ${hint}`);
    for (const argv of [['--foo'], ['--layout', 'x'], ['search']]) {
      const message = fails(argv);
      expect(message).not.toContain('\n');
      expect(message).not.toMatch(/^error:/i);
    }
  });

  it('is pure: parsing twice gives the same result', () => {
    expect(ok(['--cmd', 'a'])).toEqual(ok(['--cmd', 'a']));
    expect(ok(['--cmd', 'a']).cmds).toEqual(['a']);
  });
});

describe('names that are neither agents nor presets', () => {
  it('a first word close to a subcommand is taken for a mistyped command, not an agent', () => {
    expect(subcommandNames()).toEqual(expect.arrayContaining(['sessions', 'search']));
    const m = unknownNamesMessage(['sesions'], []);
    expect(m?.split('\n')[0]).toBe("'sesions' is not a command or an agent name. Did you mean 'agents sessions'?");
    expect(unknownNamesMessage(['serach'], [])).toMatch(/Did you mean 'agents search'\?/);
    expect(unknownNamesMessage(['Sessions'], [])).toMatch(/Did you mean 'agents sessions'\?/);
  });

  it('other words get the closest agent name, config names included, or no guess when nothing is close', () => {
    expect(unknownNamesMessage(['claud'], [])?.split('\n')[0]).toBe("unknown agent 'claud'. Did you mean 'claude'?");
    expect(unknownNamesMessage(['shell', 'sesions'], [])?.split('\n')[0]).toBe("unknown agent 'sesions'.");
    expect(unknownNamesMessage(['laed'], ['lead'])?.split('\n')[0]).toBe("unknown agent 'laed'. Did you mean 'lead'?");
    const none = unknownNamesMessage(['xyzzy'], ['lead']);
    expect(none).toBe(`unknown agent 'xyzzy'.\nAgent names: agent, shell, claude, codex, gemini, aider, opencode; from the config: lead. Commands: ${subcommandNames().join(', ')}.`);
    expect(unknownNamesMessage(['shell', 'lead', 'claude'], ['lead'])).toBeUndefined();
  });
});

describe('helpText', () => {
  it('documents every flag, the subcommands and the environment', () => {
    const text = helpText();
    for (const word of ['--cmd', '--config', '--theme', '--layout', '--continue', '--resume', '--demo', '--trust', '--all', '--help', '--version',
      'sessions', 'search', 'AGENTS_HOME', 'NO_COLOR', 'ANTHROPIC_API_KEY', 'claude', 'opencode']) {
      expect(text).toContain(word);
    }
  });
});

describe('paths', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agents-paths-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('puts all data under AGENTS_HOME when set', () => {
    expect(dataDir({ AGENTS_HOME: dir })).toBe(dir);
    expect(logDir({ AGENTS_HOME: dir })).toBe(join(dir, 'logs'));
  });

  it('uses the XDG data folder without a suffix otherwise', () => {
    expect(dataDir({})).toMatch(/[/\\]agents$/);
    expect(dataDir({ AGENTS_HOME: '' })).toBe(dataDir({}));
  });

  it('creates private folders and tightens existing ones', () => {
    const nested = join(dir, 'a', 'b');
    expect(ensurePrivateDir(nested)).toBe(nested);
    expect(statSync(nested).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'a')).mode & 0o777).toBe(0o700);
    const open = join(dir, 'open');
    mkdirSync(open);
    chmodSync(open, 0o755);
    ensurePrivateDir(open);
    expect(statSync(open).mode & 0o777).toBe(0o700);
  });
});
