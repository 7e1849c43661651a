// What the MCP tools reach in a live workspace: statuses, and messages between agents that wait for
// the receiver to be idle (a fake Claude Code drawing recorded screens) instead of interrupting it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { workspaceMcpHost } from '../../src/mcp/host.js';
import { fakeClaude } from '../helpers/fake-claude.js';
import { disposeRigs, paneSpec, workspaceRig } from '../helpers/workspace-rig.js';

const wait = { timeout: 10_000, interval: 5 };
afterEach(async () => {
  await disposeRigs();
});

function rig() {
  const { program, state } = fakeClaude();
  const cc = paneSpec('cc', 'esc', { preset: 'claude', env: { FAKE: 'claude' } });
  const r = workspaceRig([cc, paneSpec('lead')], { cols: 250, rows: 40 }, (p) => p.options.env.FAKE === 'claude' && program(p));
  const host = workspaceMcpHost({ workspace: () => r.ws });
  return { ...r, state, host, cc: () => r.ws.panes[0] };
}

describe('MCP host', () => {
  it('lists agents with their status, how it is known, and the focus', async () => {
    const { host, cc } = rig();
    await vi.waitFor(() => expect(cc().activity?.state).toBe('idle'), wait);
    const agents = host.agents();
    expect(agents.find((a) => a.name === 'cc')).toEqual({ name: 'cc', preset: 'claude', status: 'idle', guessed: false, focused: true });
    expect(agents.find((a) => a.name === 'lead')).toMatchObject({ preset: 'command', focused: false });
  });

  it('refuses unknown agents and delivers to an idle one as its next instruction', async () => {
    const { host, cc, state } = rig();
    await vi.waitFor(() => expect(cc().activity?.state).toBe('idle'), wait);
    expect(await host.sendMessage('lead', 'nobody', 'hi')).toEqual({ ok: false, detail: 'there is no agent named nobody' });
    const r = await host.sendMessage('lead', 'cc', 'please review src/cart.js');
    expect(r).toEqual({ ok: true, detail: 'cc got it and started working on it' });
    expect(state.submitted).toEqual(['Message from lead, another agent in this workspace: please review src/cart.js']);
  });

  it('never interrupts a busy agent: messages wait for its turn to end, then go in one at a time, in order', async () => {
    const { host, cc, state, pty } = rig();
    await vi.waitFor(() => expect(cc().activity?.state).toBe('idle'), wait);
    pty(cc()).write('long task\r');
    await vi.waitFor(() => expect(cc().activity?.state).toBe('busy'), wait);
    const first = await host.sendMessage('lead', 'cc', 'one');
    const second = await host.sendMessage('lead', 'cc', 'two');
    expect(first.detail).toMatch(/cc is busy; the message goes in as its next instruction once it is idle/);
    expect(second.ok).toBe(true);
    expect(pty(cc()).input).toBe('long task\r'); // no Esc, nothing typed while it works
    state.finish!();
    await vi.waitFor(() => expect(state.submitted).toHaveLength(2), wait);
    // The second waits for the turn the first one started (which, like a real one, lasts a while).
    expect(state.submitted[1]).toMatch(/: one$/);
    await vi.waitFor(() => expect(cc().activity?.state).toBe('busy'), wait);
    state.finish!();
    await vi.waitFor(() => expect(state.submitted).toHaveLength(3), wait);
    expect(state.submitted[2]).toMatch(/: two$/);
    expect(pty(cc()).input).not.toContain('\x1b');
  });
});
