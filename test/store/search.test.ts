import { describe, expect, it } from 'vitest';
import { buildMemoryIndex, MemoryIndex, type MemoryRecord } from '../../src/store/search.js';
import { PASSAGE_WORDS, parseQuery, splitPassages, words } from '../../src/store/search-text.js';
import { seeded as rng } from '../helpers/random.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 2, 1, 9, 0);
const SESSIONS = [
  { id: 'a1f0c3d2', started: T0, agent: 'claude' },
  { id: 'b7e41190', started: T0 + 4 * DAY, agent: 'codex' },
  { id: 'c03d9e5a', started: T0 + 9 * DAY, agent: 'claude' },
  { id: 'd5520b7f', started: T0 + 15 * DAY, agent: 'gemini' },
  { id: 'e9a7f614', started: T0 + 21 * DAY, agent: 'codex' },
];

/** Everyday workspace chatter; none of it uses the words the planted records are searched by. */
const FILLER = [
  'Moved the status bar into its own component so the layout code stays small.',
  'The pane grid now redraws only the cells that changed since the last frame.',
  'Ran the unit tests again and two snapshot files needed updating after the theme tweak.',
  'Please look at why the focus ring disappears when a dialog closes.',
  'I added a keyboard shortcut to swap the two panes on the left.',
  'Lint complains about an unused import in the renderer; removed it.',
  'The config loader reads the user file first and then the project file.',
  'Scrolling back through terminal history feels slow with very wide lines.',
  'Split the workspace state into panes, focus and layout slices.',
  'Checked the diff view with long file names and it truncates them in the middle now.',
  'Can you make the help screen list every shortcut with a short description?',
  'The cost counter shows four decimals for tiny amounts and two otherwise.',
  'Replaced the hand written argument parser with commander subcommands.',
  'The theme files are plain JSON with named colors for each part of the screen.',
  'Opened the watcher on the project folder and ignored the build output.',
  'Small cleanup: the helper that pads cells now handles wide characters.',
  'Resizing the terminal quickly used to leave stale characters on the right edge.',
  'Wrote a fixture with three fake agents that print canned answers.',
  'Documented how the context window is trimmed when the conversation grows.',
  'The command palette filters as you type and remembers the last choice.',
];


const KINDS: Array<Pick<MemoryRecord, 'kind' | 'role'>> = [
  { kind: 'message', role: 'user' },
  { kind: 'message', role: 'assistant' },
  { kind: 'message', role: 'assistant' },
  { kind: 'tool' },
  { kind: 'note' },
  { kind: 'change' },
];

function filler(rand: () => number, sentences: number): string {
  return Array.from({ length: sentences }, () => FILLER[Math.floor(rand() * FILLER.length)]).join(' ');
}

/** An idea that recurs across sessions, in the words the tests search for. */
const LONG_MIDDLE = 'The flaky test was caused by a timer leak in the watcher shutdown path.';

function corpus(): MemoryRecord[] {
  const rand = rng(42);
  const out: MemoryRecord[] = [];
  SESSIONS.forEach((s, si) => {
    for (let i = 0; i < 60; i++) {
      const k = KINDS[Math.floor(rand() * KINDS.length)];
      out.push({
        id: `${s.id}-${i}`,
        sessionId: s.id,
        sessionStarted: s.started,
        agent: k.role === 'user' ? undefined : s.agent,
        time: s.started + i * 60_000,
        ...k,
        text: filler(rand, 1 + Math.floor(rand() * 3)) + (si === 1 && i === 30 ? ' ' + filler(rand, 2) : ''),
      });
    }
  });
  const at = (si: number, id: string, kind: MemoryRecord['kind'], text: string, role?: 'user' | 'assistant'): MemoryRecord => {
    const s = SESSIONS[si];
    return { id, sessionId: s.id, sessionStarted: s.started, agent: role === 'user' ? undefined : s.agent, time: s.started + 90 * 60_000, kind, role, text };
  };
  out.push(
    at(0, 'phrase-old', 'note', 'Decision: we keep the rate limit at 50 requests per minute per API key; higher got us errors from the provider.'),
    at(4, 'scattered-new', 'message', 'The limit on open panes is eight for now. Separately, the retry rate doubles after each failure of the provider call.', 'assistant'),
    at(2, 'snake', 'change', 'src/net/rate_limit.ts: token bucket keyed by API key, refilled every second.'),
    at(1, 'tie-old', 'change', 'Renamed the dry option to dry-run everywhere in the cli parser.'),
    at(3, 'tie-new', 'change', 'Renamed the dry option to dry-run everywhere in the cli parser.'),
    at(2, 'migration', 'message', 'Wrote the migration that moves sessions from lowdb JSON to the append-only log.', 'assistant'),
    at(1, 'postgres', 'note', 'We looked at postgres, but a local file store is enough for one user on one machine.'),
    at(3, 'camel', 'change', 'Added searchMemoryTool to the built-in tool registry.'),
    at(4, 'ansi', 'tool', '$ npm test\n\x1b[31mECONNRESET\x1b[0m while fetching the model list'),
    at(1, 'long', 'message', `${filler(rng(7), 14)} ${LONG_MIDDLE} ${filler(rng(8), 14)}`, 'assistant'),
  );
  return out;
}

