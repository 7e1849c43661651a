// The keymap as data: named commands with default bindings, binding strings that parse and print
// back unchanged, and matching of key events against them across every encoding a terminal may use.
//
// Canonical binding text: modifiers in the order ctrl+alt+shift, then the key. A letter with shift
// is written as the uppercase letter ("I", "ctrl+A"), never "shift+i"; named keys keep "shift+"
// ("shift+tab"). Other characters cannot take shift: the terminal sends the shifted character itself.

import type { KeyEvent, NamedKey } from '../terminal/input.js';
import { printable } from '../util/safe-text.js';
import { editDistance } from '../util/text.js';

export interface KeyPattern { readonly key: string; readonly ctrl: boolean; readonly alt: boolean; readonly shift: boolean }
export type Scope = 'prefix' | 'scroll' | 'board';
export type Category = 'Panes' | 'Agents' | 'View' | 'Workspace';

export class KeyBindingError extends Error {
  readonly kind = 'key-binding' as const;
}

export const DEFAULT_PREFIX = 'ctrl+a';
/** Stands for "the prefix key" in a command's bindings (prefix.send: press the prefix twice). */
export const PREFIX_AGAIN = 'prefix';

const NAMED_KEYS: readonly NamedKey[] = [
  'up', 'down', 'left', 'right', 'home', 'end', 'pageup', 'pagedown', 'insert', 'delete', 'backspace', 'tab',
  'enter', 'escape', 'space', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7', 'f8', 'f9', 'f10', 'f11', 'f12',
];
const KEY_ALIASES: Record<string, NamedKey> = {
  esc: 'escape', return: 'enter', pgup: 'pageup', pgdn: 'pagedown', pgdown: 'pagedown', del: 'delete',
  ins: 'insert', bs: 'backspace', arrowup: 'up', arrowdown: 'down', arrowleft: 'left', arrowright: 'right',
};
const MOD_ALIASES: Record<string, 'ctrl' | 'alt' | 'shift'> = {
  ctrl: 'ctrl', control: 'ctrl', alt: 'alt', meta: 'alt', option: 'alt', opt: 'alt', shift: 'shift',
};

function cmd<N extends string>(name: N, category: Category, scope: Scope, defaults: readonly string[], description: string) {
  return { name, category, scope, defaults, description } as const;
}
const PANE_NUMBERS = [1, 2, 3, 4, 5, 6, 7, 8, 9] as const;

