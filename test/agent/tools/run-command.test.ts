import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTool } from '../../../src/agent/tools/index.js';
import { KILL_GRACE_MS, OUTPUT_HEAD_BYTES, OUTPUT_TAIL_BYTES } from '../../../src/agent/tools/run-command.js';
import { noForkSpawns } from '../../../src/terminal/native-exec.js';
import { allProcs } from '../../helpers/procs.js';
import { sandbox, waitFor, type Sandbox } from './helpers.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.dispose());

/** Live (non-zombie) processes whose process group is `pgid`. */
function groupMembers(pgid: number): number[] {
  return allProcs()
    .filter((p: { pgid: number }) => p.pgid === pgid)
    .map((p: { pid: number }) => p.pid);
}

function pgidFrom(output: string): number {
  const m = /pgid (\d+)/.exec(output);
  if (!m) throw new Error(`no pgid in ${output}`);
  return Number(m[1]);
}

describe('run_command', () => {
  it('runs in the project folder and reports the exit code', async () => {
    const before = noForkSpawns;
    const ok = await runTool('run_command', { command: 'pwd' }, box.ctx());
    // Started without a fork of the agent's process (src/terminal/native-exec.ts).
    expect(noForkSpawns).toBe(before + 1);
    expect(ok.isError).toBe(false);
    expect(ok.content).toBe(`${realpathSync(box.root)}\n[exit code 0]`);
    expect(ok.summary).toBe('ran pwd (exit 0)');

    const bad = await runTool('run_command', { command: 'echo failing; exit 3' }, box.ctx());
    expect(bad.isError).toBe(true);
    expect(bad.content).toBe('failing\n[exit code 3]');
    expect(bad.summary).toBe('ran echo failing; exit 3 (exit 3)');
  });

  it('interleaves stdout and stderr in order, with stdin closed', async () => {
    const r = await runTool('run_command', { command: 'echo one; echo two >&2; echo three; cat; echo four >&2' }, box.ctx());
    expect(r.content).toBe('one\ntwo\nthree\nfour\n[exit code 0]');
  });

  it('says when there was no output', async () => {
    expect((await runTool('run_command', { command: 'true' }, box.ctx())).content).toBe('(no output)\n[exit code 0]');
  });

  it('keeps the head and the tail of long output with a marker of what was cut', async () => {
    const r = await runTool('run_command', { command: 'seq 1 200000' }, box.ctx());
    const total = Buffer.byteLength(Array.from({ length: 200000 }, (_, i) => `${i + 1}\n`).join(''));
    expect(r.content.startsWith('1\n2\n3\n')).toBe(true);
    expect(r.content.endsWith('199999\n200000\n[exit code 0]')).toBe(true);
    expect(r.content).toContain(`[... ${total - OUTPUT_HEAD_BYTES - OUTPUT_TAIL_BYTES} bytes of output cut here ...]`);
    expect(r.content.length).toBeLessThan(OUTPUT_HEAD_BYTES + OUTPUT_TAIL_BYTES + 200);
  });

  it('on timeout kills the whole process group, including a child that ignores SIGTERM', async () => {
    const started = Date.now();
    const r = await runTool(
      'run_command',
      { command: `echo pgid $$; sh -c 'trap "" TERM; echo armed; sleep 100'; echo never`, timeout_ms: 500 },
      box.ctx(),
    );
    const took = Date.now() - started;
    expect(r.isError).toBe(true);
    expect(r.content).toContain('armed');
    expect(r.content).not.toContain('never');
    expect(r.content).toContain(
      '[stopped: timed out after 500 ms; the command and the processes it started were sent SIGTERM, then SIGKILL because some did not stop; all checked gone]',
    );
    expect(r.summary).toContain('timed out after 500 ms');
    expect(took).toBeGreaterThanOrEqual(500 + KILL_GRACE_MS);
    expect(took).toBeLessThan(500 + KILL_GRACE_MS + 5_000);
    expect(groupMembers(pgidFrom(r.content))).toEqual([]);
  });

  it('stops mid-run when the AbortSignal fires', async () => {
    const ac = new AbortController();
    const marker = join(box.root, 'started');
    const run = runTool('run_command', { command: 'echo pgid $$; touch started; sleep 100' }, box.ctx({ signal: ac.signal }));
    await waitFor(() => existsSync(marker), 'the command to start');
    const abortedAt = Date.now();
    ac.abort();
    const r = await run;
    // Measured 5-15 ms here; the bound only proves SIGTERM sufficed (no wait for the SIGKILL grace).
    expect(Date.now() - abortedAt).toBeLessThan(1_000);
    expect(r.isError).toBe(true);
    expect(r.content).toContain('[stopped: interrupted by the user; the command and the processes it started were sent SIGTERM; all checked gone]');
    expect(r.summary).toBe('echo pgid $$; touch started; sleep 100: interrupted by the user');
    expect(groupMembers(pgidFrom(r.content))).toEqual([]);
  });

  it('does not start when already interrupted', async () => {
    const ac = new AbortController();
    ac.abort();
    const r = await runTool('run_command', { command: 'touch ran' }, box.ctx({ signal: ac.signal }));
    expect(r.isError).toBe(true);
    expect(existsSync(join(box.root, 'ran'))).toBe(false);
  });

  it('stops background processes the command leaves behind', async () => {
    // One holds the output pipe open, one does not: neither may outlive the call.
    const r = await runTool(
      'run_command',
      { command: 'echo pgid $$; sleep 100 & (sleep 100 >/dev/null 2>&1 &); echo $! > bg.pid; echo done' },
      box.ctx(),
    );
    expect(r.content).toContain('done');
    expect(r.content).toMatch(/\[stopped [23] background processes the command left running \((sh, )?sleep\); all checked gone\]/);
    expect(r.content).toContain('[exit code 0]');
    const pgid = pgidFrom(r.content);
    await waitFor(() => groupMembers(pgid).length === 0, 'the background group to be gone', 5_000);
    expect(readFileSync(join(box.root, 'bg.pid'), 'utf8').trim()).toMatch(/^\d+$/);
  });
});
