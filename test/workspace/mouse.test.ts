// The mouse through the workspace: a click focuses, the wheel scrolls history, and a program that
// asked for the mouse gets the events at its own coordinates (fake ptys; real emulators).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeForPane, isWheel, parseSgrMouse, type MouseEvent } from '../../src/workspace/mouse.js';
import type { Workspace } from '../../src/workspace/workspace.js';
import { disposeRigs, focus, run, workspaceRig } from '../helpers/workspace-rig.js';

const wait = { timeout: 5000, interval: 5 };
afterEach(async () => {
  await disposeRigs();
});

async function rig() {
  const r = workspaceRig(['left', 'right'], { cols: 80, rows: 25, layout: 'columns' });
  await vi.waitFor(() => expect(r.ws.panes.every((p) => p.running)).toBe(true), wait);
  return r;
}
const at = (code: number, x: number, y: number, press = true): MouseEvent => ({ code, x, y, press });

/** The terminal's SGR report of `ev`, through the workspace's dispatch; true when the workspace used it. */
function handleMouse(ws: Workspace, ev: MouseEvent): boolean {
  let used = false;
  const onTyped = () => (used = true);
  ws.on('typed', onTyped);
  ws.dispatch({ t: 'key', ev: { kind: 'mouse', raw: `\x1b[<${ev.code};${ev.x + 1};${ev.y + 1}${ev.press ? 'M' : 'm'}` } });
  ws.off('typed', onTyped);
  return used;
}

describe('mouse', () => {
  it('reads SGR reports and nothing else', () => {
    expect(parseSgrMouse('\x1b[<0;12;5M')).toEqual({ code: 0, x: 11, y: 4, press: true });
    expect(parseSgrMouse('\x1b[<65;1;1m')).toEqual({ code: 65, x: 0, y: 0, press: false });
    expect(parseSgrMouse('\x1b[M !!')).toBeUndefined();
    expect(parseSgrMouse('\x1b[<0;1M')).toBeUndefined();
    // The wheel (+64), with or without modifiers, against a click and other encodings.
    expect(['\x1b[<64;3;4M', '\x1b[<65;3;4M', '\x1b[<80;3;4M'].map(isWheel)).toEqual([true, true, true]);
    expect(['\x1b[<0;3;4M', '\x1b[<2;3;4m', '\x1b[M !!'].map(isWheel)).toEqual([false, false, false]);
  });

  it('a click on another pane focuses it, and the program there gets nothing', async () => {
    const { ws, pty } = await rig();
    const right = ws.visible()[1].inner;
    expect(handleMouse(ws, at(0, right.x + 2, right.y + 2))).toBe(true);
    expect(ws.focused?.name).toBe('right');
    expect(pty(ws.panes[1]).input).toBe('');
    // On the status bar: nothing happens.
    expect(handleMouse(ws, at(0, 1, 24))).toBe(false);
    expect(ws.focused?.name).toBe('right');
  });

  it('the wheel scrolls a pane’s history and leaves scroll mode at the bottom', async () => {
    const { ws, pty, parsed } = await rig();
    const p = ws.panes[0];
    pty(p).output(Array.from({ length: 60 }, (_, i) => `line ${i}`).join('\r\n'));
    await parsed(p);
    const inner = ws.visible()[0].inner;
    handleMouse(ws, at(64, inner.x + 1, inner.y + 1));
    expect(ws.mode).toBe('scroll');
    expect(p.scroll).toBe(3);
    handleMouse(ws, at(64, inner.x + 1, inner.y + 1));
    expect(p.scroll).toBe(6);
    handleMouse(ws, at(65, inner.x + 1, inner.y + 1));
    handleMouse(ws, at(65, inner.x + 1, inner.y + 1));
    expect(p.scroll).toBe(0);
    expect(ws.mode).toBe('normal');
    expect(pty(p).input).toBe('');
  });

  it('a program that asked for the mouse gets clicks and the wheel at its own coordinates', async () => {
    const { ws, pty, parsed } = await rig();
    const p = ws.panes[1];
    focus(ws, 1);
    pty(p).output('\x1b[?1000h\x1b[?1006h');
    await parsed(p);
    const inner = ws.visible()[1].inner;
    handleMouse(ws, at(0, inner.x + 4, inner.y + 2));
    handleMouse(ws, at(0, inner.x + 4, inner.y + 2, false));
    handleMouse(ws, at(65, inner.x, inner.y));
    expect(pty(p).input).toBe('\x1b[<0;5;3M\x1b[<0;5;3m\x1b[<65;1;1M');
    // Without SGR encoding it gets the legacy one (a release is button 3).
    pty(p).output('\x1b[?1006l');
    await parsed(p);
    expect(encodeForPane(p, at(0, inner.x + 4, inner.y + 2, false), inner)).toBe(`\x1b[M${String.fromCharCode(35, 37, 35)}`);
  });

  it('a full-screen program that did not ask gets the wheel as arrow keys', async () => {
    const { ws, pty, parsed } = await rig();
    const p = ws.panes[0];
    pty(p).output('\x1b[?1049h\x1b[?1h'); // alternate screen, application cursor keys
    await parsed(p);
    const inner = ws.visible()[0].inner;
    handleMouse(ws, at(64, inner.x + 1, inner.y + 1));
    handleMouse(ws, at(65, inner.x + 1, inner.y + 1));
    expect(pty(p).input).toBe('\x1bOA\x1bOA\x1bOA\x1bOB\x1bOB\x1bOB');
    expect(ws.mode).toBe('normal');
  });

  it('the wheel over the shared-context panel scrolls its feed; the keys do too, within the feed', async () => {
    const lines = Array.from({ length: 12 }, (_, i) => ({ id: i, time: '', who: 'lead', kind: 'modified', path: `f${i}`, size: '' }));
    const context = { view: () => ({ lines, notes: [], pending: {}, conflicts: {} }), postNote: () => {}, subscribe: () => () => {} };
    const r = workspaceRig(['left'], { cols: 120, rows: 25, context });
    await vi.waitFor(() => expect(r.ws.panes[0].running).toBe(true), wait);
    run(r.ws, 'context.toggle');
    const panel = r.ws.contextRect!;
    handleMouse(r.ws, at(65, panel.x + 2, panel.y + 3));
    expect(r.ws.getView().context?.scroll).toBe(3);
    handleMouse(r.ws, at(64, panel.x + 2, panel.y + 3));
    handleMouse(r.ws, at(64, panel.x + 2, panel.y + 3));
    expect(r.ws.getView().context?.scroll).toBe(0);
    run(r.ws, 'context.scrollDown');
    run(r.ws, 'context.scrollDown');
    run(r.ws, 'context.scrollDown');
    expect(r.ws.getView().context?.scroll).toBe(11);
    expect(r.pty(r.ws.panes[0]).input).toBe('');
  });
});
