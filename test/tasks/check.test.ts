// The check runner against real `sh -c` commands in a temporary folder: pass, fail with the tail of the
// output kept in order, a timeout that stops the whole process group (nothing left running), stopAll,
// a folder that does not exist, and the workspace's private channels kept out of a check's environment.
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { CheckRunner } from '../../src/tasks/check.js';
import { CHECK_TAIL_CHARS } from '../../src/tasks/task.js';

const wait = { timeout: 5000, interval: 20 };
const dir = mkdtempSync(join(tmpdir(), 'agents-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers signal 0; it is gone for every purpose that matters here.
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Pids a command wrote, one a line, once n whole lines are there. The shell creates the file before
 *  it writes to it, so a read can find it empty or half written: only lines ending in a newline count. */
function wholePids(file: string): number[] {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  return text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter((l) => /^\d+$/.test(l)).map(Number);
}
/** Polled on real time: under fake timers, vi.waitFor would move the runner's clock at each check. */
async function pidsIn(file: string, n: number): Promise<number[]> {
  const deadline = Date.now() + 5000;
  while (wholePids(file).length < n && Date.now() < deadline) await sleep(10);
  expect(wholePids(file).length).toBeGreaterThanOrEqual(n);
  return wholePids(file);
}

describe('CheckRunner', () => {
  it('passes on exit 0, in the project folder, with stdout and stderr in order', async () => {
    const r = await new CheckRunner({ cwd: dir, timeoutMs: 10_000 }).run('echo one; echo two >&2; echo three; pwd');
    expect(r.ok).toBe(true);
    expect(r.code).toBe(0);
    expect(r.output).toBe(`one\ntwo\nthree\n${dir}\n`);
    expect(r.ms).toBeGreaterThanOrEqual(0);
  });

  it('fails on another exit code and keeps only the tail of a long output', async () => {
    const r = await new CheckRunner({ cwd: dir, timeoutMs: 10_000 }).run('i=0; while [ $i -lt 3000 ]; do echo "line $i"; i=$((i+1)); done; echo "the last words" >&2; exit 3');
    expect(r).toMatchObject({ ok: false, code: 3 });
    expect(r.output.length).toBe(CHECK_TAIL_CHARS);
    expect(r.output.endsWith('line 2999\nthe last words\n')).toBe(true);
    expect(r.output).not.toContain('line 0\n');
  });

  it('a timeout stops the whole process group: the check and what it started in the background', async () => {
    const pidFile = join(dir, 'timeout.pids');
    const runner = new CheckRunner({ cwd: dir, timeoutMs: 300 });
    const result = runner.run(`sleep 60 & echo $! > ${pidFile}; echo $$ >> ${pidFile}; echo waiting; wait`);
    const pids = await pidsIn(pidFile, 2);
    const r = await result;
    expect(r).toMatchObject({ ok: false, code: null });
    expect(r.output).toMatch(/^waiting\n\n\[stopped: the check ran longer than \d+ s\]$/);
    await vi.waitFor(() => expect(pids.filter(alive)).toEqual([]), wait);
  });

  it('a check that ignores SIGTERM is killed when the grace period ends', async () => {
    // Only the runner's timers are faked: the process, its pipe and its signals stay real.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const pidFile = join(dir, 'stubborn.pids');
      const runner = new CheckRunner({ cwd: dir, timeoutMs: 200 });
      let settled = false;
      const ticks = join(dir, 'stubborn.ticks');
      const result = runner.run(`trap '' TERM; echo $$ > ${pidFile}; while :; do echo tick >> ${ticks}; sleep 0.05; done`).finally(() => (settled = true));
      const count = () => (existsSync(ticks) ? readFileSync(ticks, 'utf8').length : 0);
      const [pid] = await pidsIn(pidFile, 1);
      vi.advanceTimersByTime(200);
      // SIGTERM went to the group; the shell ignores it and keeps going until the grace period ends.
      const after = count();
      // Polled on real time: vi.waitFor advances the fake clock by its interval at every check, so
      // on a loaded machine (slow ticks) it reached the 2 s grace by itself and the kill came early.
      const deadline = Date.now() + 5000;
      while (count() <= after + 10 && Date.now() < deadline) await sleep(20);
      expect(count()).toBeGreaterThan(after + 10);
      expect(alive(pid)).toBe(true);
      expect(settled).toBe(false);
      vi.advanceTimersByTime(2000);
      const r = await result;
      expect(r).toMatchObject({ ok: false, code: null });
      expect(r.output).toMatch(/\[stopped: the check ran longer than/);
      await vi.waitFor(() => expect(alive(pid)).toBe(false), wait);
    } finally {
      vi.useRealTimers();
    }
  });

  it('stopAll stops every running check at once, and each still resolves as failed', async () => {
    const pidFile = join(dir, 'stopall.pids');
    const runner = new CheckRunner({ cwd: dir, timeoutMs: 60_000 });
    const a = runner.run(`sleep 60 & echo $! >> ${pidFile}; wait`);
    const b = runner.run(`sleep 61 & echo $! >> ${pidFile}; wait`);
    const pids = await pidsIn(pidFile, 2);
    runner.stopAll();
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra).toMatchObject({ ok: false, code: null });
    expect(rb).toMatchObject({ ok: false, code: null });
    await vi.waitFor(() => expect(pids.filter(alive)).toEqual([]), wait);
  });

  it('a folder that does not exist is a failed check saying why (it never throws)', async () => {
    const r = await new CheckRunner({ cwd: join(dir, 'missing'), timeoutMs: 5000 }).run('true');
    expect(r.ok).toBe(false);
    expect(r.code).toBeNull();
    expect(r.output).toMatch(/could not start the check: .*ENOENT/);
  });

  it('keeps the workspace\'s private channels out of the check\'s environment', async () => {
    const env = { PATH: process.env.PATH, AGENTS_IPC: '/tmp/sock', AGENTS_MCP_TOKEN: 'secret', AGENTS_PANE_ID: '3', AGENTS_SERVE: '1', AGENTS_HOME: '/h', FOO: 'bar' };
    const r = await new CheckRunner({ cwd: dir, timeoutMs: 5000, env }).run('echo "[$AGENTS_IPC][$AGENTS_MCP_TOKEN][$AGENTS_PANE_ID][$AGENTS_SERVE][$AGENTS_HOME][$FOO]"');
    expect(r.output.trim()).toBe('[][][][][/h][bar]');
  });

  it('tells the reaper of each check while it runs, and forgets it after', async () => {
    const tracked: number[] = [];
    const forgotten: number[] = [];
    const reaper = { track: (pid: number) => tracked.push(pid), forget: (pid: number) => forgotten.push(pid) };
    await new CheckRunner({ cwd: dir, timeoutMs: 5000, reaper }).run('true');
    expect(tracked).toHaveLength(1);
    expect(forgotten).toEqual(tracked);
  });

  // A background process holding the output open once the check's shell exited (a dev server, a
  // watcher) is stopped with the group; the check's verdict is its shell's exit code.
  it('a check that exits 0 while a background process still holds its output passes at once, and the process goes', async () => {
    const pidFile = join(dir, 'server.pids');
    const runner = new CheckRunner({ cwd: dir, timeoutMs: 5000 });
    const r = await runner.run(`sleep 30 & echo $! > ${pidFile}; echo started`);
    expect(r).toMatchObject({ ok: true, code: 0, output: 'started\n' });
    expect(r.ms).toBeLessThan(2500);
    const [pid] = await pidsIn(pidFile, 1);
    await vi.waitFor(() => expect(alive(pid)).toBe(false), wait);
    expect(await runner.run('sleep 30 & exit 5')).toMatchObject({ ok: false, code: 5 });
  });
});
