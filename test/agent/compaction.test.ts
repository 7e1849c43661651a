// Compaction: near the context limit the loop clears old tool results first, then summarises older
// turns with a (non-streaming) model call; /compact does it on demand. The history stays valid: the
// server, which refuses what the API refuses, accepts every request after it.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CLEARED, clearOldToolResults, compactHistory, summaryCut } from '../../src/agent/compaction.js';
import type { Msg } from '../../src/agent/conversation.js';
import type { Responder } from '../../src/demo/server.js';
import { lastUserText, makeRig, rejected, until, type Rig } from './rig.js';

let rig: Rig;
afterEach(async () => {
  await rig?.dispose();
});

const figures: string[] = [];
afterAll(() => {
  if (figures.length) console.log(`compaction:\n${figures.map((f) => `  ${f}`).join('\n')}`);
});

type Block = Record<string, unknown>;
const SUMMARY = 'The person asked for the notes files to be read one by one; each was read and summarised.';

/**
 * Summaries for non-streaming requests. Otherwise: "file N" in an instruction asks for read_file of
 * bigN.txt; with `reads`, each tool result asks for the next file until that many were read; else
 * a tool result gets a paragraph of prose.
 */
function script(opts: { reads?: number } = {}): Responder {
  let read = 0;
  return (req) => {
    if (req.body.stream !== true) return { kind: 'reply', content: [{ type: 'text', text: SUMMARY }] };
    const lastBlock = (req.body.messages.at(-1)!.content as Block[]).at(-1)!;
    const n = /file (\d+)/.exec(String(lastBlock.text))?.[1];
    if (lastBlock.type === 'text' && n !== undefined) {
      read = Number(n) + 1;
      return { kind: 'reply', content: [{ type: 'tool_use', name: 'read_file', input: { path: `big${n}.txt` } }] };
    }
    if (lastBlock.type === 'tool_result' && opts.reads !== undefined && read < opts.reads)
      return { kind: 'reply', content: [{ type: 'tool_use', name: 'read_file', input: { path: `big${read++}.txt` } }] };
    return { kind: 'reply', content: [{ type: 'text', text: `Read it. ${'The file lists measurements in a long table. '.repeat(8)}` }] };
  };
}

function writeBigFiles(r: Rig, n: number, lines: number): void {
  for (let i = 0; i < n; i++) r.write(`big${i}.txt`, Array.from({ length: lines }, (_, j) => `row ${j} of file ${i}: value=${(i * 31 + j * 7) % 97}`).join('\n'));
}

function expectValid(history: Msg[]): void {
  expect(history[0].role).toBe('user');
  history.forEach((m, i) => expect(m.role).toBe(i % 2 === 0 ? 'user' : 'assistant'));
}

const summaryRequests = (r: Rig) => r.server.requests.filter((q) => q.body.stream !== true);

