// The task board end to end: built-in agents in real panes, each played by a script on the local
// Messages API server, with the workspace's supervisor handing out tasks, running checks, keeping
// claims and budgets, and the person answering on the board.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMessagesServer } from '../../src/demo/server.js';
import type { MessagesServer } from '../../src/demo/types.js';
import { say, scripted, tool, type Turn } from '../helpers/agents-script.js';
import { until } from '../helpers/term.js';
import { start, statusBar } from './setup.js';

let server: MessagesServer;
beforeAll(async () => {
  server = await startMessagesServer();
});
afterAll(() => server.close());

const agent = (name: string, extra: Record<string, unknown> = {}) => ({ name, preset: 'agent', permissions: 'auto', ...extra });

function workspace(agents: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}) {
  const config = JSON.stringify({ agents, ...extra });
  const run = start(['--trust'], { cols: 160, rows: 44, files: { 'agents.config.json': config }, env: { ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: 'test-key' } });
  return run;
}

/** A worker that does task `id` by writing `file`, then completes it (`done` times: a failing check sends it back). */
function worker(id: string, file: string, o: { write?: (attempt: number) => boolean } = {}) {
  let attempt = 0;
  return (t: Turn) => {
    if (t.text.includes(`Task ${id}:`)) {
      attempt++;
      return o.write && !o.write(attempt) ? [tool('complete_task', { id, summary: `tried, attempt ${attempt}` })] : [tool('write_file', { path: file, content: 'made\n' })];
    }
    if (t.results.some((r) => r.name === 'write_file')) return [tool('complete_task', { id, summary: `wrote ${file}` })];
    if (t.results.some((r) => r.name === 'complete_task')) return [say(`Reported ${id}.`)];
    return [say('Waiting for a task.')];
  };
}

