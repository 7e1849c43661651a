// Interrupts at every point of a turn, and redirects. After each one the next request must be one
// the real API accepts (the server validates tool_use / tool_result pairing as the API does), so
// every test ends with a follow-up send() whose request was not rejected.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { INTERRUPTED } from '../../src/agent/conversation.js';
import type { AgentEvent } from '../../src/agent/agent.js';
import { allProcs } from '../helpers/procs.js';
import { blocks, lastUserText, makeRig, rejected, until, type Rig } from './rig.js';

let rig: Rig;
afterEach(async () => {
  await rig?.dispose();
});

/** Milliseconds from interrupt() to the turn_end event, per case; the first of each is cold (JIT). */
const latencies: Record<string, number[]> = {};
const record = (what: string, ms: number) => (latencies[what] ??= []).push(ms);
afterAll(() => {
  const lines = Object.entries(latencies).map(([k, all]) => {
    const warm = all.slice(1).sort((x, y) => x - y);
    const median = warm.length ? ` · warm median ${warm[Math.floor(warm.length / 2)].toFixed(1)} ms of ${warm.length}` : '';
    return `  ${k}: first ${all[0].toFixed(1)} ms${median}`;
  });
  console.log(`interrupt latency (interrupt() call -> turn_end event):\n${lines.join('\n')}`);
});

/** Interrupts now and resolves with the turn_end event and the milliseconds it took to arrive. */
async function interruptAndTime(r: Rig): Promise<{ end: Extract<AgentEvent, { type: 'turn_end' }>; ms: number }> {
  const since = r.events.length;
  const t0 = performance.now();
  r.agent.interrupt();
  const end = await r.event('turn_end', undefined, since);
  return { end, ms: r.times[r.events.indexOf(end)] - t0 };
}

/** The follow-up: a new instruction whose request the server (the API's rules) accepts. */
async function followUp(r: Rig, text = 'Carry on, please.'): Promise<void> {
  const before = r.server.requests.length;
  r.server.enqueue({ kind: 'reply', content: [{ type: 'text', text: 'Carrying on.' }] });
  await r.agent.send(text);
  expect(rejected(r.server)).toEqual([]);
  expect(r.server.requests.length).toBe(before + 1);
  const last = r.server.requests.at(-1)!;
  expect(lastUserText(last).endsWith(text)).toBe(true);
  expect(r.events.at(-1)).toEqual({ type: 'turn_end', reason: 'done' });
}

/**
 * Live processes in group `pgid`, each as /proc shows it (stat, with its state, parent and start
 * time, and command line): a failure then says which process outlived the interrupt and how.
 */
/**
 * The pid a command wrote to `file`, once it is there: read between the shell's truncate and its
 * write the file is empty, and 0 would be every kernel thread's process group.
 */
