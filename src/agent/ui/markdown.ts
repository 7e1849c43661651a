/**
 * Light markdown for a terminal, one line at a time, so a streaming reply can be rendered as each
 * line completes: headings, bullets, numbered lists, quotes, fenced code with a small keyword
 * highlighter, inline `code` and **bold**. The only state carried between lines is "inside a
 * fence, and its language".
 */
import type { TokenName } from '../../config/theme.js';

export interface Span {
  text: string;
  token?: TokenName;
  bold?: boolean;
}
export type Line = Span[];

export interface MdState {
  fence?: { lang: string };
}

const KEYWORDS = new Set(
  (
    'const let var function return if else for while do switch case break continue new class extends import export from default ' +
    'async await try catch finally throw typeof instanceof in of interface type enum implements public private protected readonly static ' +
    'def elif lambda pass raise with as yield None True False self fn pub mut impl struct trait use match loop mod null undefined true false this ' +
    'then fi esac done echo local'
  ).split(' '),
);

/** Splits one line of code into highlighted spans: comments, strings, keywords, numbers. */
export function highlight(code: string, lang: string): Line {
  const spans: Line = [];
  const hashComment = /^(py|python|sh|bash|shell|zsh|rb|ruby|yaml|yml|toml)$/.test(lang);
  const re = hashComment
    ? /(#.*$)|("(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?)|(\b[A-Za-z_][A-Za-z0-9_]*\b)|(\b\d[\d_.]*\b)/g
    : /(\/\/.*$|\/\*.*?(?:\*\/|$))|("(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|`(?:[^`\\]|\\.)*`?)|(\b[A-Za-z_$][A-Za-z0-9_$]*\b)|(\b\d[\d_.]*\b)/g;
  let at = 0;
  for (const m of code.matchAll(re)) {
    const i = m.index ?? 0;
    if (i > at) spans.push({ text: code.slice(at, i), token: 'md.code' });
    if (m[1]) spans.push({ text: m[1], token: 'md.comment' });
    else if (m[2]) spans.push({ text: m[2], token: 'md.string' });
    else if (m[3]) spans.push({ text: m[3], token: KEYWORDS.has(m[3]) ? 'md.keyword' : 'md.code' });
    else spans.push({ text: m[0], token: 'md.string' });
    at = i + m[0].length;
  }
  if (at < code.length) spans.push({ text: code.slice(at), token: 'md.code' });
  return spans;
}

/** Inline markup: `code` and **bold**. */
export function inline(text: string): Line {
  const spans: Line = [];
  const re = /`([^`]+)`|\*\*([^*]+)\*\*/g;
  let at = 0;
  for (const m of text.matchAll(re)) {
    const i = m.index ?? 0;
    if (i > at) spans.push({ text: text.slice(at, i) });
    if (m[1] !== undefined) spans.push({ text: m[1], token: 'md.code' });
    else spans.push({ text: m[2], bold: true });
    at = i + m[0].length;
  }
  if (at < text.length) spans.push({ text: text.slice(at) });
  return spans;
}

export function renderLine(line: string, state: MdState): Line {
  const fence = /^\s*```\s*([\w+-]*)/.exec(line);
  if (fence) {
    if (state.fence) {
      state.fence = undefined;
      return [{ text: '└──', token: 'md.comment' }];
    }
    state.fence = { lang: fence[1].toLowerCase() };
    return [{ text: `┌── ${fence[1] || 'code'}`, token: 'md.comment' }];
  }
  if (state.fence) return [{ text: '│ ', token: 'md.comment' }, ...highlight(line, state.fence.lang)];
  const heading = /^(#{1,6})\s+(.*)$/.exec(line);
  // Inline markup as elsewhere (`code` without its backticks), the rest in the heading's style.
  if (heading) return inline(heading[2]).map((s) => (s.token ? { ...s, bold: true } : { ...s, token: 'md.heading' }));
  const bullet = /^(\s*)[-*+]\s+(.*)$/.exec(line);
  if (bullet) return [{ text: `${bullet[1]}• ` }, ...inline(bullet[2])];
  const quote = /^>\s?(.*)$/.exec(line);
  if (quote) return [{ text: '▌ ', token: 'md.comment' }, ...inline(quote[1])];
  return inline(line);
}
