/**
 * Text handling for memory search: one tokenizer shared by the index, the phrase check and the
 * snippets, so a word the index matched is a word the snippet can find and highlight.
 *
 * Words are runs of letters and digits; everything else (spaces, punctuation, `_`, `/`, `-`) separates
 * them, so `rate_limit`, `rate-limit` and `rate limit` all read as the two words "rate limit".
 * camelCase identifiers are also indexed by their parts, so "memory" finds `searchMemoryTool`.
 */
import type { Passage } from './hit.js';

export interface Token {
  /** as written */
  word: string;
  /** lower case, what the index holds */
  norm: string;
  start: number;
  end: number;
}

const WORD = /[\p{L}\p{N}]+/gu;

export function tokens(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(WORD)) {
    out.push({ word: m[0], norm: m[0].toLowerCase(), start: m.index, end: m.index + m[0].length });
  }
  return out;
}

export function words(text: string): string[] {
  return tokens(text).map((t) => t.norm);
}

/** minisearch's tokenizer: raw words, so processTerm still sees camelCase. */
export function tokenizeRaw(text: string): string[] {
  return text.match(WORD) ?? [];
}

/** `searchMemoryTool` -> search, memory, tool; `HTTPServer2` -> http, server2. Lower case. */
export function camelParts(word: string): string[] {
  const parts = word
    .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1 $2')
    .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, '$1 $2')
    .split(' ');
  return parts.length > 1 ? parts.map((p) => p.toLowerCase()) : [];
}

/** Index-time term processing: the whole word plus its camelCase parts. */
export function indexTerms(word: string): string[] {
  return [word.toLowerCase(), ...camelParts(word)];
}

/** Common words dropped from free query terms (not from phrases), unless the query is nothing else. */
const STOP_WORDS = new Set(
  ('a an and are as at be but by did do does for from had has have how i if in into is it its me my of on or ' +
    'our so than that the their them then there these they this to was we were what when where which who why ' +
    'will with would you your')
    .split(' '),
);

export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word);
}

export interface ParsedQuery {
  /** quoted phrases, each as its lower-case words (a one-word "phrase" is just an exact word) */
  phrases: string[][];
  /** unquoted words in order, stop words included (for the adjacency boost) */
  free: string[];
  /** unquoted words worth searching for */
  terms: string[];
}

export function parseQuery(query: string): ParsedQuery {
  const phrases: string[][] = [];
  const rest: string[] = [];
  // An unmatched quote runs to the end of the query.
  const re = /"([^"]*)("|$)/g;
  let last = 0;
  for (const m of query.matchAll(re)) {
    rest.push(query.slice(last, m.index));
    const phrase = words(m[1]);
    if (phrase.length > 0) phrases.push(phrase);
    last = m.index + m[0].length;
  }
  rest.push(query.slice(last));
  const free = words(rest.join(' '));
  const content = free.filter((w) => !isStopWord(w));
  const terms = content.length > 0 || phrases.length > 0 ? content : free;
  return { phrases, free, terms: [...new Set(terms)] };
}

/** Does `phrase` occur in `list` as consecutive words? */
export function hasPhrase(list: readonly string[], phrase: readonly string[]): boolean {
  if (phrase.length === 0) return false;
  outer: for (let i = 0; i + phrase.length <= list.length; i++) {
    for (let j = 0; j < phrase.length; j++) if (list[i + j] !== phrase[j]) continue outer;
    return true;
  }
  return false;
}

/**
 * How much of the unquoted query appears in `list` as written: 1 when all of it does word for word;
 * otherwise the share of its adjacent pairs of content words ("rate limit" in "what is the rate
 * limit") found side by side. 0 when the query has no such pair.
 */
export function adjacency(list: readonly string[], free: readonly string[]): number {
  if (free.length < 2) return 0;
  if (hasPhrase(list, free)) return 1;
  let total = 0;
  let found = 0;
  for (let i = 0; i + 1 < free.length; i++) {
    if (isStopWord(free[i]) || isStopWord(free[i + 1])) continue;
    total++;
    if (hasPhrase(list, [free[i], free[i + 1]])) found++;
  }
  return total === 0 ? 0 : found / total;
}

export type { Passage };

