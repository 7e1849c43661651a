// The built-in agent through the real binary: its pane talks to the project's local Messages API
// server over real HTTP, and the workspace drives it over IPC (interrupt, redirect, status, cost).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMessagesServer } from '../../src/demo/server.js';
import type { MessagesServer, RecordedRequest } from '../../src/demo/types.js';
import { until } from '../helpers/term.js';
import { start, statusBar, tempDir } from './setup.js';

let server: MessagesServer;
beforeAll(async () => {
  server = await startMessagesServer();
});
afterAll(() => server.close());

const LONG = Array.from({ length: 60 }, (_, i) => `Sentence number ${i + 1} of a long and slow answer.`).join(' ');

function lastUserText(r: RecordedRequest): string {
  const body = r.body as { messages: Array<{ role: string; content: string | Array<{ type: string; text?: string }> }> };
  const last = body.messages[body.messages.length - 1];
  return typeof last.content === 'string' ? last.content : last.content.map((b) => b.text ?? '').join('\n');
}

async function agentPane(args: string[] = ['agent', 'shell'], env: Record<string, string> = {}) {
  const run = start(args, { env: { ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: 'test-key', ...env } });
  await run.t.waitFor('is ready');
  await run.t.waitFor(/1 agent · idle/);
  return run;
}

describe('built-in agent pane', () => {
  it('sends what is typed, streams the reply, and shows status and cost', async () => {
    const { t } = await agentPane();
    const before = server.requests.length;
    server.enqueue({ kind: 'reply', content: [{ type: 'text', text: 'Hello from **the model**.\n\n- first point\n- second point' }] });
    t.write('say hello');
    await t.waitFor('› say hello');
    t.write('\r');
    await t.waitFor('• second point');
    await t.waitFor(/1 agent · idle/);
    const req = server.requests[before];
    expect(lastUserText(req)).toContain('say hello');
    expect(req.headers['authorization'] ?? req.headers['x-api-key']).toBeTruthy();
    // The status bar totals every agent's tokens and cost.
    await t.waitFor(() => /Σ [\d.]+k? tok · \$[\d.]+/.test(statusBar(t)), { message: 'totals in the status bar' });
  });

  it('prefix+i interrupts a streaming reply exactly; the next turn continues the conversation', async () => {
    const { t } = await agentPane();
    server.enqueue({ kind: 'reply', chunkChars: 8, chunkDelayMs: 60, content: [{ type: 'text', text: LONG }] });
    t.write('tell me a long story\r');
    await t.waitFor('Sentence number 2');
    await t.waitFor(/1 agent · thinking/);
    const t0 = performance.now();
    t.keys('C-a', 'i');
    await t.waitFor('interrupted — what should it do instead?');
    await t.waitFor(/1 agent · idle/);
    const ms = performance.now() - t0;
    console.log(`e2e: keystroke to interrupted-and-idle on screen: ${ms.toFixed(0)} ms`);
    expect(t.text()).not.toContain('Sentence number 60');
    const n = server.requests.length;
    server.enqueue({ kind: 'reply', content: [{ type: 'text', text: 'Continuing.' }] });
    t.write('shorter please\r');
    await t.waitFor('Continuing.');
    const next = server.requests[n];
    expect(next.rejected).toBeUndefined();
    const body = next.body as { messages: Array<{ role: string; content: Array<{ type: string; text?: string }> }> };
    const assistant = body.messages[body.messages.length - 2];
    expect(assistant.role).toBe('assistant');
    expect(assistant.content.map((b) => b.text).join('')).toMatch(/Sentence number 1 .*\[interrupted by the user\]/s);
  });

  it('prefix+r redirects: interrupts and sends the new instruction', async () => {
    const { t } = await agentPane();
    server.enqueue({ kind: 'reply', chunkChars: 8, chunkDelayMs: 60, content: [{ type: 'text', text: LONG }] });
    t.write('start something long\r');
    await t.waitFor('Sentence number 2');
    const n = server.requests.length;
    server.enqueue({ kind: 'reply', content: [{ type: 'text', text: 'Switching to the new plan.' }] });
    t.keys('C-a', 'r');
    await t.waitFor('Redirect 1:agent');
    t.write('do the new plan instead\r');
    await t.waitFor('↪ do the new plan instead');
    await t.waitFor('Switching to the new plan.');
    await until(() => server.requests.length > n, { message: 'the redirected request' });
    expect(lastUserText(server.requests[n])).toContain('do the new plan instead');
    expect(server.requests[n].rejected).toBeUndefined();
  });

  it('asks before running a command, shows it waits for the person, and runs it on y', async () => {
    const { t, project } = await agentPane();
    server.enqueue(
      { kind: 'reply', stopReason: 'tool_use', content: [{ type: 'text', text: 'Running it.' }, { type: 'tool_use', name: 'run_command', input: { command: 'echo ran > ran.txt' } }] },
      { kind: 'reply', content: [{ type: 'text', text: 'Done running.' }] },
    );
    let bells = 0;
    t.pty.onData((d: string) => (bells += d.split('\x07').length - 1));
    t.write('run the thing\r');
    await t.waitFor(/1 agent · needs approval/);
    await t.waitFor(() => statusBar(t).includes('waiting for you: 1:agent'), { message: 'attention in the status bar' });
    await t.waitFor('Allow run_command');
    await until(() => bells > 0, { message: 'the terminal bell' });
    // From another pane, prefix+a jumps to the agent that waits.
    t.keys('C-a', '2');
    await t.waitFor(() => statusBar(t).includes('2:shell'), { message: 'focus on the shell' });
    t.keys('C-a', 'a');
    await t.waitFor(() => statusBar(t).includes('1:agent'), { message: 'prefix+a back to the waiting agent' });
    t.write('y');
    await t.waitFor('Done running.');
    // Ctrl+O expands the last tool result in full.
    t.write('\x0f');
    await t.waitFor('▼ ran echo ran > ran.txt');
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(`${project}/ran.txt`, 'utf8').trim()).toBe('ran');
  });

  it('without an API key the pane says how to set one, and the rest works', async () => {
    const { t } = start(['agent', 'shell'], { env: { ANTHROPIC_API_KEY: undefined, ANTHROPIC_AUTH_TOKEN: undefined } });
    await t.waitFor('No ANTHROPIC_API_KEY is set');
    expect(t.text()).toContain('agents --demo');
    t.keys('C-a', '2');
    t.write('echo still-works\r');
    await t.waitFor('still-works');
  });

  it('--demo: three agents fix the sample project offline through the task board', async () => {
    // The demo keeps its project copy for the person; here it goes in a folder the test removes.
    const { t } = start(['--demo'], { cols: 160, rows: 44, env: { ANTHROPIC_API_KEY: undefined, TMPDIR: tempDir('agents-demo-tmp-') } });
    await t.waitFor('1 lead');
    // tests asks before running the suite (the demo shows one approval); fixer's fix is in by now.
    await t.waitFor('Allow run_command node --test?', { timeout: 60_000 });
    t.keys('C-a', 'a');
    t.keys('y');
    await t.waitFor('4 tests pass, the new one too', { timeout: 60_000 });
    // The text shows while its turn still streams: wait for every turn to end.
    await t.waitFor((text) => /1 lead · idle/.test(text) && /2 fixer · idle/.test(text) && /3 tests · idle/.test(text), { message: 'the agents idle' });
    // The agents are done and idle: quit asks nothing.
    t.keys('C-a', 'q');
    expect((await t.exited).exitCode).toBe(0);
  }, 90_000);
});
