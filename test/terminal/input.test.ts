import { describe, expect, it } from 'vitest';
import { InputTokenizer, type KeyEvent, type Mods } from '../../src/terminal/input.js';

const m = (s = ''): Mods => ({ ctrl: s.includes('c'), alt: s.includes('a'), shift: s.includes('s') });
const ch = (char: string, mods = '', raw = char): KeyEvent => ({ kind: 'char', char, mods: m(mods), raw });
const nk = (name: string, mods: string, raw: string): KeyEvent => ({ kind: 'named', name, mods: m(mods), raw } as KeyEvent);

function tok(...chunks: string[]): KeyEvent[] {
  const t = new InputTokenizer();
  return chunks.flatMap((c) => t.push(c));
}
const one = (input: string): KeyEvent => {
  const evs = tok(input);
  expect(evs).toHaveLength(1);
  return evs[0];
};

describe('InputTokenizer: plain and control bytes', () => {
  it('reads printable characters one by one, uppercase as shift', () => {
    expect(tok('aZ?')).toEqual([ch('a'), ch('Z', 's'), ch('?')]);
    expect(one(' ')).toEqual(ch(' '));
  });

  it('maps C0 controls to ctrl+letter with the special ones named', () => {
    expect(one('\x01')).toEqual(ch('a', 'c', '\x01'));
    expect(one('\x1a')).toEqual(ch('z', 'c', '\x1a'));
    expect(one('\x0a')).toEqual(ch('j', 'c', '\x0a'));
    expect(one('\r')).toEqual(nk('enter', '', '\r'));
    expect(one('\t')).toEqual(nk('tab', '', '\t'));
    expect(one('\x7f')).toEqual(nk('backspace', '', '\x7f'));
    expect(one('\x08')).toEqual(nk('backspace', '', '\x08'));
    expect(one('\x00')).toEqual(ch(' ', 'c', '\x00'));
    expect(tok('\x1c\x1d\x1e\x1f')).toEqual([
      ch('\\', 'c', '\x1c'), ch(']', 'c', '\x1d'), ch('^', 'c', '\x1e'), ch('_', 'c', '\x1f'),
    ]);
  });

  it('keeps multi-byte UTF-8 and emoji whole', () => {
    expect(tok('é中😀')).toEqual([ch('é'), ch('中'), ch('😀')]);
    expect(one('👍🏽')).toEqual(ch('👍🏽'));
    expect(one('👨‍👩‍👧')).toEqual(ch('👨‍👩‍👧'));
    expect(one('É')).toEqual(ch('É', 's'));
  });

  it('rejoins a surrogate pair split across chunks', () => {
    expect(tok('\ud83d', '\ude00')).toEqual([ch('😀')]);
  });
});

describe('InputTokenizer: escape', () => {
  it('treats a lone ESC at the end of a chunk as Escape at once', () => {
    const t = new InputTokenizer();
    expect(t.push('\x1b')).toEqual([nk('escape', '', '\x1b')]);
    expect(t.hasPending).toBe(false);
    expect(tok('ab\x1b')).toEqual([ch('a'), ch('b'), nk('escape', '', '\x1b')]);
  });

  it('reads ESC + key as alt', () => {
    expect(one('\x1ba')).toEqual(ch('a', 'a', '\x1ba'));
    expect(one('\x1bA')).toEqual(ch('A', 'as', '\x1bA'));
    expect(one('\x1b\x01')).toEqual(ch('a', 'ca', '\x1b\x01'));
    expect(one('\x1b\r')).toEqual(nk('enter', 'a', '\x1b\r'));
    expect(one('\x1b\x7f')).toEqual(nk('backspace', 'a', '\x1b\x7f'));
    expect(one('\x1b\x1b')).toEqual(nk('escape', 'a', '\x1b\x1b'));
    expect(one('\x1bé')).toEqual(ch('é', 'a', '\x1bé'));
    expect(one('\x1b]')).toEqual(ch(']', 'a', '\x1b]'));
  });

  it('reads alt+arrow sent as ESC + arrow sequence', () => {
    expect(one('\x1b\x1b[A')).toEqual(nk('up', 'a', '\x1b\x1b[A'));
    expect(one('\x1b\x1bOD')).toEqual(nk('left', 'a', '\x1b\x1bOD'));
  });
});

