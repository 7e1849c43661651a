// The `agents --demo` script, played through the real SDK and the local server by a minimal agent
// loop that really runs the tools on a temporary copy of demo/sample-project.
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import Anthropic from '@anthropic-ai/sdk';
import { glob } from 'tinyglobby';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copySampleProject, sampleProjectDir } from '../../src/demo/project.js';
import { APPROVAL_HINT, BUGGY_LINE, FIXED_LINE, OFFLINE_TEXT, DEMO_TASKS, createDemoResponder, demoResponder } from '../../src/demo/scenario.js';
import { startMessagesServer, type MessagesServer } from '../../src/demo/server.js';

const run = promisify(execFile);
type Input = Record<string, unknown>;

/** Just enough of the agent's tools to play the script for real. */
async function execTool(dir: string, name: string, input: Input): Promise<{ text: string; isError: boolean }> {
  const p = (rel: unknown) => join(dir, String(rel ?? '.'));
  switch (name) {
    case 'list_files':
      return { text: (await glob(String(input.pattern), { cwd: dir, ignore: ['node_modules/**'] })).sort().join('\n'), isError: false };
    case 'search': {
      const re = new RegExp(String(input.pattern));
      const hits: string[] = [];
      for (const f of await readdir(p(input.path), { recursive: true, withFileTypes: true })) {
        if (!f.isFile()) continue;
        const file = join(f.parentPath, f.name);
        (await readFile(file, 'utf8')).split('\n').forEach((line, i) => {
          if (re.test(line)) hits.push(`${relative(dir, file)}:${i + 1}: ${line}`);
        });
      }
      return { text: hits.join('\n') || 'no matches', isError: false };
    }
    case 'read_file':
      return { text: await readFile(p(input.path), 'utf8'), isError: false };
    case 'write_file':
      await writeFile(p(input.path), String(input.content));
      return { text: 'written', isError: false };
    case 'edit_file': {
      const text = await readFile(p(input.path), 'utf8');
      if (!text.includes(String(input.old_text))) return { text: 'old_text not found', isError: true };
      await writeFile(p(input.path), text.replace(String(input.old_text), String(input.new_text)));
      return { text: 'edited', isError: false };
    }
    case 'run_command': {
      const r = await run('sh', ['-c', String(input.command)], { cwd: dir }).then(
        (o) => ({ out: o.stdout + o.stderr, code: 0 }),
        (e: { stdout?: string; stderr?: string; code?: number }) => ({ out: `${e.stdout ?? ''}${e.stderr ?? ''}`, code: e.code ?? 1 }),
      );
      return { text: `exit code ${r.code}\n${r.out}`, isError: r.code !== 0 };
    }
    default:
      return { text: `unknown tool ${name}`, isError: true };
  }
}

const TOOLS: Anthropic.Tool[] = ['read_file', 'write_file', 'edit_file', 'list_files', 'search', 'run_command'].map((name) => ({
  name,
  description: `The ${name} tool`,
  input_schema: { type: 'object' as const, properties: {} },
}));

let server: MessagesServer;
let dir: string;
beforeEach(async () => {
  server = await startMessagesServer({ responder: createDemoResponder({ chunkChars: 40, chunkDelayMs: 0, retestDelaySeconds: 0 }) });
  dir = await copySampleProject();
});
afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function playAgent(name: string, messages: Anthropic.MessageParam[]) {
  const client = new Anthropic({ apiKey: 'demo', baseURL: server.url, maxRetries: 0 });
  const calls: string[] = [];
  for (let turn = 0; turn < 12; turn++) {
    const msg = await client.messages
      .stream({ model: 'claude-sonnet-5', max_tokens: 4096, system: `You are "${name}", a coding agent.`, tools: TOOLS, messages })
      .finalMessage();
    messages.push({
      role: 'assistant',
      content: msg.content.map((b): Anthropic.ContentBlockParam =>
        b.type === 'tool_use' ? { type: 'tool_use', id: b.id, name: b.name, input: b.input } : { type: 'text', text: b.type === 'text' ? b.text : '' },
      ),
    });
    if (msg.stop_reason !== 'tool_use') return { msg, calls, text: msg.content.map((b) => (b.type === 'text' ? b.text : '')).join('') };
    const results: Anthropic.ToolResultBlockParam[] = [];
    for (const b of msg.content) {
      if (b.type !== 'tool_use') continue;
      calls.push(b.name);
      const r = await execTool(dir, b.name, b.input as Input);
      results.push({ type: 'tool_result', tool_use_id: b.id, content: r.text, is_error: r.isError });
    }
    messages.push({ role: 'user', content: results });
  }
  throw new Error(`${name} did not finish`);
}

