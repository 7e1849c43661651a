/**
 * A task in one line, as the person types it on the board: the title, then options the way
 * `agents task add` takes them:
 *
 *   Fix the cart total --to lead --after t1,t2 --check "npm test" --claim src/cart.js
 *
 * Quotes ("…" or '…') keep spaces in one word; a backslash escapes the next character.
 */
import type { NewTask, Task } from './task.js';

/** Splits a line into words as a shell would (quotes and backslashes), without running anything. */
export function words(line: string): string[] | { error: string } {
  const out: string[] = [];
  let cur = '';
  let quote: '"' | "'" | undefined;
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) cur += line[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) return { error: `a ${quote} quote is not closed` };
  if (inWord) out.push(cur);
  return out;
}

const OPTIONS = ['--to', '--after', '--check', '--claim', '--details'] as const;

export function parseTaskLine(line: string): NewTask | { error: string } {
  const w = words(line);
  if ('error' in w) return w;
  const title: string[] = [];
  const task: NewTask = { title: '' };
  for (let i = 0; i < w.length; i++) {
    const word = w[i];
    if (!(OPTIONS as readonly string[]).includes(word)) {
      if (word.startsWith('--')) return { error: `unknown option ${word}; the options are ${OPTIONS.join(', ')}` };
      title.push(word);
      continue;
    }
    const value = w[++i];
    if (value === undefined || value.startsWith('--')) return { error: `${word} needs a value` };
    if (word === '--to') task.to = value;
    else if (word === '--check') task.check = value;
    else if (word === '--details') task.details = value;
    else if (word === '--after') {
      const ids = value.split(',').map((x) => x.trim()).filter(Boolean);
      const bad = ids.find((id) => !/^t\d+$/.test(id));
      if (bad) return { error: `--after takes task ids like t1,t2; found "${bad}"` };
      task.after = [...(task.after ?? []), ...ids];
    } else task.claims = [...(task.claims ?? []), value];
  }
  task.title = title.join(' ').trim();
  if (!task.title) return { error: 'a task needs a title before its options' };
  return task;
}

/** A task back as one line (for editing on the board). */
export function taskToLine(t: Task): string {
  const q = (s: string) => (/[\s"'\\]/.test(s) ? `"${s.replace(/["\\]/g, '\\$&')}"` : s);
  // The title goes back quoted whole when a word of it would read as a quote, an escape or an option.
  const parts = [/["'\\]|(^|\s)--/.test(t.title) ? `"${t.title.replace(/["\\]/g, '\\$&')}"` : t.title];
  if (t.owner) parts.push('--to', q(t.owner));
  if (t.deps.length) parts.push('--after', t.deps.join(','));
  if (t.check) parts.push('--check', q(t.check));
  for (const c of t.claims) parts.push('--claim', q(c));
  return parts.join(' ');
}