export const COMMANDS = [
  ...PANE_NUMBERS.map((n) => cmd(`pane.focus${n}` as const, 'Panes', 'prefix', [`${n}`], `Focus pane ${n}`)),
  cmd('pane.focusLeft', 'Panes', 'prefix', ['left', 'h'], 'Focus the pane to the left'),
  cmd('pane.focusDown', 'Panes', 'prefix', ['down', 'j'], 'Focus the pane below'),
  cmd('pane.focusUp', 'Panes', 'prefix', ['up', 'k'], 'Focus the pane above'),
  cmd('pane.focusRight', 'Panes', 'prefix', ['right', 'l'], 'Focus the pane to the right'),
  cmd('pane.focusNext', 'Panes', 'prefix', ['o', 'tab'], 'Focus the next pane'),
  cmd('pane.new', 'Panes', 'prefix', ['c'], 'Start a new agent (pick a preset)'),
  cmd('pane.close', 'Panes', 'prefix', ['x'], 'Close the focused pane (asks first)'),
  cmd('pane.restart', 'Panes', 'prefix', ['R'], 'Restart the focused pane'),
  cmd('agent.interrupt', 'Agents', 'prefix', ['i'], 'Interrupt the focused agent'),
  cmd('agent.interruptAll', 'Agents', 'prefix', ['I'], 'Interrupt every agent'),
  cmd('agent.redirect', 'Agents', 'prefix', ['r'], 'Interrupt the focused agent and give it a new instruction'),
  cmd('agent.broadcast', 'Agents', 'prefix', ['b'], 'Interrupt every agent and give them all a new instruction'),
  cmd('agent.nextWaiting', 'Agents', 'prefix', ['a'], 'Jump to the agent that has waited longest for you'),
  cmd('tasks.toggle', 'Agents', 'prefix', ['t'], 'Show the task board beside the panes and give it the keyboard, or close it'),
  cmd('worktree.review', 'Agents', 'prefix', ['v'], 'Review the focused agent\'s worktree: its change against its base, files with +/- counts and the diff'),
  cmd('worktree.merge', 'Agents', 'prefix', ['m'], 'Merge the focused agent\'s worktree into its base: its work is committed (message from its last summary, editable), then merged per worktree.merge'),
  cmd('pane.zoom', 'View', 'prefix', ['z'], 'Zoom the focused pane, or go back to all panes'),
  cmd('pane.scroll', 'View', 'prefix', ['['], 'Scroll mode: read back through the focused pane'),
  cmd('context.toggle', 'View', 'prefix', ['f'], 'Show or hide the shared-context panel (changes feed, notes)'),
  cmd('context.note', 'View', 'prefix', ['n'], 'Post a note to every agent on the notes board'),
  cmd('context.scrollUp', 'View', 'prefix', ['{'], 'Scroll the shared-context panel towards newer changes'),
  cmd('context.scrollDown', 'View', 'prefix', ['}'], 'Scroll the shared-context panel towards older changes'),
  cmd('scroll.up', 'View', 'scroll', ['up', 'k'], 'Scroll mode: up one line'),
  cmd('scroll.down', 'View', 'scroll', ['down', 'j'], 'Scroll mode: down one line'),
  cmd('scroll.pageUp', 'View', 'scroll', ['pageup', 'ctrl+b'], 'Scroll mode: up one page'),
  cmd('scroll.pageDown', 'View', 'scroll', ['pagedown', 'ctrl+f', 'space'], 'Scroll mode: down one page'),
  cmd('scroll.top', 'View', 'scroll', ['g'], 'Scroll mode: oldest output'),
  cmd('scroll.bottom', 'View', 'scroll', ['G'], 'Scroll mode: newest output'),
  cmd('scroll.exit', 'View', 'scroll', ['q', 'escape'], 'Leave scroll mode'),
  cmd('board.up', 'View', 'board', ['up', 'k'], 'Task board: select the task above'),
  cmd('board.down', 'View', 'board', ['down', 'j'], 'Task board: select the task below'),
  cmd('board.details', 'View', 'board', ['enter'], 'Task board: the selected task in full, with its last check output'),
  cmd('board.add', 'View', 'board', ['a'], 'Task board: add a task (title --to NAME --after t1 --check "command")'),
  cmd('board.edit', 'View', 'board', ['e'], 'Task board: edit or assign the selected task'),
  cmd('board.done', 'View', 'board', ['d'], 'Task board: mark the selected task done for its owner (an agent without tools)'),
  cmd('board.retry', 'View', 'board', ['r'], 'Task board: retry a blocked or failed task'),
  cmd('board.cancel', 'View', 'board', ['x'], 'Task board: cancel the selected task'),
  cmd('board.approve', 'View', 'board', ['y'], 'Task board: let the selected task\'s check run (a check an agent wrote waits for this)'),
  cmd('board.budget', 'View', 'board', ['B'], 'Task board: raise the budget that stopped the selected task or its owner by half, and let it go on'),
  cmd('board.answer', 'View', 'board', ['A'], 'Task board: answer the question an agent asked you'),
  cmd('board.leave', 'View', 'board', ['escape', 'q'], 'Leave the task board (it stays open; prefix t closes it)'),
  cmd('app.help', 'Workspace', 'prefix', ['?'], 'Show this help'),
  cmd('app.quit', 'Workspace', 'prefix', ['q'], 'Quit (asks when an agent is busy or waiting for you; the session is saved)'),
  cmd('app.detach', 'Workspace', 'prefix', ['d'], 'Detach this terminal: the agents go on; agents attach comes back'),
  cmd('prefix.send', 'Workspace', 'prefix', [PREFIX_AGAIN], 'Send the prefix key itself to the focused pane'),
];
export type CommandName = (typeof COMMANDS)[number]['name'];
/**
 * What a command does, apart from its binding name: the nine `pane.focusN` bindings are one command,
 * `pane.focus`, with the pane's index as its argument.
 */
