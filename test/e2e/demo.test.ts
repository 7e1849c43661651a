// `agents --demo` as a newcomer meets it: the tests agent waits for approval once (border, status
// bar, prefix+a), y lets the tour go on; on exit it says how to come back, and
// `agents --demo --continue` from anywhere reopens that demo.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/term.js';
import { quit, start, statusBar, tempDir } from './setup.js';

const FINAL = /All tests pass|Still failing after \d+ runs/;

describe('the demo', () => {
  it('asks one approval, goes on after y, and can be continued from anywhere', { timeout: 120_000 }, async () => {
    // The demo copies its sample project into the temp folder: keep it inside the test's folders.
    const tmp = tempDir('agents-e2e-tmp-');
    const { t, home } = start(['--demo'], { cols: 140, rows: 40, env: { TMPDIR: tmp } });
    await t.waitFor('press y in this pane', { timeout: 30_000 });
    await t.waitFor(/Allow run_command node --test\?/);
    // Made-up figures say so: each agent's status line (AGENTS_DEMO) and the status bar's totals.
    await t.waitFor(/claude-sonnet-5-5 \(simulated\)/);
    await t.waitFor(() => /\$[\d.]+ \(simulated\)/.test(statusBar(t)), { message: 'simulated totals' });
    await t.waitFor(() => /waiting for you: 2:tests/.test(statusBar(t)), { message: 'the status bar lists tests as waiting' });
    // prefix+a jumps to the agent that waits; y answers it.
    t.keys('C-a', 'a');
    await t.waitFor(() => /2:tests of 3/.test(statusBar(t)), { message: 'tests focused' });
    t.keys('y');
    await t.waitFor((s) => !/Allow run_command node/.test(s), { message: 'the approval answered' });
    // If lead had not fixed the bug yet, tests runs the suite again and asks again.
    for (;;) {
      const text = await t.waitFor((s) => FINAL.test(s) || /Allow run_command sleep/.test(s), { timeout: 30_000 });
      if (FINAL.test(text)) break;
      t.keys('y');
      await t.waitFor((s) => !/Allow run_command/.test(s), { message: 'the second approval answered' });
    }
    // lead's summary ends with this line (its heading may have scrolled away by now).
    await t.waitFor('The tests agent can confirm it with node --test.', { timeout: 30_000 });

    // Quit asks only while something works or waits.
    expect(await quit(t)).toBe(0);
    const bye = await t.waitFor('agents --demo --continue');
    const project = /kept in (\S+agents-demo-\w+)/.exec(bye)?.[1];
    expect(project?.startsWith(tmp)).toBe(true);
    expect(bye).toContain(`cd ${project} && agents --continue`);
    expect((await t.exited).exitCode).toBe(0);

    // From another folder, with the same data folder: the same demo, conversations and all.
    const back = start(['--demo', '--continue'], { cols: 140, rows: 40, dirs: { project: tempDir(), home }, env: { TMPDIR: tmp } });
    await back.t.waitFor(() => /resumed session/.test(statusBar(back.t)), { message: 'resumed', timeout: 30_000 });
    await back.t.waitFor('press y in this pane');
    expect(await quit(back.t)).toBe(0);
    expect((await back.t.exited).exitCode).toBe(0);

    // Once the copy is gone, it says so instead of starting something else.
    rmSync(project!, { recursive: true, force: true });
    const gone = spawnSync(process.execPath, [BIN, '--demo', '--continue'], { cwd: tempDir(), encoding: 'utf8', env: { ...process.env, AGENTS_HOME: home } });
    expect(gone.status).toBe(2);
    expect(gone.stderr).toContain(`the last demo's folder ${project} is gone`);
  });
});
