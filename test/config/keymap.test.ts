import { describe, expect, it } from 'vitest';
import {
  buildKeymap, COMMANDS, formatBinding, KeyBindingError, matchKey, parseBinding, PREFIX_AGAIN,
  type KeyPattern, type Keymap,
} from '../../src/config/keymap.js';
import { InputTokenizer, type KeyEvent } from '../../src/terminal/input.js';

function key(raw: string): KeyEvent {
  const evs = new InputTokenizer().push(raw);
  expect(evs).toHaveLength(1);
  return evs[0];
}
function pattern(s: string): KeyPattern {
  const p = parseBinding(s);
  if (p instanceof KeyBindingError) throw p;
  return p;
}
function defaults(): Keymap {
  const { keymap, errors } = buildKeymap({});
  expect(errors).toEqual([]);
  return keymap!;
}

describe('parseBinding / formatBinding', () => {
  it('round-trips every default binding and the default prefix', () => {
    const km = defaults();
    for (const c of COMMANDS) {
      for (const b of km.bindingsOf(c.name)) expect(formatBinding(pattern(b))).toBe(b);
      for (const b of c.defaults) if (b !== PREFIX_AGAIN) expect(formatBinding(pattern(b))).toBe(b);
    }
    expect(formatBinding(km.prefix)).toBe('ctrl+a');
  });

  it.each([
    'ctrl+a', 'alt+x', 'shift+tab', 'z', 'Z', '?', '[', 'up', 'pageup', 'f5', 'tab', 'enter', 'escape', 'space',
    'ctrl+alt+shift+up', 'ctrl+A', 'alt+I', '+', 'ctrl++', 'ctrl+space', 'é',
  ])('%s is canonical', (s) => {
    expect(formatBinding(pattern(s))).toBe(s);
  });

  it('normalises other spellings', () => {
    expect(pattern('I')).toEqual({ key: 'i', ctrl: false, alt: false, shift: true });
    expect(formatBinding(pattern('shift+i'))).toBe('I');
    expect(formatBinding(pattern('shift+ctrl+a'))).toBe('ctrl+A');
    expect(formatBinding(pattern('Alt+Ctrl+PgUp'))).toBe('ctrl+alt+pageup');
    expect(formatBinding(pattern('esc'))).toBe('escape');
    expect(formatBinding(pattern('control+return'))).toBe('ctrl+enter');
    expect(formatBinding(pattern(' z '))).toBe('z');
  });

  it('explains what is wrong', () => {
    const err = (s: string) => (parseBinding(s) as KeyBindingError).message;
    expect(parseBinding('ctrl+pgupp')).toBeInstanceOf(KeyBindingError);
    expect(err('ctrl+pgupp')).toBe('"ctrl+pgupp" is not a key: unknown key "pgupp" (did you mean "pageup"?); '
      + 'a key is one character or one of up, down, left, right, home, end, pageup, pagedown, insert, delete, '
      + 'backspace, tab, enter, escape, space, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12');
    expect(err('super+a')).toBe('"super+a" is not a key: unknown modifier "super" (use ctrl, alt or shift)');
    expect(err('')).toBe('"" is not a key: it is empty');
    expect(err('ctrl+')).toBe('"ctrl+" is not a key: the key after the last "+" is missing');
    expect(err('ctrl+ctrl+a')).toBe('"ctrl+ctrl+a" is not a key: ctrl appears twice');
    expect(err('shift+/')).toMatch(/write the character shift types/);
    expect(err('ctrl+\x01')).toBe('"ctrl+\\u0001" is not a key: write space, tab, enter and control keys by name (space, ctrl+a)');
  });
});

