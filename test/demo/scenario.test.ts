// The `agents --demo` script, played through the real SDK and the local server by each agent in
// turn, with the built-in agent's real tools on a copy of demo/sample-project and the real task
// board handing out tasks and running their checks (tour.ts).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Anthropic from '@anthropic-ai/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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

let server: MessagesServer;
let dir: string;
beforeEach(async () => {
  server = await startMessagesServer({ responder: createDemoResponder({ chunkChars: 400, chunkDelayMs: 0 }) });
  dir = await copySampleProject();
});
afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const leadTask = DEMO_TASKS.lead!;
const texts = (m: Anthropic.MessageParam) => (typeof m.content === 'string' ? [m.content] : m.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])));

describe('agents --demo script', () => {
  it('lead plans two tasks; fixer fails the check once and passes on the retry; tests adds a test after it', async () => {
    const tour = new Tour(server.url, dir);
    const lead = await tour.play('lead', leadTask);
    expect(lead.msg.stop_reason).toBe('end_turn');
    expect(lead.calls).toEqual(['list_files', 'read_file', 'create_task', 'create_task']);
    expect(lead.text).toContain('Ctrl-a t');
    const [t1, t2] = tour.desk.board.list();
    expect(t1).toMatchObject({ id: 't1', title: FIX_TITLE, owner: 'fixer', claims: ['src/cart.js'], check: 'node --test', deps: [], createdBy: 'lead' });
    expect(t2).toMatchObject({ id: 't2', title: TEST_TITLE, owner: 'tests', check: 'node --test', deps: ['t1'] });

    await tour.settle();

    // t1 went to fixer twice: the second time with the check's verdict and the end of its output.
    expect(tour.handed.map((h) => `${h.to} ${h.text.split('\n')[0]}`)).toEqual([`fixer Task t1: ${FIX_TITLE}`, `fixer Task t1: ${FIX_TITLE}`, `tests Task t2: ${TEST_TITLE}`]);
    expect(tour.handed[1].text).toContain('This is attempt 2 of 3: the check failed (exit 1).');
    expect(tour.handed[1].text).toContain("Cannot read properties of undefined (reading 'price')");
    // fixer's answer to it names what the check caught.
    const fixer = tour.histories.get('fixer')!;
    const retry = fixer.findIndex((m) => texts(m).some((x) => x.includes('This is attempt 2')));
    expect(texts(fixer[retry + 1]).join('')).toMatch(/check caught my mistake \(2 tests failed with "Cannot read properties of undefined \(reading 'price'\)"\)/);
    // t2 reached tests only once t1 was done, with what fixer reported.
    expect(tour.handed[2].text).toContain(`t1 (${FIX_TITLE}) is done: cartTotal now loops from 0 while i < items.length`);

    const board = tour.desk.board;
    expect(board.get('t1')).toMatchObject({ state: 'done', attempts: 2, lastCheck: { ok: true } });
    expect(board.get('t2')).toMatchObject({ state: 'done', attempts: 1, lastCheck: { ok: true } });
    // lead hears of both at its next turn.
    expect(tour.told.map((x) => x.to)).toEqual(['lead', 'lead']);
    expect(tour.told[0].text).toMatch(new RegExp(`^Task t1: ${FIX_TITLE} is done \\(by fixer\\), and its check passed`));
    expect(tour.told[1].text).toMatch(new RegExp(`^Task t2: ${TEST_TITLE} is done \\(by tests\\), and its check passed`));

    // The project really is fixed and tested; the repository's copy stays buggy for the next tour.
    const cart = await readFile(join(dir, 'src/cart.js'), 'utf8');
    expect(cart).toContain(FIXED_LINE);
    expect(cart).not.toContain(WRONG_LINE);
    const suite = await run(process.execPath, ['--test'], { cwd: dir });
    expect(suite.stdout).toMatch(/# pass 4\n# fail 0/);
    expect(await readFile(join(sampleProjectDir(), 'src/cart.js'), 'utf8')).toContain(BUGGY_LINE);
    expect(existsSync(join(sampleProjectDir(), NEW_TEST_FILE))).toBe(false);
    // The new test fails on the buggy cart: it would have caught the bug.
    const buggy = await copySampleProject();
    try {
      await run('cp', [join(dir, NEW_TEST_FILE), join(buggy, NEW_TEST_FILE)]);
      await expect(run(process.execPath, ['--test', NEW_TEST_FILE], { cwd: buggy })).rejects.toMatchObject({ stdout: expect.stringMatching(/actual: 0/) });
    } finally {
      await rm(buggy, { recursive: true, force: true });
    }
  });

  it('is deterministic: replaying every request gets the same reply', async () => {
    const tour = new Tour(server.url, dir);
    await tour.play('lead', leadTask);
    await tour.settle();
    expect(server.requests.length).toBeGreaterThan(12);
    const fresh = createDemoResponder();
    for (const req of server.requests) expect(await fresh(req, req.index)).toEqual(await demoResponder(req, req.index));
  });

  it('tests tells the person which keys approve its command, right before asking; nobody else asks', async () => {
    const tour = new Tour(server.url, dir);
    await tour.play('lead', leadTask);
    await tour.settle();
    const tests = tour.histories.get('tests')!;
    const asking = tests.find((m) => m.role === 'assistant' && Array.isArray(m.content) && m.content.some((b) => b.type === 'tool_use' && b.name === 'run_command'))!;
    expect(texts(asking).join('')).toContain(APPROVAL_HINT);
    expect(APPROVAL_HINT).toMatch(/press y in this pane/);
    expect(APPROVAL_HINT).toMatch(/Ctrl-a a jumps to whoever waits/);
    for (const name of ['lead', 'fixer']) {
      const history = tour.histories.get(name)!;
      expect(JSON.stringify(history)).not.toContain('press y');
      expect(JSON.stringify(history)).not.toContain('run_command');
    }
  });

  it('a declined command: tests completes its task anyway, and the board runs the check itself', async () => {
    const tour = new Tour(server.url, dir, { approve: () => false });
    await tour.play('lead', leadTask);
    await tour.settle();
    const tests = tour.histories.get('tests')!;
    expect(JSON.stringify(tests)).toContain('You said no, so I did not run it. Completing t2 anyway');
    expect(tour.desk.board.get('t2')).toMatchObject({ state: 'done', lastCheck: { ok: true } });
  });

  it('answers instructions outside the script with the offline-demo text', async () => {
    const tour = new Tour(server.url, dir);
    await tour.play('lead', leadTask);
    expect((await tour.play('lead', 'Now add a discount code feature.')).text).toBe(OFFLINE_TEXT);
    // A task the script does not know, for a worker it knows.
    expect((await tour.play('fixer', 'Task t9: Add a discount code\n\nWhen it is done, call complete_task.')).text).toBe(OFFLINE_TEXT);
    // lead's instruction given to another agent is not lead's part.
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

  it('streams at a pace a person can watch', async () => {
    const step = await demoResponder(
      { index: 0, method: 'POST', path: '/v1/messages', headers: {}, receivedAt: 0, body: { model: 'm', max_tokens: 1, system: 'You are "lead".', messages: [{ role: 'user', content: leadTask }] } },
      0,
    );
    expect(step.kind === 'reply' && step.chunkDelayMs).toBeGreaterThanOrEqual(20);
    expect(step.kind === 'reply' && step.chunkDelayMs).toBeLessThanOrEqual(40);
  });
});
