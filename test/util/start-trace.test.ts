// Start-up marks: one line per mark with the time, the pid and the mark, and on Linux the main
// thread's CPU time so far (a figure the bench can compare on a busy machine, unlike wall time).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'agents-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('startMark', () => {
  it('writes the time, pid, mark and the main thread CPU in ms, growing as the thread works', async () => {
    const file = join(dir, 'trace');
    vi.resetModules();
    vi.stubEnv('AGENTS_START_TRACE', file);
    const { startMark } = await import('../../src/util/start-trace.js');
    vi.unstubAllEnvs();
    startMark('first');
    // 30 ms of the process's CPU time (getrusage), busy on this thread, whatever else runs on the machine.
    const cpu = () => process.cpuUsage().user / 1000;
    const from = cpu();
    const deadline = Date.now() + 10_000;
    while (cpu() - from < 30 && Date.now() < deadline) Math.sqrt(Math.random());
    startMark('server started ahead: 123');
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const parsed = lines.map((l) => /^(\d+\.\d\d) (\d+) ([^\t]+)\t(\d+\.\d)$/.exec(l));
    expect(parsed.map((m) => m?.[3])).toEqual(['first', 'server started ahead: 123']);
    expect(parsed.map((m) => Number(m?.[2]))).toEqual([process.pid, process.pid]);
    const [a, b] = parsed.map((m) => Number(m?.[4]));
    expect(b - a).toBeGreaterThan(15);
    expect(b - a).toBeLessThan(1000);
  });
});
