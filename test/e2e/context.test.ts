// Shared context end to end: two built-in agents against the local Messages API server, a real
// watcher on a real folder, checking what each agent's requests actually contained.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMessagesServer } from '../../src/demo/server.js';
import type { MessagesServer, RecordedRequest, Step } from '../../src/demo/types.js';
import { until } from '../helpers/term.js';
import { start } from './setup.js';

type Body = { system?: Array<{ text: string }> | string; messages: Array<{ role: string; content: string | Array<{ type: string; text?: string }> }> };

const agentOf = (r: RecordedRequest) => {
  const b = r.body as Body;
  const sys = typeof b.system === 'string' ? b.system : (b.system ?? []).map((s) => s.text).join('');
  return /You are "([^"]+)"/.exec(sys)?.[1];
};
const lastUser = (r: RecordedRequest) => {
  const b = r.body as Body;
  const m = b.messages[b.messages.length - 1];
  return typeof m.content === 'string' ? m.content : m.content.map((c) => c.text ?? (c.type === 'tool_result' ? '[tool_result]' : '')).join('\n');
};

let server: MessagesServer;
beforeAll(async () => {
  server = await startMessagesServer();
  // Each agent does what its latest instruction names; after a tool result it just says done.
  server.setResponder((req): Step => {
    const text = lastUser(req);
    if (text.includes('[tool_result]')) return { kind: 'reply', content: [{ type: 'text', text: 'done.' }] };
    const write = /^write (\S+) (.+)$/m.exec(text);
    if (write) {
      return { kind: 'reply', stopReason: 'tool_use', content: [{ type: 'tool_use', name: 'write_file', input: { path: write[1], content: `${write[2]}\n` } }] };
    }
    return { kind: 'reply', content: [{ type: 'text', text: `ok from ${agentOf(req)}` }] };
  });
});
afterAll(() => server.close());

const requestsOf = (name: string, from = 0) => server.requests.slice(from).filter((r) => agentOf(r) === name);

describe('shared context', () => {
  it('tells each agent what others changed, once, never its own; conflicts show on both panes', async () => {
    const config = {
      agents: [
        { name: 'alpha', preset: 'agent', permissions: 'auto' },
        { name: 'beta', preset: 'agent', permissions: 'auto' },
      ],
    };
    // --trust: auto permissions need trust (test/e2e/trust.test.ts covers the question).
    const { t, project } = start(['--trust'], {
      cols: 160,
      rows: 40,
      files: { 'agents.config.json': JSON.stringify(config), 'readme.txt': 'hello\n' },
      env: { ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: 'test' },
    });
    await t.waitFor(/1 alpha · idle/);
    await t.waitFor(/2 beta · idle/);
    const start0 = server.requests.length;

    // alpha writes a file; beta is told at its next turn.
    t.write('write shared.txt from alpha\r');
    await t.waitFor('done.');
    await t.waitFor(/2 beta · idle ✉1/, { message: 'beta has one change waiting' });
    // Someone outside the agents (the person, an editor) changes another file.
    writeFileSync(join(project, 'readme.txt'), 'hello\nworld\n');
    await t.waitFor(/2 beta · idle ✉2/, { message: 'beta has two changes waiting' });

    t.keys('C-a', '2');
    t.write('what changed?\r');
    await t.waitFor('ok from beta');
    const [betaFirst] = requestsOf('beta', start0);
    const block = lastUser(betaFirst);
    expect(block).toContain('what changed?');
    expect(block).toMatch(/alpha[\s\S]*shared\.txt/);
    expect(block).toMatch(/outside[\s\S]*readme\.txt/);
    await t.waitFor(/2 beta · idle (· \$[\d.]+ )?[━─]/, { message: 'nothing waiting for beta any more' });

    // Delivered once: beta's next turn carries no change block.
    t.write('anything else?\r');
    await until(() => requestsOf('beta', start0).length >= 2, { message: "beta's second request" });
    expect(lastUser(requestsOf('beta', start0)[1])).not.toContain('shared.txt');

    // alpha never hears of its own write, but does hear of the outside change.
    t.keys('C-a', '1');
    t.write('status?\r');
    await until(() => requestsOf('alpha', start0).length >= 3, { message: "alpha's next request" });
    const alphaNext = lastUser(requestsOf('alpha', start0)[2]);
    expect(alphaNext).toContain('readme.txt');
    expect(alphaNext).not.toMatch(/shared\.txt/);

    // Both agents write the same file close together: a conflict, shown on both panes.
    t.write('write shared.txt alpha again\r');
    await until(() => requestsOf('alpha', start0).length >= 5, { message: 'alpha wrote again' });
    t.keys('C-a', '2');
    t.write('write shared.txt beta was here\r');
    await t.waitFor(/alpha · [^─━]*⚠ conflict/, { message: 'conflict badge on alpha' });
    await t.waitFor(/beta · [^─━]*⚠ conflict/, { message: 'conflict badge on beta' });
    // beta's write of a file alpha changed since beta last saw it came back with a warning (in the
    // request that carries the tool's result, which may come after the badges).
    await until(() => requestsOf('beta', start0).some((r) => JSON.stringify(r.body).includes('changed by alpha')), {
      message: "beta's write result warning that alpha changed the file",
    });
  }, 60_000);
});
