// Key events -> bytes for a pane's pty, in the encoding the program inside asked for.
// The outer terminal answers in its own modes (and possibly in kitty's CSI-u protocol, which we may
// have enabled for ourselves); the inner program only knows what it set with DECSET, so the keys whose
// bytes depend on those modes are re-encoded and everything else is forwarded byte-exact.

import { PASTE_END, PASTE_START, type KeyEvent, type Mods, type NamedKey } from './input.js';

export interface PtyModes { applicationCursorKeys: boolean; bracketedPaste: boolean }

const ESC = '\x1b';
// DECCKM switches these between CSI and SS3 when unmodified; xterm moves Home/End along with the arrows.
const CURSOR: Partial<Record<NamedKey, string>> = { up: 'A', down: 'B', right: 'C', left: 'D', home: 'H', end: 'F' };
const SS3_F: Partial<Record<NamedKey, string>> = { f1: 'P', f2: 'Q', f3: 'R', f4: 'S' };
const TILDE_CODE: Partial<Record<NamedKey, number>> = {
  insert: 2, delete: 3, pageup: 5, pagedown: 6,
  f5: 15, f6: 17, f7: 18, f8: 19, f9: 20, f10: 21, f11: 23, f12: 24,
};
// Legacy Ctrl+symbol bytes, as xterm sends them (Ctrl+2..8 are the VT220 aliases of the same codes).
const CTRL_SYMBOL: Record<string, string> = {
  ' ': '\x00', '@': '\x00', '2': '\x00', '[': '\x1b', '3': '\x1b', '\\': '\x1c', '4': '\x1c', ']': '\x1d',
  '5': '\x1d', '^': '\x1e', '6': '\x1e', '_': '\x1f', '/': '\x1f', '7': '\x1f', '?': '\x7f', '8': '\x7f',
};

/** xterm's modifier parameter: 1 + shift(1) + alt(2) + ctrl(4). */
function modParam(m: Mods): number {
  return 1 + (m.shift ? 1 : 0) + (m.alt ? 2 : 0) + (m.ctrl ? 4 : 0);
}

/** Bytes xterm sends for a named key; modifiers a legacy encoding cannot carry are dropped. */
export function encodeNamed(name: NamedKey, mods: Mods, modes: PtyModes): string {
  const p = modParam(mods);
  const cursor = CURSOR[name];
  if (cursor) {
    if (p !== 1) return `${ESC}[1;${p}${cursor}`;
    return modes.applicationCursorKeys ? `${ESC}O${cursor}` : `${ESC}[${cursor}`;
  }
  const f = SS3_F[name];
  if (f) return p === 1 ? `${ESC}O${f}` : `${ESC}[1;${p}${f}`;
  const tilde = TILDE_CODE[name];
  if (tilde) return p === 1 ? `${ESC}[${tilde}~` : `${ESC}[${tilde};${p}~`;
  const alt = mods.alt ? ESC : '';
  switch (name) {
    case 'tab': return alt + (mods.shift ? `${ESC}[Z` : '\t');
    case 'enter': return `${alt}\r`;
    case 'escape': return `${alt}${ESC}`;
    case 'backspace': return alt + (mods.ctrl ? '\x08' : '\x7f');
    case 'space': return alt + (mods.ctrl ? '\x00' : ' ');
  }
  return '';
}

/** Bytes for one character key: Ctrl folds to a C0 byte where one exists, Alt is an ESC prefix. */
export function encodeChar(char: string, mods: Mods): string {
  let s = char;
  if (mods.shift && [...char].length === 1 && [...char.toUpperCase()].length === 1) s = char.toUpperCase();
  if (mods.ctrl) {
    if (/^[a-zA-Z]$/.test(char)) s = String.fromCharCode(char.charCodeAt(0) & 0x1f);
    else s = CTRL_SYMBOL[char] ?? s;
  }
  return (mods.alt ? ESC : '') + s;
}

/** Text typed by a person: Enter is CR on the wire, whatever line ending the string uses. */
export function encodeText(s: string): string {
  return s.replace(/\r?\n/g, '\r');
}

/** Removes paste end markers, including ones that removing another would assemble. */
function stripPasteEnd(text: string): string {
  let t = text;
  while (t.includes(PASTE_END)) t = t.split(PASTE_END).join('');
  return t;
}

// kitty CSI-u and xterm modifyOtherKeys reports: only a program that asked for them can read them.
const EXTENDED_KEY = /^\x1b\[(?:\d[\d:;]*u|27;\d+;\d+~)$/;

export function encodeKey(ev: KeyEvent, modes: PtyModes): string {
  switch (ev.kind) {
    case 'paste': {
      const text = stripPasteEnd(ev.text);
      return modes.bracketedPaste ? PASTE_START + text + PASTE_END : text;
    }
    case 'named': {
      const plain = !ev.mods.ctrl && !ev.mods.alt && !ev.mods.shift;
      if (EXTENDED_KEY.test(ev.raw) || (plain && CURSOR[ev.name])) return encodeNamed(ev.name, ev.mods, modes);
      return ev.raw;
    }
    case 'char':
      return EXTENDED_KEY.test(ev.raw) ? encodeChar(ev.char, ev.mods) : ev.raw;
    default:
      return ev.raw;
  }
}
