// A conversation stored by a workspace that was killed during a tool call ends in a tool_use with no
// tool_result; the API (and the local server, which applies its rules) refuses every request built
// on it. Restored into an agent, it is repaired and the next turn gets a normal answer.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { WORKSPACE_STOPPED, type Msg } from '../../src/agent/conversation.js';
import { blocks, makeRig, MODEL, rejected, type Rig } from './rig.js';

let rig: Rig;
afterEach(async () => {
  await rig?.dispose();
});

/** As session memory holds it after kill -9 while read_file ran: the call, and no result. */
const KILLED_DURING_TOOL: Msg[] = [
  { role: 'user', content: [{ type: 'text', text: 'Look at a.ts' }] },
  {
    role: 'assistant',
    content: [
      { type: 'text', text: 'Reading it.' },
      { type: 'tool_use', id: 'toolu_killed', name: 'read_file', input: { path: 'a.ts' } },
    ],
  },
];

describe('a restored conversation', () => {
  it('as stored, the server refuses it with a 400 like the API', async () => {
    rig = await makeRig();
    const messages = [...KILLED_DURING_TOOL, { role: 'user' as const, content: 'Carry on.' }];
    const err = await rig.client.messages.create({ model: MODEL, max_tokens: 100, messages }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as Error).message).toMatch(/tool_use` ids were found without `tool_result` blocks immediately after: toolu_killed/);
  });

  it('killed during a tool call: repaired on restore, the next turn gets a normal answer', async () => {
    rig = await makeRig();
    rig.agent.restore(KILLED_DURING_TOOL, { input: 100 });
    expect((await rig.event('notice')).text).toBe(`the restored conversation was repaired: 1 tool call without a result marked "${WORKSPACE_STOPPED}"`);

    await rig.agent.send('Carry on.');

    expect(rejected(rig.server)).toEqual([]);
    expect(rig.of('turn_end')).toEqual([{ type: 'turn_end', reason: 'done' }]);
    expect(rig.of('error')).toEqual([]);
    const req = rig.server.requests[0];
    expect(blocks(req, 2)).toEqual([
      { type: 'tool_result', tool_use_id: 'toolu_killed', content: WORKSPACE_STOPPED, is_error: true },
      { type: 'text', text: 'Carry on.', cache_control: { type: 'ephemeral' } },
    ]);
    expect(rig.agent.history.at(-1)).toMatchObject({ role: 'assistant', content: [{ type: 'text', text: 'Echo: Carry on.' }] });
    // The repaired conversation is stored whole again, so the stored form is sound from now on.
    const [first] = rig.of('history');
    expect(first.reset).toBe(true);
    expect(first.messages.slice(0, 3)).toEqual(rig.agent.history.slice(0, 3));
  });

  it('a trailing empty assistant message (written as the workspace died) is dropped, not sent', async () => {
    rig = await makeRig();
    rig.agent.restore([{ role: 'user', content: 'Hi' }, { role: 'assistant', content: [{ type: 'text', text: 'Hello.' }] }, { role: 'assistant', content: [] }]);
    await rig.agent.send('Again.');
    expect(rejected(rig.server)).toEqual([]);
    expect(rig.server.requests[0].body.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
  });

  it('a sound conversation is continued as it was, without a notice or a rewrite', async () => {
    rig = await makeRig();
    const sound: Msg[] = [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: [{ type: 'text', text: 'Hello.' }] },
    ];
    rig.agent.restore(sound);
    await rig.agent.send('Again.');
    expect(rig.of('notice')).toEqual([]);
    expect(rig.of('history').every((e) => !e.reset)).toBe(true);
    expect(rig.server.requests[0].body.messages.slice(0, 2)).toEqual(sound);
  });
});

describe('a tool that would hang does not hang the turn', () => {
  it('the model asks to read a FIFO: the turn goes on with the tool error', async () => {
    rig = await makeRig();
    execFileSync('mkfifo', [join(rig.root, 'pipe')]);
    rig.server.enqueue({ kind: 'reply', content: [{ type: 'tool_use', name: 'read_file', input: { path: 'pipe' } }] });
    await rig.agent.send('Read the pipe.');
    expect(rig.of('turn_end')).toEqual([{ type: 'turn_end', reason: 'done' }]);
    const [end] = rig.of('tool_end');
    expect(end.result.isError).toBe(true);
    expect(end.result.content).toMatch(/pipe is a named pipe \(FIFO\), not a regular file/);
  });
});
