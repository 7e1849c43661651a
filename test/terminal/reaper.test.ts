// The reaper helper (native/src/reaper.c) with real sessions: it ends exactly the sessions it was
// told about once its pipe closes, survives what a closing terminal sends, and never outlives its job.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { REAPER_PATH } from '../../src/terminal/native.js';
import { killSessionNow, sessionMembers } from '../../src/terminal/process-tree.js';
import { childEnv, spawnNodePty, type PtyLike } from '../../src/terminal/pty.js';
import { Reaper } from '../../src/terminal/reaper.js';
import { pidAlive } from '../../src/util/pid.js';

const wait = { timeout: 10_000, interval: 20 };
const started: PtyLike[] = [];
const reapers: Reaper[] = [];

/** A pane's program in a real pty: a session of its own whose processes ignore HUP and TERM. */
async function stubbornSession(): Promise<number> {
  const pty = spawnNodePty({
    command: '/bin/sh',
    args: ['-c', `trap '' HUP TERM; (trap '' HUP TERM; exec sleep 1001) & echo ready; exec sleep 1002`],
    cwd: '/',
    env: childEnv({}),
    cols: 80,
    rows: 24,
  });
  started.push(pty);
  let out = '';
  pty.onData((d) => (out += d));
  await vi.waitFor(() => expect(out).toContain('ready'), wait);
  await vi.waitFor(() => expect(sessionMembers(pty.pid)).toHaveLength(2), wait);
  return pty.pid;
}

function startReaper(): Reaper {
  const r = new Reaper();
  reapers.push(r);
  r.start();
  return r;
}

const statFields = (pid: number) => {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
};
const parentOf = (pid: number) => Number(statFields(pid)?.[1]);
const commOf = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
};
const state = (pid: number) => {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
};
/** Gone, or a zombie waiting for its parent (this test process, or init once orphaned). */
const ended = (pid: number) => state(pid) === undefined || state(pid) === 'Z';

afterEach(async () => {
  for (const r of reapers.splice(0)) await r.close(3000);
  for (const p of started.splice(0)) killSessionNow(p.pid);
});

describe('the reaper', () => {
  it('is built by npm install', () => {
    expect(REAPER_PATH).toBeDefined();
  });

  it('stops every process of the sessions it was told about once its pipe closes, then exits', async () => {
    const a = await stubbornSession();
    const b = await stubbornSession();
    const reaper = startReaper();
    reaper.track(a);
    reaper.track(b);
    const helper = reaper.pid!;
    expect(pidAlive(helper)).toBe(true);
    // What a workspace's death looks like from the helper: the pipe's write end is gone.
    await reaper.close(8000);
    expect(sessionMembers(a)).toEqual([]);
    expect(sessionMembers(b)).toEqual([]);
    expect(ended(helper)).toBe(true);
  });

  it('never touches a session it was not told about, nor one it was told to forget', async () => {
    const told = await stubbornSession();
    const untold = await stubbornSession();
    const forgotten = await stubbornSession();
    const reaper = startReaper();
    reaper.track(told);
    reaper.track(forgotten);
    reaper.forget(forgotten);
    await reaper.close(8000);
    expect(sessionMembers(told)).toEqual([]);
    expect(sessionMembers(untold)).toHaveLength(2);
    expect(sessionMembers(forgotten)).toHaveLength(2);
  });

  it("refuses its parent's own session (a workspace telling its own session would end the person's shell)", async () => {
    // A sacrificial session S standing in for the workspace's: its leader (sh) starts the helper, so
    // the helper's parent is in S, and S is then reported to it.
    const leader = spawn('/bin/sh', ['-c', `sleep 1003 & "$0"; wait`, REAPER_PATH!], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    const sid = leader.pid!;
    const helperRuns = () => readdirSync('/proc').some((p) => parentOf(Number(p)) === sid && commOf(Number(p)) === 'agents-reaper');
    try {
      await vi.waitFor(() => expect(helperRuns()).toBe(true), wait);
      // sh and sleep; the helper has left for a session of its own.
      await vi.waitFor(() => expect(sessionMembers(sid)).toHaveLength(2), wait);
      leader.stdin!.end(`+${sid}\n`);
      await vi.waitFor(() => expect(helperRuns()).toBe(false), wait);
      expect(sessionMembers(sid)).toHaveLength(2);
    } finally {
      killSessionNow(sid);
    }
  });

  it('survives what a closing terminal sends (HUP, INT) and holds only its stdin and /dev/null', async () => {
    const sid = await stubbornSession();
    const reaper = startReaper();
    reaper.track(sid);
    const helper = reaper.pid!;
    // Ready once it ignores them (SigIgn bit n-1 for signal n): before that it is still starting.
    const ignored = () => BigInt(`0x${/SigIgn:\s*([0-9a-f]+)/.exec(readFileSync(`/proc/${helper}/status`, 'utf8'))?.[1] ?? '0'}`);
    await vi.waitFor(() => expect(ignored() & 3n).toBe(3n), wait);
    await vi.waitFor(() => expect(readdirSync(`/proc/${helper}/fd`)).toHaveLength(3), wait);
    const fds = readdirSync(`/proc/${helper}/fd`).sort();
    expect(fds).toEqual(['0', '1', '2']);
    const stat = readFileSync(`/proc/${helper}/stat`, 'utf8');
    const [, , , session] = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    expect(session).toBe(helper); // a session of its own: no terminal's hangup reaches it
    process.kill(helper, 'SIGHUP');
    process.kill(helper, 'SIGINT');
    // Signals are delivered before kill() returns to a process that is running or sleeping; a
    // round trip through /proc confirms it is still there after handling them.
    await vi.waitFor(() => expect(state(helper)).toMatch(/^[SR]$/), wait);
    expect(sessionMembers(sid)).toHaveLength(2);
    await reaper.close(8000);
    expect(sessionMembers(sid)).toEqual([]);
  });

  it('exits at once when the pipe closes and nothing is left to stop', async () => {
    const reaper = startReaper();
    const helper = reaper.pid!;
    const t0 = Date.now();
    await reaper.close(5000);
    expect(ended(helper)).toBe(true);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('sessions reported before the helper starts are sent when it starts', async () => {
    const sid = await stubbornSession();
    const reaper = new Reaper();
    reapers.push(reaper);
    reaper.track(sid);
    reaper.start();
    await reaper.close(8000);
    expect(sessionMembers(sid)).toEqual([]);
  });
});