describe('matchKey', () => {
  it('matches every encoding of ctrl+a', () => {
    const p = pattern('ctrl+a');
    for (const raw of ['\x01', '\x1b[97;5u', '\x1b[97;5:1u', '\x1b[27;5;97~']) expect(matchKey(p, key(raw))).toBe(true);
    for (const raw of ['a', '\x1b\x01', '\x1b[97;7u', '\x1b[97;6u', '\x02']) expect(matchKey(p, key(raw))).toBe(false);
  });

  it('matches letters by case, symbols whatever shift made them', () => {
    expect(matchKey(pattern('I'), key('I'))).toBe(true);
    expect(matchKey(pattern('I'), key('i'))).toBe(false);
    expect(matchKey(pattern('i'), key('I'))).toBe(false);
    expect(matchKey(pattern('?'), key('?'))).toBe(true);
    expect(matchKey(pattern('ctrl+?'), key('\x1b[47:63;6u'))).toBe(true);
    expect(matchKey(pattern('ctrl+A'), key('\x1b[97;6u'))).toBe(true);
    expect(matchKey(pattern('alt+x'), key('\x1bx'))).toBe(true);
    expect(matchKey(pattern('ctrl+alt+a'), key('\x1b\x01'))).toBe(true);
  });

  it('matches named keys in all their forms', () => {
    expect(matchKey(pattern('tab'), key('\t'))).toBe(true);
    expect(matchKey(pattern('shift+tab'), key('\x1b[Z'))).toBe(true);
    expect(matchKey(pattern('up'), key('\x1bOA'))).toBe(true);
    expect(matchKey(pattern('ctrl+up'), key('\x1b[1;5A'))).toBe(true);
    expect(matchKey(pattern('home'), key('\x1b[7~'))).toBe(true);
    expect(matchKey(pattern('space'), key(' '))).toBe(true);
    expect(matchKey(pattern('ctrl+space'), key('\x00'))).toBe(true);
    expect(matchKey(pattern('escape'), key('\x1b'))).toBe(true);
    expect(matchKey(pattern('f5'), key('\x1b[15~'))).toBe(true);
  });

  it('matches the ctrl keys legacy terminals send as named keys', () => {
    expect(matchKey(pattern('ctrl+i'), key('\t'))).toBe(true);
    expect(matchKey(pattern('ctrl+m'), key('\r'))).toBe(true);
    expect(matchKey(pattern('ctrl+h'), key('\x08'))).toBe(true);
    expect(matchKey(pattern('ctrl+['), key('\x1b'))).toBe(true);
    expect(matchKey(pattern('ctrl+i'), key('\x1b[9u'))).toBe(false); // kitty tells them apart
  });
});

describe('COMMANDS', () => {
  it('gives every command a description and at least one binding', () => {
    const km = defaults();
    expect(COMMANDS.length).toBe(new Set(COMMANDS.map((c) => c.name)).size);
    for (const c of COMMANDS) {
      expect(c.description.length, c.name).toBeGreaterThan(5);
      expect(km.bindingsOf(c.name).length, c.name).toBeGreaterThan(0);
    }
  });

  it('marks the commands that come later', () => {
    const reserved = COMMANDS.filter((c) => 'reserved' in c).map((c) => c.name);
    // Every command exists now; the mechanism stays for commands announced before they land.
    expect(reserved).toEqual([]);
  });
});