function pidIn(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const n = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

function groupLeft(pgid: number): string[] {
  return allProcs()
    .filter((p: { pgid: number }) => p.pgid === pgid)
    .flatMap((p: { pid: number }) => {
      try {
        return [`${readFileSync(`/proc/${p.pid}/stat`, 'utf8').trim()} [${readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()}]`];
      } catch {
        return []; // Gone since the listing.
      }
    });
}

const LONG_TEXT = Array.from({ length: 40 }, (_, i) => `sentence ${i} of a long answer.`).join(' ');

describe('interrupt', () => {
  it('(a) while text streams: the partial text stays in history, marked as interrupted', async () => {
    rig = await makeRig();
    rig.server.enqueue({ kind: 'reply', content: [{ type: 'text', text: LONG_TEXT }], chunkChars: 10, chunkDelayMs: 40 });
    const turn = rig.agent.send('Write a long answer');
    await rig.event('text');
    const { end, ms } = await interruptAndTime(rig);
    record('(a) while text streams', ms);
    await turn;

    expect(end.reason).toBe('interrupted');
    expect(rig.agent.status).toBe('idle');
    const partial = rig.of('text').map((e) => e.delta).join('');
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(LONG_TEXT.length);
    expect(LONG_TEXT.startsWith(partial)).toBe(true);
    expect(rig.of('text_end')).toHaveLength(1);
    expect(rig.agent.history).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Write a long answer' }] },
      { role: 'assistant', content: [{ type: 'text', text: `${partial}\n\n[${INTERRUPTED}]` }] },
    ]);

    await followUp(rig);
    // The next request continues the same conversation with the partial answer in it.
    expect(blocks(rig.server.requests[1], 1)).toEqual([{ type: 'text', text: `${partial}\n\n[${INTERRUPTED}]` }]);

    // More rounds on the same conversation, for a warm latency figure; each next request is valid.
    for (let i = 0; i < 5; i++) {
      rig.server.enqueue({ kind: 'reply', content: [{ type: 'text', text: LONG_TEXT }], chunkChars: 10, chunkDelayMs: 40 });
      const since = rig.events.length;
      const again = rig.agent.send(`Write it again (${i})`);
      await rig.event('text', undefined, since);
      record('(a) while text streams', (await interruptAndTime(rig)).ms);
      await again;
      await followUp(rig);
    }
  });

  it('(b) while a tool_use input streams: the half tool call is dropped, finished text kept', async () => {
    rig = await makeRig();
    rig.write('src/a.txt', 'alpha\n');
    const intro = 'I will read it.';
    rig.server.enqueue({
      kind: 'stall',
      content: [{ type: 'text', text: intro }, { type: 'tool_use', name: 'edit_file', input: { path: 'src/a.txt', old_text: 'alpha', new_text: 'omega' } }],
      afterChars: intro.length + 6,
    });
    const turn = rig.agent.send('Edit it');
    const stream = await until(() => rig.streams[0], 'the stream');
    // Wait (at the SDK level) until part of the tool's input JSON has arrived.
    await until(() => {
      const b = stream.currentMessage?.content.at(-1);
      return b?.type === 'tool_use' && (b as unknown as { __json_buf?: string }).__json_buf?.length === 6;
    }, 'a half-streamed tool input');
    const { end } = await interruptAndTime(rig);
    await turn;

    expect(end.reason).toBe('interrupted');
    expect(rig.agent.history).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Edit it' }] },
      { role: 'assistant', content: [{ type: 'text', text: intro }, { type: 'text', text: `[${INTERRUPTED}]` }] },
    ]);
    expect(rig.of('tool_start')).toEqual([]);
    expect(readFileSync(join(rig.root, 'src/a.txt'), 'utf8')).toBe('alpha\n');

    await followUp(rig);
    expect(JSON.stringify(rig.server.requests[1].body.messages)).not.toContain('tool_use');
  });

  it('(c) after a finished tool_use, before message_stop: it is kept with an is_error "interrupted by the user" result', async () => {
    rig = await makeRig();
    rig.write('src/a.txt', 'alpha\n');
    const first = { path: 'src/a.txt' };
    rig.server.enqueue({
      kind: 'stall',
      content: [
        { type: 'tool_use', id: 'toolu_finished', name: 'read_file', input: first },
        { type: 'tool_use', id: 'toolu_half', name: 'edit_file', input: { path: 'src/a.txt', old_text: 'alpha', new_text: 'omega' } },
      ],
      // The first call complete (content_block_stop sent), 3 characters of the second, then silence.
      afterChars: JSON.stringify(first).length + 3,
    });
    const turn = rig.agent.send('Read then edit');
    const stream = await until(() => rig.streams[0], 'the stream');
    await until(() => {
      const c = stream.currentMessage?.content;
      return c?.length === 2 && (c[1] as unknown as { __json_buf?: string }).__json_buf?.length === 3;
    }, 'the first tool call finished and the second one started');
    const { end, ms } = await interruptAndTime(rig);
    record('(c) after a finished tool_use', ms);
    await turn;

    expect(end.reason).toBe('interrupted');
    expect(rig.agent.history).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Read then edit' }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_finished', name: 'read_file', input: first }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_finished', content: INTERRUPTED, is_error: true }] },
    ]);
    expect(rig.of('tool_start')).toEqual([]); // not run

    await followUp(rig, 'Only read it.');
    // The error result and the new instruction share one user message (roles alternate).
    expect(blocks(rig.server.requests[1], 2)).toEqual([
      { type: 'tool_result', tool_use_id: 'toolu_finished', content: INTERRUPTED, is_error: true },
      { type: 'text', text: 'Only read it.', cache_control: { type: 'ephemeral' } },
    ]);
  });

  it('(d) while a tool runs: the command is stopped, its process group is gone, the result is an error', async () => {
    rig = await makeRig({ policy: 'auto' });
    rig.server.enqueue({ kind: 'reply', content: [{ type: 'tool_use', name: 'run_command', input: { command: 'echo started; echo $$ > pgid.txt; sleep 30' } }] });
    const turn = rig.agent.send('Run the long thing');
    await rig.event('tool_start');
    const pgidFile = join(rig.root, 'pgid.txt');
    const pgid = await until(() => pidIn(pgidFile), 'the command to start');
    await until(() => allProcs().some((p: { pgid: number }) => p.pgid === pgid), 'the sleep to run');

    const { end, ms } = await interruptAndTime(rig);
    record('(d) while a tool runs', ms);
    await turn;

    expect(end.reason).toBe('interrupted');
    expect(ms).toBeLessThan(5_000); // not the 30 s of the sleep (no timing claim beyond that)
    const [toolEnd] = rig.of('tool_end');
    expect(groupLeft(pgid), toolEnd.result.content).toEqual([]);
    expect(toolEnd.result.isError).toBe(true);
    const last = rig.agent.history.at(-1)!;
    expect(last.role).toBe('user');
    const result = (last.content as unknown as Array<Record<string, unknown>>)[0];
    expect(result).toMatchObject({ type: 'tool_result', is_error: true });
    expect(String(result.content)).toMatch(new RegExp(`^${INTERRUPTED}\\. Partial result:\\nstarted\\n\\[stopped: interrupted by the user; the command and the processes it started were sent SIGTERM; all checked gone\\]`));

    await followUp(rig);

    // More rounds, for a warm latency figure.
    for (let i = 0; i < 3; i++) {
      rig.server.enqueue({ kind: 'reply', content: [{ type: 'tool_use', name: 'run_command', input: { command: `echo $$ > pgid${i}.txt; sleep 30` } }] });
      const since = rig.events.length;
      const again = rig.agent.send(`Run it again (${i})`);
      await rig.event('tool_start', undefined, since);
      const file = join(rig.root, `pgid${i}.txt`);
      const group = await until(() => pidIn(file), 'the command to start');
      record('(d) while a tool runs', (await interruptAndTime(rig)).ms);
      await again;
      expect(groupLeft(group), rig.of('tool_end').at(-1)!.result.content).toEqual([]);
      await followUp(rig);
    }
  });

  it('(e) while waiting for approval: the question is cancelled and the call gets an interrupted result', async () => {
    const signals: AbortSignal[] = [];
    rig = await makeRig({
      policy: 'auto-edit',
      approve: (_call, _id, signal) =>
        new Promise(() => {
          signals.push(signal); // never answered: the person walked away
        }),
    });
    rig.server.enqueue({ kind: 'reply', content: [{ type: 'tool_use', id: 'toolu_ask', name: 'run_command', input: { command: 'touch never.txt' } }] });
    const turn = rig.agent.send('Make a file');
    await rig.event('approval');
    expect(rig.agent.status).toBe('approval');
    const { end } = await interruptAndTime(rig);
    await turn;

    expect(end.reason).toBe('interrupted');
    expect(signals).toHaveLength(1);
    expect(signals[0].aborted).toBe(true);
    expect(rig.agent.status).toBe('idle');
    expect(rig.of('tool_start')).toEqual([]);
    expect(existsSync(join(rig.root, 'never.txt'))).toBe(false);
    expect(rig.agent.history.at(-1)).toEqual({
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: 'toolu_ask', content: INTERRUPTED, is_error: true }],
    });

    await followUp(rig);
  });

  it('while the SDK waits to retry a 429 (before any response): the turn ends at once, history unchanged', async () => {
    rig = await makeRig();
    rig.server.enqueue({ kind: 'error', status: 429, retryAfter: 20 });
    const turn = rig.agent.send('hello?');
    await until(() => rig.server.requests.length === 1, 'the first attempt');
    const { end, ms } = await interruptAndTime(rig);
    await turn;
    expect(end.reason).toBe('interrupted');
    expect(ms).toBeLessThan(5_000);
    expect(rig.agent.history).toEqual([{ role: 'user', content: [{ type: 'text', text: 'hello?' }] }]);
    await followUp(rig);
    // The unanswered instruction and the new one go together in one user message.
    expect(blocks(rig.server.requests[1], 0).map((b) => b.text)).toEqual(['hello?', 'Carry on, please.']);
  });

  it('while the agent waits to retry a broken stream: the wait ends at once', async () => {
    rig = await makeRig({ retryBaseMs: 20_000 });
    rig.server.enqueue({ kind: 'drop', content: [{ type: 'text', text: 'This will break in the middle of it.' }] });
    const turn = rig.agent.send('go');
    await rig.event('notice');
    const { end, ms } = await interruptAndTime(rig);
    await turn;
    expect(end.reason).toBe('interrupted');
    expect(ms).toBeLessThan(5_000);
    expect(rig.agent.history).toHaveLength(1); // the broken response is discarded whole
    await followUp(rig);
  });
});

