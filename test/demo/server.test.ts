// The local Messages API server, exercised through the real SDK over real HTTP: if these pass, a
// client tested against the server behaves the same against the API (FIELD-NOTES, SDK section).
import Anthropic, { type APIError } from '@anthropic-ai/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startMessagesServer, type MessagesServer } from '../../src/demo/server.js';

let server: MessagesServer;
beforeEach(async () => {
  server = await startMessagesServer({});
});
afterEach(async () => {
  await server.close();
});

const client = (maxRetries = 2) => new Anthropic({ apiKey: 'test', baseURL: server.url, maxRetries });
const params = (text = 'hi'): Anthropic.MessageCreateParamsNonStreaming => ({
  model: 'claude-sonnet-5',
  max_tokens: 1024,
  messages: [{ role: 'user', content: text }],
});

describe('messages', () => {
  it('streams text in chunks and ends with a full message and usage', async () => {
    server.enqueue({ kind: 'reply', content: [{ type: 'text', text: 'Hello there, streaming world!' }], chunkChars: 5 });
    const deltas: string[] = [];
    const stream = client().messages.stream(params('say hello'));
    stream.on('text', (d) => deltas.push(d));
    const msg = await stream.finalMessage();

    expect(deltas).toEqual(['Hello', ' ther', 'e, st', 'reami', 'ng wo', 'rld!']);
    expect(msg.content).toEqual([{ type: 'text', text: 'Hello there, streaming world!', citations: null }]);
    expect(msg.stop_reason).toBe('end_turn');
    expect(msg.usage.input_tokens).toBeGreaterThan(0);
    expect(msg.usage.output_tokens).toBe(Math.ceil('Hello there, streaming world!'.length / 4));
    expect(msg.model).toBe('claude-sonnet-5');
    const req = server.requests[0];
    expect(req.headers.authorization).toBe('Bearer test');
    expect(req.headers['anthropic-version']).toBe('2026-10-21');
    expect(req.body.stream).toBe(true);
  });

  it('streams a tool call as input_json_delta pieces and parses the final input', async () => {
    const input = { path: 'src/cart.js', offset: 1, limit: 40 };
    server.enqueue({
      kind: 'reply',
      content: [{ type: 'text', text: 'Reading it.' }, { type: 'tool_use', name: 'read_file', input }],
      chunkChars: 7,
    });
    const partials: unknown[] = [];
    const blocks: string[] = [];
    const stream = client().messages.stream(params('read it'));
    stream.on('inputJson', (_piece, snapshot) => partials.push(snapshot));
    stream.on('contentBlock', (b) => blocks.push(b.type));
    const msg = await stream.finalMessage();

    expect(partials.length).toBeGreaterThan(3);
    expect(partials.at(-1)).toEqual(input);
    expect(blocks).toEqual(['text', 'tool_use']);
    expect(msg.stop_reason).toBe('tool_use');
    const tool = msg.content[1];
    expect(tool.type === 'tool_use' && tool.input).toEqual(input);
    expect(tool.type === 'tool_use' && tool.id).toMatch(/^toolu_/);
  });

  it('streams a tool input in pieces of toolChunkChars, text still in pieces of chunkChars', async () => {
    const input = { path: 'src/cart.js', content: 'x'.repeat(100) };
    server.enqueue({ kind: 'reply', content: [{ type: 'text', text: 'Writing it now.' }, { type: 'tool_use', name: 'write_file', input }], chunkChars: 5, toolChunkChars: 40 });
    const texts: string[] = [];
    const json: string[] = [];
    const stream = client().messages.stream(params('write it'));
    stream.on('text', (piece) => texts.push(piece));
    stream.on('inputJson', (piece) => void (piece && json.push(piece)));
    const msg = await stream.finalMessage();
    expect(texts).toEqual(['Writi', 'ng it', ' now.']);
    const size = JSON.stringify(input).length;
    expect(json.length).toBe(Math.ceil(size / 40));
    expect(json.slice(0, -1).every((p) => p.length === 40)).toBe(true);
    expect(msg.content[1].type === 'tool_use' && msg.content[1].input).toEqual(input);
  });

  it('answers stream: false with a JSON message', async () => {
    server.enqueue({ kind: 'reply', content: [{ type: 'text', text: 'plain' }] });
    const msg = await client().messages.create(params());
    expect(msg.content).toEqual([{ type: 'text', text: 'plain', citations: null }]);
    expect(msg.usage.output_tokens).toBeGreaterThan(0);
    expect(server.requests[0].body.stream).toBeUndefined();
  });

  it('echoes the last user message when nothing is queued', async () => {
    const msg = await client().messages.create(params('ping'));
    expect(msg.content[0].type === 'text' && msg.content[0].text).toContain('ping');
  });
});

