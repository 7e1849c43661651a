/**
 * Full-text search over a project's memory: past messages, tool calls, notes and changes.
 *
 * Records are split into passages of about 80 words and each passage is a minisearch document, so a
 * hit on a long message points at the part that matched. Ranking is minisearch's BM25+ over the text
 * (agent and kind count a little too), then:
 * - a passage holding the unquoted query as an exact phrase scores double, and one holding some of
 *   its pairs of content words side by side gets part of that ("rate limit" in "what was the rate
 *   limit" counts in full);
 * - a passage holding few of the query's words, or only near forms of them, is damped;
 * - newer sessions get up to 10% more, which settles ties without beating a better match.
 * Quoted phrases ("rate limit") are required, word for word. Words of 4+ characters also match by
 * prefix, and, when the word itself appears nowhere in the index, with a typo or two (so "rate" does
 * not drag in "date" and "late"); shorter words match only exactly. Each record is one hit at most: its best
 * passage.
 *
 * The index lives in memory and is rebuilt from the store on open; `add` keeps it current.
 */
import MiniSearch, { type Query, type SearchResult } from 'minisearch';
import type { Hit, MemoryRecord } from './hit.js';
import {
  adjacency,
  indexTerms,
  parseQuery,
  hasPhrase,
  snippetOf,
  splitPassages,
  tokenizeRaw,
  words,
  type Marker,
  type ParsedQuery,
  type Passage,
} from './search-text.js';

export { formatHits, formatSession, relativeTime, type FormatOptions } from './search-format.js';
export type { Marker } from './search-text.js';

export type { Hit, MemoryRecord } from './hit.js';

export interface MemorySearchOptions {
  /** most hits returned (default 10) */
  limit?: number;
  kinds?: MemoryRecord['kind'][];
  /** only records by this agent (case-insensitive) */
  agent?: string;
  /** wraps each matched word of the snippet (default: none) */
  mark?: Marker;
}

export const DEFAULT_LIMIT = 10;
const PHRASE_BOOST = 2;
const RECENCY_BOOST = 0.1;
const SNIPPET_LEAD = 60;
/** How much of the score rides on matching every query word exactly. */
const COVERAGE_WEIGHT = 0.6;
/** A query word matched only by prefix or with a typo counts this much of an exact one. */
const NEAR_CREDIT = 0.3;

interface Doc {
  id: number;
  text: string;
  agent: string;
  kind: string;
}

interface Entry {
  record: MemoryRecord;
  /** record.text with escape sequences and control characters blanked (same offsets) */
  text: string;
  passage: Passage;
  live: boolean;
  /** lower-case words of the passage, computed when first needed */
  words?: string[];
}

export class MemoryIndex {
  private readonly mini = new MiniSearch<Doc>({
    fields: ['text', 'agent', 'kind'],
    tokenize: tokenizeRaw,
    processTerm: (term) => {
      const terms = indexTerms(term);
      for (const t of terms) this.vocabulary.add(t);
      return terms;
    },
    searchOptions: {
      boost: { text: 1, agent: 0.5, kind: 0.3 },
      processTerm: (term) => term.toLowerCase(),
      weights: { prefix: 0.3, fuzzy: 0.25 },
    },
  });
  /** every indexed word: a query word found here is taken as meant, not as a typo */
  private readonly vocabulary = new Set<string>();
  private readonly entries: Entry[] = [];
  private readonly byRecord = new Map<string, number[]>();
  private oldest = Infinity;
  private newest = -Infinity;

  /** Number of records indexed. */
  get size(): number {
    return this.byRecord.size;
  }

  /** Indexes a record; one with an id already indexed replaces it. */
  add(record: MemoryRecord): void {
    const previous = this.byRecord.get(record.id);
    if (previous) {
      for (const id of previous) {
        this.mini.discard(id);
        this.entries[id].live = false;
      }
    }
    const ids: number[] = [];
    const docs: Doc[] = [];
    const text = blankControls(record.text);
    for (const passage of splitPassages(text)) {
      const id = this.entries.length;
      this.entries.push({ record, text, passage, live: true });
      ids.push(id);
      docs.push({ id, text: text.slice(passage.start, passage.end), agent: record.agent ?? '', kind: record.kind });
    }
    this.mini.addAll(docs);
    this.byRecord.set(record.id, ids);
    this.oldest = Math.min(this.oldest, record.sessionStarted);
    this.newest = Math.max(this.newest, record.sessionStarted);
  }

