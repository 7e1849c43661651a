/**
 * Glob patterns for list_files, matched against paths relative to the project root.
 *
 * Supported: `*` and `?` (never across `/`), `**` as a whole segment (any depth, including none),
 * `[abc]`, `[a-z]`, `[!abc]`, `{a,b}` (nestable) and `\` to escape. Unlike shells, `*` also matches
 * names starting with a dot: a model asking for `**\/*.yml` wants `.github/workflows/ci.yml` too, and
 * ignore files already decide what is hidden.
 */

import type { RE2JS } from 're2js';
import { re2 } from './re2.js';

const GLOB_CHARS = /[*?[{]/;

export function hasGlobChars(pattern: string): boolean {
  return GLOB_CHARS.test(pattern.replace(/\\./g, ''));
}

/** The leading segments without glob characters: the folder a walk can start from. */
export function staticPrefix(pattern: string): string {
  const segments = pattern.split('/');
  const fixed: string[] = [];
  for (const segment of segments.slice(0, -1)) {
    if (hasGlobChars(segment) || segment.includes('\\')) break;
    fixed.push(segment);
  }
  return fixed.join('/');
}

/**
 * The glob as a regular expression on RE2 (linear time): compiled for V8's backtracking engine, a
 * pattern like `*a*a*a*a*a*a*a*a*a*a*b` or many `**` segments took minutes on one long path.
 */
export function globToRegExp(glob: string): RE2JS {
  let re = '';
  let depth = 0;
  const closers = matchingBraces(glob);
  const segmentStart = (i: number) => i === 0 || glob[i - 1] === '/' || glob[i - 1] === '{' || (depth > 0 && glob[i - 1] === ',');
  const segmentEnd = (j: number) => j === glob.length || glob[j] === '/' || (depth > 0 && (glob[j] === '}' || glob[j] === ','));
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\' && i + 1 < glob.length) {
      re += escapeRe(glob[++i]);
    } else if (c === '*') {
      let j = i;
      while (glob[j] === '*') j++;
      if (j - i >= 2 && segmentStart(i) && segmentEnd(j)) {
        if (glob[j] === '/') {
          re += '(?:.*/)?';
          j++;
        } else {
          re += '.*';
        }
      } else {
        re += '[^/]*';
      }
      i = j - 1;
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '[') {
      const end = classEnd(glob, i);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, end);
      const negated = body.startsWith('!') || body.startsWith('^');
      if (negated) body = body.slice(1);
      body = body.replace(/[\\\]^[]/g, (ch) => `\\${ch}`);
      re += negated ? `[^/${body}]` : `[${body}]`;
      i = end;
    } else if (c === '{' && closers.has(i)) {
      re += '(?:';
      depth++;
    } else if (c === ',' && depth > 0) {
      re += '|';
    } else if (c === '}' && depth > 0) {
      re += ')';
      depth--;
    } else {
      re += escapeRe(c);
    }
  }
  return re2().compile(`^${re}$`);
}

/** Positions of `{` that have a matching `}`; an unmatched brace is a literal character. */
function matchingBraces(glob: string): Set<number> {
  const open: number[] = [];
  const matched = new Set<number>();
  for (let i = 0; i < glob.length; i++) {
    if (glob[i] === '\\') i++;
    else if (glob[i] === '{') open.push(i);
    else if (glob[i] === '}' && open.length > 0) matched.add(open.pop() as number);
  }
  return matched;
}

function classEnd(glob: string, start: number): number {
  let i = start + 1;
  if (glob[i] === '!' || glob[i] === '^') i++;
  if (glob[i] === ']') i++; // A leading `]` is a member, not the end.
  for (; i < glob.length; i++) {
    if (glob[i] === '/') return -1;
    if (glob[i] === ']') return i;
  }
  return -1;
}

function escapeRe(ch: string): string {
  return ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
