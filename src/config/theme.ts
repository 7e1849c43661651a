// Themes: one JSON file per theme in `themes/` at the package root, naming a style for every semantic
// token of the workspace chrome. Resolved styles use Ink's <Text> prop names so the UI can spread them;
// components never hold colour literals. Themes never touch the agents' own output.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { printable } from '../util/safe-text.js';
import { describeValue, formatIssues, readJsonFile, type Loaded } from './load.js';

export const THEME_TOKENS = [
  'border.normal',
  'border.focused',
  'border.attention',
  'title.normal',
  'title.focused',
  'title.number',
  'status.running',
  'status.exited',
  'status.failed',
  'status.missing',
  'status.busy',
  'status.idle',
  'status.waiting',
  'statusbar.text',
  'statusbar.mode.normal',
  'statusbar.mode.prefix',
  'statusbar.mode.scroll',
  'statusbar.mode.dialog',
  'statusbar.mode.board',
  'statusbar.hint',
  'dialog.border',
  'dialog.title',
  'dialog.text',
  'dialog.key',
  'dialog.selected',
  'text.muted',
  'text.error',
  'text.warning',
  'chat.user',
  'chat.tool',
  'md.heading',
  'md.code',
  'md.keyword',
  'md.string',
  'md.comment',
  'diff.file',
  'diff.added',
  'diff.removed',
  'diff.hunk',
  'diff.meta',
] as const;
export type TokenName = (typeof THEME_TOKENS)[number];

/** The 16 colours of the terminal's own palette, spelt as chalk (and so Ink) spells them. */
export const ANSI_COLOURS = [
  'black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white',
  'gray', 'grey', 'blackBright', 'redBright', 'greenBright', 'yellowBright',
  'blueBright', 'magentaBright', 'cyanBright', 'whiteBright',
] as const;

export const DEFAULT_THEME = 'dark';
export const NO_COLOR_THEME = 'no-color';

/** Exactly the Ink <Text> props a token sets. */
export type Style = {
  color?: string;
  backgroundColor?: string;
  bold?: boolean;
  dimColor?: boolean;
  inverse?: boolean;
  underline?: boolean;
};
export type Theme = { name: string; tokens: Record<TokenName, Style> };

const HEX = /^#[0-9a-fA-F]{6}$/;

/** 'default' means "leave it to the terminal", i.e. no colour prop at all. */
export function isColour(value: string): boolean {
  return value === 'default' || HEX.test(value) || (ANSI_COLOURS as readonly string[]).includes(value);
}

const colour = z.string().refine(isColour, {
  error: `expected an ANSI colour name (${ANSI_COLOURS.slice(0, 8).join(', ')}, ...Bright), 'default' or '#rrggbb'`,
});

const StyleSchema = z.strictObject({
  fg: z.string().optional(),
  bg: z.string().optional(),
  bold: z.boolean().optional(),
  dim: z.boolean().optional(),
  inverse: z.boolean().optional(),
  underline: z.boolean().optional(),
});
export type StyleEntry = z.output<typeof StyleSchema>;

const tokensShape = Object.fromEntries(THEME_TOKENS.map((t) => [t, StyleSchema])) as Record<
  TokenName,
  typeof StyleSchema
>;

export const ThemeFileSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9-]+$/, 'expected lower-case letters, digits and -'),
    description: z.string(),
    palette: z.record(z.string(), colour).default({}),
    tokens: z.strictObject(tokensShape),
  })
  .superRefine((theme, ctx) => {
    const names = Object.keys(theme.palette);
    for (const token of THEME_TOKENS) {
      for (const key of ['fg', 'bg'] as const) {
        const ref = theme.tokens[token][key];
        if (ref === undefined || isColour(ref) || names.includes(ref)) continue;
        const choices = names.length > 0 ? `a palette name (${names.join(', ')}) or ` : '';
        ctx.addIssue({
          code: 'custom',
          message: `expected ${choices}a colour, found ${JSON.stringify(ref)}`,
          path: ['tokens', token, key],
        });
      }
    }
  });
export type ThemeFile = z.output<typeof ThemeFileSchema>;

/** `themes/` at the package root: two levels above both src/config/theme.ts and dist/config/theme.js. */
export function defaultThemesDir(): string {
  return fileURLToPath(new URL('../../themes/', import.meta.url));
}

/** NO_COLOR counts only when set to a non-empty value (https://no-color.org). */
export function noColorRequested(env: NodeJS.ProcessEnv): boolean {
  return typeof env.NO_COLOR === 'string' && env.NO_COLOR !== '';
}

export function listThemes(themesDir: string = defaultThemesDir()): string[] {
  try {
    return readdirSync(themesDir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -'.json'.length))
      .sort();
  } catch {
    return [];
  }
}

export function loadTheme(name: string, opts: { noColor: boolean; themesDir?: string }): Loaded<Theme> {
  const dir = opts.themesDir ?? defaultThemesDir();
  const available = listThemes(dir);
  // The asked-for name is checked even under NO_COLOR so a typo in the config is still reported.
  if (!available.includes(name)) {
    const list = available.length > 0 ? available.join(', ') : `none (no theme files in ${dir})`;
    // The name comes from the config or the command line: shown escaped, like every value quoted in an error.
    return { errors: [printable(`unknown theme ${describeValue(name)}; available themes: ${list}`)] };
  }
  return loadThemeFile(join(dir, `${opts.noColor ? NO_COLOR_THEME : name}.json`));
}

export function loadThemeFile(file: string): Loaded<Theme> {
  const json = readJsonFile(file);
  if (json.errors.length > 0) return { errors: json.errors };
  // jitless: parsed once per start; zod's compiled fast path for this schema (40 token objects) cost
  // ~5 ms of the workspace's start to generate and compile, and finds the same issues.
  const parsed = ThemeFileSchema.safeParse(json.value, { reportInput: true, jitless: true });
  if (!parsed.success) return { errors: formatIssues(file, parsed.error.issues, themeAllowedKeys) };
  const expected = file.replace(/^.*[\\/]/, '').replace(/\.json$/, '');
  if (parsed.data.name !== expected) {
    return {
      errors: [printable(`${file}: name: expected "${expected}" (the file's name), found "${parsed.data.name}"`)],
    };
  }
  return { value: resolveTheme(parsed.data), errors: [] };
}

function themeAllowedKeys(path: readonly PropertyKey[]): readonly string[] | undefined {
  if (path.length === 0) return Object.keys(ThemeFileSchema.shape);
  if (path.length === 1 && path[0] === 'tokens') return THEME_TOKENS;
  if (path.length === 2 && path[0] === 'tokens') return Object.keys(StyleSchema.shape);
  return undefined;
}

export function resolveTheme(file: ThemeFile): Theme {
  const pick = (ref: string | undefined): string | undefined => {
    const value = ref === undefined ? undefined : (file.palette[ref] ?? ref);
    return value === 'default' ? undefined : value;
  };
  const tokens = {} as Record<TokenName, Style>;
  for (const token of THEME_TOKENS) {
    const entry = file.tokens[token];
    const style: Style = {};
    const color = pick(entry.fg);
    const backgroundColor = pick(entry.bg);
    if (color !== undefined) style.color = color;
    if (backgroundColor !== undefined) style.backgroundColor = backgroundColor;
    if (entry.bold !== undefined) style.bold = entry.bold;
    if (entry.dim !== undefined) style.dimColor = entry.dim;
    if (entry.inverse !== undefined) style.inverse = entry.inverse;
    if (entry.underline !== undefined) style.underline = entry.underline;
    tokens[token] = style;
  }
  return { name: file.name, tokens };
}