describe('compaction in the loop', () => {
  it('near the limit clears old tool results first, then summarises; every request stays valid', async () => {
    rig = await makeRig({ contextWindow: 4000 }); // compacts above 3200 tokens, aims for 1600 of history
    writeBigFiles(rig, 10, 40);
    rig.server.setResponder(script());

    const contexts: number[] = [];
    for (let i = 0; i < 10; i++) {
      await rig.agent.send(`Read file ${i} and tell me what it says.`);
      contexts.push(rig.agent.contextTokens);
    }

    expect(rejected(rig.server)).toEqual([]);
    expect(rig.of('error')).toEqual([]);
    expect(rig.of('turn_end').every((e) => e.reason === 'done')).toBe(true);
    const compactions = rig.of('compacted').map((e) => e.result);
    expect(compactions.length).toBeGreaterThan(1);
    // First the cheap step alone, later a summary.
    expect(compactions[0]).toMatchObject({ summarised: false, reason: 'near the context limit' });
    expect(compactions[0].clearedResults).toBeGreaterThan(0);
    const firstSummary = compactions.findIndex((c) => c.summarised);
    expect(firstSummary).toBeGreaterThan(0);
    for (const c of compactions) expect(c.after).toBeLessThan(c.before);

    // The summarising call: non-streaming, its own system prompt, the transcript in one message.
    const summaries = summaryRequests(rig);
    expect(summaries.length).toBe(compactions.filter((c) => c.summarised).length);
    const s = summaries[0];
    expect(String(s.body.system)).toMatch(/^You compact a coding agent's conversation/);
    expect(s.body.tools).toBeUndefined();
    expect(lastUserText(s)).toMatch(/^Summarise this conversation:\n\nuser: Read file 0/);
    // The request right after it starts from the summary, and the server accepted it.
    const next = rig.server.requests[s.index + 1];
    expect(next.body.stream).toBe(true);
    expect(String((next.body.messages[0].content as Block[])[0].text)).toBe(`Summary of the earlier conversation (older turns were compacted):\n\n${SUMMARY}`);
    expect(next.rejected).toBeUndefined();
    // Cleared results really went out cleared.
    expect(rig.server.requests.some((q) => JSON.stringify(q.body.messages).includes(CLEARED))).toBe(true);

    expectValid(rig.agent.history);
    // The context (prompt + output of the latest request) stays inside the window.
    expect(Math.max(...contexts)).toBeLessThan(4000);

    const spent = compactions.filter((c) => c.usage).map((c) => c.usage!);
    const input = spent.reduce((n, u) => n + u.input_tokens + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0), 0);
    const output = spent.reduce((n, u) => n + u.output_tokens, 0);
    const saved = compactions.reduce((n, c) => n + c.before - c.after, 0);
    figures.push(
      `window 4000, 10 turns each reading a 40-line file: ` +
        `${compactions.length} compactions (${compactions.filter((c) => !c.summarised).length} clearing only, ${spent.length} with a summary), ` +
        `${compactions.reduce((n, c) => n + c.clearedResults, 0)} tool results cleared; summarising used ${input} input + ${output} output tokens ` +
        `(${spent.length} calls); history estimate reduced by ${saved} tokens in total; context after each turn ${contexts.join(' ')}`,
    );
  });

  it('one long turn of tool calls can be summarised too (a cut before an assistant message)', async () => {
    rig = await makeRig({ contextWindow: 4000 });
    writeBigFiles(rig, 8, 60);
    rig.server.setResponder(script({ reads: 8 }));

    await rig.agent.send('Read file 0, then all the others, then tell me about them.');

    expect(rejected(rig.server)).toEqual([]);
    expect(rig.of('turn_end')).toEqual([{ type: 'turn_end', reason: 'done' }]);
    const compactions = rig.of('compacted').map((e) => e.result);
    expect(compactions.some((c) => c.summarised)).toBe(true);
    expect(rig.of('tool_end')).toHaveLength(8);
    // The summary is the user turn right before a kept assistant message.
    const after = rig.server.requests[summaryRequests(rig)[0].index + 1];
    expect(after.body.messages.map((m) => m.role).slice(0, 2)).toEqual(['user', 'assistant']);
    expectValid(rig.agent.history);
    const u = compactions.find((c) => c.usage)!.usage!;
    figures.push(`one 8-call turn in a 4000 window: ${compactions.length} compactions, first summary used ${u.input_tokens + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0)} input + ${u.output_tokens} output tokens`);
  });

  it('a failing summarising call is a notice; old results are still cleared and the turn goes on', async () => {
    rig = await makeRig({ contextWindow: 4000 });
    writeBigFiles(rig, 8, 60);
    const base = script({ reads: 8 });
    rig.server.setResponder((req, i) => (req.body.stream !== true ? { kind: 'error', status: 400, message: 'prompt is too long' } : base(req, i)));
    await rig.agent.send('Read file 0, then all the others.');
    const notices = rig.of('notice').map((n) => n.text);
    expect(notices.length).toBeGreaterThan(0);
    expect(notices[0]).toBe('compaction failed (the request was rejected (400): prompt is too long); continuing with old tool results cleared only');
    expect(rig.of('compacted').length).toBeGreaterThan(0);
    expect(rig.of('compacted').every((e) => !e.result.summarised && e.result.clearedResults > 0)).toBe(true);
    expect(rig.of('turn_end')).toEqual([{ type: 'turn_end', reason: 'done' }]);
    expect(rig.of('tool_end')).toHaveLength(8);
    expect(rig.of('error')).toEqual([]);
    expect(rejected(rig.server)).toEqual([]);
  });

  it('an interrupt during the summarising call ends the turn; the history is as before', async () => {
    rig = await makeRig({ contextWindow: 4000 });
    writeBigFiles(rig, 8, 60);
    const base = script({ reads: 8 });
    rig.server.setResponder((req, i) => (req.body.stream !== true ? { kind: 'reply', content: [{ type: 'text', text: SUMMARY }], delayMs: 20_000 } : base(req, i)));
    const turn = rig.agent.send('Read file 0, then all the others.');
    await until(() => summaryRequests(rig).length === 1, 'a summarising request', 10_000);
    const history = structuredClone(rig.agent.history);
    rig.agent.interrupt();
    await turn;
    expect(rig.of('turn_end')).toEqual([{ type: 'turn_end', reason: 'interrupted' }]);
    expect(rig.agent.history).toEqual(history);
    expect(rig.of('notice')).toEqual([]);
    rig.server.setResponder(() => ({ kind: 'reply', content: [{ type: 'text', text: 'Stopped.' }] }));
    await rig.agent.send('Stop there.');
    expect(rejected(rig.server)).toEqual([]);
  });
});

