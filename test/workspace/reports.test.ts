// Claude Code's status-line JSON (test/fixtures/claude-statusline.json was captured from a real run)
// turned into the usage the workspace shows and totals.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ReportFile, usageFromStatusLine } from '../../src/workspace/reports.js';

const REAL = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'claude-statusline.json'), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'agents-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('usage from Claude Code status-line JSON', () => {
  it('reads its cost, session tokens and context from a real capture', () => {
    const u = usageFromStatusLine(REAL)!;
    const j = JSON.parse(REAL);
    expect(u.cost).toBe(j.cost.total_cost_usd);
    expect(u.input).toBe(j.context_window.total_input_tokens);
    expect(u.output).toBe(j.context_window.total_output_tokens);
    expect(u.contextWindow).toBe(j.context_window.context_window_size);
    expect(u.context).toBe(1684 + 22840);
    expect(u.priced).toBe(true);
  });

  it('ignores what is not that shape: half-written, empty, other JSON, bad numbers', () => {
    expect(usageFromStatusLine(REAL.slice(0, 100))).toBeUndefined();
    expect(usageFromStatusLine('')).toBeUndefined();
    expect(usageFromStatusLine('{"model":{}}')).toBeUndefined();
    expect(usageFromStatusLine('null')).toBeUndefined();
    const odd = usageFromStatusLine('{"cost":{"total_cost_usd":0.5},"context_window":{"total_input_tokens":"x","total_output_tokens":-3}}')!;
    expect(odd).toMatchObject({ cost: 0.5, input: 0, output: 0 });
  });

  it('a report file is read again only when it changed', () => {
    const file = join(dir, 'cc-report.json');
    const r = new ReportFile(file);
    expect(r.poll()).toBeUndefined(); // not written yet
    writeFileSync(file, REAL);
    utimesSync(file, 1000, 1000);
    expect(r.poll()?.cost).toBeGreaterThan(0);
    expect(r.poll()).toBeUndefined();
    const later = JSON.parse(REAL);
    later.cost.total_cost_usd = 1.25;
    writeFileSync(file, JSON.stringify(later));
    utimesSync(file, 2000, 2000);
    expect(r.poll()?.cost).toBe(1.25);
  });
});
