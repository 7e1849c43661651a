// Status from a CLI's hooks, with its screen filling only what they never report. The rules alone
// (screenOverHooks), the screens recorded with Claude Code's status line set, and a workspace driving
// a fake Claude Code that reports its turn as the real one's hooks do.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseHookEvent } from '../../src/hooks/hook-event.js';
import { activityLabel, readScreen, screenOverHooks, type Activity, type ScreenReading } from '../../src/workspace/activity.js';
import { DETECTORS } from '../../src/workspace/detectors.js';
import { fakeClaude, type FakeClaude } from '../helpers/fake-claude.js';
import { disposeRigs, paneSpec, workspaceRig } from '../helpers/workspace-rig.js';

const wait = { timeout: 10_000, interval: 5 };
afterEach(async () => {
  await disposeRigs();
});

const act = (state: Activity['state'], source: Activity['source'], previous?: Activity['state']): Activity => ({ state, source, reason: 'r', since: 0, previous });
const scr = (state: Activity['state'], ends = false): ScreenReading => ({ state, source: 'screen', reason: ends ? 'claude:ended' : 'claude:input', ...(ends ? { ends } : {}) });

describe('what the screen may still say while hooks lead', () => {
  it('nothing about a turn the hooks report: a status-line screen reading idle mid-answer is ignored', () => {
    expect(screenOverHooks(act('busy', 'hook'), scr('idle'), false)).toBeUndefined();
    expect(screenOverHooks(act('busy', 'hook'), scr('idle'), true)).toBeUndefined(); // a draft typed while it works
    expect(screenOverHooks(act('idle', 'hook'), scr('busy'), false)).toBeUndefined(); // a stale spinner after Stop
  });

  it('a dialog on the screen is waiting, whatever the hooks said', () => {
    expect(screenOverHooks(act('busy', 'hook'), scr('waiting'), false)).toMatchObject({ state: 'waiting', source: 'screen' });
    expect(screenOverHooks(undefined, scr('idle'), false)).toMatchObject({ state: 'idle' });
  });

  it('a dialog that closed goes back to the turn, or to what the screen says after a refusal', () => {
    // Seen on the screen, then gone: a permission granted mid-turn.
    expect(screenOverHooks(act('waiting', 'screen', 'busy'), scr('idle'), true)).toEqual({ state: 'busy', source: 'hook', reason: 'dialog-closed' });
    // The person answered (keys since the hook) before the screen was read.
    expect(screenOverHooks(act('waiting', 'hook', 'busy'), scr('idle'), true)).toMatchObject({ state: 'busy' });
    // Refused: the turn ended.
    expect(screenOverHooks(act('waiting', 'screen', 'busy'), scr('idle', true), true)).toMatchObject({ state: 'idle', reason: 'claude:ended' });
    // A picker opened at the prompt and closed.
    expect(screenOverHooks(act('waiting', 'screen', 'idle'), scr('idle'), true)).toMatchObject({ state: 'idle' });
    // The hook said a dialog is coming and the screen has not drawn it yet: not closed.
    expect(screenOverHooks(act('waiting', 'hook', 'busy'), scr('idle'), false)).toBeUndefined();
  });

  it('a turn ended by a key (Esc) counts only after keys since the last hook event', () => {
    expect(screenOverHooks(act('busy', 'hook'), scr('idle', true), true)).toMatchObject({ state: 'idle', reason: 'claude:ended' });
    // The new turn's prompt hook came after the Esc; the screen has not drawn the new prompt yet.
    expect(screenOverHooks(act('busy', 'hook'), scr('idle', true), false)).toBeUndefined();
  });

  it('the title marks screen readings of a CLI whose hooks stay silent', () => {
    expect(activityLabel({ ...act('busy', 'screen'), silentHooks: true })).toBe('busy~');
    expect(activityLabel(act('busy', 'hook'))).toBe('busy');
    expect(activityLabel(act('waiting', 'screen'))).toBe('needs you');
    expect(activityLabel(act('busy', 'guess'))).toBe('busy?');
  });
});

