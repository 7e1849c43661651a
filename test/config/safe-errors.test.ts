// A config file is outside text: the values its errors quote once reached the terminal raw (an OSC 52
// clipboard write and a title change from a `theme` value). Each case is that attack, read back from
// the messages `agents` prints.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildKeymap } from '../../src/config/keymap.js';
import { loadConfig } from '../../src/config/load.js';
import { loadTheme } from '../../src/config/theme.js';

const dir = mkdtempSync(join(tmpdir(), 'agents-safe-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Anything a terminal would act on, or that reorders what it draws. */
const ACTIVE = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;
const OSC52 = '\x1b]52;c;ZWNobyBwd25lZA==\x07';
const TITLE = '\x1b]0;owned\x07';

function config(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('config errors are printed safe', () => {
  it('a theme value holding OSC 52 and a title change: the error shows them escaped', () => {
    const file = config('theme.json', JSON.stringify({ theme: `x${OSC52}${TITLE}` }));
    const loaded = loadConfig(file);
    const errors = loadTheme(loaded.value!.theme, { noColor: false }).errors;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^unknown theme "x\\u001b\]52;c;ZWNobyBwd25lZA==\\u0007\\u001b\]0;/);
    expect(errors.join('\n')).not.toMatch(ACTIVE);
  });

  it('the same under NO_COLOR, from the command line (--theme), and with 8-bit controls and bidi overrides', () => {
    for (const name of [`dark${OSC52}`, 'dark\u009b2J\u009d0;owned\u009c', 'kr\u202eald']) {
      const errors = loadTheme(name, { noColor: true }).errors;
      expect(errors).toHaveLength(1);
      expect(errors[0]).not.toMatch(ACTIVE);
    }
    expect(loadTheme('kr\u202eald', { noColor: false }).errors[0]).toContain('"kr\\u202eald"');
  });

  it('bad keys, bad agent names and a file name with escape sequences are all shown escaped', () => {
    const file = config(`agents${TITLE}.json`, JSON.stringify({
      'the\u202eme': 'dark',
      layout: `tiled${OSC52}`,
      agents: [{ name: `lead${TITLE}`, preset: 'agent' }],
    }));
    const errors = loadConfig(file).errors;
    expect(errors.length).toBeGreaterThanOrEqual(3);
    for (const e of errors) expect(e).not.toMatch(ACTIVE);
    expect(errors.join('\n')).toContain('agents\\x1b]0;owned\\x07.json');
    expect(errors.join('\n')).toContain('the\\u202eme');
  });

  it('raw control bytes in a file that is not JSON: the excerpt in the error is escaped', () => {
    for (const text of [`{${OSC52}}`, `{"theme": "dark"}${TITLE}`, `{"theme": "a${OSC52}"}`]) {
      const errors = loadConfig(config('raw.json', text)).errors;
      expect(errors).toHaveLength(1);
      expect(errors[0]).not.toMatch(ACTIVE);
    }
    expect(loadConfig(config('raw.json', `{${OSC52}}`)).errors[0]).toContain("found '\\x1b'");
  });

  it('keymap errors quote the config’s command names and bindings escaped', () => {
    const built = buildKeymap({ prefix: `ctrl+${OSC52}`, overrides: { [`pane.zoom${TITLE}`]: 'z', 'pane.focusNext': `alt+${TITLE}` } });
    expect(built.keymap).toBeUndefined();
    expect(built.errors.length).toBeGreaterThanOrEqual(3);
    for (const e of built.errors) expect(e).not.toMatch(ACTIVE);
    expect(built.errors.join('\n')).toContain('pane.zoom\\x1b]0;owned\\x07');
  });
});
