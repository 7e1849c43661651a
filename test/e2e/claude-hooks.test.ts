// Real Claude Code (the devDependency) reporting to the workspace through the hooks it is given for
// the run, against the project's local Messages API server:
// - in bin/agents, its status comes from its hooks while a multi-line answer streams, though its
//   status line (which brings its cost to the title and the status bar) leaves its footer without
//   the "esc to interrupt" its screen rules read;
// - in a workspace built in this process, a Write into another task's claim on the board is blocked
//   before it happens, and the model is told why; the latency of status from hooks and from the
//   screen is measured.
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeWorkspace, type Composed } from '../../src/cli/compose.js';
import { buildKeymap } from '../../src/config/keymap.js';
import { startMessagesServer } from '../../src/demo/server.js';
import type { MessagesServer, RecordedRequest, Step } from '../../src/demo/types.js';
import { resolveAgents } from '../../src/workspace/presets.js';
import type { Pane } from '../../src/workspace/pane.js';
import { Workspace } from '../../src/workspace/workspace.js';
import { claudeEnv, claudeInstalled, writeClaudeConfig } from '../helpers/claude-code.js';
import { until } from '../helpers/term.js';
import { start, statusBar } from './setup.js';

type Block = { type: string; text?: string; content?: unknown; tool_use_id?: string; is_error?: boolean };

function lastUser(r: RecordedRequest): Block[] {
  const last = r.body.messages.findLast((m) => m.role === 'user');
  if (!last) return [];
  return typeof last.content === 'string' ? [{ type: 'text', text: last.content }] : (last.content as Block[]);
}

/** Where the Write goes (set per test: the project folder's real path). */
let claimedFile = '';
const COUNT = `Counting:\n${Array.from({ length: 12 }, (_, l) => Array.from({ length: 10 }, (_, i) => l * 10 + i).join(' ')).join('\n')}\nDone counting.`;

function responder(r: RecordedRequest): Step {
  // Side requests (titles, topic checks) have no tools.
  if (!r.body.tools?.length) return { kind: 'reply', content: [{ type: 'text', text: '{"isNewTopic": false, "title": null}' }] };
  const blocks = lastUser(r);
  if (blocks.some((b) => b.type === 'tool_result')) return { kind: 'reply', content: [{ type: 'text', text: 'Noted.' }] };
  const text = blocks.map((b) => b.text ?? '').join('\n').trim().split('\n').at(-1) ?? '';
  if (text.includes('count a little')) return { kind: 'reply', chunkChars: 6, chunkDelayMs: 40, content: [{ type: 'text', text: `${COUNT.split('\n').slice(0, 4).join('\n')}\nThat is all.` }] };
  if (text.includes('count in lines')) return { kind: 'reply', chunkChars: 6, chunkDelayMs: 70, content: [{ type: 'text', text: COUNT }] };
  if (text.includes('write the claimed file')) return { kind: 'reply', content: [{ type: 'tool_use', name: 'Write', input: { file_path: claimedFile, content: 'mine now\n' } }] };
  return { kind: 'reply', content: [{ type: 'text', text: 'Done.' }] };
}

/**
 * Types `turns` short instructions into `pane` as a person would and times, per turn, Enter to the
 * workspace recording busy and the answer's last text on the screen to it recording idle (medians).
 */
async function measureTurns(ws: Workspace, pane: Pane, turns: number): Promise<{ busy: number; idle: number; sources: string[] }> {
  const busy: number[] = [];
  const idle: number[] = [];
  const sources = new Set<string>();
  for (let turn = 1; turn <= turns; turn++) {
    const text = `please count a little (${pane.name} ${turn})`;
    pane.type(text);
    await until(() => pane.terminal.screenText().some((l) => l.includes(text)), { message: 'the text in its input' });
    let busyAt = 0;
    let lastText = 0;
    let idleAt = 0;
    const onDirty = (p: Pane) => {
      if (p === pane && busyAt && !lastText && p.terminal.screenText().some((l) => l.includes('That is all.'))) lastText = performance.now();
    };
    const onChange = () => {
      const a = pane.activity;
      if (!busyAt && a?.state === 'busy') {
        busyAt = performance.now();
        sources.add(a.source);
      } else if (busyAt && !idleAt && a?.state === 'idle') {
        idleAt = performance.now();
        sources.add(a.source);
      }
    };
    ws.on('dirty', onDirty);
    ws.on('change', onChange);
    const enter = performance.now();
    pane.type('\r');
    await until(() => idleAt > 0 && lastText > 0, { timeout: 30_000, message: `${pane.name} turn ${turn} over` });
    ws.off('dirty', onDirty);
    ws.off('change', onChange);
    busy.push(busyAt - enter);
    idle.push(idleAt - lastText);
  }
  const median = (xs: number[]) => Math.round([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]);
  return { busy: median(busy), idle: median(idle), sources: [...sources] };
}