describe('errors and retries', () => {
  it('429 with retry-after: the SDK waits at least that long, then succeeds', async () => {
    server.enqueue({ kind: 'error', status: 429, retryAfter: 0.3 }, { kind: 'reply', content: [{ type: 'text', text: 'ok' }] });
    const msg = await client().messages.stream(params()).finalMessage();
    expect(msg.content[0].type === 'text' && msg.content[0].text).toBe('ok');
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1].receivedAt - server.requests[0].receivedAt).toBeGreaterThanOrEqual(290);
    expect(server.requests[1].headers['x-stainless-retry-count']).toBe('1');
  });

  it('529 and 500 are retried', async () => {
    server.enqueue(
      { kind: 'error', status: 529, retryAfter: 0.01 },
      { kind: 'error', status: 500, retryAfter: 0.01 },
      { kind: 'reply', content: [{ type: 'text', text: 'third time' }] },
    );
    const msg = await client(2).messages.create(params());
    expect(msg.content[0].type === 'text' && msg.content[0].text).toBe('third time');
    expect(server.requests).toHaveLength(3);
  });

  it('gives up after maxRetries with the API error class and body', async () => {
    server.enqueue({ kind: 'error', status: 529, retryAfter: 0.01 }, { kind: 'error', status: 529, retryAfter: 0.01 });
    const err = await client(1).messages.create(params()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.InternalServerError);
    expect((err as APIError).type).toBe('overloaded_error');
    expect((err as APIError).requestID).toMatch(/^req_/);
  });

  it('400 is not retried', async () => {
    server.enqueue({ kind: 'error', status: 400, message: 'bad thing' }, { kind: 'reply', content: [{ type: 'text', text: 'never' }] });
    const err = await client().messages.stream(params()).finalMessage().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as APIError).type).toBe('invalid_request_error');
    expect((err as APIError).apiMessage).toBe('bad thing');
    expect(server.requests).toHaveLength(1);
  });

  it('rejects a tool_use left without a tool_result, as the API does', async () => {
    const err = await client()
      .messages.create({
        ...params(),
        messages: [
          { role: 'user', content: 'go' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_x', name: 'read_file', input: { path: 'a' } }] },
          { role: 'user', content: 'never mind' },
        ],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as Error).message).toContain('toolu_x');
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0].rejected).toContain('tool_result');
  });

  it('a connection dropped mid-stream reaches the caller and is not retried', async () => {
    server.enqueue(
      { kind: 'drop', afterChars: 10, content: [{ type: 'text', text: 'abcdefghijklmnopqrstuvwxyz' }], chunkChars: 4 },
      { kind: 'reply', content: [{ type: 'text', text: 'a retry would get this' }] },
    );
    let text = '';
    const stream = client().messages.stream(params());
    stream.on('text', (d) => (text += d));
    const err = await stream.finalMessage().catch((e: unknown) => e);
    // Not an APIError (no status): the SDK wraps undici's "terminated" in a plain AnthropicError.
    expect(err).toBeInstanceOf(Anthropic.AnthropicError);
    expect(err).not.toBeInstanceOf(Anthropic.APIError);
    expect(text).toBe('abcdefghij');
    expect(server.requests).toHaveLength(1);
  });

  it('an error event mid-stream surfaces as an APIError with its type', async () => {
    server.enqueue({ kind: 'error', status: 529, afterChars: 4, content: [{ type: 'text', text: 'partial answer' }] });
    let text = '';
    const stream = client().messages.stream(params());
    stream.on('text', (d) => (text += d));
    const err = await stream.finalMessage().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect((err as APIError).type).toBe('overloaded_error');
    expect(text).toBe('part');
  });

  it('a stall ends when the caller aborts, and close() does not hang on a stalled stream', async () => {
    server.enqueue({ kind: 'stall', afterChars: 5 }, { kind: 'stall', afterChars: 5 });
    const ac = new AbortController();
    const first = client().messages.stream(params(), { signal: ac.signal });
    await new Promise<void>((resolve) => first.once('text', () => resolve()));
    ac.abort();
    const err = await first.finalMessage().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIUserAbortError);

    const second = client().messages.stream(params());
    const settled = second.finalMessage().then(
      () => 'resolved',
      () => 'rejected',
    );
    await new Promise<void>((resolve) => second.once('text', () => resolve()));
    await server.close();
    expect(await settled).toBe('rejected');
  });
});