describe('screens recorded with Claude Code 2.1.197 and a status line set', () => {
  const dir = join(import.meta.dirname, '..', 'fixtures', 'hooks', 'claude');
  const read = (f: string) => readScreen(DETECTORS.claude!, readFileSync(join(dir, f), 'utf8').split('\n'));

  it('its screen alone calls a streaming answer idle: the case hooks are for', () => {
    expect(read('busy-streaming.txt')).toEqual({ state: 'idle', rule: 'claude:input' });
  });

  it('dialogs read waiting, a running tool busy, and a turn ended by a key as ended', () => {
    for (const f of readdirSync(dir)) {
      const r = read(f)!;
      if (f === 'busy-streaming.txt') continue;
      expect(r.state, f).toBe(f.split('-')[0]);
      expect(r.ends === true, f).toBe(f.startsWith('idle-'));
    }
  });

  it('the ended rules read the recorded screens without a status line (and Codex after Esc) the same way', () => {
    const screens = join(import.meta.dirname, '..', 'fixtures', 'screens');
    const cases = [
      ['claude', 'idle-after-interrupt.txt'],
      ['claude', 'idle-after-deny.txt'],
      ['claude', 'idle-after-tool-interrupt.txt'],
      ['codex', 'idle-after-interrupt-ctrlc.txt'],
      ['codex', 'idle-after-interrupt-draft.txt'],
      ['codex', 'idle-after-tool-interrupt-draft.txt'],
    ] as const;
    for (const [preset, f] of cases)
      expect(readScreen(DETECTORS[preset]!, readFileSync(join(screens, preset, f), 'utf8').split('\n')), f).toMatchObject({ state: 'idle', ends: true });
    // A finished turn is not an ended one.
    expect(readScreen(DETECTORS.codex!, readFileSync(join(screens, 'codex', 'idle-after-reply.txt'), 'utf8').split('\n'))?.ends).toBeUndefined();
  });
});

function rig(behaviour: Omit<FakeClaude, 'submitted'> = {}) {
  const { program, state } = fakeClaude(behaviour);
  const r = workspaceRig([paneSpec('cc', 'esc', { preset: 'claude' })], { cols: 124, rows: 40 }, program);
  const pane = () => r.ws.panes[0];
  // As the MCP server's /hook does: the event, tied to the pane its token names.
  state.hook = (json) => r.ws.dispatch({ t: 'hook', pane: pane().id, event: parseHookEvent('claude', json) });
  return { ...r, state, pane };
}

