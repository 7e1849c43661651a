import { afterEach, describe, expect, it } from 'vitest';
import { disposeRigs, paneSpec, run, workspaceRig } from '../helpers/workspace-rig.js';

afterEach(() => disposeRigs());

describe('the board view', () => {
  it("says when an agent's budget cannot be held because its program does not report its cost", () => {
    const { ws } = workspaceRig([paneSpec('cx', 'esc', { preset: 'codex' }), paneSpec('cc', 'esc', { preset: 'claude' }), paneSpec('lead', 'esc', { kind: 'builtin' })], {
      tasks: { settings: { agentBudgets: { cx: { usd: 1 }, cc: { usd: 1 }, lead: { usd: 1 } } } },
    });
    run(ws, 'tasks.toggle');
    expect(ws.getView().board?.warnings).toEqual(["cx's budget cannot be held: codex does not report what it costs"]);
  });
});