export type CommandId = Exclude<CommandName, `pane.focus${(typeof PANE_NUMBERS)[number]}`> | 'pane.focus';

/** The command a binding name stands for: `pane.focus3` is `{ id: 'pane.focus', arg: 2 }`. */
export function commandOf(name: CommandName): { id: CommandId; arg?: number } {
  const n = PANE_NUMBERS.find((k) => name === `pane.focus${k}`);
  return n === undefined ? { id: name as CommandId } : { id: 'pane.focus', arg: n - 1 };
}
const CATEGORIES: readonly Category[] = ['Panes', 'Agents', 'View', 'Workspace'];

export interface HelpEntry { command: CommandName; scope: Scope; keys: string[]; description: string }
export interface Keymap {
  readonly prefix: KeyPattern;
  lookup(scope: Scope, ev: KeyEvent): CommandName | undefined;
  isPrefix(ev: KeyEvent): boolean;
  bindingsOf(command: CommandName): string[];
  help(): Array<{ category: Category; entries: HelpEntry[] }>;
}

const codepoints = (s: string): number => [...s].length;
/** A one-character key that has an uppercase form distinct from itself. */
const isCaseLetter = (k: string): boolean => codepoints(k) === 1 && k.toUpperCase() !== k.toLowerCase()
  && codepoints(k.toUpperCase()) === 1 && codepoints(k.toLowerCase()) === 1;

export function parseBinding(input: string): KeyPattern | KeyBindingError {
  const s = input.trim();
  const bad = (why: string) => new KeyBindingError(printable(`${JSON.stringify(input)} is not a key: ${why}`));
  if (s === '') return bad('it is empty');
  let keyPart: string;
  let modParts: string[];
  if (s === '+') [keyPart, modParts] = ['+', []];
  else if (s.endsWith('++')) [keyPart, modParts] = ['+', s.slice(0, -2).split('+')];
  else {
    modParts = s.split('+');
    keyPart = modParts.pop() ?? '';
  }
  const m = { ctrl: false, alt: false, shift: false };
  for (const part of modParts) {
    const mod = MOD_ALIASES[part.toLowerCase()];
    if (!mod) return bad(part === '' ? 'a "+" has nothing before it' : `unknown modifier "${part}" (use ctrl, alt or shift)`);
    if (m[mod]) return bad(`${mod} appears twice`);
    m[mod] = true;
  }
  if (keyPart === '') return bad('the key after the last "+" is missing');
  if (codepoints(keyPart) === 1) {
    if (/[\s\p{C}]/u.test(keyPart)) return bad('write space, tab, enter and control keys by name (space, ctrl+a)');
    if (isCaseLetter(keyPart)) {
      const lower = keyPart.toLowerCase();
      return { key: lower, ctrl: m.ctrl, alt: m.alt, shift: m.shift || lower !== keyPart };
    }
    if (m.shift) return bad('shift only goes with letters and named keys; write the character shift types (e.g. "?", not "shift+/")');
    return { key: keyPart, ...m };
  }
  const lower = keyPart.toLowerCase();
  const name = (NAMED_KEYS as readonly string[]).includes(lower) ? lower : KEY_ALIASES[lower];
  if (name) return { key: name, ...m };
  const near = closest(lower, [...NAMED_KEYS, ...Object.keys(KEY_ALIASES)]);
  const hint = near ? ` (did you mean "${KEY_ALIASES[near] ?? near}"?)` : '';
  return bad(`unknown key "${keyPart}"${hint}; a key is one character or one of ${NAMED_KEYS.join(', ')}`);
}