describe('redirect', () => {
  it('send() while a turn streams interrupts it; the next request ends with the new instruction', async () => {
    rig = await makeRig();
    rig.server.enqueue({ kind: 'reply', content: [{ type: 'text', text: LONG_TEXT }], chunkChars: 10, chunkDelayMs: 40 });
    rig.server.enqueue({ kind: 'reply', content: [{ type: 'text', text: 'Doing B.' }] });
    const first = rig.agent.send('Do A');
    await rig.event('text');
    const second = rig.agent.send('Stop. Do B instead.');
    await Promise.all([first, second]);

    expect(rig.of('turn_end').map((e) => e.reason)).toEqual(['interrupted', 'done']);
    expect(rejected(rig.server)).toEqual([]);
    expect(rig.server.requests).toHaveLength(2);
    const next = rig.server.requests[1];
    expect(next.body.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(blocks(next, 2)).toEqual([{ type: 'text', text: 'Stop. Do B instead.', cache_control: { type: 'ephemeral' } }]);
    expect(String(blocks(next, 1)[0].text)).toMatch(new RegExp(`\\[${INTERRUPTED}\\]$`));
  });

  it('send() while a tool runs stops it; the new instruction follows its error result', async () => {
    rig = await makeRig({ policy: 'auto' });
    rig.server.enqueue({ kind: 'reply', content: [{ type: 'tool_use', id: 'toolu_sleep', name: 'run_command', input: { command: 'sleep 30' } }] });
    const first = rig.agent.send('Wait a while');
    await rig.event('tool_start');
    rig.server.enqueue({ kind: 'reply', content: [{ type: 'text', text: 'OK.' }] });
    await Promise.all([first, rig.agent.send('Never mind, just say OK.')]);

    expect(rig.of('turn_end').map((e) => e.reason)).toEqual(['interrupted', 'done']);
    expect(rejected(rig.server)).toEqual([]);
    const last = blocks(rig.server.requests[1], 2);
    expect(last.map((b) => b.type)).toEqual(['tool_result', 'text']);
    expect(last[0]).toMatchObject({ tool_use_id: 'toolu_sleep', is_error: true });
    expect(last[1].text).toBe('Never mind, just say OK.');
  });

  it('two sends during one turn still run one turn at a time; the latest instruction comes last', async () => {
    rig = await makeRig();
    // The first answer streams slowly; the rest are the server's quick echo.
    rig.server.enqueue({ kind: 'reply', content: [{ type: 'text', text: LONG_TEXT }], chunkChars: 10, chunkDelayMs: 40 });
    let open = 0;
    let maxOpen = 0;
    const watch = (s: Rig['streams'][number]) => {
      s.on('connect', () => (maxOpen = Math.max(maxOpen, ++open)));
      s.on('end', () => open--);
    };
    const watched = new Set<unknown>();
    const poll = setInterval(() => rig.streams.filter((s) => !watched.has(s)).forEach((s) => (watched.add(s), watch(s))), 1);
    try {
      const a = rig.agent.send('A');
      await rig.event('text');
      const b = rig.agent.send('B');
      const c = rig.agent.send('C');
      await Promise.all([a, b, c]);
    } finally {
      clearInterval(poll);
    }
    expect(maxOpen).toBe(1);
    expect(rejected(rig.server)).toEqual([]);
    const roles = rig.agent.history.map((m) => m.role);
    expect(roles.every((r, i) => r === (i % 2 === 0 ? 'user' : 'assistant'))).toBe(true);
    expect(lastUserText(rig.server.requests.at(-1)!).endsWith('C')).toBe(true);
    expect(rig.of('turn_end').at(-1)).toEqual({ type: 'turn_end', reason: 'done' });
  });

  it('clear() during a turn forgets the conversation after the turn settles, never half of it', async () => {
    rig = await makeRig();
    rig.server.enqueue({ kind: 'reply', content: [{ type: 'text', text: LONG_TEXT }], chunkChars: 10, chunkDelayMs: 40 });
    const turn = rig.agent.send('Do A');
    await rig.event('text');
    rig.agent.clear();
    await turn;
    expect(rig.agent.history).toEqual([]);
    await followUp(rig, 'Fresh start.');
    expect(rig.server.requests[1].body.messages).toHaveLength(1);
  });
});
