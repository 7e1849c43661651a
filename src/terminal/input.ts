// Raw terminal input (stdin in raw mode, utf8 strings) -> key events.
//
// Invariants:
// - Concatenating the `raw` of every event returned, in order, reproduces the input byte for byte,
//   so a key nobody binds can be forwarded unchanged. Bytes not yet returned are either held in
//   `held` (an unfinished escape sequence, half a surrogate pair, or what may be the start of the
//   paste end marker) or in `paste` (the body of an open bracketed paste).
// - Inside a bracketed paste nothing is interpreted; only `\x1b[201~` ends it.
// - A lone ESC at the end of a chunk is the Escape key at once. Terminals write a whole escape
//   sequence in one write(), so waiting for more bytes would only delay Esc (the "escape-time" lag
//   of tmux and vim). Sequences that do get split are held until the next chunk or `flush()`.

export type NamedKey = 'up' | 'down' | 'left' | 'right' | 'home' | 'end' | 'pageup' | 'pagedown' | 'insert'
  | 'delete' | 'backspace' | 'tab' | 'enter' | 'escape' | 'space' | 'f1' | 'f2' | 'f3' | 'f4' | 'f5' | 'f6'
  | 'f7' | 'f8' | 'f9' | 'f10' | 'f11' | 'f12';
export interface Mods { ctrl: boolean; alt: boolean; shift: boolean }
export type KeyEvent =
  | { kind: 'char'; char: string; mods: Mods; raw: string }
  | { kind: 'named'; name: NamedKey; mods: Mods; raw: string }
  | { kind: 'paste'; text: string; raw: string }
  | { kind: 'mouse'; raw: string }
  | { kind: 'unknown'; raw: string };

const ESC = '\x1b';
export const PASTE_START = '\x1b[200~';
export const PASTE_END = '\x1b[201~';
// An escape sequence longer than this is garbage, not a key: pass it on rather than hold the keyboard.
const MAX_HELD = 4096;

const mods = (ctrl = false, alt = false, shift = false): Mods => ({ ctrl, alt, shift });
const named = (name: NamedKey, m: Mods, raw: string): KeyEvent => ({ kind: 'named', name, mods: m, raw });
const charEv = (char: string, m: Mods, raw: string): KeyEvent => ({ kind: 'char', char, mods: m, raw });
const unknown = (raw: string): KeyEvent => ({ kind: 'unknown', raw });
const isUpper = (c: string): boolean => c !== c.toLowerCase() && c === c.toUpperCase();
const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;

// CSI <letter> and SS3 <letter> keys; xterm puts modifiers in CSI 1;<mods><letter>.
const CSI_LETTER: Record<string, NamedKey> = {
  A: 'up', B: 'down', C: 'right', D: 'left', H: 'home', F: 'end', P: 'f1', Q: 'f2', R: 'f3', S: 'f4', Z: 'tab',
};
// SS3 M is keypad Enter in application keypad mode; SS3 a-d are rxvt's Ctrl+arrows.
const SS3_LETTER: Record<string, NamedKey> = {
  A: 'up', B: 'down', C: 'right', D: 'left', H: 'home', F: 'end', P: 'f1', Q: 'f2', R: 'f3', S: 'f4', M: 'enter',
};
const RXVT_CTRL_ARROW: Record<string, NamedKey> = { a: 'up', b: 'down', c: 'right', d: 'left' };
// CSI <n>~ keys: 1/4 are VT220 Find/Select used as Home/End by screen and tmux, 7/8 are rxvt's
// Home/End, 11-15 are old xterm/rxvt F1-F5 (kitty still sends 13~ for F3).
const TILDE: Record<number, NamedKey> = {
  1: 'home', 2: 'insert', 3: 'delete', 4: 'end', 5: 'pageup', 6: 'pagedown', 7: 'home', 8: 'end',
  11: 'f1', 12: 'f2', 13: 'f3', 14: 'f4', 15: 'f5', 17: 'f6', 18: 'f7', 19: 'f8', 20: 'f9', 21: 'f10',
  23: 'f11', 24: 'f12',
};
// Codepoints that kitty's CSI-u and xterm's modifyOtherKeys use for keys we name.
const CODEPOINT_NAMED: Record<number, NamedKey> = { 8: 'backspace', 9: 'tab', 13: 'enter', 27: 'escape', 127: 'backspace' };