export function formatBinding(p: KeyPattern): string {
  const parts: string[] = [];
  if (p.ctrl) parts.push('ctrl');
  if (p.alt) parts.push('alt');
  const letter = isCaseLetter(p.key);
  if (p.shift && !letter) parts.push('shift');
  parts.push(p.shift && letter ? p.key.toUpperCase() : p.key);
  return parts.join('+');
}

/** The key an event stands for, shift folded into letters as in binding text. */
export function keyOfEvent(ev: KeyEvent): KeyPattern | undefined {
  if (ev.kind === 'named') return { key: ev.name, ...ev.mods };
  if (ev.kind !== 'char') return undefined;
  const { ctrl, alt } = ev.mods;
  if (ev.char === ' ') return { key: 'space', ctrl, alt, shift: ev.mods.shift };
  if (isCaseLetter(ev.char)) {
    const lower = ev.char.toLowerCase();
    return { key: lower, ctrl, alt, shift: ev.mods.shift || lower !== ev.char };
  }
  return { key: ev.char, ctrl, alt, shift: false }; // '?' arrives as '?', whatever shift did to make it
}

// Legacy terminals cannot tell these Ctrl keys from the named keys sharing their byte: Ctrl+I is Tab,
// Ctrl+M is Enter, Ctrl+H is Backspace on many terminals, Ctrl+[ is Escape, Ctrl+@ is NUL, Ctrl+/ is
// 0x1f. A binding on either name has to fire for the byte.
const LEGACY_CTRL: Record<string, string> = { '\t': 'i', '\r': 'm', '\x08': 'h', '\x1b': '[', '\x00': '@', '\x1f': '/' };

function candidates(ev: KeyEvent): KeyPattern[] {
  const main = keyOfEvent(ev);
  if (!main) return [];
  const alt = ev.raw.length === 2 && ev.raw[0] === '\x1b';
  const byte = alt ? ev.raw[1] : ev.raw.length === 1 ? ev.raw : '';
  const legacy = LEGACY_CTRL[byte];
  return legacy ? [main, { key: legacy, ctrl: true, alt, shift: false }] : [main];
}

const samePattern = (a: KeyPattern, b: KeyPattern): boolean =>
  a.key === b.key && a.ctrl === b.ctrl && a.alt === b.alt && a.shift === b.shift;

export function matchKey(pattern: KeyPattern, ev: KeyEvent): boolean {
  return candidates(ev).some((c) => samePattern(c, pattern));
}

function closest(word: string, options: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  const bySuffix = options.find((o) => o.toLowerCase().endsWith(`.${w}`));
  if (bySuffix) return bySuffix;
  let best: string | undefined;
  let bestScore = Math.max(1, Math.floor(w.length / 3)) + 1;
  for (const option of options) {
    const score = editDistance(w, option.toLowerCase());
    if (score < bestScore) [best, bestScore] = [option, score];
  }
  return best;
}

class BoundKeymap implements Keymap {
  constructor(
    readonly prefix: KeyPattern,
    private readonly bindings: ReadonlyMap<CommandName, readonly KeyPattern[]>,
    private readonly tables: Record<Scope, ReadonlyMap<string, CommandName>>,
  ) {}

  lookup(scope: Scope, ev: KeyEvent): CommandName | undefined {
    for (const c of candidates(ev)) {
      const hit = this.tables[scope].get(formatBinding(c));
      if (hit) return hit;
    }
    return undefined;
  }

  isPrefix(ev: KeyEvent): boolean {
    return matchKey(this.prefix, ev);
  }

  bindingsOf(command: CommandName): string[] {
    return (this.bindings.get(command) ?? []).map(formatBinding);
  }

  help(): Array<{ category: Category; entries: HelpEntry[] }> {
    return CATEGORIES.map((category) => ({
      category,
      entries: COMMANDS.filter((c) => c.category === category).map((c): HelpEntry => ({
        command: c.name, scope: c.scope, keys: this.bindingsOf(c.name), description: c.description,
      })),
    }));
  }
}

