// The `agents --demo` script, played through the real SDK and the local server by each agent in
// turn, with the built-in agent's real tools on a copy of demo/sample-project and the real task
// board handing out tasks and running their checks (tour.ts).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { copySampleProject, sampleProjectDir } from '../../src/demo/project.js';
import {
  APPROVAL_HINT,
  BUGGY_LINE,
  DEMO_TASKS,
  FIX_TITLE,
  FIXED_LINE,
  NEW_TEST_FILE,
  OFFLINE_TEXT,
  TEST_TITLE,
  WRONG_LINE,
  createDemoResponder,
  demoResponder,
} from '../../src/demo/scenario.js';
import { startMessagesServer, type MessagesServer } from '../../src/demo/server.js';
import { Tour } from './tour.js';

const run = promisify(execFile);
const leadTask = DEMO_TASKS.lead!;
const texts = (m: Anthropic.MessageParam) => (typeof m.content === 'string' ? [m.content] : m.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])));
const fast = () => startMessagesServer({ responder: createDemoResponder({ chunkChars: 400, chunkDelayMs: 0 }) });

describe('agents --demo script: the whole tour', () => {
  let server: MessagesServer;
  let dir: string;
  let tour: Tour;
  let lead: Awaited<ReturnType<Tour['play']>>;
  // Played once for every test here: the tour runs `node --test` five times.
  beforeAll(async () => {
    server = await fast();
    dir = await copySampleProject();
    tour = new Tour(server.url, dir);
    lead = await tour.play('lead', leadTask);
    await tour.settle();
  }, 90_000);
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lead finds the bug and plans it as two tasks: t1 for fixer with a claim and a check, t2 for tests after t1', () => {
    expect(lead.msg.stop_reason).toBe('end_turn');
    expect(lead.calls).toEqual(['list_files', 'read_file', 'create_task', 'create_task']);
    expect(lead.text).toContain('Ctrl-a t');
    expect(tour.desk.board.get('t1')).toMatchObject({ title: FIX_TITLE, owner: 'fixer', claims: ['src/cart.js'], check: 'node --test', deps: [], createdBy: 'lead' });
    expect(tour.desk.board.get('t2')).toMatchObject({ title: TEST_TITLE, owner: 'tests', check: 'node --test', deps: ['t1'], createdBy: 'lead' });
  });

  it("fixer's first try fails the check; the task comes back with its output, and the second try passes", () => {
    expect(tour.handed.map((h) => `${h.to} ${h.text.split('\n')[0]}`)).toEqual([`fixer Task t1: ${FIX_TITLE}`, `fixer Task t1: ${FIX_TITLE}`, `tests Task t2: ${TEST_TITLE}`]);
    expect(tour.handed[1].text).toContain('This is attempt 2 of 3: the check failed (exit 1).');
    expect(tour.handed[1].text).toContain("Cannot read properties of undefined (reading 'price')");
    const fixer = tour.histories.get('fixer')!;
    const retry = fixer.findIndex((m) => texts(m).some((x) => x.includes('This is attempt 2')));
    expect(texts(fixer[retry + 1]).join('')).toContain(`its check caught my mistake (2 tests failed with "Cannot read properties of undefined (reading 'price')")`);
    expect(tour.desk.board.get('t1')).toMatchObject({ state: 'done', attempts: 2, lastCheck: { ok: true } });
  });

  it('t2 reaches tests only once t1 is done, with what fixer reported; its check passes', () => {
    expect(tour.handed[2].text).toContain(`t1 (${FIX_TITLE}) is done: cartTotal loops from 0 while i < items.length`);
    expect(tour.desk.board.get('t2')).toMatchObject({ state: 'done', attempts: 1, lastCheck: { ok: true } });
    // lead created both: it hears of each at its next turn.
    expect(tour.told.map((x) => x.to)).toEqual(['lead', 'lead']);
    expect(tour.told[0].text).toMatch(new RegExp(`^Task t1: ${FIX_TITLE} is done \\(by fixer\\), and its check passed`));
    expect(tour.told[1].text).toMatch(new RegExp(`^Task t2: ${TEST_TITLE} is done \\(by tests\\), and its check passed`));
  });

  it("what the board keeps of each task fits the task's details dialog on an 80-column terminal", () => {
    for (const t of tour.desk.board.list()) for (const line of [t.title, ...t.details.split('\n'), ...(t.result ?? '').split('\n')]) expect(line.length).toBeLessThanOrEqual(76);
  });

  it('tests tells the person which keys approve its command, right before asking; nobody else asks', () => {
    const tests = tour.histories.get('tests')!;
    const asking = tests.find((m) => m.role === 'assistant' && Array.isArray(m.content) && m.content.some((b) => b.type === 'tool_use' && b.name === 'run_command'))!;
    expect(texts(asking).join('')).toContain(APPROVAL_HINT);
    expect(APPROVAL_HINT).toMatch(/press y in this pane/);
    expect(APPROVAL_HINT).toMatch(/Ctrl-a a jumps to whoever waits/);
    for (const name of ['lead', 'fixer']) {
      const history = JSON.stringify(tour.histories.get(name));
      expect(history).not.toContain('press y');
      expect(history).not.toContain('run_command');
    }
  });

  it('leaves the copy fixed and tested, with a test that fails on the bug; the repository stays buggy', async () => {
    const cart = await readFile(join(dir, 'src/cart.js'), 'utf8');
    expect(cart).toContain(FIXED_LINE);
    expect(cart).not.toContain(WRONG_LINE);
    const suite = await run(process.execPath, ['--test'], { cwd: dir });
    expect(suite.stdout).toMatch(/# pass 4\n# fail 0/);
    expect(await readFile(join(sampleProjectDir(), 'src/cart.js'), 'utf8')).toContain(BUGGY_LINE);
    expect(existsSync(join(sampleProjectDir(), NEW_TEST_FILE))).toBe(false);
    const buggy = await copySampleProject();
    try {
      await copyFile(join(dir, NEW_TEST_FILE), join(buggy, NEW_TEST_FILE));
      await expect(run(process.execPath, ['--test', NEW_TEST_FILE], { cwd: buggy })).rejects.toMatchObject({ stdout: expect.stringMatching(/actual: 0/) });
    } finally {
      await rm(buggy, { recursive: true, force: true });
    }
  });

  it('is deterministic: replaying every request gets the same reply', async () => {
    expect(server.requests.length).toBeGreaterThan(12);
    const fresh = createDemoResponder();
    for (const req of server.requests) expect(await fresh(req, req.index)).toEqual(await demoResponder(req, req.index));
  });
});