// Created on first need: the first Intl.Segmenter of a process loads ICU's break rules (8-15 ms,
// measured), which the workspace server used to pay when this module loaded, before its first frame.
let segmenter: Intl.Segmenter | undefined;
const graphemes = (text: string): Intl.Segments => warmGraphemes().segment(text);

/**
 * Creates the grapheme segmenter now (ICU's rules then load once for every segmenter of the process):
 * called once the first frame is out, so the first keystroke does not pay for it.
 */
export function warmGraphemes(): Intl.Segmenter {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  return segmenter;
}

/** C0 control byte (and DEL) as a key. */
function control(code: number, raw: string): KeyEvent {
  switch (code) {
    case 0x00: return charEv(' ', mods(true), raw); // Ctrl+Space and Ctrl+@ both send NUL
    case 0x08: // Ctrl+H; many terminals (and Windows Terminal for Ctrl+Backspace) send it as Backspace
    case 0x7f: return named('backspace', mods(), raw);
    case 0x09: return named('tab', mods(), raw);
    case 0x0d: return named('enter', mods(), raw);
    case 0x1b: return named('escape', mods(), raw);
  }
  if (code <= 0x1a) return charEv(String.fromCharCode(code + 0x60), mods(true), raw);
  return charEv('\\]^_'[code - 0x1c], mods(true), raw);
}

/** A CSI/SS3 modifier field ("5" or kitty's "5:1") or null when no binding could name it. */
function modParam(field: string | undefined): Mods | null {
  if (field === undefined || field === '') return mods();
  const [value, eventType] = field.split(':');
  if (eventType === '3') return null; // kitty key release: not a key press
  const bits = (Number(value) || 1) - 1;
  if (bits & 0b111000) return null; // super, hyper, meta: not expressible in a binding
  return mods((bits & 4) !== 0, (bits & 2) !== 0, (bits & 1) !== 0); // 64/128 are caps/num lock
}

/** A key given as a Unicode codepoint (kitty CSI-u, xterm modifyOtherKeys). */
function fromCodepoint(code: number, shifted: number, m: Mods, raw: string): KeyEvent {
  const name = CODEPOINT_NAMED[code];
  if (name) return named(name, m, raw);
  const printable = Number.isInteger(code) && code >= 0x20 && code <= 0x10ffff && !(code >= 0x7f && code < 0xa0)
    && !(code >= 0xe000 && code <= 0xf8ff); // kitty's functional keys live in the private use area
  if (!printable) return unknown(raw);
  let c = String.fromCodePoint(code);
  if (m.shift) {
    // kitty reports the shifted key only with its "alternate keys" flag; otherwise shift a letter ourselves.
    const up = Number.isInteger(shifted) && shifted > 0x20 ? String.fromCodePoint(shifted) : c.toUpperCase();
    if ([...up].length === 1) c = up;
  }
  return charEv(c, m, raw);
}

/** Decodes a complete CSI sequence; null means "bracketed paste starts here". */
function decodeCsi(params: string, inter: string, fin: string, raw: string): KeyEvent | null {
  if (params.startsWith('<') && (fin === 'M' || fin === 'm')) return { kind: 'mouse', raw }; // SGR 1006
  if (inter !== '' || /[<=>?]/.test(params)) return unknown(raw); // replies to queries, not keys
  const fields = params.split(';');
  if (fin === 'M' && fields.length === 3) return { kind: 'mouse', raw }; // urxvt 1015
  const first = fields[0].split(':');
  const n = first[0] === '' ? 1 : Number(first[0]);
  if (fin === '~') {
    if (n === 200 && fields.length === 1) return null;
    if (n === 27 && fields.length === 3) { // xterm modifyOtherKeys: CSI 27 ; mods ; code ~
      const m = modParam(fields[1]);
      return m ? fromCodepoint(Number(fields[2]), NaN, m, raw) : unknown(raw);
    }
    const name = TILDE[n];
    const m = modParam(fields[1]);
    return name && m ? named(name, m, raw) : unknown(raw);
  }
  if (fin === 'u') { // kitty: CSI code[:shifted[:base]] ; mods[:event] [; text] u
    const m = modParam(fields[1]);
    return m ? fromCodepoint(n, Number(first[1]), m, raw) : unknown(raw);
  }
  const name = CSI_LETTER[fin];
  const m = modParam(fields[1]);
  if (!name || !m || n !== 1) return unknown(raw);
  if (fin === 'Z') m.shift = true; // CSI Z is Shift+Tab (back-tab)
  return named(name, m, raw);
}

interface Step { ev: KeyEvent | null; end: number } // ev null: a bracketed paste opens

