/**
 * Shapes the keymap's help into what the help screen shows: focus keys 1–9 folded into one line,
 * scroll-mode keys in their own section. Generated from the live keymap, so rebinding shows here.
 */
import type { Keymap } from '../config/keymap.js';
import type { HelpEntry, HelpSection } from './context.js';

export function helpSections(keymap: Keymap): HelpSection[] {
  const sections: HelpSection[] = [];
  const scroll: HelpEntry[] = [];
  for (const s of keymap.help()) {
    const entries: HelpEntry[] = [];
    const focus: HelpEntry[] = [];
    for (const e of s.entries) {
      const entry: HelpEntry = { command: e.command, keys: e.keys, description: e.description, reserved: e.reserved };
      if (e.scope === 'scroll') scroll.push({ ...entry, description: e.description.replace(/^Scroll mode: /, '') });
      else if (/^pane\.focus\d$/.test(e.command)) focus.push(entry);
      else entries.push(entry);
    }
    const digits = focus.every((e, i) => e.keys.length === 1 && e.keys[0] === String(i + 1));
    if (focus.length && digits) entries.unshift({ command: 'pane.focusN', keys: [`1-${focus.length}`], description: 'Focus pane N' });
    else entries.unshift(...focus);
    sections.push({ category: s.category, entries });
  }
  if (scroll.length) sections.push({ category: 'Scroll mode', entries: scroll });
  return sections;
}