describe('agents --demo script: off the path', () => {
  let server: MessagesServer;
  let dir: string;
  beforeEach(async () => {
    server = await fast();
    dir = await copySampleProject();
  });
  afterEach(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a declined command: tests completes its task anyway, and the board runs the check itself', { timeout: 90_000 }, async () => {
    const tour = new Tour(server.url, dir, { approve: () => false });
    await tour.play('lead', leadTask);
    await tour.settle();
    expect(JSON.stringify(tour.histories.get('tests'))).toContain('You said no, so I did not run it. Completing t2 anyway');
    expect(tour.desk.board.get('t2')).toMatchObject({ state: 'done', lastCheck: { ok: true } });
  });

  it('answers instructions outside the script with the offline-demo text', async () => {
    const tour = new Tour(server.url, dir);
    await tour.play('lead', leadTask);
    expect((await tour.play('lead', 'Now add a discount code feature.')).text).toBe(OFFLINE_TEXT);
    // A task the script does not know, for a worker it knows; lead's instruction given to another agent.
    expect((await tour.play('fixer', 'Task t9: Add a discount code\n\nWhen it is done, call complete_task.')).text).toBe(OFFLINE_TEXT);
    expect((await tour.play('tests', leadTask)).text).toBe(OFFLINE_TEXT);
    expect((await tour.play('someone-else', 'hi')).text).toBe(OFFLINE_TEXT);

    // A redirect after an interrupt: the unrun tool call's "interrupted" result and the new
    // instruction share one user message (the agent appends to the results).
    const client = new Anthropic({ apiKey: 'demo', baseURL: server.url, maxRetries: 0 });
    const messages: Anthropic.MessageParam[] = [
      { role: 'user', content: leadTask },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'list_files', input: { pattern: '**/*.js' } }] },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: 'interrupted by the user', is_error: true },
          { type: 'text', text: 'Look at the README instead.' },
        ],
      },
    ];
    const msg = await client.messages.stream({ model: 'm', max_tokens: 100, system: 'You are "lead".', messages }).finalMessage();
    expect(msg.content.map((b) => (b.type === 'text' ? b.text : '')).join('')).toBe(OFFLINE_TEXT);
  });

  it('streams text at a pace a person can watch, and tool inputs faster', async () => {
    const step = await demoResponder(
      { index: 0, method: 'POST', path: '/v1/messages', headers: {}, receivedAt: 0, body: { model: 'm', max_tokens: 1, system: 'You are "lead".', messages: [{ role: 'user', content: leadTask }] } },
      0,
    );
    if (step.kind !== 'reply') throw new Error(`expected a reply, got ${step.kind}`);
    expect(step.chunkDelayMs).toBeGreaterThanOrEqual(20);
    expect(step.chunkDelayMs).toBeLessThanOrEqual(40);
    expect(step.toolChunkChars).toBeGreaterThan(step.chunkChars!);
  });
});
