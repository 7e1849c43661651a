/**
 * A theme token's style as a grid cell's colours and attributes: for what the compositor draws
 * itself (renderer.ts labels), so it looks the way Ink draws the same token. Colours are chalk's
 * names (the 16 of the terminal's palette) or #rrggbb, in xterm's packed form (grid.ts).
 */
import type { Style } from '../config/theme.js';
import { ATTR, COLOR } from './grid.js';

const PALETTE: Record<string, number> = {
  black: 0,
  red: 1,
  green: 2,
  yellow: 3,
  blue: 4,
  magenta: 5,
  cyan: 6,
  white: 7,
  gray: 8,
  grey: 8,
  blackBright: 8,
  redBright: 9,
  greenBright: 10,
  yellowBright: 11,
  blueBright: 12,
  magentaBright: 13,
  cyanBright: 14,
  whiteBright: 15,
};

function colour(name: string | undefined): number {
  if (!name || name === 'default') return COLOR.default;
  const index = PALETTE[name];
  if (index !== undefined) return COLOR.p16 | index;
  if (/^#[0-9a-fA-F]{6}$/.test(name)) return COLOR.rgb | Number.parseInt(name.slice(1), 16);
  return COLOR.default;
}

export function cellStyle(style: Style): { fg: number; bg: number; attrs: number } {
  const attrs = (style.bold ? ATTR.bold : 0) | (style.dimColor ? ATTR.dim : 0) | (style.inverse ? ATTR.inverse : 0) | (style.underline ? ATTR.underline : 0);
  return { fg: colour(style.color), bg: colour(style.backgroundColor), attrs };
}
