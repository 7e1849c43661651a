// Faults between the agent and the API: what the SDK retries (errors before a response starts),
// what the agent retries (a response that breaks or stalls mid-way), and what ends the turn with an
// error that says what to do. In every case send() resolves: the agent never throws.
import { afterEach, describe, expect, it } from 'vitest';
import { blocks, lastUserText, makeRig, rejected, type Rig } from './rig.js';

let rig: Rig;
afterEach(async () => {
  await rig?.dispose();
});

const REPLY = 'All good now.';
const reply = { kind: 'reply' as const, content: [{ type: 'text' as const, text: REPLY }] };

function expectDone(r: Rig, requests: number): void {
  expect(r.server.requests).toHaveLength(requests);
  expect(rejected(r.server)).toEqual([]);
  expect(r.of('error')).toEqual([]);
  expect(r.of('turn_end')).toEqual([{ type: 'turn_end', reason: 'done' }]);
  expect(r.agent.status).toBe('idle');
  expect(r.agent.history).toHaveLength(2);
  expect(r.agent.history[1].content).toMatchObject([{ type: 'text', text: REPLY }]);
}

function expectError(r: Rig, text: string | RegExp): void {
  const errors = r.of('error').map((e) => e.text);
  expect(errors).toHaveLength(1);
  if (typeof text === 'string') expect(errors[0]).toBe(text);
  else expect(errors[0]).toMatch(text);
  expect(r.of('turn_end')).toEqual([{ type: 'turn_end', reason: 'error' }]);
  expect(r.agent.status).toBe('error');
  expect(r.agent.busy).toBe(false);
}

/** After an error the conversation goes on: the next instruction's request is valid. */
async function recovers(r: Rig): Promise<void> {
  const before = r.server.requests.length;
  r.server.enqueue(reply);
  await expect(r.agent.send('Try again.')).resolves.toBeUndefined();
  expect(r.server.requests).toHaveLength(before + 1);
  expect(rejected(r.server)).toEqual([]);
  expect(lastUserText(r.server.requests.at(-1)!).endsWith('Try again.')).toBe(true);
  expect(r.events.at(-1)).toEqual({ type: 'turn_end', reason: 'done' });
  expect(r.agent.status).toBe('idle');
}

describe('errors before a response starts: the SDK retries', () => {
  it('429 with retry-after, then success', async () => {
    rig = await makeRig();
    rig.server.enqueue({ kind: 'error', status: 429, retryAfter: 0.05 }, reply);
    await expect(rig.agent.send('hi')).resolves.toBeUndefined();
    expectDone(rig, 2);
    expect(rig.of('notice')).toEqual([]); // the SDK's retry, not the agent's
    expect(rig.server.requests[1].receivedAt - rig.server.requests[0].receivedAt).toBeGreaterThanOrEqual(45);
  });

  it('529 and 500, then success', async () => {
    rig = await makeRig();
    rig.server.enqueue({ kind: 'error', status: 529, retryAfter: 0.01 }, { kind: 'error', status: 500, retryAfter: 0.01 }, reply);
    await rig.agent.send('hi');
    expectDone(rig, 3);
    expect(rig.of('notice')).toEqual([]);
  });

  it('the idle watchdog does not cut into the SDK retry wait (retry-after longer than idleTimeoutMs)', async () => {
    rig = await makeRig({ idleTimeoutMs: 300 });
    rig.server.enqueue({ kind: 'error', status: 429, retryAfter: 0.6 }, reply);
    await rig.agent.send('hi');
    expectDone(rig, 2);
    expect(rig.of('notice')).toEqual([]);
  });

  it('headers that never come: the SDK times out (idleTimeoutMs per attempt) and retries', async () => {
    rig = await makeRig({ idleTimeoutMs: 300 });
    rig.server.enqueue({ ...reply, delayMs: 20_000 }, reply);
    await rig.agent.send('hi');
    expectDone(rig, 2);
  });

  it('429 on every attempt: an error that says to wait', async () => {
    rig = await makeRig();
    const limited = { kind: 'error' as const, status: 429, retryAfter: 0.01 };
    rig.server.enqueue(limited, limited, limited);
    await expect(rig.agent.send('hi')).resolves.toBeUndefined();
    expect(rig.server.requests).toHaveLength(3); // 1 + maxRetries 2
    expectError(rig, 'rate limited (429) after retries. Wait a minute, then send again.');
    await recovers(rig);
  });

  it('400 is not retried: an error event with the API message, status error', async () => {
    rig = await makeRig();
    rig.server.enqueue({ kind: 'error', status: 400, message: 'max_tokens: 999999 > 64000, which is the maximum allowed' });
    await expect(rig.agent.send('hi')).resolves.toBeUndefined();
    expect(rig.server.requests).toHaveLength(1);
    expectError(rig, 'the request was rejected (400): max_tokens: 999999 > 64000, which is the maximum allowed');
    expect(rig.agent.history).toEqual([{ role: 'user', content: [{ type: 'text', text: 'hi' }] }]);
    await recovers(rig);
    expect(blocks(rig.server.requests[1], 0).map((b) => b.text)).toEqual(['hi', 'Try again.']);
  });

  it('401: an error that names the key to check', async () => {
    rig = await makeRig();
    rig.server.enqueue({ kind: 'error', status: 401 });
    await rig.agent.send('hi');
    expect(rig.server.requests).toHaveLength(1);
    expectError(rig, 'the API key was refused (401). Check ANTHROPIC_API_KEY.');
  });
});

