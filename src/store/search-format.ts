/**
 * `agents search QUERY` and `agents sessions` output: one block per hit or session, every line within
 * `width` columns.
 *
 *   claude · assistant message · 3 days ago (2025-03-05 14:03 UTC)
 *   session 7f3c2a91, started 2025-03-05
 *     …we settled the rate limit at 50 requests a minute per key, and the client backs off…
 *
 * With color on, matched words are bold and the session line is dim; with it off there is no escape
 * sequence at all. Snippets are expected plain (the index's default), they are highlighted here.
 *
 * Everything shown is stored outside text (instructions, tool output, file names, agent names): it
 * goes through `clean`, so colours are dropped, line breaks become spaces and any other control or
 * bidi character is shown escaped (`\x1b`, `\u202e`) instead of acting on the terminal.
 */
import { formatCost, formatTokens } from '../util/format.js';
import { printable } from '../util/safe-text.js';
import { plural } from '../util/text.js';
import type { Hit, MemoryRecord } from './search.js';
import { markWords } from './search-text.js';
import type { SessionSummary } from './schema.js';

export interface FormatOptions {
  color: boolean;
  /** terminal columns */
  width: number;
  /** for "3 days ago" */
  now: number;
  /** named in the no-match line */
  query?: string;
}

const BOLD = (s: string) => `\x1b[1m${s}\x1b[22m`;
const DIM = (s: string) => `\x1b[2m${s}\x1b[22m`;
const INDENT = '  ';

export function formatHits(hits: readonly Hit[], opts: FormatOptions): string {
  const width = Math.max(24, Math.floor(opts.width));
  if (hits.length === 0) {
    const what = opts.query ? `No past messages, notes or changes match ${quoteQuery(opts.query)}.` : 'Nothing matched.';
    return wrap(`${what} Try fewer or shorter words, or drop the quotes around a phrase.`, width).join('\n') + '\n';
  }
  const blocks = hits.map((hit) => {
    const { record } = hit;
    const head = fit(`${who(record)} · ${kindLabel(record)} · ${relativeTime(record.time, opts.now)} (${isoMinute(record.time)})`, width);
    const session = fit(`session ${record.sessionId}, started ${isoDay(record.sessionStarted)}`, width);
    const terms = new Set(hit.terms);
    const body = wrap(clean(hit.snippet), width - INDENT.length).map(
      (line) => INDENT + (opts.color ? markWords(line, terms, BOLD) : line),
    );
    return [head, opts.color ? DIM(session) : session, ...body].join('\n');
  });
  return blocks.join('\n\n') + '\n';
}

/** The query as typed, in quotes that do not clash with its own. */
export function quoteQuery(query: string): string {
  const q = clean(query);
  return q.includes('"') ? `'${q}'` : `"${q}"`;
}

function who(record: MemoryRecord): string {
  if (record.agent) return record.agent;
  return record.role === 'user' ? 'you' : 'unknown agent';
}

export function kindLabel(record: MemoryRecord): string {
  switch (record.kind) {
    case 'message':
      return record.role ? `${record.role} message` : 'message';
    case 'tool':
      return 'tool call';
    default:
      return record.kind;
  }
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "just now", "5 minutes ago", "yesterday", "3 days ago", "2 months ago"… */
export function relativeTime(time: number, now: number): string {
  const diff = now - time;
  if (diff < -MINUTE) return 'in the future';
  if (diff < 45_000) return 'just now';
  if (diff < 90_000) return 'a minute ago';
  if (diff < 45 * MINUTE) return `${Math.round(diff / MINUTE)} minutes ago`;
  if (diff < 90 * MINUTE) return 'an hour ago';
  if (diff < 22 * HOUR) return `${Math.round(diff / HOUR)} hours ago`;
  if (diff < 36 * HOUR) return 'yesterday';
  if (diff < 14 * DAY) return `${Math.max(2, Math.round(diff / DAY))} days ago`;
  if (diff < 60 * DAY) return `${Math.round(diff / (7 * DAY))} weeks ago`;
  if (diff < 365 * DAY) return `${Math.max(2, Math.round(diff / (30 * DAY)))} months ago`;
  const years = Math.round(diff / (365 * DAY));
  return years <= 1 ? 'a year ago' : `${years} years ago`;
}

export function isoMinute(time: number): string {
  return `${new Date(time).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function isoDay(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

/**
 * One line of stored text as it may be shown: CSI sequences (colours, cursor moves in tool output)
 * are dropped, whitespace controls become single spaces, anything else a terminal would act on
 * (an OSC 52 clipboard write, C1, bidi overrides) is shown escaped.
 */
function clean(text: string): string {
  const plain = text
    .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, ' ')
    .replace(/[\t\n\v\f\r\u2028\u2029]/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
  return printable(plain);
}

/**
 * One session for `agents sessions`: id and age; panes, messages, tokens, cost; the first
 * instruction quoted on one line (cut to `width`).
 */
export function formatSession(s: SessionSummary, opts: { width: number; now: number; empty?: boolean }): string {
  const width = Math.max(24, Math.floor(opts.width));
  const agents = s.agents.map((a) => a.name).join(', ');
  const head = `${s.id}  ${relativeTime(s.started, opts.now)}${s.ended ? '' : ' (open or not closed cleanly)'}${opts.empty ? ' (empty)' : ''}`;
  const counts = [`${plural(s.agents.length, 'pane')}: ${agents}`, plural(s.messages, 'message')];
  if (s.notes) counts.push(plural(s.notes, 'note'));
  if (s.changes) counts.push(plural(s.changes, 'change'));
  counts.push(s.tokens === 1 ? '1 token' : `${formatTokens(s.tokens)} tokens`, formatCost(s.cost));
  const first = s.firstInstruction ? clean(s.firstInstruction) : '';
  const quoted = first ? `  “${clip(first, width - 6)}”\n` : '';
  return `${printable(head)}\n  ${printable(counts.join(' · '))}\n${quoted}`;
}

function clip(s: string, n: number): string {
  const chars = [...s];
  return chars.length <= n ? s : `${chars.slice(0, Math.max(1, n - 1)).join('')}…`;
}

function fit(line: string, width: number): string {
  const chars = [...clean(line)];
  return chars.length <= width ? chars.join('') : `${chars.slice(0, width - 1).join('')}…`;
}

/** Word wrap to `width` columns; words longer than a line are cut. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (let word of text.split(' ')) {
    if (word === '') continue;
    while ([...word].length > width) {
      if (line) lines.push(line);
      line = '';
      const chars = [...word];
      lines.push(chars.slice(0, width).join(''));
      word = chars.slice(width).join('');
    }
    if (!line) line = word;
    else if ([...line].length + 1 + [...word].length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  return lines;
}