const RECORDS = corpus();
const index = await buildMemoryIndex(RECORDS);
const ids = (query: string, opts = {}) => index.search(query, opts).map((h) => h.record.id);

describe('buildMemoryIndex', () => {
  it('indexes a few hundred records from sync and async sources alike', async () => {
    expect(RECORDS.length).toBeGreaterThan(300);
    expect(index.size).toBe(RECORDS.length);
    async function* stream() {
      for (const r of RECORDS) yield r;
    }
    const fromStream = await buildMemoryIndex(stream());
    expect(fromStream.size).toBe(RECORDS.length);
    expect(fromStream.search('rate limit').map((h) => h.record.id)).toEqual(ids('rate limit'));
  });

  it('replaces a record added again under the same id', () => {
    const small = new MemoryIndex();
    const base = RECORDS[0];
    small.add({ ...base, id: 'x', text: 'the cache uses an eviction policy' });
    small.add({ ...base, id: 'x', text: 'the cache never evicts anything' });
    expect(small.size).toBe(1);
    expect(small.search('policy')).toEqual([]);
    expect(small.search('cache')).toHaveLength(1);
  });
});

describe('ranking', () => {
  it('puts an exact phrase in an old session above scattered words in a new one', () => {
    const found = ids('rate limit');
    // `rate_limit` in a file name is the same phrase, in a shorter text.
    expect(found.slice(0, 2).sort()).toEqual(['phrase-old', 'snake']);
    expect(found).toContain('scattered-new');
    expect(found.indexOf('phrase-old')).toBeLessThan(found.indexOf('scattered-new'));
  });

  it('lets the newer session win a tie', () => {
    const hits = index.search('renamed dry-run option');
    expect(hits.map((h) => h.record.id).slice(0, 2)).toEqual(['tie-new', 'tie-old']);
    expect(hits[0].score).toBeGreaterThan(hits[1].score);
    expect(hits[0].score / hits[1].score).toBeLessThan(1.11);
  });

  it('returns nothing for an empty query and respects the limit', () => {
    expect(index.search('   ')).toEqual([]);
    expect(index.search('""')).toEqual([]);
    expect(index.search('panes layout', { limit: 3 })).toHaveLength(3);
    expect(index.search('panes layout').length).toBeLessThanOrEqual(10);
  });
});

describe('fuzzy and prefix matching', () => {
  it('forgives a typo in a longer word', () => {
    expect(ids('migraton')[0]).toBe('migration');
    expect(ids('postgers')[0]).toBe('postgres');
  });

  it('matches by prefix for words of four or more characters only', () => {
    expect(ids('postg')[0]).toBe('postgres');
    expect(ids('migr')[0]).toBe('migration');
    expect(ids('pos')).not.toContain('postgres');
  });

  it('finds camelCase identifiers by their parts', () => {
    expect(ids('memory tool')[0]).toBe('camel');
  });

  it('indexes tool output through its color codes, and no escape reaches the snippet', () => {
    const [hit] = index.search('econnreset');
    expect(hit.record.id).toBe('ansi');
    expect(hit.snippet).not.toMatch(/\x1b/);
    expect(hit.snippet).toContain('ECONNRESET while fetching');
  });
});