describe('InputTokenizer: CSI and SS3 keys', () => {
  it.each([
    ['\x1b[A', 'up', ''], ['\x1b[B', 'down', ''], ['\x1b[C', 'right', ''], ['\x1b[D', 'left', ''],
    ['\x1bOA', 'up', ''], ['\x1bOB', 'down', ''], ['\x1bOC', 'right', ''], ['\x1bOD', 'left', ''],
    ['\x1b[H', 'home', ''], ['\x1b[F', 'end', ''], ['\x1bOH', 'home', ''], ['\x1bOF', 'end', ''],
    ['\x1b[1~', 'home', ''], ['\x1b[4~', 'end', ''], ['\x1b[7~', 'home', ''], ['\x1b[8~', 'end', ''],
    ['\x1b[2~', 'insert', ''], ['\x1b[3~', 'delete', ''], ['\x1b[5~', 'pageup', ''], ['\x1b[6~', 'pagedown', ''],
    ['\x1bOP', 'f1', ''], ['\x1bOQ', 'f2', ''], ['\x1bOR', 'f3', ''], ['\x1bOS', 'f4', ''],
    ['\x1b[11~', 'f1', ''], ['\x1b[12~', 'f2', ''], ['\x1b[13~', 'f3', ''], ['\x1b[14~', 'f4', ''],
    ['\x1b[15~', 'f5', ''], ['\x1b[17~', 'f6', ''], ['\x1b[18~', 'f7', ''], ['\x1b[19~', 'f8', ''],
    ['\x1b[20~', 'f9', ''], ['\x1b[21~', 'f10', ''], ['\x1b[23~', 'f11', ''], ['\x1b[24~', 'f12', ''],
    ['\x1b[[A', 'f1', ''], ['\x1b[[E', 'f5', ''],
    ['\x1b[1;5A', 'up', 'c'], ['\x1b[1;2B', 'down', 's'], ['\x1b[1;3C', 'right', 'a'], ['\x1b[1;8D', 'left', 'cas'],
    ['\x1b[1;5H', 'home', 'c'], ['\x1b[1;2P', 'f1', 's'], ['\x1b[3;5~', 'delete', 'c'], ['\x1b[15;2~', 'f5', 's'],
    ['\x1b[Z', 'tab', 's'], ['\x1bO5A', 'up', 'c'], ['\x1bOa', 'up', 'c'], ['\x1bOM', 'enter', ''],
  ])('%j is %s %s', (raw, name, mods) => {
    expect(one(raw)).toEqual(nk(name, mods, raw));
  });

  it('decodes kitty CSI-u keys', () => {
    expect(one('\x1b[97;5u')).toEqual(ch('a', 'c', '\x1b[97;5u'));
    expect(one('\x1b[97;7u')).toEqual(ch('a', 'ca', '\x1b[97;7u'));
    expect(one('\x1b[97;6u')).toEqual(ch('A', 'cs', '\x1b[97;6u'));
    expect(one('\x1b[47:63;6u')).toEqual(ch('?', 'cs', '\x1b[47:63;6u'));
    expect(one('\x1b[32;5u')).toEqual(ch(' ', 'c', '\x1b[32;5u'));
    expect(one('\x1b[13;2u')).toEqual(nk('enter', 's', '\x1b[13;2u'));
    expect(one('\x1b[27u')).toEqual(nk('escape', '', '\x1b[27u'));
    expect(one('\x1b[9;5u')).toEqual(nk('tab', 'c', '\x1b[9;5u'));
    expect(one('\x1b[127;3u')).toEqual(nk('backspace', 'a', '\x1b[127;3u'));
    expect(one('\x1b[105;5:1u')).toEqual(ch('i', 'c', '\x1b[105;5:1u'));
  });

  it('decodes xterm modifyOtherKeys', () => {
    expect(one('\x1b[27;5;97~')).toEqual(ch('a', 'c', '\x1b[27;5;97~'));
    expect(one('\x1b[27;5;13~')).toEqual(nk('enter', 'c', '\x1b[27;5;13~'));
    expect(one('\x1b[27;6;65~')).toEqual(ch('A', 'cs', '\x1b[27;6;65~'));
  });

  it('keeps keys no binding can name as unknown, byte-exact', () => {
    expect(one('\x1b[97;3:3u')).toEqual({ kind: 'unknown', raw: '\x1b[97;3:3u' }); // kitty release
    expect(one('\x1b[97;9u')).toEqual({ kind: 'unknown', raw: '\x1b[97;9u' }); // super+a
    expect(one('\x1b[57399u')).toEqual({ kind: 'unknown', raw: '\x1b[57399u' }); // kitty keypad 0
    expect(one('\x1b[I')).toEqual({ kind: 'unknown', raw: '\x1b[I' }); // focus in
    expect(one('\x1b[?62;22c')).toEqual({ kind: 'unknown', raw: '\x1b[?62;22c' }); // DA1 reply
    expect(one('\x1b]11;rgb:0000/0000/0000\x1b\\')).toEqual({ kind: 'unknown', raw: '\x1b]11;rgb:0000/0000/0000\x1b\\' });
    expect(one('\x1bP>|kitty(0.39)\x1b\\')).toEqual({ kind: 'unknown', raw: '\x1bP>|kitty(0.39)\x1b\\' });
  });

  it('passes mouse reports through', () => {
    expect(one('\x1b[<0;10;5M')).toEqual({ kind: 'mouse', raw: '\x1b[<0;10;5M' });
    expect(one('\x1b[<0;10;5m')).toEqual({ kind: 'mouse', raw: '\x1b[<0;10;5m' });
    expect(one('\x1b[M !!')).toEqual({ kind: 'mouse', raw: '\x1b[M !!' });
    expect(tok('\x1b[M', ' !', '!x')).toEqual([{ kind: 'mouse', raw: '\x1b[M !!' }, ch('x')]);
  });
});

