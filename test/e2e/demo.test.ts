// `agents --demo` as a newcomer meets it: lead plans the fix as two tasks on the board, the board
// hands them out, fixer's first try fails its check and passes on the retry, tests waits for the
// person's approval once (border, status bar, prefix+a), y lets the tour go on; on exit it says how
// to come back, and `agents --demo --continue` from anywhere reopens that demo, board and all.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, until } from '../helpers/term.js';
import { quit, servers, start, statusBar, tempDir } from './setup.js';

describe('the demo', () => {
  it('a lead plans, the board hands out, a check fails once and passes; one approval; continued from anywhere', { timeout: 120_000 }, async () => {
    // The demo copies its sample project into the temp folder: keep it inside the test's folders.
    const tmp = tempDir('agents-e2e-tmp-');
    const { t, home } = start(['--demo'], { cols: 160, rows: 44, env: { TMPDIR: tmp } });
    // Made-up figures say so: each agent's status line (AGENTS_DEMO) and the status bar's totals.
    await t.waitFor(/claude-sonnet-5-5 \(simulated\)/, { timeout: 30_000 });
    await t.waitFor(() => /\$[\d.]+ \(simulated\)/.test(statusBar(t)), { message: 'simulated totals' });
    // lead says where the board is as it starts planning; the person opens it and sees both tasks.
    await t.waitFor('Ctrl-a t shows it', { timeout: 30_000 });
    t.keys('C-a', 't');
    await t.waitFor(/Tasks \(2\)/, { timeout: 20_000 });
    await t.waitFor(/t2\s+todo\s+Add a t/);

    // tests waits for the person: prefix+a jumps to it from the board, y answers it.
    await t.waitFor(() => /waiting for you: 3:tests/.test(statusBar(t)), { message: 'the status bar lists tests as waiting', timeout: 45_000 });
    await t.waitFor(/Allow run_command node --test\?/);
    t.keys('C-a', 'a');
    await t.waitFor(() => /NORMAL\s+3:tests of 4/.test(statusBar(t)), { message: 'tests focused' });
    t.keys('y');
    await t.waitFor((s) => !/Allow run_command node/.test(s), { message: 'the approval answered' });

    // The board shows it all: t1 done on its second attempt, t2 done after it.
    await t.waitFor(/t2\s+done\s+Add a t/, { timeout: 30_000 });
    expect(t.text()).toMatch(/t1\s+done\s+Fix cart.*#2\/3/);
    expect(t.text()).toMatch(/t2\s+done\s+Add a t.*#1\/3/);
    // The board has the keyboard again after prefix+t twice (closed, opened); enter shows t1 in full.
    t.keys('C-a', 't');
    await t.waitFor((s) => !/Tasks \(2\)/.test(s), { message: 'the board closed' });
    t.keys('C-a', 't');
    await t.waitFor(() => /BOARD/.test(statusBar(t)), { message: 'the board has the keyboard' });
    t.keys('Enter');
    await t.waitFor('t1 · done · fixer · attempt 2 of 3');
    await t.waitFor(/last check: passed/);
    t.keys('Escape');
    await t.waitFor((s) => !s.includes('t1 · done · fixer'), { message: 'the details closed' });
    // fixer's pane says what the failed check caught (zoomed, so nothing wraps).
    t.keys('Escape');
    await t.waitFor(() => /NORMAL/.test(statusBar(t)), { message: 'the board left' });
    t.keys('C-a', '2');
    await t.waitFor(() => /NORMAL\s+2:fixer of 4/.test(statusBar(t)), { message: 'fixer focused' });
    t.keys('C-a', 'z');
    await t.waitFor('t1 came back: its check caught my mistake (2 tests failed');

    // Quit asks only while something works or waits.
    expect(await quit(t)).toBe(0);
    const bye = await t.waitFor('agents --demo --continue');
    const project = /kept in (\S+agents-demo-\w+)/.exec(bye)?.[1];
    expect(project?.startsWith(tmp)).toBe(true);
    expect(bye).toContain(`cd ${project} && agents --continue`);
    expect((await t.exited).exitCode).toBe(0);
    // The work is in the copy: the loop fixed, the new test written.
    expect(readFileSync(join(project!, 'src/cart.js'), 'utf8')).toContain('for (let i = 0; i < items.length; i++) {');
    expect(readFileSync(join(project!, 'test/one-item.test.js'), 'utf8')).toContain('a cart of one item costs that item');

    // The terminal is told goodbye before its server has stopped the panes (up to 1.5 s): a second
    // terminal that came in that window would attach to the ending workspace.
    await until(async () => (await servers(home)).length === 0, { timeout: 20_000, message: "the first demo's workspace server to end" });
    // From another folder, with the same data folder: the same demo, conversations and board.
    const back = start(['--demo', '--continue'], { cols: 160, rows: 44, dirs: { project: tempDir(), home }, env: { TMPDIR: tmp } });
    await back.t.waitFor(() => /resumed session/.test(statusBar(back.t)), { message: 'resumed', timeout: 30_000 });
    await back.t.waitFor('Press Ctrl-a t to watch the board');
    back.t.keys('C-a', 't');
    await back.t.waitFor(/t2\s+done\s+Add a t/);
    expect(back.t.text()).toMatch(/t1\s+done\s+Fix cart.*#2\/3/);
    expect(await quit(back.t)).toBe(0);
    expect((await back.t.exited).exitCode).toBe(0);

    // Once the copy is gone, it says so instead of starting something else.
    rmSync(project!, { recursive: true, force: true });
    const gone = spawnSync(process.execPath, [BIN, '--demo', '--continue'], { cwd: tempDir(), encoding: 'utf8', env: { ...process.env, AGENTS_HOME: home } });
    expect(gone.status).toBe(2);
    expect(gone.stderr).toContain(`the last demo's folder ${project} is gone`);
  });
});