describe('phrase queries', () => {
  it('matches a quoted phrase word for word only', () => {
    const hits = index.search('"rate limit"');
    expect(hits.map((h) => h.record.id).sort()).toEqual(['phrase-old', 'snake']);
    for (const h of hits) expect(h.record.text).toMatch(/rate[\s_-]+limit/i);
  });

  it('requires the phrase while other words still rank', () => {
    expect(ids('"rate limit" token bucket')[0]).toBe('snake');
    expect(ids('"limit rate"')).toEqual([]);
    expect(ids('"the cli parser" renamed').sort()).toEqual(['tie-new', 'tie-old']);
  });

  it('reads an unclosed quote as a phrase to the end', () => {
    expect(parseQuery('retry "rate limit')).toEqual({ phrases: [['rate', 'limit']], free: ['retry'], terms: ['retry'] });
    expect(parseQuery('what is the limit').terms).toEqual(['limit']);
    expect(parseQuery('what is it').terms).toEqual(['what', 'is', 'it']);
  });
});

describe('filters', () => {
  it('keeps only the asked kinds', () => {
    const hits = index.search('rate limit', { kinds: ['note'], limit: 50 });
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((h) => h.record.kind === 'note')).toBe(true);
    expect(hits[0].record.id).toBe('phrase-old');
    expect(ids('rate limit', { kinds: ['message', 'tool'], limit: 50 })).not.toContain('phrase-old');
  });

  it('keeps only one agent, ignoring case', () => {
    const hits = index.search('renamed dry-run option', { agent: 'Gemini', limit: 50 });
    expect(hits.map((h) => h.record.id)).toEqual(['tie-new']);
    const codex = index.search('panes layout', { agent: 'codex', limit: 50 });
    expect(codex.length).toBeGreaterThan(5);
    expect(codex.every((h) => h.record.agent === 'codex')).toBe(true);
  });
});

describe('passages and snippets', () => {
  it('splits long text into overlapping passages of about 80 words covering all of it', () => {
    const text = RECORDS.find((r) => r.id === 'long')!.text;
    const passages = splitPassages(text);
    expect(words(text).length).toBeGreaterThan(300);
    expect(passages.length).toBeGreaterThan(3);
    expect(passages[0].start).toBe(0);
    expect(passages.at(-1)!.end).toBe(text.length);
    for (let i = 0; i < passages.length; i++) {
      const n = words(text.slice(passages[i].start, passages[i].end)).length;
      expect(n).toBeLessThanOrEqual(PASSAGE_WORDS + PASSAGE_WORDS / 4);
      expect(n).toBeGreaterThan(PASSAGE_WORDS / 4);
      if (i > 0) expect(passages[i].start).toBeLessThan(passages[i - 1].end);
    }
    expect(splitPassages('short text')).toEqual([{ start: 0, end: 10 }]);
  });

  it('points a hit on a long message at the passage that matched, once per record', () => {
    const hits = index.search('timer leak watcher shutdown', { limit: 50 });
    expect(hits[0].record.id).toBe('long');
    expect(hits.filter((h) => h.record.id === 'long')).toHaveLength(1);
    const { passage, record } = hits[0];
    expect(passage.start).toBeGreaterThan(0);
    expect(passage.end).toBeLessThan(record.text.length);
    expect(record.text.slice(passage.start, passage.end)).toContain('timer leak');
  });

  it('cuts about 160 characters around the best match, with ellipses and markers', () => {
    const [hit] = index.search('timer leak', { mark: (w) => `[${w}]` });
    expect(hit.snippet).toContain('[timer] [leak] in the watcher');
    expect(hit.snippet.startsWith('…')).toBe(true);
    expect(hit.snippet.endsWith('…')).toBe(true);
    const plain = hit.snippet.replace(/[[\]]/g, '');
    expect(plain.length).toBeGreaterThan(100);
    expect(plain.length).toBeLessThanOrEqual(165);
    expect(plain).not.toMatch(/\s{2}|\n/);
    const [unmarked] = index.search('timer leak');
    expect(unmarked.snippet).toBe(plain);
    expect(unmarked.terms).toEqual(expect.arrayContaining(['timer', 'leak']));
  });

  it('shows a short record whole', () => {
    const [hit] = index.search('postgres');
    expect(hit.snippet).toBe(hit.record.text);
  });
});