describe('compact() on demand', () => {
  it('summarises now, whatever the size, and the conversation goes on from the summary', async () => {
    rig = await makeRig();
    writeBigFiles(rig, 3, 10);
    rig.server.setResponder(script());
    for (let i = 0; i < 3; i++) await rig.agent.send(`Read file ${i}.`);
    const before = rig.agent.history.length;
    expect(before).toBe(12);

    const result = await rig.agent.compact();

    expect(result).toMatchObject({ summarised: true, reason: 'on request' });
    expect(rig.of('compacted')).toHaveLength(1);
    expect(summaryRequests(rig)).toHaveLength(1);
    expect(rig.agent.history.length).toBeLessThan(before);
    expect(rig.agent.history[0].content).toMatchObject([{ type: 'text', text: expect.stringContaining(SUMMARY) }]);
    expectValid(rig.agent.history);
    expect(rig.agent.busy).toBe(false);
    expect(rig.of('status').slice(-2).map((e) => [e.status, e.detail])).toEqual([
      ['thinking', 'compacting'],
      ['idle', undefined],
    ]);
    // The summary call is paid for, but it is not the conversation's context size.
    expect(rig.agent.totals.output).toBeGreaterThan(0);
    const u = result!.usage!;
    figures.push(`compact() on a 12-message history: ${result!.before} -> ${result!.after} tokens (estimate); the call used ${u.input_tokens + (u.cache_creation_input_tokens ?? 0)} input + ${u.output_tokens} output tokens`);

    rig.server.enqueue({ kind: 'reply', content: [{ type: 'text', text: 'Continuing from the summary.' }] });
    await rig.agent.send('What did we do so far?');
    expect(rejected(rig.server)).toEqual([]);
    expect(rig.server.requests.at(-1)!.body.messages[0]).toMatchObject({ role: 'user' });
  });

  it('is interruptible, leaves history untouched then, and a failure is an error event', async () => {
    rig = await makeRig();
    rig.server.enqueue({ kind: 'reply', content: [{ type: 'text', text: 'one' }] }, { kind: 'reply', content: [{ type: 'text', text: 'two' }] });
    await rig.agent.send('first');
    await rig.agent.send('second');
    const history = structuredClone(rig.agent.history);

    rig.server.enqueue({ kind: 'reply', content: [{ type: 'text', text: SUMMARY }], delayMs: 20_000 });
    const pending = rig.agent.compact();
    expect(rig.agent.busy).toBe(true);
    await rig.event('status', (e) => e.detail === 'compacting');
    await until(() => summaryRequests(rig).length === 1, 'the summarising request to arrive');
    rig.agent.interrupt();
    await expect(pending).resolves.toBeUndefined();
    expect(rig.agent.history).toEqual(history);
    expect(rig.of('error')).toEqual([]);

    rig.server.enqueue({ kind: 'error', status: 500, shouldRetry: false });
    await expect(rig.agent.compact()).resolves.toBeUndefined();
    expect(rig.of('error').map((e) => e.text)).toEqual(['compaction failed: the API failed (500) after retries. Try again shortly.']);
    expect(rig.agent.history).toEqual(history);
  });

  it('does nothing while a turn runs', async () => {
    rig = await makeRig();
    rig.server.enqueue({ kind: 'reply', content: [{ type: 'text', text: 'slow answer '.repeat(10) }], chunkDelayMs: 20 });
    const turn = rig.agent.send('go');
    await expect(rig.agent.compact()).resolves.toBeUndefined();
    await turn;
    expect(summaryRequests(rig)).toHaveLength(0);
  });
});