// Each test's waits add up to more than the suite's 30 s per test (the agents start under load, and
// a turn goes through the real SDK): past 30 s vitest would stop the test without the screen a
// failing wait prints, so these tests get room for their waits.
describe('task board', { timeout: 150_000 }, () => {
  it('a lead plans two dependent tasks; the second starts only after the first check passes; the lead hears of both', async () => {
    const seen: Turn[] = [];
    server.setResponder(
      scripted(
        {
          lead: (t) => {
            if (t.text.includes('Plan the hello world')) {
              return [
                tool('create_task', { title: 'Make hello', to: 'w1', check: 'test -f hello.txt', details: 'Create hello.txt.' }),
                tool('create_task', { title: 'Make world', to: 'w2', after: ['t1'], check: 'test -f world.txt' }),
              ];
            }
            if (t.results.length) return [say('Planned: t1 then t2.')];
            return [say('Noted.')];
          },
          w1: worker('t1', 'hello.txt'),
          w2: worker('t2', 'world.txt'),
        },
        seen,
      ),
    );
    const { t, project } = workspace([agent('lead', { role: 'lead' }), agent('w1'), agent('w2')]);
    await t.waitFor(/1 lead · idle/, { timeout: 30_000 });
    await t.waitFor(/3 w2 · idle/);
    t.write('Plan the hello world\r');
    t.keys('C-a', 't');
    await t.waitFor(/t1\s+done/, { timeout: 30_000 });
    await t.waitFor(/t2\s+done/, { timeout: 30_000 });
    // The lead's pane names the tasks it made, not only the tool.
    await t.waitFor('✓ create_task t1 Make hello');
    expect(existsSync(join(project, 'hello.txt'))).toBe(true);
    expect(existsSync(join(project, 'world.txt'))).toBe(true);
    // w2 got its task only after w1 had completed t1 (and the check passed), with t1's summary. The
    // anchor is w1's request answered by the complete_task call (it carried the write_file result):
    // w1's next request, with complete_task's result, races with w2's instruction.
    const t1Completing = seen.findIndex((x) => x.agent === 'w1' && x.results.some((r) => r.name === 'write_file'));
    const t2Given = seen.findIndex((x) => x.agent === 'w2' && x.text.includes('Task t2: Make world'));
    expect(t1Completing).toBeGreaterThanOrEqual(0);
    expect(t2Given).toBeGreaterThan(t1Completing);
    expect(seen[t2Given].text).toContain('t1 (Make hello) is done: wrote hello.txt');
    // The lead created them: at its next turn it is told how they went.
    t.keys('Escape');
    await t.waitFor(() => /NORMAL/.test(statusBar(t)), { message: 'the board closed' });
    t.write('how did it go\r');
    await until(() => seen.some((x) => x.agent === 'lead' && x.text.includes('how did it go')), { timeout: 20_000, message: 'the lead\'s next turn' });
    const next = seen.find((x) => x.agent === 'lead' && x.text.includes('how did it go'))!;
    expect(next.text).toContain('Task t1: Make hello is done (by w1), and its check passed: wrote hello.txt');
    expect(next.text).toContain('Task t2: Make world is done (by w2)');
  });

  it('a check that fails three times blocks the task and what waits for it, and tells the person', async () => {
    server.setResponder(
      scripted({
        lead: (t) => (t.text.includes('Start') ? [tool('create_task', { title: 'Make it', to: 'w1', check: 'test -f never.txt' }), tool('create_task', { title: 'After it', to: 'w2', after: ['t1'] })] : [say('ok')]),
        w1: worker('t1', 'other.txt'),
        w2: worker('t2', 'w2.txt'),
      }),
    );
    const { t, project } = workspace([agent('lead'), agent('w1'), agent('w2')]);
    // lead at its prompt before anything is typed there, not only w2: under load the agents come up in
    // any order, and keys typed into a pane before its agent has put the tty in raw mode go through
    // the tty's line editing (echoed, Enter turned into a newline), so "Start" would sit in lead's
    // draft forever (reproduced by holding lead's start for 3 s).
    await t.waitFor((s) => /1 lead · idle/.test(s) && /2 w1 · idle/.test(s) && /3 w2 · idle/.test(s), { timeout: 12_000, message: 'three idle agents' });
    t.write('Start\r');
    t.keys('C-a', 't');
    // Within the test's own 30 s, so that a failure shows the screen.
    await t.waitFor(/t1\s+blocked/, { timeout: 15_000 });
    expect(t.text()).toMatch(/t1\s+blocked.*#3/);
    await t.waitFor(() => /waiting for you: .*t1 blocked/.test(statusBar(t)), { message: 'the status bar says t1 is blocked' });
    // What waits for it still waits; nothing was handed to w2.
    expect(t.text()).toMatch(/t2\s+todo/);
    expect(existsSync(join(project, 'w2.txt'))).toBe(false);
    // Its details carry the check's verdict.
    t.keys('k', 'k', 'Enter');
    await t.waitFor('last check: failed (1)');
  });

  it('a write into a path another task claims is refused, naming the owner and the task', async () => {
    const seen: Turn[] = [];
    let w2Tried = false;
    server.setResponder(
      scripted(
        {
          lead: (t) => (t.text.includes('Start') ? [tool('create_task', { title: 'Own the cart', to: 'w1', claims: ['src/cart.js'] })] : [say('ok')]),
          w1: (t) => (t.text.includes('Task t1:') ? [say('Working on the cart; it is mine for now.')] : [say('…')]),
          w2: (t) => {
            if (t.text.includes('edit the cart')) {
              w2Tried = true;
              return [tool('write_file', { path: 'src/cart.js', content: 'mine\n' })];
            }
            return [say(t.results.map((r) => r.content).join(' ') || 'ok')];
          },
        },
        seen,
      ),
    );
    const { t, project } = workspace([agent('lead'), agent('w1'), agent('w2')]);
    // All three ready, not only the last: the instruction goes to lead, and t1 to w1. (One full-suite
    // run under load timed out below with nothing reaching w1, after only w2 read idle.)
    await t.waitFor((s) => /1 lead · idle/.test(s) && /2 w1 · idle/.test(s) && /3 w2 · idle/.test(s), { timeout: 30_000, message: 'three idle agents' });
    t.write('Start\r');
    await until(() => seen.some((x) => x.agent === 'lead' && x.text.includes('Start')), { timeout: 20_000, message: 'lead got the instruction' });
    await until(() => seen.some((x) => x.agent === 'w1' && x.text.includes('Task t1: Own the cart')), { timeout: 20_000, message: 'w1 got t1' });
    t.keys('C-a', '3');
    await t.waitFor(/NORMAL\s+3:w2/);
    t.write('edit the cart\r');
    await until(() => w2Tried && seen.some((x) => x.agent === 'w2' && x.results.some((r) => r.name === 'write_file')), { timeout: 20_000, message: 'w2 tried to write' });
    const result = seen.find((x) => x.agent === 'w2' && x.results.some((r) => r.name === 'write_file'))!.results[0];
    expect(result.isError).toBe(true);
    expect(result.content).toContain('Refused: src/cart.js is claimed by w1 for task t1');
    expect(existsSync(join(project, 'src', 'cart.js'))).toBe(false);
    // A write from outside the agents (the person, a script) cannot be refused: the feed marks it.
    mkdirSync(join(project, 'src'), { recursive: true });
    writeFileSync(join(project, 'src', 'cart.js'), 'by hand\n');
    t.keys('C-a', 'f');
    await t.waitFor(/outside added src\/cart\.js ⚠ claim/);
  });

  it('ask_human: the question reaches the person, the answer typed on the board reaches the agent', async () => {
    const seen: Turn[] = [];
    server.setResponder(
      scripted(
        {
          lead: (t) => {
            if (t.text.includes('Decide')) return [tool('ask_human', { question: 'Tabs or spaces?', choices: ['tabs', 'spaces'] })];
            if (t.results.some((r) => r.name === 'ask_human')) return [say(`Got it: ${t.results[0].content}`)];
            return [say('ok')];
          },
        },
        seen,
      ),
    );
    const { t } = workspace([agent('lead')]);
    await t.waitFor(/1 lead · idle/, { timeout: 30_000 });
    t.write('Decide\r');
    await t.waitFor(() => /waiting for you: .*lead asks/.test(statusBar(t)), { message: 'the status bar says the lead asks', timeout: 20_000 });
    await t.waitFor('question for you: Tabs or spaces?');
    t.keys('C-a', 't');
    await t.waitFor('⚑ lead asks: Tabs or spaces? (tabs / spaces)');
    t.keys('A');
    await t.waitFor('Your answer');
    t.write('spaces, two of them\r');
    await t.waitFor('Got it: The person answered: spaces, two of them', { timeout: 20_000 });
  });

  it('an agent past its budget is interrupted and paused; the board raises it and lets it go on', async () => {
    const seen: Turn[] = [];
    server.setResponder(
      scripted(
        {
          w1: (t) => {
            if (t.text.includes('Task t1:')) return { kind: 'reply', content: [say('Thinking about it at length.')], usage: { input_tokens: 4000, output_tokens: 2000 } };
            return [say('ok')];
          },
        },
        seen,
      ),
    );
    const { t } = workspace([agent('w1', { budget: { tokens: 3000 } })]);
    await t.waitFor(/1 w1 · idle/, { timeout: 30_000 });
    t.keys('C-a', 't', 'a');
    await t.waitFor('New task');
    t.write('Think --to w1\r');
    await t.waitFor(() => /waiting for you: .*w1 paused/.test(statusBar(t)), { message: 'w1 paused', timeout: 20_000 });
    await t.waitFor('⏸ w1 reached its budget');
    await t.waitFor(/1 w1 · \S+.* ⏸ paused/);
    // Paused: a second task for it waits.
    t.keys('a');
    t.write('More --to w1\r');
    await t.waitFor(/t2\s+todo/);
    t.keys('k', 'B');
    await t.waitFor('w1 goes on');
    await t.waitFor(() => !/w1 paused/.test(statusBar(t)), { message: 'no longer paused' });
  });

  it('an agent busy on its task with no file changed and no task moved for stallMinutes is paused and escalated', async () => {
    // The model answers with a few words, then holds the stream open: busy, and getting nowhere.
    server.setResponder(scripted({ w1: (t) => (t.text.includes('Task t1:') ? { kind: 'stall', content: [say('Let me think about this for a long while.')], afterChars: 12 } : [say('ok')]) }));
    const { t } = workspace([agent('w1')], { tasks: { stallMinutes: 0.05 } });
    await t.waitFor(/1 w1 · idle/, { timeout: 30_000 });
    t.keys('C-a', 't', 'a');
    await t.waitFor('New task');
    t.write('Ponder --to w1\r');
    await t.waitFor(/1 w1 · (busy|thinking)/);
    await t.waitFor(() => /waiting for you: .*w1 paused/.test(statusBar(t)), { message: 'w1 paused', timeout: 20_000 });
    await t.waitFor(/w1 made no progress on t1 for 3 s/);
    // Paused means stopped: the held stream was interrupted, and the title says why it does nothing.
    await t.waitFor(/1 w1 · idle.* ⏸ paused/);
  });

  it('resume brings the board back', async () => {
    server.setResponder(scripted({}));
    const first = workspace([agent('w1')]);
    await first.t.waitFor(/1 w1 · idle/, { timeout: 30_000 });
    first.t.keys('C-a', 't', 'a');
    first.t.write('Remember me --to nobody-yet --check "true"\r');
    await first.t.waitFor(/t1\s+todo\s+Remember me/);
    // Escape and the prefix in one read would be Alt+Ctrl-A: wait for the board to close first.
    first.t.keys('Escape');
    await first.t.waitFor(() => /NORMAL/.test(statusBar(first.t)), { message: 'the board closed' });
    first.t.keys('C-a', 'q');
    await first.t.exited;
    const again = start(['--continue'], { cols: 160, rows: 44, env: { ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: 'test-key' }, dirs: { project: first.project, home: first.home } });
    await again.t.waitFor('NORMAL', { timeout: 30_000 });
    again.t.keys('C-a', 't');
    await again.t.waitFor(/t1\s+todo\s+Remember me/);
  }, 90_000);
});