describe('buildKeymap', () => {
  it('looks up the DESIGN.md defaults after the prefix', () => {
    const km = defaults();
    const cases: Array<[string, string]> = [
      ['1', 'pane.focus1'], ['9', 'pane.focus9'], ['\x1b[D', 'pane.focusLeft'], ['h', 'pane.focusLeft'],
      ['j', 'pane.focusDown'], ['\x1bOA', 'pane.focusUp'], ['l', 'pane.focusRight'], ['o', 'pane.focusNext'],
      ['\t', 'pane.focusNext'], ['i', 'agent.interrupt'], ['I', 'agent.interruptAll'], ['r', 'agent.redirect'],
      ['b', 'agent.broadcast'], ['c', 'pane.new'], ['x', 'pane.close'], ['R', 'pane.restart'], ['z', 'pane.zoom'],
      ['[', 'pane.scroll'], ['f', 'context.toggle'], ['a', 'agent.nextWaiting'], ['?', 'app.help'], ['q', 'app.quit'],
      ['\x01', 'prefix.send'], ['\x1b[97;5u', 'prefix.send'],
    ];
    for (const [raw, command] of cases) expect(km.lookup('prefix', key(raw)), JSON.stringify(raw)).toBe(command);
    expect(km.lookup('prefix', key('y'))).toBeUndefined();
  });

  it('looks up scroll mode keys', () => {
    const km = defaults();
    expect(km.lookup('scroll', key('\x1b[5~'))).toBe('scroll.pageUp');
    expect(km.lookup('scroll', key('\x02'))).toBe('scroll.pageUp');
    expect(km.lookup('scroll', key('\x1b[102;5u'))).toBe('scroll.pageDown');
    expect(km.lookup('scroll', key(' '))).toBe('scroll.pageDown');
    expect(km.lookup('scroll', key('G'))).toBe('scroll.bottom');
    expect(km.lookup('scroll', key('g'))).toBe('scroll.top');
    expect(km.lookup('scroll', key('\x1b'))).toBe('scroll.exit');
    expect(km.lookup('scroll', key('q'))).toBe('scroll.exit');
    expect(km.lookup('scroll', key('z'))).toBeUndefined();
  });

  it('recognises the prefix in every ctrl encoding', () => {
    const km = defaults();
    for (const raw of ['\x01', '\x1b[97;5u', '\x1b[27;5;97~']) expect(km.isPrefix(key(raw))).toBe(true);
    expect(km.isPrefix(key('a'))).toBe(false);
  });

  it('applies overrides and a custom prefix, with prefix.send following the prefix', () => {
    const { keymap, errors } = buildKeymap({ prefix: 'ctrl+b', overrides: { 'pane.zoom': ['Z', 'shift+z', 'e'] } });
    expect(errors).toEqual([]);
    expect(keymap!.bindingsOf('pane.zoom')).toEqual(['Z', 'e']);
    expect(keymap!.bindingsOf('prefix.send')).toEqual(['ctrl+b']);
    expect(keymap!.lookup('prefix', key('z'))).toBeUndefined();
    expect(keymap!.lookup('prefix', key('\x02'))).toBe('prefix.send');
    expect(keymap!.isPrefix(key('\x01'))).toBe(false);
  });

  it('can unbind a command with an empty list', () => {
    const { keymap } = buildKeymap({ overrides: { 'app.quit': [] } });
    expect(keymap!.bindingsOf('app.quit')).toEqual([]);
    expect(keymap!.lookup('prefix', key('q'))).toBeUndefined();
  });

  it('reports an unknown command with the closest name', () => {
    expect(buildKeymap({ overrides: { 'pane.zom': 'z' } })).toEqual({
      errors: ['keys.pane.zom: unknown command "pane.zom"; did you mean "pane.zoom"?'],
    });
    expect(buildKeymap({ overrides: { zoom: 'z' } }).errors).toEqual([
      'keys.zoom: unknown command "zoom"; did you mean "pane.zoom"?',
    ]);
    expect(buildKeymap({ overrides: { frobnicate: 'z' } }).errors[0]).toMatch(
      /^keys\.frobnicate: unknown command "frobnicate"; commands are pane\.focus1, .*, prefix\.send$/,
    );
  });

  it('reports an unparsable binding and prefix', () => {
    expect(buildKeymap({ overrides: { 'pane.zoom': ['z', 'ctrl+zz'] } }).errors).toEqual([
      'keys.pane.zoom: "ctrl+zz" is not a key: unknown key "zz"; a key is one character or one of up, down, left, '
      + 'right, home, end, pageup, pagedown, insert, delete, backspace, tab, enter, escape, space, f1, f2, f3, f4, '
      + 'f5, f6, f7, f8, f9, f10, f11, f12',
    ]);
    expect(buildKeymap({ prefix: 'ctl+a' }).errors).toEqual([
      'prefix: "ctl+a" is not a key: unknown modifier "ctl" (use ctrl, alt or shift); for example "prefix": "ctrl+b"',
    ]);
  });

  it('reports a clash naming both commands and a way out', () => {
    const result = buildKeymap({ overrides: { 'pane.zoom': 'x' } });
    expect(result.keymap).toBeUndefined();
    expect(result.errors).toEqual([
      'keys.pane.zoom: "x" after the prefix is bound to both pane.zoom and pane.close; '
      + 'give one of them another key, e.g. "keys": { "pane.close": "e" }, or unbind it with []',
    ]);
    expect(buildKeymap({ overrides: { 'scroll.top': 'q' } }).errors).toEqual([
      'keys.scroll.top: "q" in scroll mode is bound to both scroll.top and scroll.exit; '
      + 'give one of them another key, e.g. "keys": { "scroll.exit": "a" }, or unbind it with []',
    ]);
  });

  it('blames the prefix when it collides with a command key', () => {
    expect(buildKeymap({ prefix: 'z' }).errors).toEqual([
      'prefix: "z" after the prefix is bound to both prefix.send and pane.zoom; '
      + 'give one of them another key, e.g. "keys": { "pane.zoom": "e" }, or unbind it with []',
    ]);
  });

  it('builds help grouped by category in a stable order', () => {
    const help = defaults().help();
    expect(help.map((g) => g.category)).toEqual(['Panes', 'Agents', 'View', 'Workspace']);
    expect(help.flatMap((g) => g.entries.map((e) => e.command)).sort()).toEqual(COMMANDS.map((c) => c.name).sort());
    const agents = help[1].entries;
    expect(agents[0]).toEqual({ command: 'agent.interrupt', scope: 'prefix', keys: ['i'], description: 'Interrupt the focused agent' });
    expect(agents.find((e) => e.command === 'agent.nextWaiting')?.reserved).toBeUndefined();
    expect(help[3].entries.find((e) => e.command === 'prefix.send')?.keys).toEqual(['ctrl+a']);
    expect(defaults().help()).toEqual(help);
  });
});
