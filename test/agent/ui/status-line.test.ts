// The agent pane's status line at the widths panes really have: the state word always shows, and
// parts go from the least important up as the pane narrows.
import { describe, expect, it } from 'vitest';
import { statusLine, type StatusInput } from '../../../src/agent/ui/status-line.js';

const totals = { input: 1200, output: 3400, cacheRead: 52_000, cacheWrite: 6_000, cost: 0.0042, priced: true, turns: 3 };
const input = (over: Partial<StatusInput['view']> = {}, simulated = false): StatusInput => ({
  view: { status: 'thinking', statusDetail: undefined, totals, context: 24_000, busy: true, ...over },
  name: 'lead',
  model: 'claude-sonnet-5-5',
  contextWindow: 200_000,
  simulated,
});
const text = (i: StatusInput, w: number) => statusLine(i, w).map((s) => s.text).join('');

describe('agent status line', () => {
  it('at 120 columns shows everything', () => {
    expect(text(input(), 120)).toBe('thinking · lead · claude-sonnet-5-5 · ctx 12% · 62.6k tok · cache 88% · $0.0042 · esc interrupts');
  });

  it.each([
    [90, 'thinking · lead · claude-sonnet-5-5 · ctx 12% · 62.6k tok · $0.0042 · esc interrupts'],
    [60, 'thinking · ctx 12% · $0.0042 · esc interrupts'],
    [40, 'thinking · $0.0042 · esc interrupts'],
  ])('at %i columns keeps the state word and drops the cache share and tokens first', (w, want) => {
    expect(text(input(), w)).toBe(want);
  });

  it.each([40, 60, 90, 120])('at %i columns every state keeps its word and fits', (w) => {
    for (const [status, word] of [
      ['idle', 'idle'],
      ['thinking', 'thinking'],
      ['approval', 'needs approval'],
      ['error', 'error'],
      ['tool', 'running'],
    ] as const) {
      const line = text(input({ status, statusDetail: 'run_command npm test -- --reporter verbose --coverage', busy: status !== 'idle' && status !== 'error' }), w);
      expect(line.startsWith(word)).toBe(true);
      expect(line.length).toBeLessThanOrEqual(w);
    }
  });

  it('a running tool shows what it runs in the room left, clipped', () => {
    const line = text(input({ status: 'tool', statusDetail: 'run_command npm test -- --reporter verbose --coverage' }), 60);
    expect(line).toMatch(/^running run_command.*… · ctx 12% · /);
    expect(line.length).toBeLessThanOrEqual(60);
  });

  it('even narrower than the parts, the state word stays', () => {
    expect(text(input({ status: 'approval' }), 12)).toBe('needs approval');
  });

  it('in the offline demo model and cost say they are simulated', () => {
    const line = text(input({}, true), 120);
    expect(line).toContain('claude-sonnet-5-5 (simulated)');
    expect(line).toContain('$0.0042 (simulated)');
    // Narrow: the cost goes with its mark or not at all.
    expect(text(input({}, true), 40)).toMatch(/\$0\.0042 \(simulated\)|^thinking( ·|$)/);
  });

  it('colours the state word by state', () => {
    expect(statusLine(input({ status: 'approval' }), 90)[0]).toEqual({ text: 'needs approval', token: 'status.waiting' });
    expect(statusLine(input({ status: 'error' }), 90)[0].token).toBe('text.error');
  });
});
