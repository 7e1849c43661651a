// `agents ls`, `attach [ID]` and `stop [ID]` run as their own small program (src/cli/servers-main.ts)
// only in their plain forms; every other form goes to commander, which answers or refuses it.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/args.js';
import { plainServersCommand } from '../../src/cli/servers-main.js';
import { BIN } from '../helpers/term.js';
import { tempDir } from '../e2e/setup.js';

describe('plainServersCommand', () => {
  it('takes the plain forms, naming what commander names', () => {
    for (const argv of [['ls'], ['attach'], ['attach', '1a2b'], ['stop'], ['stop', '1a2b'], ['attach', '']]) {
      const plain = plainServersCommand(argv);
      const parsed = parseArgs(argv);
      expect(parsed.ok, argv.join(' ')).toBe(true);
      if (!parsed.ok || !plain) throw new Error(`${argv.join(' ')}: not plain`);
      expect(plain.command).toBe(parsed.value.command);
      if (plain.command !== 'ls') expect(plain.target).toBe(parsed.value.target);
    }
  });

  it('leaves every other form to commander', () => {
    for (const argv of [[], ['ls', 'x'], ['ls', '--help'], ['attach', '--help'], ['attach', '-h'], ['stop', 'a', 'b'], ['attach', '--config', 'x'], ['--config', 'x', 'attach'], ['sessions'], ['claude'], ['LS']]) {
      expect(plainServersCommand(argv), argv.join(' ')).toBeUndefined();
    }
  });
});

describe('bin/agents', () => {
  /** `agents ARGS` with a start trace: its output, status, and whether the small program ran it. */
  function run(args: string[]) {
    const home = tempDir();
    const trace = join(home, 'trace');
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: tempDir(), encoding: 'utf8', env: { ...process.env, AGENTS_HOME: home, AGENTS_START_TRACE: trace } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr, small: readFileSync(trace, 'utf8').includes(' main (servers.cjs)') };
  }

  it('runs the plain forms as the small program, with the usual answers', () => {
    const ls = run(['ls']);
    expect(ls).toMatchObject({ code: 0, small: true });
    expect(ls.stdout).toBe('No workspace is running. agents starts one in the current folder.\n');
    const stop = run(['stop', 'abc']);
    expect(stop).toMatchObject({ code: 2, small: true, stderr: 'agents: no running workspace abc. agents ls lists them.\n' });
    const attach = run(['attach']);
    expect(attach).toMatchObject({ code: 2, small: true, stderr: 'agents: no workspace is running. agents starts one here.\n' });
  });

  it('sends the other forms the usual way', () => {
    const help = run(['attach', '--help']);
    expect(help).toMatchObject({ code: 0, small: false });
    expect(help.stdout).toContain('Usage: agents');
    const extra = run(['ls', 'x']);
    expect(extra).toMatchObject({ code: 2, small: false });
    expect(extra.stderr).toMatch(/too many arguments for 'ls'/);
  });
});
