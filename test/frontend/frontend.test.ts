// The Frontend between the workspace and its terminals: a terminal attaching to a workspace whose
// chrome went stale while nobody looked is drawn to as soon as Ink has caught up, also when nothing
// on the chrome changed (Ink then writes the same frame, which the chrome screen ignores).
import { afterEach, describe, expect, it } from 'vitest';
import { buildKeymap } from '../../src/config/keymap.js';
import { loadTheme } from '../../src/config/theme.js';
import { Frontend, type TerminalLink } from '../../src/frontend/frontend.js';
import { disposeRigs, workspaceRig } from '../helpers/workspace-rig.js';

function link(): TerminalLink & { out: string[] } {
  const out: string[] = [];
  return { cols: 80, rows: 25, out, write: (data) => void out.push(Buffer.from(data).toString('utf8')), bell: () => undefined, detach: () => undefined };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

let frontends: Frontend[] = [];
afterEach(async () => {
  for (const f of frontends) f.stop();
  frontends = [];
  await disposeRigs();
});

describe('Frontend', () => {
  it('draws to a terminal attaching to a stale but unchanged chrome on the next turn, not after a timeout', async () => {
    const { ws } = workspaceRig(['a']);
    const f = new Frontend({ workspace: ws, theme: loadTheme('dark', { noColor: false }).value!, keymap: buildKeymap().keymap! });
    frontends.push(f);
    const first = link();
    const a = f.attach(first);
    await turn();
    f.renderer.frame();
    expect(first.out.join('')).toContain('NORMAL');
    a.detach();
    // A change goes by while nobody is attached: the chrome is stale, though what it shows is the same.
    ws.dispatch({ t: 'context' });
    const second = link();
    f.attach(second);
    await turn();
    f.renderer.frame();
    expect(second.out.join('')).toContain('NORMAL');
  });
});
