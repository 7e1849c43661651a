// Real Claude Code (the devDependency @anthropic-ai/claude-code, a native binary) in a pane of the real
// binary, talking to the project's local Messages API server. What the workspace knows about it comes
// from its hooks and, where they are silent, its screen: busy while it streams, an interrupt confirmed,
// a redirect that reaches the model, "needs you" on a permission prompt (and back after "No"), and the
// workspace's MCP tools called by Claude Code itself. (claude-hooks.test.ts has the hooks themselves.)
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMessagesServer } from '../../src/demo/server.js';
import type { MessagesServer, RecordedRequest, Step } from '../../src/demo/types.js';
import { until } from '../helpers/term.js';
import { claudeEnv, claudeInstalled, writeClaudeConfig } from '../helpers/claude-code.js';
import { start, statusBar } from './setup.js';


let server: MessagesServer;
beforeAll(async () => {
  server = await startMessagesServer({ responder: claudeResponder });
});
afterAll(() => server.close());

type Block = { type: string; text?: string; content?: unknown; tool_use_id?: string };

/** The last user message's blocks (Claude Code may end a request with a `system` message). */
function lastUser(r: RecordedRequest): Block[] {
  const last = r.body.messages.findLast((m) => m.role === 'user');
  if (!last) return [];
  return typeof last.content === 'string' ? [{ type: 'text', text: last.content }] : (last.content as Block[]);
}
const userText = (r: RecordedRequest) => lastUser(r).map((b) => b.text ?? '').join('\n');

/** Claude Code's side requests (titles, topic checks) have no tools; its turns do. */
function claudeResponder(r: RecordedRequest): Step {
  if (!r.body.tools?.length) return { kind: 'reply', content: [{ type: 'text', text: '{"isNewTopic": false, "title": null}' }] };
  // The newest instruction is the last line of the last user message (tool results may precede it).
  const text = userText(r).trim().split('\n').at(-1) ?? '';
  if (text.includes('count slowly'))
    return { kind: 'reply', chunkChars: 3, chunkDelayMs: 80, content: [{ type: 'text', text: `Counting:\n${Array.from({ length: 300 }, (_, i) => i).join(' ')}` }] };
  if (text.includes('make a file'))
    return { kind: 'reply', content: [{ type: 'tool_use', name: 'Bash', input: { command: 'touch made-by-claude.txt', description: 'Create a file' } }] };
  if (text.includes('who else'))
    return { kind: 'reply', content: [{ type: 'tool_use', name: 'mcp__agents__list_agents', input: {} }] };
  return { kind: 'reply', content: [{ type: 'text', text: lastUser(r).some((b) => b.type === 'tool_result') ? 'Noted.' : 'Done.' }] };
}


const homes = new Map<unknown, string>();
const logOf = (t: unknown) => {
  try {
    return readFileSync(join(homes.get(t) ?? '', 'logs', 'agents.log'), 'utf8').split('\n').slice(-40).join('\n');
  } catch (err) {
    return String(err);
  }
};

/** prefix+r: the workspace interrupts if needed, types the text, presses Enter and confirms the turn. */
async function instruct(t: ReturnType<typeof start>['t'], text: string): Promise<number> {
  const before = server.requests.length;
  const t0 = performance.now();
  t.keys('C-a', 'r');
  await t.waitFor('Redirect');
  t.write(`${text}\r`);
  // The instruction is the last line of a text block, whole: nothing glued before or after it.
  const arrived = (r: RecordedRequest) =>  r.body.tools?.length && lastUser(r).some((b) => b.text?.trim().split('\n').at(-1) === text);
  await until(() => server.requests.slice(before).some(arrived), { timeout: 20_000, message: `"${text}" at the server` }).catch((err: Error) => {
    throw new Error(`${err.message}; screen:\n${t.text()}\nlog:\n${logOf(t)}`);
  });
  await t.waitFor('claude: sent');
  return performance.now() - t0;
}

const installed = claudeInstalled();