export interface KeymapOptions { prefix?: string; overrides?: Record<string, string | string[]> }

export function buildKeymap(opts: KeymapOptions = {}): { keymap?: Keymap; errors: string[] } {
  const errors: string[] = [];
  const parsedPrefix = parseBinding(opts.prefix ?? DEFAULT_PREFIX);
  const prefix = parsedPrefix instanceof KeyBindingError ? undefined : parsedPrefix;
  if (!prefix) errors.push(`prefix: ${(parsedPrefix as KeyBindingError).message}; for example "prefix": "ctrl+b"`);

  const names = COMMANDS.map((c) => c.name as string);
  const overridden = new Map<CommandName, readonly string[]>();
  for (const [name, value] of Object.entries(opts.overrides ?? {})) {
    if (!names.includes(name)) {
      const near = closest(name, names);
      errors.push(`keys.${name}: unknown command "${name}"${near ? `; did you mean "${near}"?` : `; commands are ${names.join(', ')}`}`);
      continue;
    }
    const list: unknown = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(list) || !list.every((v) => typeof v === 'string')) {
      errors.push(`keys.${name}: expected a key like "z" or a list of keys like ["z", "ctrl+z"]`);
      continue;
    }
    overridden.set(name as CommandName, list);
  }

  const bindings = new Map<CommandName, KeyPattern[]>();
  for (const c of COMMANDS) {
    const patterns: KeyPattern[] = [];
    for (const text of overridden.get(c.name) ?? c.defaults) {
      const p = text === PREFIX_AGAIN ? prefix : parseBinding(text);
      if (p instanceof KeyBindingError) errors.push(`keys.${c.name}: ${p.message}`);
      else if (p && !patterns.some((q) => samePattern(p, q))) patterns.push(p);
    }
    bindings.set(c.name, patterns);
  }

  // prefix.send follows the prefix unless rebound, so a clash on it is the prefix setting's doing.
  const pathOf = (c: CommandName) => (c === 'prefix.send' && !overridden.has(c) ? 'prefix' : `keys.${c}`);
  const userSet = (c: CommandName) => overridden.has(c) || (c === 'prefix.send' && opts.prefix !== undefined);
  const tables: Record<Scope, Map<string, CommandName>> = { prefix: new Map(), scroll: new Map(), board: new Map() };
  const used: Record<Scope, Set<string>> = { prefix: new Set(), scroll: new Set(), board: new Set() };
  for (const c of COMMANDS) for (const p of bindings.get(c.name) ?? []) used[c.scope].add(formatBinding(p));
  for (const c of COMMANDS) {
    for (const p of bindings.get(c.name) ?? []) {
      const key = formatBinding(p);
      const owner = tables[c.scope].get(key);
      if (owner === undefined) { tables[c.scope].set(key, c.name); continue; }
      // Blame the binding the person wrote; suggest moving the other one to a free key.
      const [blamed, other] = userSet(owner) && !userSet(c.name) ? [owner, c.name] : [c.name, owner];
      const free = [...'abcdefghijklmnopqrstuvwxyz0123456789'].find((k) => !used[c.scope].has(k)) ?? 'f5';
      const where = c.scope === 'prefix' ? 'after the prefix' : c.scope === 'scroll' ? 'in scroll mode' : 'on the task board';
      errors.push(`${pathOf(blamed)}: "${key}" ${where} is bound to both ${blamed} and ${other}; `
        + `give one of them another key, e.g. "keys": { "${other}": "${free}" }, or unbind it with []`);
    }
  }

  // The messages quote the config's keys and values: shown escaped, never obeyed by the terminal.
  if (errors.length > 0 || !prefix) return { errors: errors.map((e) => printable(e)) };
  return { keymap: new BoundKeymap(prefix, bindings, tables), errors };
}