export class InputTokenizer {
  private held = '';
  private paste: string | null = null;

  push(chunk: string): KeyEvent[] {
    const data = this.held + chunk;
    this.held = '';
    return this.parse(data, false);
  }

  /**
   * Resolves held bytes now (the caller's timeout ran out): a partial sequence becomes Alt+its
   * second byte followed by ordinary keys. An open paste stays open: it ends only with its end
   * marker, since typing the rest of a slow paste as keys could press Enter on half a prompt.
   */
  flush(): KeyEvent[] {
    if (this.paste !== null) return [];
    const data = this.held;
    this.held = '';
    return this.parse(data, true);
  }

  /** True when bytes are held waiting for the rest of an escape sequence (worth a flush timer). */
  get hasPending(): boolean { return this.paste === null && this.held !== ''; }
  get inPaste(): boolean { return this.paste !== null; }

  private parse(data: string, final: boolean): KeyEvent[] {
    const out: KeyEvent[] = [];
    const n = data.length;
    let i = 0;
    while (i < n) {
      if (this.paste !== null) { i = this.readPaste(data, i, out); continue; }
      const code = data.charCodeAt(i);
      if (code === 0x1b) {
        const step = this.escape(data, i, final);
        if (step === null) { this.held = data.slice(i); break; }
        if (step.ev === null) this.paste = '';
        else out.push(step.ev);
        i = step.end;
      } else if (code < 0x20 || code === 0x7f) {
        out.push(control(code, data[i]));
        i++;
      } else if (code >= 0x80 && code < 0xa0) {
        out.push(unknown(data[i])); // C1 controls are never keys in UTF-8 mode
        i++;
      } else {
        let j = i + 1;
        while (j < n) {
          const c = data.charCodeAt(j);
          if (c < 0x20 || (c >= 0x7f && c < 0xa0)) break;
          j++;
        }
        // Someone decoding stdin without a StringDecoder can split a surrogate pair across chunks.
        if (!final && j === n && isHighSurrogate(data.charCodeAt(n - 1))) {
          j = n - 1;
          this.held = data.slice(j);
        }
        for (const { segment } of graphemes(data.slice(i, j))) {
          out.push(charEv(segment, mods(false, false, isUpper(segment)), segment));
        }
        if (this.held !== '') break;
        i = j;
      }
    }
    return out;
  }

  private readPaste(data: string, i: number, out: KeyEvent[]): number {
    const end = data.indexOf(PASTE_END, i);
    if (end >= 0) {
      const text = this.paste + data.slice(i, end);
      this.paste = null;
      out.push({ kind: 'paste', text, raw: PASTE_START + text + PASTE_END });
      return end + PASTE_END.length;
    }
    let keep = 0;
    for (let k = Math.min(PASTE_END.length - 1, data.length - i); k > 0; k--) {
      if (data.endsWith(PASTE_END.slice(0, k))) { keep = k; break; }
    }
    this.paste += data.slice(i, data.length - keep);
    this.held = data.slice(data.length - keep);
    return data.length;
  }

  /** Sequence starting with ESC at i; null when more bytes are needed. */
  private escape(data: string, i: number, final: boolean): Step | null {
    const n = data.length;
    if (i + 1 >= n) return { ev: named('escape', mods(), ESC), end: i + 1 };
    const next = data[i + 1];
    if (next === '[') return this.csi(data, i, final);
    if (next === 'O') return this.ss3(data, i, final);
    if (isStringStart(data, i)) return stringSequence(data, i, final);
    if (next === ESC && (data[i + 2] === '[' || data[i + 2] === 'O')) {
      // Alt+arrow as ESC + the arrow's own sequence (rxvt, and xterm with metaSendsEscape).
      const inner = this.escape(data, i + 1, final);
      if (inner === null) return null;
      const ev = inner.ev;
      if (ev && (ev.kind === 'char' || ev.kind === 'named') && !ev.mods.alt) {
        return { ev: { ...ev, mods: { ...ev.mods, alt: true }, raw: data.slice(i, inner.end) }, end: inner.end };
      }
      return { ev: named('escape', mods(), ESC), end: i + 1 };
    }
    return this.alt(data, i, final);
  }

