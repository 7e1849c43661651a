// A resumed conversation is drawn exactly like the live one: a real agent (real SDK, local Messages
// API server) runs turns with a context block, tools, an interrupt while text streams and words
// typed while it thinks; the pane's items drawn live are compared with the items drawn from the
// history session memory keeps.
import { afterEach, describe, expect, it } from 'vitest';
import { ChatStore } from '../../../src/agent/ui/chat-store.js';
import { forApi, parseStored } from '../../../src/agent/ui/replay.js';
import { makeRig, rejected, until, type Rig } from '../rig.js';

let rig: Rig;
afterEach(async () => {
  await rig?.dispose();
});

const CONTEXT = '<workspace_update>\nChanged by others since your last turn:\noutside: readme.txt (+1 -0)\n</workspace_update>';
const items = (s: ChatStore) => s.getView().entries.map((e) => ({ kind: e.kind, text: e.line.map((x) => x.text).join(''), line: e.line }));

/** The agent wired to a live pane, and session memory as the workspace keeps it (the 'history' events). */
function wire(r: Rig) {
  const live = new ChatStore();
  const memory: unknown[] = [];
  r.agent.on('event', (e) => {
    live.onEvent(e);
    if (e.type === 'history') {
      memory.length = e.reset ? 0 : e.start;
      memory.push(...live.forMemory(e.messages));
    }
  });
  const say = (text: string) => {
    live.user(text);
    return r.agent.send(text);
  };
  return { live, memory, say };
}

describe('resumed conversation', () => {
  it('replaying the stored history draws the same items as the live turns', async () => {
    rig = await makeRig({ policy: 'auto' });
    rig.write('readme.txt', 'hello\nworld\n');
    const { live, memory, say } = wire(rig);

    // A turn with a context block, a tool that works, one that fails, and markdown.
    rig.server.enqueue(
      { kind: 'reply', content: [{ type: 'text', text: 'Let me look.' }, { type: 'tool_use', name: 'list_files', input: { pattern: '*' } }, { type: 'tool_use', name: 'read_file', input: { path: 'missing.txt' } }] },
      { kind: 'reply', content: [{ type: 'text', text: '## Found `readme.txt`\n\n- one file\n\n```js\nconst a = 1;\n```' }] },
    );
    rig.agent.deliverContext(CONTEXT);
    await say('what is here?');

    // Interrupted while its answer streams.
    rig.server.enqueue({ kind: 'reply', content: [{ type: 'text', text: 'A long answer, '.repeat(40) }], chunkChars: 8, chunkDelayMs: 30 });
    const streaming = say('tell me a long story');
    await rig.event('text', undefined, rig.events.length);
    rig.agent.interrupt();
    await streaming;

    // New words while it is still waiting for the model: that turn ends interrupted, before any reply.
    rig.server.enqueue(
      { kind: 'reply', content: [{ type: 'text', text: 'never sent' }], delayMs: 20_000 },
      { kind: 'reply', content: [{ type: 'tool_use', name: 'write_file', input: { path: 'notes.md', content: 'a\nb\n' } }] },
      { kind: 'reply', content: [{ type: 'text', text: 'Wrote **notes.md**.' }] },
    );
    const sent = rig.server.requests.length;
    const waiting = say('first thought');
    await until(() => rig.server.requests.length > sent, 'the request to reach the server');
    const second = say('second thought: write notes.md');
    await waiting;
    await second;
    expect(rejected(rig.server)).toEqual([]);

    const drawnLive = items(live);
    const resumed = new ChatStore();
    resumed.replay(memory);
    const drawnResumed = items(resumed);
    expect(drawnResumed.at(-1)?.text).toMatch(/── resumed: the conversation above continues \(\d+ messages\) ──/);
    expect(drawnResumed.slice(0, -1)).toEqual(drawnLive);

    // What was drawn: the person's words only, tool lines with their results' summaries, the marker.
    const texts = drawnLive.map((i) => i.text);
    expect(texts).toContain('› what is here?');
    expect(texts).toContain('✓ listed * (1 file)');
    expect(texts.some((t) => t.startsWith('✗ ') && t.includes('missing.txt'))).toBe(true);
    expect(texts).toContain('✓ created notes.md (2 lines)');
    expect(texts.filter((t) => t.startsWith('⏹ interrupted'))).toHaveLength(2);
    expect(texts.indexOf('› second thought: write notes.md')).toBeGreaterThan(texts.lastIndexOf('⏹ interrupted — what should it do instead?'));
    expect(texts.join('\n')).not.toMatch(/workspace_update|\{"|\[interrupted by the user\]/);

    // The stored copy carries the summaries; the API gets the history exactly as the agent kept it.
    expect(JSON.stringify(memory)).toContain('"summary":"listed * (1 file)"');
    expect(forApi(parseStored(memory))).toEqual(rig.agent.history);
  });

  it('a history stored without summaries still draws tool calls as one line each, never as JSON', () => {
    const resumed = new ChatStore();
    resumed.replay([
      { role: 'user', content: [{ type: 'text', text: 'run the tests' }, { type: 'text', text: CONTEXT }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'run_command', input: { command: 'npm test' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'ok', is_error: false }] },
      { role: 'assistant', content: [{ type: 'text', text: 'All green.' }] },
      { role: 'user', content: 'not a list' },
      { bogus: true },
    ]);
    const texts = items(resumed).map((i) => i.text);
    expect(texts).toEqual(['› run the tests', '✓ run_command npm test', 'All green.', '', '› not a list', '── resumed: the conversation above continues (5 messages) ──']);
  });
});
