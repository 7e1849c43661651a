/**
 * The help screen's content, generated from the live keymap (so rebinding shows here) and laid out
 * for a width: one column, each command on its line with its key, its config name (the name `keys`
 * in the config rebinds) and its whole description, wrapped rather than cut. Pure, so the dialog
 * and its scrolling agree on how many lines there are.
 */
import type { Keymap } from '../config/keymap.js';

export interface HelpEntry {
  command: string;
  keys: string[];
  description: string;
}
export interface HelpSection {
  category: string;
  entries: HelpEntry[];
}

export type HelpLine =
  | { kind: 'title'; text: string }
  | { kind: 'entry'; keys: string; command: string; text: string }
  | { kind: 'more'; text: string }
  | { kind: 'blank' };

/** Focus keys 1–9 folded into one line; scroll-mode keys in their own section. */
export function helpSections(keymap: Keymap): HelpSection[] {
  const sections: HelpSection[] = [];
  const scroll: HelpEntry[] = [];
  const board: HelpEntry[] = [];
  for (const s of keymap.help()) {
    const entries: HelpEntry[] = [];
    const focus: HelpEntry[] = [];
    for (const e of s.entries) {
      const entry: HelpEntry = { command: e.command, keys: e.keys, description: e.description };
      if (e.scope === 'scroll') scroll.push({ ...entry, description: e.description.replace(/^Scroll mode: /, '') });
      else if (e.scope === 'board') board.push({ ...entry, description: e.description.replace(/^Task board: /, '') });
      else if (/^pane\.focus\d$/.test(e.command)) focus.push(entry);
      else entries.push(entry);
    }
    const digits = focus.every((e, i) => e.keys.length === 1 && e.keys[0] === String(i + 1));
    if (focus.length && digits) entries.unshift({ command: 'pane.focus1-9', keys: [`1-${focus.length}`], description: 'Focus pane N' });
    else entries.unshift(...focus);
    sections.push({ category: s.category, entries });
  }
  if (scroll.length) sections.push({ category: 'Scroll mode (after prefix [)', entries: scroll });
  if (board.length) sections.push({ category: 'Task board (after prefix t)', entries: board });
  return sections;
}

/** Words of `text` in lines of at most `width` characters (a longer word is cut, never lost). */
export function wrap(text: string, width: number): string[] {
  const w = Math.max(1, width);
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    let rest = word;
    while (rest.length > w) {
      if (line) out.push(line);
      out.push(rest.slice(0, w));
      rest = rest.slice(w);
      line = '';
    }
    if (!line) line = rest;
    else if (line.length + 1 + rest.length <= w) line += ` ${rest}`;
    else {
      out.push(line);
      line = rest;
    }
  }
  if (line || out.length === 0) out.push(line);
  return out;
}

/** Column widths of the help lines at `width`: keys, then the config name, then the description. */
export function helpColumns(sections: HelpSection[], width: number): { keys: number; command: number; text: number } {
  const entries = sections.flatMap((s) => s.entries);
  // Most keys are short; a long list of keys gets a line of its own instead of a wide column.
  const keys = Math.min(14, Math.max(...entries.map((e) => e.keys.join(' ').length), 1)) + 2;
  const command = Math.min(22, Math.max(...entries.map((e) => e.command.length), 1)) + 2;
  return { keys, command, text: Math.max(10, width - keys - command) };
}

export function helpLines(sections: HelpSection[], width: number): HelpLine[] {
  const cols = helpColumns(sections, width);
  const out: HelpLine[] = [];
  for (const [i, s] of sections.entries()) {
    if (i > 0) out.push({ kind: 'blank' });
    out.push({ kind: 'title', text: s.category });
    for (const e of s.entries) {
      const [first, ...more] = wrap(e.description, cols.text);
      const keys = e.keys.join(' ') || '(unbound)';
      if (keys.length >= cols.keys) out.push({ kind: 'entry', keys, command: '', text: '' });
      out.push({ kind: 'entry', keys: keys.length >= cols.keys ? '' : keys, command: e.command, text: first });
      for (const m of more) out.push({ kind: 'more', text: m });
    }
  }
  return out;
}
