// The built-in agent's pane as a person sees it, through bin/agents in a real pty read by a real
// headless terminal, against the local Messages API server: colours (also when the workspace runs
// under CI), the prompt on the pane's last row, a resumed conversation drawn like the live one,
// /model checked, and the demo's made-up figures marked.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startMessagesServer } from '../../src/demo/server.js';
import type { MessagesServer } from '../../src/demo/types.js';
import { Term, until } from '../helpers/term.js';
import { quit, start, type Run } from './setup.js';

// One server per test: a test that fails half-way leaves no scripted reply behind for the next.
let server: MessagesServer;
beforeEach(async () => {
  server = await startMessagesServer();
});
afterEach(() => server.close());

const API = () => ({ ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: 'test-key' });

async function agentPane(env: Record<string, string | undefined> = {}, args = ['agent'], opts: Parameters<typeof start>[1] = {}): Promise<Run> {
  const run = start(args, { ...opts, env: { ...API(), ...env, ...opts.env } });
  await run.t.waitFor('is ready');
  await run.t.waitFor(/1 agent · idle/);
  return run;
}

/** Where `text` starts on the screen, by cells (wide characters take two). */
function locate(t: Term, text: string): { x: number; y: number } | undefined {
  for (let y = 0; y < t.term.rows; y++) {
    const chars: string[] = [];
    for (let x = 0; x < t.term.cols; x++) chars.push(t.cell(x, y)?.getChars() || ' ');
    const x = chars.join('').indexOf(text);
    if (x >= 0) return { x, y };
  }
  return undefined;
}

/** The style of the cell where `text` starts: foreground colour mode (0: the default) and boldness. */
function styleAt(t: Term, text: string, offset = 0) {
  const at = locate(t, text);
  if (!at) throw new Error(`"${text}" is not on the screen:\n${t.text()}`);
  const c = t.cell(at.x + offset, at.y)!;
  return { colored: c.getFgColorMode() !== 0, fg: c.getFgColor(), bold: Boolean(c.isBold()) };
}

describe('agent pane colours', () => {
  // CI runs the suite with CI set; the pane is a terminal all the same.
  it.each([
    ['with CI=1 in the environment', { CI: '1', CONTINUOUS_INTEGRATION: '1' }],
    ['without CI', { CI: undefined, CONTINUOUS_INTEGRATION: undefined }],
  ])('%s: the approval prompt stands out and ✓/✗ are coloured', async (_what, env) => {
    const { t } = await agentPane(env);
    server.enqueue(
      {
        kind: 'reply',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', name: 'read_file', input: { path: 'missing.txt' } },
          { type: 'tool_use', name: 'run_command', input: { command: 'echo ran' } },
        ],
      },
      { kind: 'reply', content: [{ type: 'text', text: 'Both done.' }] },
    );
    t.write('check things\r');
    await t.waitFor('Allow run_command echo ran?');
    const prompt = styleAt(t, 'Allow run_command');
    const plain = styleAt(t, ' yes ·', 1);
    expect(plain.colored).toBe(false);
    expect(prompt.colored || prompt.bold).toBe(true);
    expect(prompt).not.toEqual(plain);
    // The keys to press are marked too.
    expect(styleAt(t, 'y yes').colored).toBe(true);
    expect(styleAt(t, '✗ read missing.txt').colored).toBe(true);
    t.write('y');
    await t.waitFor('Both done.');
    await t.waitFor(/┃idle · agent/);
    const ok = styleAt(t, '✓ ran echo ran');
    const failed = styleAt(t, '✗ read missing.txt');
    expect(ok.colored && failed.colored).toBe(true);
    expect(ok.fg).not.toBe(failed.fg);
    // The person's words are in their own colour, the status line is muted.
    expect(styleAt(t, '› check things').colored).toBe(true);
    expect(styleAt(t, 'idle · agent').colored).toBe(true);
  });
});

describe('agent pane layout', () => {
  it('the prompt is on the last row of a full pane: no blank row under it pushes the task out of view', async () => {
    // 30 rows: the pane has 27 inside its border. Task 1 + reply 23 + gap 1 + status 1 + prompt 1 = 27.
    const { t } = await agentPane();
    const reply = Array.from({ length: 23 }, (_, i) => `line ${i + 1} of the reply`).join('\n');
    server.enqueue({ kind: 'reply', content: [{ type: 'text', text: reply }] });
    t.write('the task for this pane\r');
    await t.waitFor('line 23 of the reply');
    await t.waitFor(/1 agent · idle/);
    // The title hears of idle over the channel; the pane's own status line is drawn a frame later.
    await t.waitFor(/┃idle · agent/);
    const lines = t.lines();
    const bottom = lines.findIndex((l) => /^[┗╰]/.test(l));
    expect(lines[bottom - 1]).toMatch(/^┃› /);
    expect(lines[bottom - 2]).toMatch(/^┃idle · agent/);
    expect(lines[1]).toMatch(/^┃› the task for this pane/);
  });

  it('at 40 columns the status line still says what the agent is doing', async () => {
    const { t } = await agentPane({}, ['agent'], { cols: 40, rows: 20 });
    await t.waitFor(/┃idle · /);
    server.enqueue({ kind: 'reply', content: [{ type: 'tool_use', name: 'run_command', input: { command: 'echo narrow' } }] }, { kind: 'reply', content: [{ type: 'text', text: 'ok' }] });
    t.write('go\r');
    await t.waitFor(/┃needs approval · /);
    t.write('n');
    await t.waitFor(/┃idle · /);
  });
});

