import { describe, expect, it } from 'vitest';
import { buildMemoryIndex, formatHits, relativeTime, type Hit, type MemoryRecord } from '../../src/store/search.js';
import { searchMemoryTool } from '../../src/agent/tools/search-memory.js';
import { formatSession } from '../../src/store/search-format.js';
import type { SessionSummary } from '../../src/store/store.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2025, 2, 8, 14, 3);
const SESSION = '7f3c2a91-4be0-4c7e-9d1a-2f6b8e0c5d34';

function record(over: Partial<MemoryRecord> & Pick<MemoryRecord, 'id' | 'text'>): MemoryRecord {
  return { sessionId: SESSION, sessionStarted: NOW - 3 * DAY - 3_600_000, agent: 'claude', time: NOW - 3 * DAY, kind: 'note', ...over };
}

const RECORDS: MemoryRecord[] = [
  record({ id: 'n1', text: 'Decision: we keep the rate limit at 50 requests per minute per API key; going higher got us 429 errors from the provider and the backoff made everything slower.' }),
  record({
    id: 'm1',
    kind: 'message',
    role: 'user',
    agent: undefined,
    time: NOW - 2 * 3_600_000,
    sessionId: 'b7e41190',
    sessionStarted: NOW - 3 * 3_600_000,
    text: `${'Some context about the panes and the layout. '.repeat(8)}Can we raise the rate limit for the batch job only? ${'More words about the screen. '.repeat(8)}`,
  }),
  record({ id: 't1', kind: 'tool', time: NOW - 40 * DAY, sessionStarted: NOW - 41 * DAY, sessionId: 'a1f0c3d2', text: 'grep -rn "rateLimit" src/net\nsrc/net/client.ts:12: const rateLimit = 50; // rate limit per key' }),
];

