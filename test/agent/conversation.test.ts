// repairHistory: a stored conversation cut at any point (kill -9 during a tool call, mid-write) must
// come back as a history the API accepts. The local server's validator stands in for the API.
import { describe, expect, it } from 'vitest';
import { repairHistory, WORKSPACE_STOPPED, type Msg } from '../../src/agent/conversation.js';
import { validateMessagesRequest } from '../../src/demo/validate.js';
import { seeded } from '../helpers/random.js';

/** What the API would say to this history followed by a new instruction (undefined: accepted). */
function apiVerdict(history: Msg[]): string | undefined {
  const messages = [...history, { role: 'user', content: [{ type: 'text', text: 'go on' }] }];
  // Turns alternate and start with the user: the agent's own rule (conversation.ts), checked here
  // beside the API's, since appendUser merges the new instruction into a trailing user message.
  const merged: Msg[] = [];
  for (const m of messages as Msg[]) {
    const last = merged[merged.length - 1];
    if (last?.role === m.role && m.role === 'user') last.content = [...(last.content as []), ...(m.content as [])];
    else merged.push({ ...m });
  }
  if (merged[0]?.role !== 'user') return 'first message is not from the user';
  if (merged.some((m, i) => i > 0 && merged[i - 1].role === m.role)) return 'roles do not alternate';
  return validateMessagesRequest({ model: 'm', max_tokens: 10, messages: merged });
}

const user = (text: string): Msg => ({ role: 'user', content: [{ type: 'text', text }] });
const call = (id: string, text = 'Let me look.'): Msg => ({
  role: 'assistant',
  content: [
    { type: 'text', text },
    { type: 'tool_use', id, name: 'read_file', input: { path: 'a.ts' } },
  ],
});
const result = (id: string, content = 'file text'): Msg => ({ role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content }] });
const answer = (text: string): Msg => ({ role: 'assistant', content: [{ type: 'text', text }] });

describe('repairHistory', () => {
  it('leaves a sound conversation exactly as it was', () => {
    const sound: Msg[] = [{ role: 'user', content: 'plain string instruction' }, call('t1'), result('t1'), answer('Done.')];
    const { history, repairs } = repairHistory(sound);
    expect(history).toEqual(sound);
    expect(repairs).toEqual([]);
  });

  it('kill -9 during a tool call: the call gets an error result, as an interrupt would give it', () => {
    const stored: Msg[] = [user('fix it'), { role: 'assistant', content: [...(call('t1').content as []), { type: 'tool_use', id: 't2', name: 'search', input: { pattern: 'x' } }] }];
    expect(apiVerdict(stored)).toMatch(/tool_use` ids were found without `tool_result` blocks immediately after: t1, t2/);
    const { history, repairs } = repairHistory(stored);
    expect(history.slice(0, 2)).toEqual(stored);
    expect(history[2]).toEqual({
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 't1', content: WORKSPACE_STOPPED, is_error: true },
        { type: 'tool_result', tool_use_id: 't2', content: WORKSPACE_STOPPED, is_error: true },
      ],
    });
    expect(repairs).toEqual([`2 tool calls without a result marked "${WORKSPACE_STOPPED}"`]);
    expect(apiVerdict(history)).toBeUndefined();
  });

  it('a result message missing one of two answers gets it, with results before any text', () => {
    const stored: Msg[] = [
      user('go'),
      { role: 'assistant', content: [...(call('a').content as []), { type: 'tool_use', id: 'b', name: 'search', input: {} }] },
      { role: 'user', content: [{ type: 'text', text: 'also this' }, { type: 'tool_result', tool_use_id: 'a', content: 'ok' }] },
    ];
    const { history } = repairHistory(stored);
    expect(history[2].content).toEqual([
      { type: 'tool_result', tool_use_id: 'a', content: 'ok' },
      { type: 'tool_result', tool_use_id: 'b', content: WORKSPACE_STOPPED, is_error: true },
      { type: 'text', text: 'also this' },
    ]);
    expect(apiVerdict(history)).toBeUndefined();
  });

  it('a trailing empty assistant message and a half-written tool call are dropped', () => {
    const halfCall = { role: 'assistant', content: [{ type: 'text', text: '  ' }, { type: 'tool_use', id: 'x', name: 'read_file' }] };
    for (const tail of [{ role: 'assistant', content: [] }, { role: 'assistant', content: '' }, halfCall]) {
      const { history, repairs } = repairHistory([user('hi'), answer('Hello.'), user('more'), tail]);
      expect(history).toEqual([user('hi'), answer('Hello.'), user('more')]);
      expect(repairs).toEqual(['1 message with empty or unreadable parts cleaned']);
    }
  });

  it('merges turns of one role, puts a user first, drops stray results and junk, trims a final answer', () => {
    const { history, repairs } = repairHistory([
      answer('I was saying'),
      null,
      { role: 'system', content: 'no' },
      user('a'),
      user('b'),
      result('ghost'),
      answer('Final words.  \n'),
    ]);
    expect(history).toEqual([
      { role: 'user', content: [{ type: 'text', text: '[The start of this conversation was lost.]' }] },
      answer('I was saying'),
      { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] },
      answer('Final words.'),
    ]);
    expect(repairs).toEqual([
      '1 tool result without their call dropped',
      '2 messages with empty or unreadable parts cleaned',
      '2 messages merged into the one before (same role)',
      'a placeholder put before a conversation that started with the assistant',
    ]);
    expect(apiVerdict(history)).toBeUndefined();
  });

  it('any cut or loss of a stored conversation repairs to one the API accepts (seeded, 500 cases)', () => {
    const full: Msg[] = [user('start'), call('c1'), result('c1'), call('c2', 'Now the tests.'), result('c2', 'pass'), answer('All good.'), user('next'), call('c3'), result('c3'), answer('Bye.')];
    const rnd = seeded(42);
    for (let i = 0; i < 500; i++) {
      let h: unknown[] = full.slice(0, 1 + Math.floor(rnd() * full.length));
      h = h.filter(() => rnd() > 0.15);
      if (rnd() < 0.3) h.push({ role: 'assistant', content: [] });
      const { history } = repairHistory(h);
      if (history.length === 0) continue;
      expect(apiVerdict(history), JSON.stringify(h)).toBeUndefined();
      // Repairing twice changes nothing more.
      expect(repairHistory(history).repairs).toEqual([]);
    }
  });
});
