// Prompt caching over a 10-turn session with tool calls: where the breakpoints go, how much of each
// request is a byte prefix of the next one, and what the server's simulated cache reports.
import { afterEach, describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../../src/demo/server.js';
import { makeRig, rejected, type Rig } from './rig.js';

let rig: Rig;
afterEach(async () => {
  await rig?.dispose();
});

type Block = Record<string, unknown>;

/** The body as the SDK sent it: JSON.stringify of the parsed body gives back the same bytes. */
const raw = (r: RecordedRequest) => Buffer.from(JSON.stringify(r.body), 'utf8');

function commonPrefix(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

function withoutCacheControl(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutCacheControl);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'cache_control').map(([k, v]) => [k, withoutCacheControl(v)]));
}

/** Paths of every block carrying cache_control. */
function breakpoints(r: RecordedRequest): string[] {
  const out: string[] = [];
  (r.body.tools ?? []).forEach((t, i) => t.cache_control && out.push(`tools.${i}`));
  if (Array.isArray(r.body.system)) r.body.system.forEach((b, i) => b.cache_control && out.push(`system.${i}`));
  r.body.messages.forEach((m, i) => {
    if (typeof m.content !== 'string') m.content.forEach((b: Block, j: number) => b.cache_control && out.push(`messages.${i}.${j}`));
  });
  return out;
}

describe('prompt caching over a 10-turn session', () => {
  it('keeps breakpoints on system, last tool and last block, and the prefix byte-stable', async () => {
    rig = await makeRig();
    for (let i = 0; i < 10; i++) rig.write(`notes/n${i}.txt`, Array.from({ length: 12 }, (_, j) => `note ${i}.${j}: something worth knowing`).join('\n'));
    // Each instruction gets a read_file call, each tool result a short answer: 2 requests a turn.
    rig.server.setResponder((req) => {
      const last = req.body.messages.at(-1)!;
      const lastBlock = (last.content as Block[]).at(-1)!;
      if (lastBlock.type === 'tool_result') return { kind: 'reply', content: [{ type: 'text', text: 'Read it; the notes say what I expected.' }] };
      const n = /turn (\d+)/.exec(String(lastBlock.text))?.[1] ?? '0';
      return { kind: 'reply', content: [{ type: 'text', text: `Turn ${n}: reading.` }, { type: 'tool_use', name: 'read_file', input: { path: `notes/n${n}.txt` } }] };
    });

    for (let turn = 0; turn < 10; turn++) await rig.agent.send(`Please read the notes for turn ${turn}.`);

    const reqs = rig.server.requests;
    expect(reqs).toHaveLength(20);
    expect(rejected(rig.server)).toEqual([]);
    expect(rig.of('turn_end').every((e) => e.reason === 'done')).toBe(true);

    for (const r of reqs) {
      // Re-serializing gives exactly the bytes the server received.
      expect(raw(r).length).toBe(Number(r.headers['content-length']));
      const last = r.body.messages.length - 1;
      const lastBlock = (r.body.messages[last].content as Block[]).length - 1;
      expect(breakpoints(r)).toEqual([`tools.${(r.body.tools ?? []).length - 1}`, 'system.0', `messages.${last}.${lastBlock}`]);
    }

    // Earlier messages are never edited: each request's messages start with the previous request's.
    for (let i = 0; i + 1 < reqs.length; i++) {
      const prev = withoutCacheControl(reqs[i].body.messages) as unknown[];
      expect(withoutCacheControl(reqs[i + 1].body.messages.slice(0, prev.length))).toEqual(prev);
    }

    // The share of each request's bytes that is a byte prefix of the next request.
    const shares = reqs.slice(0, -1).map((r, i) => commonPrefix(raw(r), raw(reqs[i + 1])) / raw(r).length);
    const sorted = [...shares].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]; // 19 shares: the 10th
    const sizes = reqs.map((r) => raw(r).length);
    console.log(
      `prefix share over ${reqs.length} requests (10 turns): median ${(median * 100).toFixed(2)}%, min ${(sorted[0] * 100).toFixed(2)}%, max ${(sorted.at(-1)! * 100).toFixed(2)}%; ` +
        `request size ${sizes[0]} -> ${sizes.at(-1)} bytes`,
    );
    expect(median).toBeGreaterThan(0.8);
    expect(sorted[0]).toBeGreaterThan(0.8);

    // The simulated cache: a read on every request after the first, and the agent counts them.
    const usages = rig.of('usage').map((e) => e.usage);
    expect(usages).toHaveLength(20);
    expect(usages[0].cache_read_input_tokens).toBe(0);
    for (const u of usages.slice(1)) expect(u.cache_read_input_tokens).toBeGreaterThan(0);
    const reads = usages.reduce((n, u) => n + (u.cache_read_input_tokens ?? 0), 0);
    const writes = usages.reduce((n, u) => n + (u.cache_creation_input_tokens ?? 0), 0);
    expect(rig.agent.totals.cacheRead).toBe(reads);
    expect(rig.agent.totals.cacheWrite).toBe(writes);
    expect(reads).toBeGreaterThan(writes * 5); // most of every prompt comes from the cache
    console.log(`cache over the session: read ${reads} tokens, written ${writes}, plain input ${rig.agent.totals.input}; cost $${rig.agent.totals.cost.toFixed(4)}`);
  });

  it('a redirect mid-stream keeps the prefix: the interrupted answer is appended, nothing earlier changes', async () => {
    rig = await makeRig();
    rig.server.enqueue({ kind: 'reply', content: [{ type: 'text', text: 'First answer.' }] });
    await rig.agent.send('one');
    rig.server.enqueue({ kind: 'reply', content: [{ type: 'text', text: 'A slow answer that is cut short by a new instruction.' }], chunkChars: 4, chunkDelayMs: 30 });
    const slow = rig.agent.send('two');
    await rig.event('text', undefined, rig.events.findIndex((e) => e.type === 'turn_end') + 1);
    await Promise.all([slow, rig.agent.send('three, instead')]);
    const [, second, third] = rig.server.requests;
    expect(rejected(rig.server)).toEqual([]);
    const share = commonPrefix(raw(second), raw(third)) / raw(second).length;
    expect(share).toBeGreaterThan(0.9);
    expect(rig.of('usage').at(-1)!.usage.cache_read_input_tokens).toBeGreaterThan(0);
  });
});