describe('agents --demo script', () => {
  it('lead fixes the bug, then tests confirms the suite passes; both end their turn', async () => {
    const lead = await playAgent('lead', [{ role: 'user', content: DEMO_TASKS.lead }]);
    expect(lead.msg.stop_reason).toBe('end_turn');
    expect(lead.calls).toEqual(['list_files', 'search', 'read_file', 'edit_file']);
    expect(lead.text).toContain('Fixed');
    const cart = await readFile(join(dir, 'src/cart.js'), 'utf8');
    expect(cart).toContain(FIXED_LINE);
    expect(cart).not.toContain(BUGGY_LINE);

    const tests = await playAgent('tests', [{ role: 'user', content: DEMO_TASKS.tests }]);
    expect(tests.msg.stop_reason).toBe('end_turn');
    expect(tests.calls).toEqual(['read_file', 'run_command']);
    expect(tests.text).toContain('All tests pass');

    // The repository's copy stays buggy for the next tour.
    expect(await readFile(join(sampleProjectDir(), 'src/cart.js'), 'utf8')).toContain(BUGGY_LINE);
    // Each request extends the previous one of the same agent, so the cache gets read.
    expect(server.requests[3].body.messages.length).toBe(7);
  });

  it('tests reports the failure when lead has not fixed it yet, after bounded re-runs', async () => {
    const tests = await playAgent('tests', [{ role: 'user', content: 'go' }]);
    expect(tests.msg.stop_reason).toBe('end_turn');
    expect(tests.calls).toEqual(['read_file', 'run_command', 'run_command', 'run_command']);
    expect(tests.text).toMatch(/Still failing after 3 runs.*300 instead of 1200/);
  });

  it('is deterministic: the same request gets the same reply', async () => {
    await playAgent('lead', [{ role: 'user', content: DEMO_TASKS.lead }]);
    const responder = createDemoResponder();
    for (const req of server.requests) expect(await responder(req, req.index)).toEqual(await demoResponder(req, req.index));
  });

  it('answers instructions outside the script with the offline-demo text', async () => {
    const history: Anthropic.MessageParam[] = [{ role: 'user', content: DEMO_TASKS.lead }];
    await playAgent('lead', history);
    history.push({ role: 'user', content: 'Now add a discount code feature.' });
    const after = await playAgent('lead', history);
    expect(after.text).toBe(OFFLINE_TEXT);

    // A redirect after an interrupt: the unrun tool call carries an "interrupted" error result.
    const redirected: Anthropic.MessageParam[] = [
      { role: 'user', content: DEMO_TASKS.lead },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'list_files', input: { pattern: '**/*.js' } }] },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: 'interrupted by the user', is_error: true },
          { type: 'text', text: 'Look at the README instead.' },
        ],
      },
    ];
    expect((await playAgent('lead', redirected)).text).toBe(OFFLINE_TEXT);
    expect((await playAgent('someone-else', [{ role: 'user', content: 'hi' }])).text).toBe(OFFLINE_TEXT);
  });

  it('tests tells the person which keys approve its first command, right before asking', async () => {
    const history: Anthropic.MessageParam[] = [{ role: 'user', content: DEMO_TASKS.tests }];
    await playAgent('tests', history);
    // history: instruction, read_file call, its result, the run_command call with the hint, ...
    const asking = history[3];
    expect(asking.role).toBe('assistant');
    const blocks = asking.content as Anthropic.ContentBlockParam[];
    const text = blocks.find((b) => b.type === 'text');
    expect(text?.type === 'text' && text.text).toContain(APPROVAL_HINT);
    expect(APPROVAL_HINT).toMatch(/press y in this pane/);
    expect(APPROVAL_HINT).toMatch(/Ctrl-a a jumps to whoever waits/);
    expect(blocks.some((b) => b.type === 'tool_use' && b.name === 'run_command')).toBe(true);
    // lead never asks, so its texts carry no hint.
    const lead: Anthropic.MessageParam[] = [{ role: 'user', content: DEMO_TASKS.lead }];
    await playAgent('lead', lead);
    expect(JSON.stringify(lead)).not.toContain('press y');
  });

  it('a declined command ends the tests part with a plain sentence, not a tool failure', async () => {
    const client = new Anthropic({ apiKey: 'demo', baseURL: server.url, maxRetries: 0 });
    const messages: Anthropic.MessageParam[] = [
      { role: 'user', content: DEMO_TASKS.tests },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'read_file', input: { path: 'test/cart.test.js' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'test file', is_error: false }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_2', name: 'run_command', input: { command: 'node --test' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_2', content: 'the user declined to run this', is_error: true }] },
    ];
    const msg = await client.messages.stream({ model: 'm', max_tokens: 100, system: 'You are "tests".', tools: TOOLS, messages }).finalMessage();
    expect(msg.stop_reason).toBe('end_turn');
    expect(msg.content.map((b) => (b.type === 'text' ? b.text : '')).join('')).toMatch(/^You said no, so the suite did not run/);
  });

  it('streams at a pace a person can watch', async () => {
    const step = await demoResponder(
      { index: 0, method: 'POST', path: '/v1/messages', headers: {}, receivedAt: 0, body: { model: 'm', max_tokens: 1, system: 'You are "lead".', messages: [{ role: 'user', content: 'go' }] } },
      0,
    );
    expect(step.kind === 'reply' && step.chunkDelayMs).toBeGreaterThanOrEqual(20);
    expect(step.kind === 'reply' && step.chunkDelayMs).toBeLessThanOrEqual(40);
  });
});