export const PASSAGE_WORDS = 80;
/** Words shared by neighbouring passages, so a phrase across a cut is still found whole. */
const OVERLAP_WORDS = 12;
/** A huge tool output is indexed by its beginning only. */
const MAX_PASSAGES = 200;

/**
 * Splits text into passages of about PASSAGE_WORDS words, cutting after a sentence or line end when
 * one is near. Short texts are one passage covering all of it.
 */
export function splitPassages(text: string, size = PASSAGE_WORDS): Passage[] {
  const toks = tokens(text);
  if (toks.length <= size + size / 4) return [{ start: 0, end: text.length }];
  const out: Passage[] = [];
  let first = 0;
  while (first < toks.length && out.length < MAX_PASSAGES) {
    let last = Math.min(first + size, toks.length) - 1;
    if (toks.length - last - 1 < size / 4) last = toks.length - 1;
    else last = sentenceEnd(text, toks, first + Math.floor(size * 0.7), last);
    out.push({ start: first === 0 ? 0 : toks[first].start, end: last === toks.length - 1 ? text.length : toks[last].end });
    if (last === toks.length - 1) break;
    first = Math.max(last + 1 - OVERLAP_WORDS, first + 1);
  }
  return out;
}

function sentenceEnd(text: string, toks: Token[], from: number, to: number): number {
  for (let i = to; i >= from; i--) {
    const gap = text.slice(toks[i].end, toks[i + 1]?.start ?? text.length);
    if (/[.!?:;]|\n/.test(gap)) return i;
  }
  return to;
}

export type Marker = (word: string) => string;

/** Does this token count as a match for the terms the index reported? */
export function tokenMatches(tok: Token, terms: ReadonlySet<string>): boolean {
  if (terms.has(tok.norm)) return true;
  return camelParts(tok.word).some((p) => terms.has(p));
}

/** Wraps every matching word of `text` with `mark`. */
export function markWords(text: string, terms: ReadonlySet<string>, mark: Marker): string {
  let out = '';
  let at = 0;
  for (const tok of tokens(text)) {
    if (!tokenMatches(tok, terms)) continue;
    out += text.slice(at, tok.start) + mark(tok.word);
    at = tok.end;
  }
  return out + text.slice(at);
}

export const SNIPPET_CHARS = 160;

/**
 * About `size` characters of `text` around its best match: the window holding the most distinct
 * matched words, opening a little before the first of them. Whitespace is collapsed to single spaces;
 * cuts fall between words and are shown with "…". `clippedBefore` says the text itself starts mid-way
 * through something longer (a later passage of a message).
 */
export function snippetOf(
  rawText: string,
  terms: ReadonlySet<string>,
  opts: { size?: number; mark?: Marker; clippedBefore?: boolean; clippedAfter?: boolean } = {},
): string {
  const size = opts.size ?? SNIPPET_CHARS;
  const text = rawText.replace(/\s+/g, ' ').trim();
  const toks = tokens(text);
  const hits = toks.filter((t) => tokenMatches(t, terms));
  let start = 0;
  if (text.length > size && hits.length > 0) {
    let best = -1;
    let bestScore = -1;
    for (const h of hits) {
      const inWindow = hits.filter((o) => o.start >= h.start && o.end <= h.start + size - 30);
      const score = new Set(inWindow.map((o) => o.norm)).size * 100 + inWindow.length;
      if (score > bestScore) {
        best = h.start;
        bestScore = score;
      }
    }
    start = Math.max(0, Math.min(best - 30, text.length - size));
  }
  let end = Math.min(text.length, start + size);
  // Snap to word boundaries.
  if (start > 0) {
    // A word cut by the window's left edge is dropped whole.
    const next = toks.find((t) => t.start >= start);
    if (next) start = next.start;
  }
  if (end < text.length) {
    const cut = toks.find((t) => t.start < end && t.end > end);
    if (cut && cut.start > start) end = cut.start;
  }
  const body = text.slice(start, end).trim();
  const marked = opts.mark ? markWords(body, terms, opts.mark) : body;
  const before = start > 0 || opts.clippedBefore ? '…' : '';
  const after = end < text.length || opts.clippedAfter ? '…' : '';
  return before + marked + after;
}