const index = await buildMemoryIndex(RECORDS);
const hits = index.search('rate limit');
const ANSI = /\x1b\[[0-9;]*m/g;
const visible = (line: string) => [...line.replace(ANSI, '')].length;

describe('formatHits', () => {
  it('prints one readable block per hit at 80 columns without color', () => {
    expect(hits).toHaveLength(3);
    const out = formatHits(hits, { color: false, width: 80, now: NOW });
    expect(out).not.toMatch(/\x1b/);
    const lines = out.trimEnd().split('\n');
    for (const line of lines) expect(visible(line)).toBeLessThanOrEqual(80);
    const blocks = out.trimEnd().split('\n\n');
    expect(blocks).toHaveLength(3);
    const note = blocks.find((b) => b.includes('note'))!;
    expect(note.split('\n')[0]).toBe('claude · note · 3 days ago (2025-03-05 14:03 UTC)');
    expect(note.split('\n')[1]).toBe(`session ${SESSION}, started 2025-03-05`);
    expect(note).toContain('  Decision: we keep the rate limit at 50 requests');
    const user = blocks.find((b) => b.includes('user message'))!;
    expect(user.split('\n')[0]).toBe('you · user message · 2 hours ago (2025-03-08 12:03 UTC)');
    expect(user).toMatch(/ {2}….*rate limit/);
    const tool = blocks.find((b) => b.includes('tool call'))!;
    expect(tool.split('\n')[0]).toContain('claude · tool call · 6 weeks ago (2025-01-27 14:03 UTC)');
    for (const block of blocks) expect(block.split('\n').slice(2).every((l) => l.startsWith('  '))).toBe(true);
  });

  it('bolds the matched words with color on and still fits the width', () => {
    const out = formatHits(hits, { color: true, width: 80, now: NOW });
    expect(out).toContain('\x1b[1mrate\x1b[22m \x1b[1mlimit\x1b[22m');
    expect(out).toContain('\x1b[1mrateLimit\x1b[22m');
    for (const line of out.trimEnd().split('\n')) expect(visible(line)).toBeLessThanOrEqual(80);
    expect(out.replace(ANSI, '')).toBe(formatHits(hits, { color: false, width: 80, now: NOW }));
  });

  it('wraps to narrow terminals too', () => {
    const out = formatHits(hits, { color: false, width: 40, now: NOW });
    for (const line of out.trimEnd().split('\n')) expect(visible(line)).toBeLessThanOrEqual(40);
    expect(out).toContain('…');
  });

  it('says plainly when nothing matched and suggests a broader query', () => {
    const out = formatHits([], { color: true, width: 80, now: NOW, query: '"rate limiter budget"' });
    expect(out).toContain('No past messages, notes or changes match');
    expect(out).toContain('rate limiter budget');
    expect(out).toContain(`match '"rate limiter budget"'.`);
    expect(out.replace(/\s+/g, ' ')).toMatch(/fewer or shorter words/);
    expect(out).not.toMatch(/\x1b/);
    expect(formatHits([], { color: false, width: 80, now: NOW })).toMatch(/^Nothing matched\. Try fewer/);
  });

  it('never lets a control character through', () => {
    const hit: Hit = { ...hits[0], snippet: 'bad \x1b[2Jclear\x07 bell' };
    expect(formatHits([hit], { color: false, width: 80, now: NOW })).not.toMatch(/[\x00-\x09\x0b-\x1f]/);
  });
});

describe('relativeTime', () => {
  it('reads like a person would say it', () => {
    expect(relativeTime(NOW - 10_000, NOW)).toBe('just now');
    expect(relativeTime(NOW - 5 * 60_000, NOW)).toBe('5 minutes ago');
    expect(relativeTime(NOW - 3 * 3_600_000, NOW)).toBe('3 hours ago');
    expect(relativeTime(NOW - 1.2 * DAY, NOW)).toBe('yesterday');
    expect(relativeTime(NOW - 3 * DAY, NOW)).toBe('3 days ago');
    expect(relativeTime(NOW - 21 * DAY, NOW)).toBe('3 weeks ago');
    expect(relativeTime(NOW - 100 * DAY, NOW)).toBe('3 months ago');
    expect(relativeTime(NOW - 800 * DAY, NOW)).toBe('2 years ago');
    expect(relativeTime(NOW + DAY, NOW)).toBe('in the future');
  });
});

describe('search_memory tool', () => {
  const ctx = { root: '/nonexistent', signal: new AbortController().signal };
  const calls: Array<[string, number]> = [];
  const tool = searchMemoryTool(async (query, limit) => {
    calls.push([query, limit]);
    return index.search(query, { limit });
  });

  it('describes itself as a read tool with a clean JSON schema', () => {
    expect(tool.name).toBe('search_memory');
    expect(tool.kind).toBe('read');
    expect(tool.jsonSchema).not.toHaveProperty('$schema');
    expect(tool.jsonSchema).toMatchObject({ type: 'object', required: ['query'], properties: { query: { type: 'string' } } });
  });

  it('returns the top hits compactly', async () => {
    const result = await tool.run({ query: 'rate limit', limit: 3 }, ctx);
    expect(result.isError).toBe(false);
    expect(calls.at(-1)).toEqual(['rate limit', 3]);
    const lines = result.content.split('\n');
    expect(lines[0]).toBe('3 matches for "rate limit", best first:');
    expect(lines).toHaveLength(7);
    expect(lines.filter((l) => /^\[\d\] /.test(l))).toHaveLength(3);
    expect(result.content).toMatch(new RegExp(`\\[\\d\\] 2025-03-05 14:03 UTC · session ${SESSION} \\(started 2025-03-05\\) · claude · note\n {4}Decision: we keep the rate limit at 50 requests`));
    expect(result.content).toMatch(/\[\d\] 2025-03-08 12:03 UTC · session b7e41190 \(started 2025-03-08\) · user · user message\n {4}….*raise the rate limit/);
    expect(result.content.length).toBeLessThan(1000);
    expect(result.summary).toBe('search_memory "rate limit": 3 matches');
    expect((await tool.run({ query: 'rate limit', limit: 1 }, ctx)).content.split('\n')).toHaveLength(3);
  });

  it('says when nothing matched, without it being an error', async () => {
    const result = await tool.run({ query: 'kubernetes' }, ctx);
    expect(result).toMatchObject({ isError: false, summary: 'search_memory "kubernetes": no matches' });
    expect(result.content).toMatch(/Nothing in earlier sessions matched "kubernetes"/);
    expect(calls.at(-1)).toEqual(['kubernetes', 8]);
  });

  it('names the field on bad input', async () => {
    for (const input of [{}, { query: '   ' }, { query: 42 }, { query: 'x', limit: 0 }, null]) {
      const result = await tool.run(input, ctx);
      expect(result.isError).toBe(true);
      expect(result.content).toContain('search_memory takes {query, limit?}');
    }
    expect((await tool.run({}, ctx)).content).toMatch(/- query: /);
    expect((await tool.run({ query: '  ' }, ctx)).content).toMatch(/- query: must not be empty/);
    expect((await tool.run({ query: 'x', limit: 99 }, ctx)).content).toMatch(/- limit: /);
  });

  it('turns a failing search into an error result instead of throwing', async () => {
    const broken = searchMemoryTool(async () => {
      throw new Error('index not loaded');
    });
    const result = await broken.run({ query: 'rate' }, ctx);
    expect(result).toMatchObject({ isError: true, summary: 'search_memory failed' });
    expect(result.content).toContain('index not loaded');
  });
});

describe('stored outside text is printed safe', () => {
  // What was stored came from agents, programs and files: an instruction holding an OSC 52 clipboard
  // write reached the terminal raw from `agents sessions`.
  const OSC52 = '\x1b]52;c;ZWNobyBwd25lZA==\x07';
  const ACTIVE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;
  const hostile: MemoryRecord[] = [
    record({ id: 'h1', kind: 'message', role: 'user', agent: undefined, text: `deploy the canary${OSC52} then\u009b2J report` }),
    record({ id: 'h2', kind: 'change', agent: 'outside (shell\u202e?)', text: 'modified invoice\u202efdp.exe canary' }),
    record({ id: 'h3', kind: 'tool', text: '$ run canary\n\x1b[31mfailed\x1b[0m \x1b]0;owned\x1b\\' }),
  ];

  it('search: an instruction with OSC 52, a file name with U+202E and tool output with a title change show escaped', async () => {
    const found = (await buildMemoryIndex(hostile)).search('canary');
    expect(found).toHaveLength(3);
    for (const color of [false, true]) {
      const out = formatHits(found, { color, width: 100, now: NOW, query: `canary${OSC52}` });
      expect(out.replace(ANSI, '')).not.toMatch(ACTIVE);
    }
    const out = formatHits(found, { color: false, width: 200, now: NOW });
    expect(out).toContain('invoice\\u202efdp.exe');
    expect(out).toContain('outside (shell\\u202e?)');
    expect(formatHits([], { color: false, width: 100, now: NOW, query: `nothing${OSC52}` })).toContain('nothing\\x1b]52;c;ZWNobyBwd25lZA==\\x07');
  });

  it('sessions: the first instruction is one line with its escape sequences shown, cut to the width', () => {
    const summary = {
      id: '2026-11-27-2201-ab12', started: NOW - 3 * DAY, ended: NOW - 3 * DAY + 60_000, layout: 'tiled', messages: 1, tokens: 1200, cost: 0.5,
      agents: [{ name: 'lead', kind: 'builtin' }],
      firstInstruction: `deploy the canary\r\n${OSC52}\u202e and report`,
    } as SessionSummary;
    const out = formatSession(summary, { width: 100, now: NOW });
    expect(out).toBe(
      '2026-11-27-2201-ab12  3 days ago\n' +
        '  1 pane: lead · 1 message · 1.2k tokens · $0.50\n' +
        '  “deploy the canary \\x1b]52;c;ZWNobyBwd25lZA==\\x07\\u202e and report”\n',
    );
    const narrow = formatSession(summary, { width: 30, now: NOW });
    expect(narrow).not.toMatch(ACTIVE);
    expect(narrow.split('\n')[2]).toBe('  “deploy the canary \\x1b]…”');
  });
});