  /** ESC + one key = that key with Alt (the "meta sends escape" convention). */
  private alt(data: string, i: number, final: boolean): Step | null {
    const j = i + 1;
    const code = data.charCodeAt(j);
    if (code < 0x20 || code === 0x7f) {
      const ev = control(code, data[j]) as Extract<KeyEvent, { mods: Mods }>;
      return { ev: { ...ev, mods: { ...ev.mods, alt: true }, raw: ESC + ev.raw }, end: j + 1 };
    }
    if (isHighSurrogate(code) && j + 1 >= data.length && !final) return null;
    const len = (data.codePointAt(j) ?? 0) > 0xffff ? 2 : 1;
    const c = data.slice(j, j + len);
    return { ev: charEv(c, mods(false, true, isUpper(c)), ESC + c), end: j + len };
  }

  private csi(data: string, i: number, final: boolean): Step | null {
    const n = data.length;
    let j = i + 2;
    const incomplete = (): Step | null =>
      n - i > MAX_HELD ? { ev: unknown(data.slice(i)), end: n } : final ? this.alt(data, i, true) : null;
    if (j >= n) return incomplete();
    if (data[j] === '[') { // Linux console F1-F5: ESC [ [ A..E
      if (j + 1 >= n) return incomplete();
      const k = 'ABCDE'.indexOf(data[j + 1]);
      const raw = data.slice(i, j + 2);
      return { ev: k >= 0 ? named(`f${k + 1}` as NamedKey, mods(), raw) : unknown(raw), end: j + 2 };
    }
    if (data[j] === 'M') { // X10 mouse: ESC [ M and three raw bytes
      let end = j + 1;
      for (let k = 0; k < 3; k++) {
        if (end >= n) return final ? { ev: unknown(data.slice(i)), end: n } : null;
        end += (data.codePointAt(end) ?? 0) > 0xffff ? 2 : 1;
      }
      return { ev: { kind: 'mouse', raw: data.slice(i, end) }, end };
    }
    const start = j;
    while (j < n && inRange(data.charCodeAt(j), 0x30, 0x3f)) j++;
    const paramEnd = j;
    while (j < n && inRange(data.charCodeAt(j), 0x20, 0x2f)) j++;
    if (j >= n) return incomplete();
    if (!inRange(data.charCodeAt(j), 0x40, 0x7e)) {
      return j === start ? this.alt(data, i, true) : { ev: unknown(data.slice(i, j)), end: j };
    }
    const raw = data.slice(i, j + 1);
    return { ev: decodeCsi(data.slice(start, paramEnd), data.slice(paramEnd, j), data[j], raw), end: j + 1 };
  }

  private ss3(data: string, i: number, final: boolean): Step | null {
    const n = data.length;
    let j = i + 2;
    while (j < n && inRange(data.charCodeAt(j), 0x30, 0x39)) j++; // some terminals put mods here: ESC O 5 A
    if (j >= n) return final || n - i > MAX_HELD ? this.alt(data, i, true) : null;
    if (!inRange(data.charCodeAt(j), 0x40, 0x7e)) {
      return j === i + 2 ? this.alt(data, i, true) : { ev: unknown(data.slice(i, j)), end: j };
    }
    const raw = data.slice(i, j + 1);
    const fin = data[j];
    const m = modParam(data.slice(i + 2, j));
    const name = SS3_LETTER[fin] ?? RXVT_CTRL_ARROW[fin];
    if (!name || !m) return { ev: unknown(raw), end: j + 1 };
    if (RXVT_CTRL_ARROW[fin]) m.ctrl = true;
    return { ev: named(name, m, raw), end: j + 1 };
  }
}

function inRange(code: number, lo: number, hi: number): boolean {
  return code >= lo && code <= hi;
}

// OSC, DCS and kitty APC replies (colour queries, XTVERSION, graphics acks) reach stdin too. ESC ]
// or ESC P alone is Alt+] or Alt+P, so only treat them as strings when a reply's first byte follows.
function isStringStart(data: string, i: number): boolean {
  const kind = data[i + 1];
  const first = data[i + 2];
  if (first === undefined) return false;
  if (kind === ']') return /[0-9]/.test(first);
  if (kind === 'P') return /[0-9>|!=+$]/.test(first);
  return kind === '_' && first === 'G';
}

function stringSequence(data: string, i: number, final: boolean): Step | null {
  const bel = data.indexOf('\x07', i + 2);
  const st = data.indexOf('\x1b\\', i + 2);
  const end = bel >= 0 && (st < 0 || bel < st) ? bel + 1 : st >= 0 ? st + 2 : -1;
  if (end >= 0) return { ev: unknown(data.slice(i, end)), end };
  if (final || data.length - i > MAX_HELD) return { ev: unknown(data.slice(i)), end: data.length };
  return null;
}