describe('agent pane commands', () => {
  it('/model checks the name against the API and says what is known', async () => {
    const { t } = await agentPane();
    t.write('/model foo\r');
    await t.waitFor('unknown model foo; the model stays claude-sonnet-5-5.');
    await t.waitFor('the API lists claude-opus-5-5, claude-sonnet-5-5');
    t.write('/model claude-haiku-4-5\r');
    await t.waitFor('model: claude-haiku-4-5');
    await t.waitFor(/idle · agent · claude-haiku-4-5/);
    const n = server.requests.length;
    server.enqueue({ kind: 'reply', content: [{ type: 'text', text: 'Haiku here.' }] });
    t.write('hi\r');
    await t.waitFor('Haiku here.');
    expect(server.requests[n].body.model).toBe('claude-haiku-4-5');
  });

  it('in the offline demo the model and cost are marked simulated', async () => {
    const { t } = await agentPane({ AGENTS_DEMO: '1' });
    await t.waitFor(/claude-sonnet-5-5 \(simulated\).*\$[\d.]+ \(simulated\)/);
    t.write('/cost\r');
    await t.waitFor('(simulated: the demo makes these figures up)');
  });
});

describe('typing while the agent starts', () => {
  it('an instruction typed before the agent is ready is sent whole when Enter is pressed, not echoed by the tty', async () => {
    server.enqueue({ kind: 'reply', content: [{ type: 'text', text: 'Got it early.' }] });
    // The agent's process prints a line and is then held for 1.5 s before its own code runs (a slow
    // start on a loaded machine), through a preload only its entry file triggers. Its keys wait for
    // raw mode, not for that first output.
    const dir = mkdtempSync(join(tmpdir(), 'slow-agent-'));
    const preload = join(dir, 'slow.cjs');
    writeFileSync(
      preload,
      "if (/start\\.cjs$/.test(process.argv[1] ?? '')) { require('fs').writeSync(1, 'preloading\\r\\n'); const end = Date.now() + 1500; while (Date.now() < end); }\n",
    );
    const { t } = start(['agent'], { env: { ...API(), NODE_OPTIONS: `--require ${preload}` } });
    // As soon as the workspace is drawn: the agent's own process is still starting.
    await t.waitFor(/ NORMAL /);
    t.write('typed early\r');
    await t.waitFor('Got it early.');
    rmSync(dir, { recursive: true, force: true });
    const last = server.requests.at(-1)!.body.messages.at(-1);
    expect(JSON.stringify(last)).toContain('typed early');
    // The tty never echoed the keys above the agent's own screen.
    expect(t.text().split('typed early').length - 1).toBe(1);
  });
});

describe('resumed agent pane', () => {
  it('--continue draws the conversation as it was drawn live: no context block, no JSON', async () => {
    const config = { agents: [{ name: 'agent', preset: 'agent', permissions: 'auto' }] };
    // --trust: auto permissions need trust (test/e2e/trust.test.ts covers the question).
    const { t, project, home } = await agentPane({}, ['--trust'], { files: { 'agents.config.json': JSON.stringify(config), 'readme.txt': 'hello\n' } });
    // A change from outside the agents: its next message carries a context block.
    writeFileSync(join(project, 'readme.txt'), 'hello\nworld\n');
    await t.waitFor(/1 agent · idle ✉1/);
    const n = server.requests.length;
    server.enqueue(
      { kind: 'reply', content: [{ type: 'text', text: 'Looking.' }, { type: 'tool_use', name: 'list_files', input: { pattern: '*.txt' } }] },
      { kind: 'reply', content: [{ type: 'text', text: '## Found `readme.txt`\n\nNothing else.' }] },
    );
    t.write('look around\r');
    await t.waitFor('Nothing else.');
    expect(JSON.stringify(server.requests[n].body.messages)).toContain('<workspace_update>');
    // What the conversation looked like live: the pane's rows inside the border, status line and prompt left out.
    const inner = (lines: string[]) => lines.map((l) => l.replace(/^[┃│]/, '').replace(/[┃│]\s*$/, '').trimEnd());
    const conversation = (lines: string[]) => {
      const rows = inner(lines);
      const from = rows.findIndex((l) => l.startsWith('› look around'));
      const to = rows.findIndex((l) => l.startsWith('Nothing else.'));
      return rows.slice(from, to + 1);
    };
    const live = conversation(t.lines());
    expect(live.length).toBeGreaterThan(4);
    expect(await quit(t)).toBe(0);

    const resumed = Term.agents(['--continue'], { cols: 120, rows: 30, cwd: project, env: { AGENTS_HOME: home, HOME: home, NO_COLOR: undefined, ...API() } });
    try {
      await resumed.waitFor('resumed: the conversation above continues');
      const screen = resumed.text();
      expect(screen).not.toContain('workspace_update');
      expect(screen).not.toContain('{"');
      expect(conversation(resumed.lines())).toEqual(live);
      expect(screen).toContain('✓ listed *.txt (1 file)');
      expect(screen).toContain('Found readme.txt');
      // The restored history goes to the API as it was: the pane's notes are not in it.
      const m = server.requests.length;
      server.enqueue({ kind: 'reply', content: [{ type: 'text', text: 'Still here.' }] });
      resumed.write('and now?\r');
      await resumed.waitFor('Still here.');
      await until(() => server.requests.length > m, { message: 'the resumed request' });
      expect(server.requests[m].rejected).toBeUndefined();
      expect(JSON.stringify(server.requests[m].body.messages)).not.toContain('"summary"');
    } finally {
      resumed.kill('SIGKILL');
    }
  }, 60_000);
});