describe('a response that breaks or stalls mid-way: the agent retries it whole', () => {
  it('a connection dropped mid-stream: notice, retry, success; the broken half is discarded', async () => {
    rig = await makeRig({ retryBaseMs: 10 });
    rig.server.enqueue({ kind: 'drop', content: [{ type: 'text', text: 'This first attempt breaks somewhere in the middle.' }], chunkChars: 5 }, reply);
    await expect(rig.agent.send('hi')).resolves.toBeUndefined();
    expectDone(rig, 2);
    const notices = rig.of('notice').map((e) => e.text);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/^the connection broke mid-response \(.+\); retrying in 0\.0 s \(1\/3\)$/);
    // The UI saw the broken half end (text_end) before the retry streamed the whole answer.
    const kinds = rig.events.filter((e) => e.type === 'text_end' || e.type === 'notice').map((e) => e.type);
    expect(kinds).toEqual(['text_end', 'notice', 'text_end']);
    // The retry is the same request again.
    expect(rig.server.requests[1].body).toEqual(rig.server.requests[0].body);
  });

  it('an overloaded error event mid-stream: retried whole, with a notice that says so', async () => {
    rig = await makeRig({ retryBaseMs: 10 });
    rig.server.enqueue({ kind: 'error', status: 529, afterChars: 8, content: [{ type: 'text', text: 'Starting an answer that will not finish.' }] }, reply);
    await rig.agent.send('hi');
    expectDone(rig, 2);
    expect(rig.of('notice').map((e) => e.text)).toEqual(['the API reported overloaded_error mid-response (Overloaded); retrying in 0.0 s (1/3)']);
  });

  it('a stall after the headers: the idle watchdog aborts it, the retry succeeds', async () => {
    rig = await makeRig({ idleTimeoutMs: 300, retryBaseMs: 10 });
    rig.server.enqueue({ kind: 'stall', content: [{ type: 'text', text: 'Thinking out loud, then nothing more...' }] }, reply);
    await rig.agent.send('hi');
    expectDone(rig, 2);
    expect(rig.of('notice').map((e) => e.text)).toEqual(['the response stalled (no data for a while); retrying in 0.0 s (1/3)']);
  });

  it('drops on every attempt: gives up after streamRetries with an error saying what to do', async () => {
    rig = await makeRig({ retryBaseMs: 10, streamRetries: 2 });
    const drop = { kind: 'drop' as const };
    rig.server.enqueue(drop, drop, drop);
    await expect(rig.agent.send('hi')).resolves.toBeUndefined();
    expect(rig.server.requests).toHaveLength(3);
    expect(rig.of('notice').map((e) => e.text.replace(/\(.*?\); /, '(...); '))).toEqual([
      'the connection broke mid-response (...); retrying in 0.0 s (1/2)',
      'the connection broke mid-response (...); retrying in 0.0 s (2/2)',
    ]);
    expectError(rig, /^the connection broke mid-response \(.+\)\. Gave up after 2 retries; send your message again to retry\.$/);
    expect(rig.agent.history).toEqual([{ role: 'user', content: [{ type: 'text', text: 'hi' }] }]);
    await recovers(rig);
  });

  it('backs off exponentially between whole-response retries', async () => {
    rig = await makeRig({ retryBaseMs: 40, streamRetries: 3 });
    rig.server.enqueue({ kind: 'drop' }, { kind: 'drop' }, reply);
    await rig.agent.send('hi');
    expectDone(rig, 3);
    expect(rig.of('notice').map((e) => /retrying in ([\d.]+) s/.exec(e.text)?.[1])).toEqual(['0.0', '0.1']);
    const [a, b, c] = rig.server.requests.map((r) => r.receivedAt);
    expect(b - a).toBeGreaterThanOrEqual(35);
    expect(c - b).toBeGreaterThanOrEqual(75);
  });
});
