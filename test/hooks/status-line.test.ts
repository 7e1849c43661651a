// Claude Code's status-line JSON (test/fixtures/hooks/claude-statusline.json, captured from a real
// 2.1.197 run) turned into the usage the workspace shows and totals, and the files it is saved to.
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { nextUsage } from '../../src/hooks/status-line.js';
import { StatusFiles } from '../../src/hooks/status-files.js';
import type { UsageReport } from '../../src/ipc/protocol.js';

const REAL = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'hooks', 'claude-statusline.json'), 'utf8');
const real = JSON.parse(REAL);
const line = (cost: number, call: object | null) => JSON.stringify({ ...real, cost: { ...real.cost, total_cost_usd: cost }, context_window: { ...real.context_window, current_usage: call } });
const call = (input: number, output: number, read = 0, write = 0) => ({ input_tokens: input, output_tokens: output, cache_read_input_tokens: read, cache_creation_input_tokens: write });

describe('usage from the status line', () => {
  it('reads the cost, the latest call and the context from a real capture', () => {
    const u = nextUsage(undefined, REAL)!.report;
    const c = real.context_window.current_usage;
    expect(u).toEqual({
      input: c.input_tokens,
      output: c.output_tokens,
      cacheRead: c.cache_read_input_tokens,
      cacheWrite: c.cache_creation_input_tokens,
      cost: real.cost.total_cost_usd,
      priced: true,
      context: c.input_tokens + c.cache_read_input_tokens + c.cache_creation_input_tokens,
      contextWindow: real.context_window.context_window_size,
    });
  });

  it('sums tokens one API call at a time: a status line repeating the same call counts once', () => {
    let u = nextUsage(undefined, line(0, null))!;
    expect(u.report).toMatchObject({ input: 0, output: 0, cost: 0 });
    u = nextUsage(u, line(0.01, call(100, 20, 0, 900)))!;
    u = nextUsage(u, line(0.01, call(100, 20, 0, 900)))!; // redrawn after the tool result
    u = nextUsage(u, line(0.02, call(30, 5, 1000, 0)))!;
    expect(u.report).toMatchObject({ input: 130, output: 25, cacheRead: 1000, cacheWrite: 900, cost: 0.02, context: 1030 });
  });

  it('a cost going down is a new Claude Code session in the pane: the totals carry on', () => {
    let u = nextUsage(undefined, line(0.5, call(10, 1)))!;
    u = nextUsage(u, line(0.02, call(20, 2)))!;
    expect(u.report.cost).toBeCloseTo(0.52);
    u = nextUsage(u, line(0.03, call(20, 3)))!;
    expect(u.report.cost).toBeCloseTo(0.53);
    expect(u.report.input).toBe(50);
  });

  it('reads nothing from a half-written file or another shape', () => {
    for (const bad of ['', '{"cost":', '[]', '{"cost":{"total_cost_usd":"1"}}', '{"cost":{"total_cost_usd":-1}}', '{}']) expect(nextUsage(undefined, bad)).toBeUndefined();
    // Odd token fields count as nothing rather than spoiling the cost.
    expect(nextUsage(undefined, JSON.stringify({ cost: { total_cost_usd: 0.1 }, context_window: { current_usage: { input_tokens: 'x' } } }))?.report).toMatchObject({ cost: 0.1, input: 0 });
  });
});

describe('the status files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'agents-status-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports a pane when its file is replaced, once per change, and nothing after close', async () => {
    const got: Array<[string, UsageReport]> = [];
    const files = new StatusFiles((agent, u) => got.push([agent, u]));
    const file = join(dir, 'cc-status.json');
    writeFileSync(file, '');
    files.follow(file, 'cc');
    // As Claude Code's command does it: written to a side file, renamed over.
    writeFileSync(`${file}.tmp`, line(0.25, call(10, 2)));
    renameSync(`${file}.tmp`, file);
    await vi.waitFor(() => expect(got).toHaveLength(1), { timeout: 5000 });
    expect(got[0][0]).toBe('cc');
    expect(got[0][1].cost).toBe(0.25);
    files.changed('cc-status.json'); // the same content again: nothing new
    expect(got).toHaveLength(1);
    writeFileSync(file, '{"cost":'); // half a file: skipped
    files.changed('cc-status.json');
    expect(got).toHaveLength(1);
    files.close();
    writeFileSync(file, line(0.5, call(10, 3)));
    files.changed('cc-status.json');
    expect(got).toHaveLength(1);
  });
});
