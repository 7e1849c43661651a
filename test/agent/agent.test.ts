// The agent loop end to end: the real SDK over real HTTP to the local Messages API server, tools on
// a temp project folder. Plain turns, tool turns, usage and cost as the agent counts them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { blocks, makeRig, MODEL, rejected, SYSTEM, type Rig } from './rig.js';

let rig: Rig;
afterEach(async () => {
  await rig?.dispose();
});

describe('a plain turn', () => {
  it('streams text as events, keeps user + assistant in history and counts usage and cost', async () => {
    rig = await makeRig();
    const answer = 'Hello! This answer arrives in several small pieces.';
    rig.server.enqueue({ kind: 'reply', content: [{ type: 'text', text: answer }], chunkChars: 8 });

    await rig.agent.send('Say hello');

    const deltas = rig.of('text').map((e) => e.delta);
    expect(deltas.length).toBe(Math.ceil(answer.length / 8));
    expect(deltas.join('')).toBe(answer);
    expect(rig.of('text_end')).toHaveLength(1);
    expect(rig.of('status').map((e) => e.status)).toEqual(['thinking', 'idle']);
    expect(rig.of('turn_end')).toEqual([{ type: 'turn_end', reason: 'done' }]);
    expect(rig.of('error')).toEqual([]);
    expect(rig.agent.busy).toBe(false);

    expect(rig.agent.history).toHaveLength(2);
    expect(rig.agent.history[0]).toEqual({ role: 'user', content: [{ type: 'text', text: 'Say hello' }] });
    expect(rig.agent.history[1].role).toBe('assistant');
    expect(rig.agent.history[1].content).toMatchObject([{ type: 'text', text: answer }]);

    // What went over the wire.
    const req = rig.server.requests[0];
    expect(rig.server.requests).toHaveLength(1);
    expect(req.body.model).toBe(MODEL);
    expect(req.body.stream).toBe(true);
    expect(req.body.system).toEqual([{ type: 'text', text: SYSTEM, cache_control: { type: 'ephemeral' } }]);
    expect(req.body.tools?.map((t) => t.name)).toEqual(['read_file', 'write_file', 'edit_file', 'list_files', 'search', 'run_command']);
    expect(blocks(req, 0)).toEqual([{ type: 'text', text: 'Say hello', cache_control: { type: 'ephemeral' } }]);

    // Usage as the server reported it, and its cost at Sonnet 5 prices (2 / 2.5 / 4 / 0.20 / 10 per MTok).
    const [u] = rig.of('usage');
    const usage = u.usage;
    // The last breakpoint is on the last block, so the whole prompt is the cached prefix: with a
    // fresh cache all of it is written, none is plain input.
    expect(usage.input_tokens).toBe(0);
    expect(usage.cache_creation_input_tokens).toBeGreaterThan(1000);
    expect(usage.cache_read_input_tokens).toBe(0);
    expect(usage.output_tokens).toBe(Math.ceil(answer.length / 4));
    const expected =
      (usage.input_tokens * 2 + (usage.cache_creation_input_tokens ?? 0) * 2.5 + (usage.cache_read_input_tokens ?? 0) * 0.2 + usage.output_tokens * 10) / 1e6;
    expect(u.cost).toBeCloseTo(expected, 12);
    const t = rig.agent.totals;
    expect(t).toMatchObject({
      input: usage.input_tokens,
      output: usage.output_tokens,
      cacheRead: 0,
      cacheWrite: usage.cache_creation_input_tokens,
      priced: true,
      turns: 1,
    });
    expect(t.cost).toBeCloseTo(expected, 12);
    expect(rig.agent.contextTokens).toBe(usage.input_tokens + (usage.cache_creation_input_tokens ?? 0) + usage.output_tokens);
  });

  it('prices a known usage by hand: input, 5-minute cache write, cache read, output', async () => {
    rig = await makeRig();
    // Sonnet 5: 1000 x $2 + 2000 x $2.5 + 3000 x $0.2 + 500 x $10 per MTok = $0.0126
    rig.server.enqueue({
      kind: 'reply',
      content: [{ type: 'text', text: 'ok' }],
      usage: { input_tokens: 1000, cache_creation_input_tokens: 2000, cache_read_input_tokens: 3000, output_tokens: 500 },
    });
    await rig.agent.send('one');
    expect(rig.of('usage')[0].cost).toBeCloseTo(0.0126, 12);

    // Haiku 5.5 ($0.10 / 0.125 / 0.20 / 0.01 / 0.50) at exactly 100k prompt tokens: base price.
    // 40000 x 0.1 + 60000 x 0.01 + 1000 x 0.5 = 5100 micro-dollars = $0.0051
    rig.agent.setModel('claude-haiku-5-5');
    rig.server.enqueue({
      kind: 'reply',
      content: [{ type: 'text', text: 'ok' }],
      usage: { input_tokens: 40_000, cache_creation_input_tokens: 0, cache_read_input_tokens: 60_000, output_tokens: 1000 },
    });
    await rig.agent.send('two');
    expect(rig.of('usage')[1].cost).toBeCloseTo(0.0051, 12);

    // Above 100k prompt tokens every token of the request costs 5x:
    // (50000 x 0.1 + 60000 x 0.01 + 1000 x 0.5) x 5 = 30500 micro-dollars = $0.0305
    rig.server.enqueue({
      kind: 'reply',
      content: [{ type: 'text', text: 'ok' }],
      usage: { input_tokens: 50_000, cache_creation_input_tokens: 0, cache_read_input_tokens: 60_000, output_tokens: 1000 },
    });
    await rig.agent.send('three');
    expect(rig.of('usage')[2].cost).toBeCloseTo(0.0305, 12);
    expect(rig.server.requests[2].body.model).toBe('claude-haiku-5-5');

    expect(rig.agent.totals.cost).toBeCloseTo(0.0126 + 0.0051 + 0.0305, 12);
    expect(rig.agent.totals).toMatchObject({ input: 91_000, cacheRead: 123_000, cacheWrite: 2000, output: 2500, turns: 3, priced: true });
  });

  it('counts tokens but no price for a model missing from the price table', async () => {
    rig = await makeRig({ model: 'claude-unknown-9' });
    await rig.agent.send('hi');
    expect(rig.of('usage')[0].cost).toBeUndefined();
    expect(rig.agent.totals.priced).toBe(false);
    expect(rig.agent.totals.cost).toBe(0);
    expect(rig.agent.totals.cacheWrite).toBeGreaterThan(0);
  });
});

