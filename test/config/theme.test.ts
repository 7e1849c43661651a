import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ANSI_COLOURS,
  THEME_TOKENS,
  ThemeFileSchema,
  defaultThemesDir,
  listThemes,
  loadTheme,
  noColorRequested,
  type ThemeFile,
} from '../../src/config/theme.js';

const themesDir = defaultThemesDir();
const readTheme = (name: string): ThemeFile => ThemeFileSchema.parse(JSON.parse(readFileSync(join(themesDir, `${name}.json`), 'utf8')));
const colourRefs = (theme: ThemeFile): string[] =>
  THEME_TOKENS.flatMap((t) => [theme.tokens[t].fg, theme.tokens[t].bg]).filter((c): c is string => c !== undefined);

describe('theme files', () => {
  it('ships the four themes from the package root', () => {
    expect(themesDir.endsWith('/themes/')).toBe(true);
    expect(listThemes()).toEqual(['dark', 'high-contrast', 'light', 'no-color']);
  });

  it.each(['dark', 'high-contrast', 'light', 'no-color'])('%s matches the schema and loads', (name) => {
    const raw: unknown = JSON.parse(readFileSync(join(themesDir, `${name}.json`), 'utf8'));
    const parsed = ThemeFileSchema.safeParse(raw);
    expect(parsed.error?.issues ?? []).toEqual([]);
    const { value, errors } = loadTheme(name, { noColor: false });
    expect(errors).toEqual([]);
    expect(value?.name).toBe(name);
    expect(Object.keys(value!.tokens).sort()).toEqual([...THEME_TOKENS].sort());
  });

  it('dark follows the terminal: only the 16 ANSI colours', () => {
    const dark = readTheme('dark');
    const resolved = colourRefs(dark).map((ref) => dark.palette[ref] ?? ref);
    for (const c of resolved) expect([...ANSI_COLOURS, 'default']).toContain(c);
  });

  it('no-color sets no colour at all', () => {
    const theme = readTheme('no-color');
    expect(theme.palette).toEqual({});
    expect(colourRefs(theme)).toEqual([]);
    const { value } = loadTheme('no-color', { noColor: false });
    for (const style of Object.values(value!.tokens)) {
      expect(style.color).toBeUndefined();
      expect(style.backgroundColor).toBeUndefined();
    }
  });

  it('focused borders differ from normal ones in every theme', () => {
    for (const name of listThemes()) {
      const { value } = loadTheme(name, { noColor: false });
      expect(value!.tokens['border.focused'], name).not.toEqual(value!.tokens['border.normal']);
    }
  });
});

describe('loadTheme', () => {
  it('resolves palette names into Ink <Text> props', () => {
    const { value } = loadTheme('dark', { noColor: false });
    expect(value!.tokens['title.focused']).toEqual({ color: 'cyan', bold: true });
    expect(value!.tokens['statusbar.mode.prefix']).toEqual({ color: 'black', backgroundColor: 'yellow', bold: true });
    // 'default' leaves the colour to the terminal: no prop at all.
    expect(value!.tokens['title.normal']).toEqual({});
    const noColor = loadTheme('no-color', { noColor: false }).value!;
    expect(noColor.tokens['text.muted']).toEqual({ dimColor: true });
  });

  it('uses no-color whenever NO_COLOR asks for it', () => {
    expect(loadTheme('light', { noColor: true }).value?.name).toBe('no-color');
    expect(noColorRequested({ NO_COLOR: '1' })).toBe(true);
    expect(noColorRequested({ NO_COLOR: '' })).toBe(false);
    expect(noColorRequested({})).toBe(false);
  });

  it('lists the available themes for an unknown name, even under NO_COLOR', () => {
    const expected = ['unknown theme "solarized"; available themes: dark, high-contrast, light, no-color'];
    expect(loadTheme('solarized', { noColor: false })).toEqual({ errors: expected });
    expect(loadTheme('solarized', { noColor: true })).toEqual({ errors: expected });
    expect(loadTheme('../package', { noColor: false }).errors[0]).toMatch(/^unknown theme/);
  });
});

describe('custom themes dir', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agents-themes-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const base = (): ThemeFile => readTheme('dark');

  it('reports bad colours, palette references and missing tokens with their key paths', () => {
    const theme = base() as unknown as { palette: Record<string, string>; tokens: Record<string, unknown> };
    theme.palette.accent = 'teal';
    theme.tokens['border.focused'] = { fg: 'acent' };
    delete theme.tokens['text.warning'];
    theme.tokens['dialog.key'] = { fg: 'muted', blink: true };
    const file = join(dir, 'mine.json');
    writeFileSync(file, JSON.stringify({ ...theme, name: 'mine' }));
    const { value, errors } = loadTheme('mine', { noColor: false, themesDir: dir });
    expect(value).toBeUndefined();
    expect(errors).toEqual([
      `${file}: palette.accent: expected an ANSI colour name (black, red, green, yellow, blue, magenta, cyan, white, ...Bright), 'default' or '#rrggbb', found "teal"`,
      `${file}: tokens["dialog.key"].blink: unknown key; expected one of fg, bg, bold, dim, inverse, underline`,
      `${file}: tokens["text.warning"]: expected an object, found nothing (the key is missing)`,
    ]);
    // Palette references are checked once the shape is right.
    theme.palette.accent = '#00aaff';
    theme.tokens['dialog.key'] = { fg: 'muted' };
    theme.tokens['text.warning'] = {};
    writeFileSync(file, JSON.stringify({ ...theme, name: 'mine' }));
    expect(loadTheme('mine', { noColor: false, themesDir: dir }).errors).toEqual([
      `${file}: tokens["border.focused"].fg: expected a palette name (text, muted, accent, attention, ok, error, special, ink) or a colour, found "acent"`,
    ]);
  });

  it('requires the name inside to match the file name', () => {
    const file = join(dir, 'other.json');
    writeFileSync(file, JSON.stringify(base()));
    expect(loadTheme('other', { noColor: false, themesDir: dir }).errors).toEqual([
      `${file}: name: expected "other" (the file's name), found "dark"`,
    ]);
  });

  it('reports a syntax error with its position', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{\n  "name": "broken"\n  "palette": {}\n}');
    expect(loadTheme('broken', { noColor: false, themesDir: dir }).errors).toEqual([
      `${file}:3:3: invalid JSON: expected ',' or '}', found '"'`,
    ]);
  });
});