  search(query: string, opts: MemorySearchOptions = {}): Hit[] {
    const parsed = parseQuery(query);
    if (parsed.terms.length === 0 && parsed.phrases.length === 0) return [];
    const limit = Math.max(1, Math.floor(opts.limit ?? DEFAULT_LIMIT));
    const kinds = opts.kinds && opts.kinds.length > 0 ? new Set(opts.kinds) : undefined;
    const agent = opts.agent?.toLowerCase();

    const fuzzy = (term: string) => (term.length < 4 || this.vocabulary.has(term) ? false : term.length < 8 ? 1 : 2);
    const results = this.mini.search(toMiniQuery(parsed, fuzzy), {
      filter: (r) => {
        const entry = this.entries[r.id as number];
        if (!entry?.live) return false;
        if (kinds && !kinds.has(entry.record.kind)) return false;
        if (agent !== undefined && entry.record.agent?.toLowerCase() !== agent) return false;
        return parsed.phrases.every((p) => hasPhrase(this.wordsOf(entry), p));
      },
    });

    // The phrase boost needs the passage's words, so it is computed best-first and only while it could
    // still lift a passage into the top `limit` records.
    const ranked = results
      .map((result) => {
        const entry = this.entries[result.id as number];
        return { entry, result, base: result.score * this.baseBoost(entry, parsed, result) };
      })
      .sort((a, b) => b.base - a.base);
    const best = new Map<string, { entry: Entry; score: number; result: SearchResult }>();
    const BATCH = 64;
    for (let i = 0; i < ranked.length; i += BATCH) {
      if (best.size >= limit && ranked[i].base * PHRASE_BOOST < kthBest(best, limit)) break;
      for (const { entry, result, base } of ranked.slice(i, i + BATCH)) {
        const score = base * this.phraseBoost(entry, parsed);
        const seen = best.get(entry.record.id);
        if (!seen || score > seen.score) best.set(entry.record.id, { entry, score, result });
      }
    }
    return [...best.values()]
      .sort((a, b) => b.score - a.score || b.entry.record.time - a.entry.record.time)
      .slice(0, limit)
      .map(({ entry, score, result }) => {
        const { record, text, passage } = entry;
        const terms = result.terms;
        // A little of what comes before the passage, so a match at its very start still has a lead-in.
        const from = passage.start === 0 ? 0 : wordStartAfter(text, Math.max(0, passage.start - SNIPPET_LEAD));
        const snippet = snippetOf(text.slice(from, passage.end), new Set(terms), {
          mark: opts.mark,
          clippedBefore: from > 0,
          clippedAfter: passage.end < text.length,
        });
        return { record, score, snippet, terms, passage: { ...passage } };
      });
  }

  /** Everything but the phrase boost: coverage of the query words and session recency. */
  private baseBoost(entry: Entry, parsed: ParsedQuery, result: SearchResult): number {
    let factor = 1;
    const { terms } = parsed;
    if (terms.length > 0) {
      const exact = new Set(result.terms);
      const near = new Set(result.queryTerms);
      const credit = terms.reduce((sum, t) => sum + (exact.has(t) ? 1 : near.has(t) ? NEAR_CREDIT : 0), 0);
      factor *= 1 - COVERAGE_WEIGHT + (COVERAGE_WEIGHT * credit) / terms.length;
    }
    if (this.newest > this.oldest) {
      factor *= 1 + (RECENCY_BOOST * (entry.record.sessionStarted - this.oldest)) / (this.newest - this.oldest);
    }
    return factor;
  }

  /** Between 1 and PHRASE_BOOST. */
  private phraseBoost(entry: Entry, parsed: ParsedQuery): number {
    if (parsed.free.length < 2) return 1;
    return 1 + (PHRASE_BOOST - 1) * adjacency(this.wordsOf(entry), parsed.free);
  }

  private wordsOf(entry: Entry): string[] {
    entry.words ??= words(entry.text.slice(entry.passage.start, entry.passage.end));
    return entry.words;
  }
}

function kthBest(best: Map<string, { score: number }>, k: number): number {
  const scores = [...best.values()].map((b) => b.score).sort((a, b) => b - a);
  return scores[k - 1] ?? 0;
}

/** The first word starting at or after `at` (a word cut by `at` is skipped). */
function wordStartAfter(text: string, at: number): number {
  const isWord = (i: number) => /[\p{L}\p{N}]/u.test(text[i] ?? '');
  let i = at;
  if (i > 0 && isWord(i - 1)) while (i < text.length && isWord(i)) i++;
  while (i < text.length && !isWord(i)) i++;
  return i < text.length ? i : at;
}

/**
 * Tool output keeps its colors: `\x1b[31merror` must index as "error", not "31merror", and no escape
 * may reach a snippet. Blanking instead of removing keeps offsets into record.text valid.
 */
function blankControls(text: string): string {
  return text
    .replace(/\x1b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-_])/g, (m) => ' '.repeat(m.length))
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/g, ' ');
}

/** Prefix matching only for words of 4+ characters: shorter ones match too much. */
function prefix(term: string): boolean {
  return term.length >= 4;
}

function toMiniQuery(parsed: ParsedQuery, fuzzy: (term: string) => number | false): Query {
  const queries: Query[] = parsed.phrases.map((p) => ({ queries: [p.join(' ')], combineWith: 'AND', prefix: false, fuzzy: false }));
  if (parsed.terms.length > 0) queries.push({ queries: [parsed.terms.join(' ')], combineWith: 'OR', prefix, fuzzy });
  return { queries, combineWith: 'OR' };
}

export async function buildMemoryIndex(records: Iterable<MemoryRecord> | AsyncIterable<MemoryRecord>): Promise<MemoryIndex> {
  const index = new MemoryIndex();
  for await (const record of records) index.add(record);
  return index;
}