describe('compaction pieces', () => {
  const text = (role: 'user' | 'assistant', t: string): Msg => ({ role, content: [{ type: 'text', text: t }] });
  const call = (id: string): Msg => ({ role: 'assistant', content: [{ type: 'tool_use', id, name: 'read_file', input: { path: 'a' } }] });
  const result = (id: string, content = 'x'.repeat(400)): Msg => ({ role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content }] });

  it('clears tool results older than the kept messages, never the recent ones, without mutating', () => {
    const h = [text('user', 'go'), call('a'), result('a'), call('b'), result('b'), text('assistant', 'done')];
    const copy = structuredClone(h);
    const { history, count } = clearOldToolResults(h, 1);
    expect(count).toBe(2);
    expect(history[2].content).toEqual([{ type: 'tool_result', tool_use_id: 'a', content: CLEARED }]);
    expect(history[4].content).toEqual([{ type: 'tool_result', tool_use_id: 'b', content: CLEARED }]);
    expect(history[1]).toBe(h[1]); // untouched messages are the same objects
    expect(h).toEqual(copy);
    const keep2 = clearOldToolResults(h, 2);
    expect(keep2.count).toBe(1);
    expect(keep2.history[4]).toBe(h[4]); // within the kept messages
    expect(clearOldToolResults(h, 4).count).toBe(0);
    expect(clearOldToolResults(history, 0).count).toBe(0); // already cleared ones are not counted again
  });

  it('cuts before a plain user message or an assistant message, never before a tool result', () => {
    const h = [text('user', 'go'), call('a'), result('a'), call('b'), result('b'), text('assistant', 'done'), text('user', 'next'), text('assistant', 'ok')];
    expect(summaryCut(h, 2)).toBe(6); // the plain user message
    expect(summaryCut(h, 4)).toBe(3); // len-4 = 4 is a tool result; 3 is an assistant message
    expect(summaryCut(h, 8)).toBe(1);
    expect(summaryCut([text('user', 'only')], 2)).toBe(0);
    expect(summaryCut([], 2)).toBe(0);
  });

  it('does not call the model when clearing is enough, or when there is nothing to cut', async () => {
    const fail = { messages: { create: () => Promise.reject(new Error('should not be called')) } } as never;
    const h = [text('user', 'go'), call('a'), result('a', 'y'.repeat(4000)), text('assistant', 'done'), text('user', 'more')];
    const r = await compactHistory(h, { client: fail, model: 'm', targetTokens: 500, summarise: true, keepRecent: 2 });
    expect(r).toMatchObject({ summarised: false, clearedResults: 1 });
    expect(r.after).toBeLessThan(500);
    const one = await compactHistory([text('user', 'z'.repeat(8000))], { client: fail, model: 'm', targetTokens: 0, summarise: true });
    expect(one).toMatchObject({ summarised: false, clearedResults: 0 });
  });
});
