// A terminal starts its workspace server before it has checked anything (src/client/prelaunch.ts):
// what a person sees must be what it always was, and a server the client does not use must be gone.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { until } from '../helpers/term.js';
import { withEnv } from '../helpers/procs.js';
import { start, tempDir } from './setup.js';

/** The processes that wrote start-up marks: the client, and the server it started ahead. */
function tracedPids(file: string): Set<string> {
  return new Set(readFileSync(file, 'utf8').trim().split('\n').map((l) => l.split(' ')[1]));
}

describe('start-up with the server started ahead', () => {
  it('a bad theme: the usual one-line message and exit 2, and the server started ahead is gone', async () => {
    const dirs = { project: tempDir(), home: tempDir('agents-home-') };
    const trace = join(dirs.home, 'trace');
    const run = start(['--theme', 'nosuch'], { env: { AGENTS_START_TRACE: trace }, dirs });
    const e = await run.t.exited;
    expect(e.exitCode).toBe(2);
    expect(run.t.text()).toMatch(/agents: .*nosuch/);
    expect(tracedPids(trace).size).toBe(2);
    await until(() => withEnv('AGENTS_HOME', run.home).length === 0, { message: 'no process of this run left' });
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
