// The Frontend between the workspace and its terminals: a terminal attaching to a workspace whose
// chrome went stale while nobody looked is drawn to as soon as Ink has caught up, also when nothing
// on the chrome changed (Ink then writes the same frame, which the chrome screen ignores); and the
// chrome's answer to a key is drawn at once, as a pane's echo is, not on the frame clock (a wheel
// notch is no key: its frames keep to the clock).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildKeymap } from '../../src/config/keymap.js';
import { loadTheme } from '../../src/config/theme.js';
import { Frontend, type Attachment, type TerminalLink } from '../../src/frontend/frontend.js';
import type { Workspace } from '../../src/workspace/workspace.js';
import { FRAME_MS } from '../../src/render/renderer.js';
import { ChromeScreen } from '../../src/terminal/chrome-screen.js';
import { createEmulator, readScreen, writeAsync } from '../helpers/screen-grid.js';
import { disposeRigs, workspaceRig } from '../helpers/workspace-rig.js';

function link(): TerminalLink & { out: string[] } {
  const out: string[] = [];
  return { cols: 80, rows: 25, out, write: (data) => void out.push(Buffer.from(data).toString('utf8')), bell: () => undefined, detach: () => undefined };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

let frontends: Frontend[] = [];
/** A Frontend for `ws`, stopped after the test. */
function frontendOf(ws: Workspace): Frontend {
  const f = new Frontend({ workspace: ws, theme: loadTheme('dark', { noColor: false }).value!, keymap: buildKeymap().keymap! });
  frontends.push(f);
  return f;
}
/** Attaches `t` and draws to it: its first frame once Ink has drawn the chrome. */
async function attachDrawn(f: Frontend, t: TerminalLink): Promise<Attachment> {
  const a = f.attach(t);
  await turn();
  f.renderer.frame();
  return a;
}
/** A pane with 60 lines of history, its Frontend and an attached terminal; `notch` turns the wheel up over it. */
async function withHistory() {
  const { ws, pty, parsed } = workspaceRig(['a'], { cols: 80, rows: 25 });
  await vi.waitFor(() => expect(ws.panes[0].running).toBe(true), { timeout: 5000, interval: 5 });
  const f = frontendOf(ws);
  const t = link();
  const keys = f.attach(t);
  pty(ws.panes[0]).output(Array.from({ length: 60 }, (_, i) => `line ${i}`).join('\r\n'));
  await parsed(ws.panes[0]);
  const inner = ws.visible()[0].inner;
  return { ws, f, t, notch: () => keys.input(`\x1b[<64;${inner.x + 2};${inner.y + 2}M`) };
}
afterEach(async () => {
  for (const f of frontends) f.stop();
  frontends = [];
  await disposeRigs();
});

describe('Frontend', () => {
  it('draws to a terminal attaching to a stale but unchanged chrome on the next turn, not after a timeout', async () => {
    const { ws } = workspaceRig(['a']);
    const f = frontendOf(ws);
    const first = link();
    const a = await attachDrawn(f, first);
    expect(first.out.join('')).toContain('NORMAL');
    a.detach();
    // A change goes by while nobody is attached: the chrome is stale, though what it shows is the same.
    ws.dispatch({ t: 'context' });
    const second = link();
    await attachDrawn(f, second);
    expect(second.out.join('')).toContain('NORMAL');
  });

  it("draws the chrome's answer to a key on the next turns, without waiting for the frame clock", async () => {
    const { ws } = workspaceRig(['a']);
    const f = frontendOf(ws);
    const t = link();
    const keys = await attachDrawn(f, t);
    expect(t.out.join('')).toContain('NORMAL');
    // A frame was just drawn: a change now would wait ~33 ms for the next one, unless it is urgent.
    t.out.length = 0;
    keys.input('\x01'); // the prefix: the status bar's mode becomes PREFIX
    await turn();
    await turn();
    // Ink renders within the key's turn; the frame follows on the next. (On the frame clock it would
    // show up here only if the machine stalled ~33 ms meanwhile.)
    expect(t.out.join('')).toContain('PREFIX');
  });

  it('a wheel notch is not a key: the position it moves keeps to the frame clock', async () => {
    const { f, t, notch } = await withHistory();
    await turn();
    // The renderer's clock starts when a frame starts, not when it is done (a slow frame on a loaded
    // machine would otherwise leave less than FRAME_MS to the next one, and this test read that as
    // a notch drawn off the clock).
    const drawnAt = performance.now();
    f.renderer.frame();
    t.out.length = 0;
    notch(); // scroll mode, and [3/..] on the border
    await turn();
    await turn();
    // Drawn on the frame clock only (unless the machine stalled past it meanwhile).
    if (performance.now() - drawnAt < FRAME_MS) expect(t.out.join('')).not.toContain('[3/');
    await vi.waitFor(() => expect(t.out.join('')).toContain('[3/'), { timeout: 5000, interval: 5 });
  });

  it('in scroll mode a wheel notch moves the position on the border without a render of the chrome by Ink', async () => {
    const { ws, t, notch } = await withHistory();
    // Once the output's guess of "busy" has gone back to idle, nothing else changes the chrome.
    await vi.waitFor(() => expect(ws.getView().panes[0].activity?.state).toBe('idle'), { timeout: 5000, interval: 20 });
    notch(); // scroll mode: the status bar says SCROLL, an Ink render
    await vi.waitFor(() => expect(t.out.join('')).toContain('[3/'), { timeout: 5000, interval: 5 });
    const inkFrames = vi.spyOn(ChromeScreen.prototype, 'setFrame');
    const term = createEmulator(80, 25, 0);
    try {
      notch();
      notch();
      await vi.waitFor(
        async () => {
          await writeAsync(term, t.out.splice(0).join(''));
          expect(readScreen(term).rowText(0)).toMatch(/━ \[9\/\d+\] ━┓$/);
        },
        { timeout: 5000, interval: 5 },
      );
      expect(inkFrames).not.toHaveBeenCalled();
    } finally {
      inkFrames.mockRestore();
      term.dispose();
    }
  });
});