describe('a tool turn', () => {
  it('runs read_file and edit_file on the project, sends each tool_result back and stops on end_turn', async () => {
    rig = await makeRig();
    rig.write('src/a.txt', 'alpha\nbeta\n');
    rig.server.enqueue(
      { kind: 'reply', content: [{ type: 'text', text: 'Reading it first.' }, { type: 'tool_use', name: 'read_file', input: { path: 'src/a.txt' } }] },
      { kind: 'reply', content: [{ type: 'tool_use', name: 'edit_file', input: { path: 'src/a.txt', old_text: 'beta', new_text: 'gamma' } }] },
      { kind: 'reply', content: [{ type: 'text', text: 'Done: beta is now gamma.' }] },
    );

    await rig.agent.send('Change beta to gamma in src/a.txt');

    expect(readFileSync(join(rig.root, 'src/a.txt'), 'utf8')).toBe('alpha\ngamma\n');
    expect(rig.server.requests).toHaveLength(3);
    expect(rejected(rig.server)).toEqual([]);
    expect(rig.of('turn_end')).toEqual([{ type: 'turn_end', reason: 'done' }]);
    expect(rig.of('tool_start').map((e) => e.call)).toEqual(['read_file src/a.txt', 'edit_file src/a.txt']);
    expect(rig.of('tool_end').map((e) => e.result.isError)).toEqual([false, false]);
    expect(rig.of('wrote').map((e) => e.path)).toEqual(['src/a.txt']);
    expect(rig.of('status').map((e) => e.status)).toEqual(['thinking', 'tool', 'thinking', 'tool', 'thinking', 'idle']);

    // Each tool_result went back in the next request, answering the tool_use right before it.
    const [, second, third] = rig.server.requests;
    const readCall = blocks(second, 1).find((b) => b.type === 'tool_use');
    expect(readCall).toMatchObject({ name: 'read_file', input: { path: 'src/a.txt' } });
    expect(blocks(second, 2)).toEqual([
      { type: 'tool_result', tool_use_id: readCall?.id, content: '1\talpha\n2\tbeta', is_error: false, cache_control: { type: 'ephemeral' } },
    ]);
    const editCall = blocks(third, 3).find((b) => b.type === 'tool_use');
    const editResult = blocks(third, 4);
    expect(editResult).toHaveLength(1);
    expect(editResult[0]).toMatchObject({ type: 'tool_result', tool_use_id: editCall?.id, is_error: false });
    expect(String(editResult[0].content)).toMatch(/^Edited src\/a\.txt: replaced/);
    // The earlier tool_result is byte-identical in the later request (breakpoint moved, content not).
    expect(blocks(third, 2)).toEqual([{ type: 'tool_result', tool_use_id: readCall?.id, content: '1\talpha\n2\tbeta', is_error: false }]);

    // History: user, assistant(tool_use), user(tool_result), assistant(tool_use), user(tool_result), assistant(text)
    expect(rig.agent.history.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'assistant']);
    expect(rig.agent.totals.turns).toBe(1);
  });

  it('a bad tool input and a refused path come back as error results and the loop goes on', async () => {
    rig = await makeRig();
    rig.server.enqueue(
      { kind: 'reply', content: [{ type: 'tool_use', name: 'read_file', input: { path: 42 } }, { type: 'tool_use', name: 'read_file', input: { path: '../outside.txt' } }] },
      { kind: 'reply', content: [{ type: 'text', text: 'Both failed; stopping.' }] },
    );
    await rig.agent.send('read things');
    expect(rejected(rig.server)).toEqual([]);
    const results = blocks(rig.server.requests[1], 2);
    expect(results.map((b) => b.is_error)).toEqual([true, true]);
    expect(String(results[0].content)).toContain('Invalid input for read_file');
    expect(String(results[1].content)).toMatch(/outside the project|escape|not allowed|refused/i);
    expect(rig.of('turn_end')).toEqual([{ type: 'turn_end', reason: 'done' }]);
  });

  it('asks before run_command under auto-edit, and a refusal is an error result the model sees', async () => {
    const asked: string[] = [];
    rig = await makeRig({
      policy: 'auto-edit',
      approve: async (call) => {
        asked.push(call);
        return 'no';
      },
    });
    rig.server.enqueue(
      { kind: 'reply', content: [{ type: 'tool_use', name: 'run_command', input: { command: 'touch made.txt' } }] },
      { kind: 'reply', content: [{ type: 'text', text: 'Understood, not running it.' }] },
    );
    await rig.agent.send('make a file');
    expect(asked).toEqual(['run_command touch made.txt']);
    expect(rig.of('approval')).toHaveLength(1);
    expect(rig.of('tool_start')).toEqual([]);
    expect(blocks(rig.server.requests[1], 2)[0]).toMatchObject({ type: 'tool_result', is_error: true, content: 'the user declined to run this' });
    expect(rejected(rig.server)).toEqual([]);
  });

  it('never throws: an approve callback that fails refuses the call and the loop goes on', async () => {
    rig = await makeRig({
      policy: 'ask',
      approve: () => Promise.reject(new Error('the prompt went away')),
    });
    rig.server.enqueue(
      { kind: 'reply', content: [{ type: 'tool_use', name: 'write_file', input: { path: 'x.txt', content: 'x' } }] },
      { kind: 'reply', content: [{ type: 'text', text: 'ok' }] },
    );
    await expect(rig.agent.send('write')).resolves.toBeUndefined();
    expect(blocks(rig.server.requests[1], 2)[0]).toMatchObject({ is_error: true, content: 'not run: asking for approval failed (the prompt went away)' });
    expect(rejected(rig.server)).toEqual([]);
  });
});