describe('models, auth and cache', () => {
  it('lists models with max_input_tokens and retrieves one', async () => {
    const ids: string[] = [];
    for await (const m of client().models.list()) {
      ids.push(m.id);
      expect(m.max_input_tokens).toBeGreaterThan(100_000);
    }
    expect(ids).toEqual(expect.arrayContaining(['claude-opus-5-5', 'claude-sonnet-5', 'claude-haiku-4-5']));
    const haiku = await client().models.retrieve('claude-haiku-4-5');
    expect(haiku.max_input_tokens).toBe(200_000);
    await expect(client().models.retrieve('claude-nope')).rejects.toBeInstanceOf(Anthropic.NotFoundError);
  });

  it('401 authentication_error without a key; x-api-key is accepted', async () => {
    const body = JSON.stringify(params());
    const headers = { 'content-type': 'application/json', 'anthropic-version': '2026-10-21' };
    const res = await fetch(`${server.url}/v1/messages`, { method: 'POST', headers, body });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('authentication_error');
    expect(server.requests).toHaveLength(0);

    const ok = await fetch(`${server.url}/v1/messages`, { method: 'POST', headers: { ...headers, 'x-api-key': 'k' }, body });
    expect(ok.status).toBe(200);
    expect(server.requests).toHaveLength(1);
  });

  it('a repeated cache_control prefix is read from the cache', async () => {
    const system: Anthropic.TextBlockParam[] = [
      { type: 'text', text: 'You are "lead". '.repeat(100), cache_control: { type: 'ephemeral' } },
    ];
    const first = await client().messages.create({ ...params('one'), system });
    expect(first.usage.cache_creation_input_tokens).toBeGreaterThan(0);
    expect(first.usage.cache_read_input_tokens).toBe(0);

    const second = await client().messages.create({
      ...params(),
      system,
      messages: [
        { role: 'user', content: 'one' },
        { role: 'assistant', content: 'Echo: one' },
        { role: 'user', content: [{ type: 'text', text: 'two', cache_control: { type: 'ephemeral' } }] },
      ],
    });
    expect(second.usage.cache_read_input_tokens).toBe(first.usage.cache_creation_input_tokens);
    expect(second.usage.cache_creation_input_tokens).toBeGreaterThan(0);

    // Moving the breakpoint forward keeps the earlier prefix readable: the history prefix is hit.
    const third = await client().messages.create({
      ...params(),
      system,
      messages: [
        { role: 'user', content: 'one' },
        { role: 'assistant', content: 'Echo: one' },
        { role: 'user', content: [{ type: 'text', text: 'two' }] },
        { role: 'assistant', content: 'Echo: two' },
        { role: 'user', content: [{ type: 'text', text: 'three', cache_control: { type: 'ephemeral' } }] },
      ],
    });
    expect(third.usage.cache_read_input_tokens).toBe(
      (second.usage.cache_read_input_tokens ?? 0) + (second.usage.cache_creation_input_tokens ?? 0),
    );
  });
});
