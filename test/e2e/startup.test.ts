// A terminal starts its workspace server before it has checked anything (src/client/prelaunch.ts):
// what a person sees must be what it always was, and a server the client does not use must be gone.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { until } from '../helpers/term.js';
import { alive, withEnv } from '../helpers/procs.js';
import { start, tempDir } from './setup.js';

/** The pid of the server the client started ahead of its checks, from its start-up marks. */
function startedAhead(file: string): number | undefined {
  const m = /server started ahead: (\d+)/.exec(readFileSync(file, 'utf8'));
  return m ? Number(m[1]) : undefined;
}

describe('start-up with the server started ahead', () => {
  it('a bad theme: the usual one-line message and exit 2, and the server started ahead is gone', async () => {
    const dirs = { project: tempDir(), home: tempDir('agents-home-') };
    const trace = join(dirs.home, 'trace');
    const run = start(['--theme', 'nosuch'], { env: { AGENTS_START_TRACE: trace }, dirs });
    const e = await run.t.exited;
    expect(e.exitCode).toBe(2);
    expect(run.t.text()).toMatch(/agents: .*nosuch/);
    const server = startedAhead(trace);
    expect(server).toBeDefined();
    await until(() => alive([server!]).length === 0 && withEnv('AGENTS_HOME', run.home).length === 0, { message: 'no process of this run left' });
  });

  it('--continue with nothing stored: the server says so after it listened, exit 2, the terminal restored', async () => {
    const run = start(['--continue']);
    const e = await run.t.exited;
    expect(e.exitCode).toBe(2);
    expect(run.t.text()).toContain("agents: no stored session for this project yet. Run 'agents' to start one.");
    expect(run.t.text()).not.toContain('starting the workspace');
    await until(() => withEnv('AGENTS_HOME', run.home).length === 0, { message: 'no process of this run left' });
  });
});