describe.skipIf(!installed)('real Claude Code in a pane', () => {
  it('busy while streaming, interrupt confirmed, redirect lands, a permission prompt needs you, MCP tools answer', { timeout: 120_000 }, async () => {
    const { t, home } = start(['claude', 'agent'], {
      cols: 160,
      rows: 40,
      prepare: writeClaudeConfig,
      env: claudeEnv(server.url),
    });
    homes.set(t, home);
    await t.waitFor('1 claude · idle', { timeout: 30_000 });

    // Busy while it streams: read off its screen.
    await instruct(t, 'please count slowly');
    await t.waitFor('Counting:');
    await t.waitFor('1 claude · busy');
    // Still busy well into a multi-line answer (Claude Code shows no spinner there: its footer says so).
    await t.waitFor(' 40 41 42 ');
    expect(t.lines()[0]).toContain('1 claude · busy');

    // prefix+i: Esc goes in, and the workspace confirms it stopped.
    const t0 = performance.now();
    t.keys('C-a', 'i');
    await t.waitFor(/interrupted claude \(stopped in \d+ ms\)/);
    const interruptMs = performance.now() - t0;
    await t.waitFor('1 claude · idle');
    expect(t.text()).toContain('Interrupted');
    console.log(`e2e claude: keystroke to confirmed interrupt ${interruptMs.toFixed(0)} ms`);

    // prefix+r while it works: interrupt, wait for its prompt, type, Enter, and the model gets it
    // (the whole instruction, nothing glued to it).
    await instruct(t, 'please count slowly again');
    await t.waitFor('1 claude · busy');
    const redirectMs = await instruct(t, 'stop that and make a file');
    console.log(`e2e claude: redirect to confirmed new turn ${redirectMs.toFixed(0)} ms`);

    // Its Bash permission prompt: the pane needs the person, the status bar says so, prefix+a goes there.
    await t.waitFor('1 claude · needs you');
    await t.waitFor(() => statusBar(t).includes('waiting for you: 1:claude'), { message: 'waiting in the status bar' });
    t.keys('C-a', '2');
    await t.waitFor(() => statusBar(t).includes('2:agent of 2'), { message: 'focus on the other agent' });
    t.keys('C-a', 'a');
    await t.waitFor(() => statusBar(t).includes('1:claude of 2'), { message: 'prefix+a back to claude' });
    t.write('3'); // "No": the tool is denied and it is back at its prompt.
    await t.waitFor('1 claude · idle');

    // The workspace's MCP server was given on its command line: it calls list_agents without a prompt.
    const m = server.requests.length;
    await instruct(t, 'who else is working here?');
    const toolResult = () => {
      for (const r of server.requests.slice(m)) {
        const call = r.body.messages
          .filter((x) => x.role === 'assistant' && Array.isArray(x.content))
          .flatMap((x) => x.content as Array<Block & { id?: string; name?: string }>)
          .find((b) => b.type === 'tool_use' && b.name === 'mcp__agents__list_agents');
        const answer = call && lastUser(r).find((b) => b.type === 'tool_result' && b.tool_use_id === call.id);
        if (answer) return answer;
      }
      return undefined;
    };
    await until(() => toolResult() !== undefined, { timeout: 20_000, message: 'the list_agents result at the server' }).catch((err: Error) => {
      throw new Error(`${err.message}; screen:\n${t.text()}`);
    });
    const result = JSON.stringify(toolResult()!.content);
    // Both agents, the caller marked as itself (as text or as its structured form, however it passes it on).
    expect(result).toMatch(/name\W+claude\b|- claude:/);
    expect(result).toMatch(/name\W+agent\b|- agent:/);
    expect(result).toMatch(/you/);
  });

  it('a resumed session gives Claude Code its own conversation back, by id', { timeout: 120_000 }, async () => {
    const env = claudeEnv(server.url);
    const first = start(['claude'], { cols: 140, rows: 36, prepare: writeClaudeConfig, env });
    homes.set(first.t, first.home);
    await first.t.waitFor('1 claude · idle', { timeout: 30_000 });
    await instruct(first.t, 'remember the word pelican');
    await first.t.waitFor('Done.');
    await first.t.waitFor('1 claude · idle');
    // Claude Code writes its transcript on its own schedule, and its Stop hook (which makes the pane
    // idle) can come first; a conversation it has not written yet is not one it can resume.
    const transcripts = join(first.home, '.claude', 'projects');
    await until(() => readdirSync(transcripts, { recursive: true, encoding: 'utf8' }).some((f) => f.endsWith('.jsonl') && readFileSync(join(transcripts, f), 'utf8').includes('pelican')), {
      timeout: 20_000,
      message: "Claude Code's transcript written",
    });
    // Idle everywhere: quit asks nothing.
    first.t.keys('C-a', 'q');
    await first.t.exited;

    const again = start(['--continue'], { cols: 140, rows: 36, env, dirs: { project: first.project, home: first.home } });
    homes.set(again.t, again.home);
    await again.t.waitFor('1 claude · idle', { timeout: 30_000 });
    // Its own transcript is back on screen, and the model gets the earlier turn with the next one.
    await again.t.waitFor('remember the word pelican');
    const n = server.requests.length;
    await instruct(again.t, 'what was the word?');
    const next = server.requests.slice(n).find((r) => r.body.tools?.length && userText(r).includes('what was the word?'))!;
    expect(JSON.stringify(next.body.messages)).toContain('remember the word pelican');

    // prefix+R restarts it into the same conversation (its start-up id would be "already in use").
    again.t.keys('C-a', 'R');
    await again.t.waitFor('restarting claude');
    await again.t.waitFor('1 claude · idle', { timeout: 30_000 });
    await again.t.waitFor('what was the word?');
    expect(again.t.text()).not.toContain('already in use');
  });
});