describe('a workspace with a Claude Code that reports through hooks', () => {
  it('stays busy from the prompt hook while its screen reads idle, until Stop', async () => {
    const { ws, pty, pane, state } = rig();
    await vi.waitFor(() => expect(pane().activity).toMatchObject({ state: 'idle', source: 'screen' }), wait);
    pty(pane()).write('count slowly\r');
    expect(pane().activity).toMatchObject({ state: 'busy', source: 'hook', reason: 'claude:UserPromptSubmit' });
    // Its screen is read (and would say idle) many times while it streams.
    for (let i = 0; i < 3; i++) {
      ws.monitor.detect(pane());
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(pane().activity?.state).toBe('busy');
    expect(ws.getView().panes[0].activity?.state).toBe('busy');
    state.finish!();
    expect(pane().activity).toMatchObject({ state: 'idle', source: 'hook', reason: 'claude:Stop' });
  });

  it('prefix+i confirms the interrupt from the screen, as no hook reports it', async () => {
    const { ws, pty, pane } = rig();
    await vi.waitFor(() => expect(pane().activity?.state).toBe('idle'), wait);
    pty(pane()).write('count slowly\r');
    expect(pane().activity?.state).toBe('busy');
    await ws.interrupt();
    expect(ws.getView().message).toMatch(/^interrupted cc \(stopped in \d+ ms\)$/);
    expect(pane().activity).toMatchObject({ state: 'idle', source: 'screen', reason: 'claude:ended' });
  });

  it('a redirect while it works interrupts, types, and sees the new turn start by its hook', async () => {
    const { ws, pty, pane, state } = rig();
    await vi.waitFor(() => expect(pane().activity?.state).toBe('idle'), wait);
    pty(pane()).write('count slowly\r');
    await ws.redirect('focused', 'do this instead');
    expect(ws.getView().message).toBe('cc: sent');
    expect(state.submitted).toEqual(['count slowly', 'do this instead']);
    expect(pane().activity).toMatchObject({ state: 'busy', source: 'hook' });
  });

  it('a turn whose hook comes before its first frame is seen started at the first Enter', async () => {
    const { ws, pane } = rig({ drawLaterMs: 60 });
    await vi.waitFor(() => expect(pane().activity?.state).toBe('idle'), wait);
    const r = await ws.instruct(pane(), 'do this', false);
    expect(r).toMatchObject({ ok: true, detail: 'started a turn' });
    expect(r.ms).toBeLessThan(2000);
  });

  it('a permission dialog needs you; granted, the turn goes on though its screen reads idle; refused, it ends', async () => {
    const { ws, pty, pane, state } = rig();
    const attention: string[] = [];
    ws.on('attention', (p) => attention.push(p.name));
    await vi.waitFor(() => expect(pane().activity?.state).toBe('idle'), wait);
    pty(pane()).write('write notes\r');
    state.ask!();
    expect(pane().activity).toMatchObject({ state: 'waiting', source: 'hook' });
    expect(attention).toEqual(['cc']);
    await vi.waitFor(() => expect(pane().activity?.source).toBe('screen'), wait);
    pane().type('1');
    await vi.waitFor(() => expect(pane().activity).toMatchObject({ state: 'busy', reason: 'dialog-closed' }), wait);
    ws.monitor.detect(pane());
    expect(pane().activity?.state).toBe('busy');
    state.finish!();
    expect(pane().activity?.state).toBe('idle');

    pty(pane()).write('write notes again\r');
    state.ask!();
    await vi.waitFor(() => expect(pane().activity?.source).toBe('screen'), wait);
    pane().type('3');
    await vi.waitFor(() => expect(pane().activity).toMatchObject({ state: 'idle', reason: 'claude:ended' }), wait);
  });

  it('a restart forgets the hooks until they report again', async () => {
    const { ws, pty, pane } = rig();
    await vi.waitFor(() => expect(pane().activity?.state).toBe('idle'), wait);
    pty(pane()).write('count slowly\r');
    expect(pane().hooked).toBe(true);
    ws.dispatch({ t: 'command', command: { id: 'pane.restart' } });
    await vi.waitFor(() => expect(pane().hooked).toBe(false), wait);
  });
});

describe('a CLI given hooks that stay silent', () => {
  it('is read from its screen, and its title says so while it works', async () => {
    const { program } = fakeClaude();
    const r = workspaceRig([paneSpec('cc', 'esc', { preset: 'claude' })], { cols: 124, rows: 40, external: () => ({ env: {}, args: [], hooks: true }) }, program);
    const pane = r.ws.panes[0];
    expect(pane.hooksGiven).toBe(true);
    await vi.waitFor(() => expect(pane.activity).toMatchObject({ state: 'idle', source: 'screen' }), wait);
    expect(activityLabel(pane.activity!)).toBe('idle');
    r.pty(pane).write('count slowly\r');
    await vi.waitFor(() => expect(pane.activity).toMatchObject({ state: 'busy', source: 'screen', silentHooks: true }), wait);
    await vi.waitFor(() => expect(r.ws.getView().panes[0].activity?.silentHooks).toBe(true), wait);
    expect(activityLabel(pane.activity!)).toBe('busy~');
  });
});

describe('checkWrite', () => {
  it('allows everything unless the options decide, and never asks about no paths', () => {
    const asked: string[][] = [];
    const r = workspaceRig(['a'], { checkWrite: (agent, paths) => (asked.push([agent, ...paths]), paths.some((p) => p.endsWith('/claimed.txt')) ? 'claimed by t1' : undefined) });
    expect(r.ws.checkWrite('a', ['/p/free.txt'])).toBeUndefined();
    expect(r.ws.checkWrite('a', ['/p/claimed.txt'])).toBe('claimed by t1');
    expect(r.ws.checkWrite('a', [])).toBeUndefined();
    expect(asked).toEqual([['a', '/p/free.txt'], ['a', '/p/claimed.txt']]);
    expect(workspaceRig(['b']).ws.checkWrite('b', ['/p/claimed.txt'])).toBeUndefined();
  });
});
