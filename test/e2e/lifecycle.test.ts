// Process lifetime end to end: interrupts, exits, restarts, floods, and above all no orphans.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { until } from '../helpers/term.js';
import { alive, descendants } from '../helpers/procs.js';
import { serverPid, start, statusBar } from './setup.js';

// A pane whose program survives the polite signals: a job-control shell with a background job that
// ignores HUP and TERM, the case `kill(pid)` alone leaves behind.
const STUBBORN = `trap '' TERM HUP; (trap '' TERM HUP; sleep 300) & echo stubborn-ready; wait`;

async function ready(args: string[], opts: Parameters<typeof start>[1] = {}) {
  const run = start(args, opts);
  await run.t.waitFor('NORMAL');
  return run;
}

describe('lifecycle', () => {
  it('quit asks while an agent is busy, then stops every process and restores the terminal', async () => {
    const run = await ready(['shell', '--cmd', STUBBORN]);
    const { t } = run;
    await t.waitFor('stubborn-ready');
    t.write('sleep 301 &\r');
    await t.waitFor(/\[1\] \d+/);
    t.write('sleep 302\r');
    await t.waitFor('1 shell · busy');
    // The panes belong to the workspace server, not to the terminal's process.
    const server = await serverPid(run);
    const pids = [server, ...descendants(server)];
    expect(pids.length).toBeGreaterThanOrEqual(6);
    t.keys('C-a', 'q');
    await t.waitFor('Quit? shell is busy; everything will be stopped');
    t.keys('y');
    const exit = await t.exited;
    expect(exit.exitCode).toBe(0);
    await until(() => alive(pids).length === 0, { message: `children gone: ${alive(pids).join(' ')}` });
    // Alternate screen left: the person's own screen is back (empty in a fresh pty).
    await t.settle();
    expect(t.term.buffer.active.type).toBe('normal');
  });

  it('SIGTERM to the workspace server stops every pane process group; the terminal is told and restored', async () => {
    const run = await ready(['shell', '--cmd', STUBBORN]);
    const { t } = run;
    await t.waitFor('stubborn-ready');
    const server = await serverPid(run);
    const pids = [server, ...descendants(server)];
    process.kill(server, 'SIGTERM');
    expect((await t.exited).exitCode).toBe(0);
    expect(t.text()).toContain('The workspace was stopped; its session is saved');
    expect(t.term.buffer.active.type).toBe('normal');
    await until(() => alive(pids).length === 0, { message: `children gone after SIGTERM: ${alive(pids).join(' ')}` });
  });

  it('SIGTERM to a workspace in its own terminal (AGENTS_SERVER=0) stops every pane process group', async () => {
    const { t } = await ready(['shell', '--cmd', STUBBORN], { env: { AGENTS_SERVER: '0' } });
    await t.waitFor('stubborn-ready');
    const pids = descendants(t.pid);
    t.kill('SIGTERM');
    const exit = await t.exited;
    expect(exit.signal).toBe(15);
    await until(() => alive(pids).length === 0, { message: 'children gone after SIGTERM' });
  });

  it('SIGHUP (the terminal closed) of a workspace in its own terminal stops every pane process group', async () => {
    const { t } = await ready(['--cmd', STUBBORN, '--cmd', 'sleep 300'], { env: { AGENTS_SERVER: '0' } });
    await t.waitFor('stubborn-ready');
    const pids = descendants(t.pid);
    t.kill('SIGHUP');
    await t.exited;
    await until(() => alive(pids).length === 0, { message: 'children gone after SIGHUP' });
  });

  it('interrupt sends Ctrl-C to the focused command pane', async () => {
    const { t } = await ready(['shell', '--cmd', `trap 'echo got-int; exit 3' INT; echo waiting; while :; do sleep 0.1; done`]);
    await t.waitFor('waiting');
    t.keys('C-a', '2');
    t.keys('C-a', 'i');
    await t.waitFor('got-int');
    await t.waitFor('exited 3');
    // Its status was a guess (it printed nothing): the workspace says what the key did.
    await t.waitFor('trap exited on Ctrl-C');
  });

  it('a shell is busy while its foreground job runs and idle at its prompt; interrupt is confirmed', async () => {
    const { t } = await ready(['shell']);
    await t.waitFor('1 shell · idle');
    t.write('sleep 300\r');
    await t.waitFor('1 shell · busy');
    t.keys('C-a', 'i');
    await t.waitFor(/interrupted shell \(stopped in \d+ ms\)/);
    await t.waitFor('1 shell · idle');
  });

  it('a full-screen program waiting for keys in a shell is not work: the shell reads idle', async () => {
    const hasVim = spawnSync('sh', ['-c', 'command -v vim']).status === 0;
    if (!hasVim) return;
    const { t } = await ready(['shell']);
    await t.waitFor('1 shell · idle');
    t.write('vim -u NONE\r');
    await t.waitFor('VIM - Vi IMproved');
    // vim is the foreground job, on the alternate screen: waiting for the person, not working.
    await t.waitFor('1 shell · idle');
    t.write('\x1b:q!\r');
    await t.waitFor('$ ');
    t.write('sleep 30\r');
    await t.waitFor('1 shell · busy');
  });

  it('a shell command that takes the terminal late and prints nothing still reads busy', async () => {
    const { t } = await ready(['shell']);
    await t.waitFor('1 shell · idle');
    // bash itself waits first (its `read` times out after 1 s; no job, no output), then a silent
    // command takes the terminal: only another look at the shell can see it. A loaded machine
    // forking late did the same to a plain `sleep 30`.
    t.write('read -t 1 < <(sleep 5); sleep 30\r');
    await t.waitFor('1 shell · busy');
  });

  it('a command pane has no rules to read: its status is a guess from output, marked with ?', async () => {
    const { t } = await ready(['--cmd', 'for i in $(seq 1 20); do echo tick $i; sleep 0.2; done; sleep 300']);
    await t.waitFor('1 for · busy?');
    await t.waitFor('tick 20');
    await t.waitFor('1 for · idle?');
  });

  it('an exited pane keeps its last screen and exit code; R restarts it', async () => {
    const { t } = await ready(['--cmd', 'echo run-$$; exit 7', 'shell']);
    await t.waitFor('exited 7');
    const first = /run-(\d+)/.exec(t.text())![1];
    t.keys('C-a', '2', 'C-a', 'R');
    await t.waitFor((s) => { const m = /run-(\d+)/.exec(s); return !!m && m[1] !== first; }, { message: 'a new run' });
    await t.waitFor('exited 7');
  });

  it('keeps the whole output of a fast-exiting program', async () => {
    const { t } = await ready(['--cmd', 'seq 1 5000']);
    await t.waitFor('exited 0');
    // The pty's last bytes may arrive just after the exit (node-pty): they still land.
    await t.waitFor(/┃5000\s+┃/);
  });

  it('a flooding pane does not freeze typing in another, nor take the workspace down', async () => {
    // Random bytes may leave that pane's own screen in any state (as in any terminal); the workspace
    // chrome and the other panes must not care.
    const { t } = await ready(['shell', '--cmd', 'yes flood', '--cmd', 'head -c 3000000 /dev/urandom; exit 5']);
    await t.waitFor('flood');
    await t.waitFor((s) => (s.match(/\$ /g) ?? []).length >= 1, { message: 'prompt' });
    for (const word of ['alpha', 'beta', 'gamma']) {
      t.write(`echo ${word}-$((6*7))\r`);
      await t.waitFor(`${word}-42`, { timeout: 10000 });
    }
    // A 1 MB line through the shell too.
    t.write(`head -c 1000000 /dev/zero | tr '\\0' x; echo; echo long-done\r`);
    await t.waitFor('long-done', { timeout: 20000 });
    await t.waitFor('exited 5', { timeout: 20000 });
    expect(statusBar(t)).toMatch(/NORMAL/);
  });
});
