// `/model NAME` is checked before the switch: against the API's model list (the local Messages API
// server, over real HTTP with the real SDK) when there is a key, else against the price table.
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_MODELS, type DemoModelInfo } from '../../../src/demo/models.js';
import { startMessagesServer, type MessagesServer } from '../../../src/demo/server.js';
import { checkModel } from '../../../src/agent/ui/model-check.js';

// Listed by the API but not in the price table.
const UNPRICED: DemoModelInfo = { ...DEMO_MODELS[0], id: 'claude-mythos-1', display_name: 'Claude Mythos 1', max_input_tokens: 400_000 };

let server: MessagesServer;
let list: () => Promise<Anthropic.ModelInfo[]>;
beforeAll(async () => {
  server = await startMessagesServer({ models: [...DEMO_MODELS, UNPRICED] });
  const client = new Anthropic({ apiKey: 'test', baseURL: server.url, maxRetries: 0 });
  list = async () => (await client.models.list({ limit: 1000 }, { timeout: 5_000 })).data;
});
afterAll(() => server.close());

describe('/model check', () => {
  it('accepts a model the API lists and the price table prices, with its context window', async () => {
    const r = await checkModel('claude-haiku-4-5', { list });
    expect(r).toEqual({ ok: true, model: 'claude-haiku-4-5', message: 'model: claude-haiku-4-5', contextWindow: 200_000 });
  });

  it('accepts a model the API lists but warns that its price is unknown', async () => {
    const r = await checkModel('claude-mythos-1', { list });
    expect(r.ok).toBe(true);
    expect(r.message).toMatch(/^model: claude-mythos-1 \(⚠ its price is not in the price table \(data\/prices\.json, as of \d{4}-\d{2}-\d{2}\)/);
  });

  it('refuses a name the API does not list, naming the ones it does', async () => {
    const r = await checkModel('foo', { list });
    expect(r).toEqual({ ok: false, message: 'unknown model foo', known: `the API lists ${[...DEMO_MODELS, UNPRICED].map((m) => m.id).join(', ')}` });
  });

  it('without a key, the price table decides', async () => {
    expect((await checkModel('claude-opus-5-5')).ok).toBe(true);
    const r = await checkModel('foo');
    expect(r.ok).toBe(false);
    expect(r.message).toBe('unknown model foo (no API key to ask the API which models exist)');
    expect(!r.ok && r.known).toContain('the price table knows claude-opus-5-5, claude-sonnet-5-5, claude-sonnet-5');
  });

  it('when the list cannot be had, the price table decides and says why', async () => {
    const down = new Anthropic({ apiKey: 'test', baseURL: 'http://127.0.0.1:9', maxRetries: 0 });
    const failing = async () => (await down.models.list({}, { timeout: 2_000 })).data;
    const known = await checkModel('claude-sonnet-5-5', { list: failing });
    expect(known.ok).toBe(true);
    expect(known.message).toMatch(/not checked with the API: could not get the API's model list: Connection error/);
    expect((await checkModel('foo', { list: failing })).ok).toBe(false);
  });
});