describe('InputTokenizer: chunking', () => {
  it('reassembles sequences split across chunks', () => {
    expect(tok('\x1b[', 'A')).toEqual([nk('up', '', '\x1b[A')]);
    expect(tok('\x1b[1;', '5A')).toEqual([nk('up', 'c', '\x1b[1;5A')]);
    expect(tok('x\x1bO', 'P')).toEqual([ch('x'), nk('f1', '', '\x1bOP')]);
    expect(tok('\x1b[97', ';5u')).toEqual([ch('a', 'c', '\x1b[97;5u')]);
    expect(tok('\x1b]11;rgb:', '0/0/0\x07a')).toEqual([{ kind: 'unknown', raw: '\x1b]11;rgb:0/0/0\x07' }, ch('a')]);
  });

  it('holds an incomplete sequence until flush, then reads it as alt + keys', () => {
    const t = new InputTokenizer();
    expect(t.push('\x1b[1;')).toEqual([]);
    expect(t.hasPending).toBe(true);
    expect(t.flush()).toEqual([ch('[', 'a', '\x1b['), ch('1'), ch(';')]);
    expect(t.hasPending).toBe(false);
    expect(t.push('\x1bO')).toEqual([]);
    expect(t.flush()).toEqual([ch('O', 'as', '\x1bO')]);
    expect(t.flush()).toEqual([]);
  });

  it('reproduces the input byte-exact from the raws', () => {
    const input = 'hi\x1b[A\x1b\x01é😀\x1b[97;5u\x1b[200~pa\x1bste\x1b[201~\x1b[<0;1;1M\x1b[?1u\x7f\x1b';
    for (let cut = 0; cut <= input.length; cut++) {
      const t = new InputTokenizer();
      const evs = [...t.push(input.slice(0, cut)), ...t.push(input.slice(cut)), ...t.flush()];
      expect(evs.map((e) => e.raw).join('')).toBe(input);
    }
  });
});

describe('InputTokenizer: bracketed paste', () => {
  it('returns the paste text without interpreting keys', () => {
    expect(tok('\x1b[200~a\x01\x1b[A\r\x1b[201~b')).toEqual([
      { kind: 'paste', text: 'a\x01\x1b[A\r', raw: '\x1b[200~a\x01\x1b[A\r\x1b[201~' }, ch('b'),
    ]);
  });

  it('accumulates a paste across chunks, with an ESC inside and the end marker split', () => {
    const t = new InputTokenizer();
    expect(t.push('\x1b[20')).toEqual([]);
    expect(t.push('0~one\x1b')).toEqual([]);
    expect(t.inPaste).toBe(true);
    expect(t.push('[Btwo\x1b')).toEqual([]);
    expect(t.flush()).toEqual([]); // a paste ends only with its end marker
    expect(t.push('[20')).toEqual([]);
    expect(t.push('1~')).toEqual([{ kind: 'paste', text: 'one\x1b[Btwo', raw: '\x1b[200~one\x1b[Btwo\x1b[201~' }]);
    expect(t.inPaste).toBe(false);
    expect(t.push('\x1b')).toEqual([nk('escape', '', '\x1b')]);
  });

  it('keeps an empty paste', () => {
    expect(tok('\x1b[200~\x1b[201~')).toEqual([{ kind: 'paste', text: '', raw: '\x1b[200~\x1b[201~' }]);
  });
});