let server: MessagesServer;
beforeAll(async () => {
  server = await startMessagesServer({ responder });
});
afterAll(() => server.close());

const installed = claudeInstalled();

describe.skipIf(!installed)('real Claude Code reporting through its hooks', () => {
  it('its status comes from its hooks while a multi-line answer streams, and its cost shows', { timeout: 120_000 }, async () => {
    const { t, home } = start(['claude'], { cols: 150, rows: 40, prepare: writeClaudeConfig, env: claudeEnv(server.url) });
    const log = () => readFileSync(join(home, 'logs', 'agents.log'), 'utf8');
    await t.waitFor('1 claude · idle', { timeout: 30_000 });
    // Its status line ran at start: its cost (none yet) is in the title and the total.
    await t.waitFor(/1 claude · idle · \$0\.0000/);

    t.write('please count in lines');
    await t.waitFor('please count in lines');
    t.write('\r');
    await t.waitFor('1 claude · busy');
    // Well into the answer, several lines in: busy, and the footer it would be read by says nothing.
    await t.waitFor(' 40 41 42 ', { timeout: 20_000 });
    expect(t.lines()[0]).toMatch(/1 claude · busy[ ·]/);
    expect(t.text()).not.toContain('esc to interrupt');
    expect(log()).toMatch(/activity claude: idle -> busy \(hook: claude:UserPromptSubmit\)/);

    // Stop ends it; its status line brings the session's cost to the title and the status bar.
    await t.waitFor('Done counting.', { timeout: 20_000 });
    await t.waitFor('1 claude · idle');
    expect(log()).toMatch(/activity claude: busy -> idle \(hook: claude:Stop\)/);
    await t.waitFor(/1 claude · idle · \$0\.\d*[1-9]/, { message: 'a cost above zero in the title' });
    await t.waitFor(() => /Σ [\d.]+k tok · \$0\.\d*[1-9]/.test(statusBar(t)), { message: 'the total in the status bar' });
  });

  it("a proxy in the person's environment never sees the hooks or their token (attack: HTTP_PROXY set)", { timeout: 120_000 }, async () => {
    // A proxy that records what reaches it and forwards nothing: with HTTP_PROXY set and no no-proxy
    // entry for 127.0.0.1, Claude Code 2.1.197 sent its hook POSTs, bearer token included, to it.
    const seen: Array<{ url?: string; auth?: string }> = [];
    const proxy = createServer((req, res) => {
      seen.push({ url: req.url, auth: req.headers.authorization });
      res.writeHead(502).end();
    });
    proxy.on('connect', (req, socket) => {
      seen.push({ url: req.url, auth: req.headers['proxy-authorization'] });
      socket.destroy();
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      const env = { ...claudeEnv(server.url), HTTP_PROXY: url, HTTPS_PROXY: url, http_proxy: url, https_proxy: url, NO_PROXY: 'example.com', no_proxy: 'example.com' };
      const { t, home } = start(['claude'], { cols: 150, rows: 40, prepare: writeClaudeConfig, env });
      await t.waitFor('1 claude · idle', { timeout: 30_000 });
      // Sent as a redirect: the workspace presses Enter again if a loaded machine swallowed the first.
      t.keys('C-a', 'r');
      await t.waitFor('Redirect');
      t.write('just say done\r');
      await t.waitFor('Done.', { timeout: 30_000 });
      await t.waitFor('1 claude · idle');
      // Its hooks got through (a guess from output may have said busy first; Stop then ends the turn).
      expect(readFileSync(join(home, 'logs', 'agents.log'), 'utf8')).toMatch(/\(hook: claude:(UserPromptSubmit|Stop)\)/);
      expect(seen.filter((r) => r.url?.includes('/hook') || r.auth?.includes('sk-agents-'))).toEqual([]);
      expect(seen.filter((r) => r.url?.includes('127.0.0.1'))).toEqual([]);
    } finally {
      proxy.closeAllConnections();
      proxy.close();
    }
  });

  describe('in a workspace built here', () => {
    let composed: Composed | undefined;
    const dirs: string[] = [];
    afterAll(async () => {
      await composed?.close(500);
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });

    it("a Write into another task's claim is blocked with the board's message; status latency from hooks and screen", { timeout: 120_000 }, async () => {
      const project = realpathSync(mkdtempSync(join(tmpdir(), 'agents-hooks-proj-')));
      const home = mkdtempSync(join(tmpdir(), 'agents-hooks-home-'));
      dirs.push(project, home);
      writeClaudeConfig({ home, project });
      claimedFile = join(project, 'claimed.txt');
      const env = { ...claudeEnv(server.url), HOME: home };
      const { specs } = resolveAgents({ names: ['claude'], cmds: [], projectDir: project, env: { ...process.env, ...env } });
      specs[0].env = { ...specs[0].env, ...env };
      composed = await composeWorkspace({
        projectDir: project,
        specs,
        layout: 'tiled',
        cols: 150,
        rows: 40,
        keymap: buildKeymap().keymap!,
        presets: [],
        makeSpec: () => 'not here',
        ignore: [],
      });
      const { ws } = composed;
      // The board's own claim: t1 is lead's and being worked on (as the supervisor marks it once
      // delivered), so claimed.txt is lead's alone.
      const made = await ws.board('you', { op: 'create_task', title: 'Own the claimed file', to: 'lead', claims: ['claimed.txt'] });
      expect(made).toMatchObject({ ok: true, task: 't1' });
      ws.dispatch({ t: 'task-started', id: 't1' });
      expect(ws.desk.board.get('t1')?.state).toBe('doing');
      const pane = ws.panes[0];
      await until(() => pane.activity?.state === 'idle', { timeout: 30_000, message: 'claude at its prompt' });

      const sent = await ws.instruct(pane, 'please write the claimed file', false);
      expect(sent).toMatchObject({ ok: true });

      // The model gets the refusal as the tool's result; the file is never written.
      const refusal = () =>
        server.requests
          .flatMap((r) => lastUser(r))
          .find((b) => b.type === 'tool_result' && JSON.stringify(b.content).includes('is claimed by lead for task t1'));
      await until(() => refusal() !== undefined, { timeout: 30_000, message: 'the refusal at the server' });
      expect(refusal()!.is_error).toBe(true);
      expect(JSON.stringify(refusal()!.content)).toContain('Refused: claimed.txt is claimed by lead for task t1 (claimed.txt) while lead works on it');
      await until(() => pane.activity?.state === 'idle' && pane.activity.source === 'hook', { timeout: 30_000, message: 'Stop after the refusal' });
      expect(existsSync(claimedFile)).toBe(false);
      expect(pane.activity).toMatchObject({ state: 'idle', source: 'hook', reason: 'claude:Stop' });

      // Latency, as the workspace records it: this pane (hooks) against the same Claude Code in a
      // workspace that gives it no hooks and no status line (screen rules only).
      const plain = new Workspace({ specs: specs.map((sp) => ({ ...sp, name: 'plain' })), layout: 'tiled', cols: 150, rows: 40 });
      plain.start();
      try {
        const bare = plain.panes[0];
        await until(() => bare.activity?.source === 'screen' && bare.activity.state === 'idle', { timeout: 30_000, message: 'the plain claude at its prompt' });
        const hooked = await measureTurns(ws, pane, 3);
        const screen = await measureTurns(plain, bare, 3);
        console.log(`e2e claude status latency (median of 3 turns): Enter -> busy: hooks ${hooked.busy} ms, screen ${screen.busy} ms; answer's last text -> idle: hooks ${hooked.idle} ms, screen ${screen.idle} ms`);
        expect(hooked.sources).toEqual(['hook']);
        expect(screen.sources).toEqual(['screen']);
      } finally {
        await plain.shutdown(500);
      }
    });
  });
});
