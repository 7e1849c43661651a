import { describe, expect, it } from 'vitest';
import { encodeChar, encodeKey, encodeNamed, encodeText, type PtyModes } from '../../src/terminal/encode.js';
import { InputTokenizer, type Mods } from '../../src/terminal/input.js';

const NORMAL: PtyModes = { applicationCursorKeys: false, bracketedPaste: false };
const APP: PtyModes = { applicationCursorKeys: true, bracketedPaste: true };
const m = (s = ''): Mods => ({ ctrl: s.includes('c'), alt: s.includes('a'), shift: s.includes('s') });

/** What the pty receives when the outer terminal sends `input`. */
function forward(input: string, modes: PtyModes): string {
  const t = new InputTokenizer();
  return [...t.push(input), ...t.flush()].map((ev) => encodeKey(ev, modes)).join('');
}

describe('encodeKey', () => {
  it('forwards ordinary keys byte-exact', () => {
    for (const raw of ['a', 'Z', '😀', '\x01', '\r', '\t', '\x7f', '\x1b', '\x1ba', '\x1b\x01', '\x1b[1;5A', '\x1b[3~',
      '\x1bOP', '\x1b[15;2~', '\x1b[Z', '\x1b[<0;3;4M', '\x1b[I', '\x1b[1;5H']) {
      expect(forward(raw, NORMAL)).toBe(raw);
      expect(forward(raw, APP)).toBe(raw);
    }
  });

  it('re-encodes unmodified arrows, home and end for the cursor-key mode of the program', () => {
    for (const [csi, ss3] of [['\x1b[A', '\x1bOA'], ['\x1b[B', '\x1bOB'], ['\x1b[C', '\x1bOC'], ['\x1b[D', '\x1bOD'],
      ['\x1b[H', '\x1bOH'], ['\x1b[F', '\x1bOF']]) {
      expect(forward(csi, APP)).toBe(ss3);
      expect(forward(ss3, APP)).toBe(ss3);
      expect(forward(csi, NORMAL)).toBe(csi);
      expect(forward(ss3, NORMAL)).toBe(csi);
    }
    expect(forward('\x1b[1~', NORMAL)).toBe('\x1b[H');
    expect(forward('\x1b[8~', APP)).toBe('\x1bOF');
  });

  it('turns kitty CSI-u and modifyOtherKeys reports into the legacy bytes a program expects', () => {
    expect(forward('\x1b[97;5u', NORMAL)).toBe('\x01');
    expect(forward('\x1b[27;5;97~', NORMAL)).toBe('\x01');
    expect(forward('\x1b[97;7u', NORMAL)).toBe('\x1b\x01');
    expect(forward('\x1b[97;3u', NORMAL)).toBe('\x1ba');
    expect(forward('\x1b[27u', NORMAL)).toBe('\x1b');
    expect(forward('\x1b[13;3u', NORMAL)).toBe('\x1b\r');
    expect(forward('\x1b[9;2u', NORMAL)).toBe('\x1b[Z');
    expect(forward('\x1b[32;5u', NORMAL)).toBe('\x00');
  });

  it('wraps a paste only when the program enabled bracketed paste', () => {
    const paste = '\x1b[200~line 1\nline 2\x1b[201~';
    expect(forward(paste, APP)).toBe(paste);
    expect(forward(paste, NORMAL)).toBe('line 1\nline 2');
  });

  it('strips end markers from paste text so a paste cannot end early', () => {
    const ev = { kind: 'paste' as const, text: 'a\x1b[201~b\x1b[20\x1b[201~1~c', raw: '' };
    expect(encodeKey(ev, APP)).toBe('\x1b[200~abc\x1b[201~');
    expect(encodeKey(ev, NORMAL)).toBe('abc');
  });
});

describe('encodeNamed', () => {
  it.each([
    ['up', '', NORMAL, '\x1b[A'], ['up', '', APP, '\x1bOA'], ['up', 'c', APP, '\x1b[1;5A'],
    ['home', '', APP, '\x1bOH'], ['end', 's', NORMAL, '\x1b[1;2F'],
    ['insert', '', NORMAL, '\x1b[2~'], ['delete', 'c', NORMAL, '\x1b[3;5~'],
    ['pageup', '', NORMAL, '\x1b[5~'], ['pagedown', 'a', NORMAL, '\x1b[6;3~'],
    ['f1', '', NORMAL, '\x1bOP'], ['f4', 's', NORMAL, '\x1b[1;2S'], ['f5', '', NORMAL, '\x1b[15~'],
    ['f12', 'cs', NORMAL, '\x1b[24;6~'],
    ['tab', '', NORMAL, '\t'], ['tab', 's', NORMAL, '\x1b[Z'], ['enter', '', NORMAL, '\r'], ['enter', 'a', NORMAL, '\x1b\r'],
    ['escape', '', NORMAL, '\x1b'], ['backspace', '', NORMAL, '\x7f'], ['backspace', 'a', NORMAL, '\x1b\x7f'],
    ['space', '', NORMAL, ' '], ['space', 'c', NORMAL, '\x00'],
  ] as const)('%s %s -> %j', (name, mods, modes, bytes) => {
    expect(encodeNamed(name, m(mods), modes)).toBe(bytes);
  });
});

describe('encodeChar and encodeText', () => {
  it('folds ctrl into C0 bytes and alt into an ESC prefix', () => {
    expect(encodeChar('a', m('c'))).toBe('\x01');
    expect(encodeChar('A', m('cs'))).toBe('\x01');
    expect(encodeChar('a', m('ca'))).toBe('\x1b\x01');
    expect(encodeChar('x', m('a'))).toBe('\x1bx');
    expect(encodeChar('a', m('s'))).toBe('A');
    expect(encodeChar('\\', m('c'))).toBe('\x1c');
    expect(encodeChar('?', m('c'))).toBe('\x7f');
    expect(encodeChar('é', m())).toBe('é');
  });

  it('types text with Enter as CR', () => {
    expect(encodeText('ls\n')).toBe('ls\r');
    expect(encodeText('a\r\nb')).toBe('a\rb');
  });
});
