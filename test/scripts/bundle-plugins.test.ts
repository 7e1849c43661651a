// The bundle's patches to its packages (scripts/bundle-plugins.js) change how fast, never what:
// each patched function, bundled with the same plugin as the program, is compared with the
// package's own on many inputs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { styledCharsFromTokens, styledCharsToString, tokenize, type StyledChar } from '@alcalzone/ansi-tokenize';
import stringWidth from 'string-width';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIMPLE_TEXT, stubs } from '../../scripts/bundle-plugins.js';
import { ROOT } from '../helpers/term.js';

const dir = mkdtempSync(join(tmpdir(), 'agents-bundle-plugins-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Ink's frame buffer, as much of it as the tests drive. */
interface InkOutputLike {
  write(x: number, y: number, text: string, options: { transformers: Array<(line: string, index: number) => string> }): void;
  clip(clip: { x1?: number; x2?: number; y1?: number; y2?: number }): void;
  unclip(): void;
  get(): { output: string; height: number };
}
type InkOutputClass = new (o: { width: number; height: number }) => InkOutputLike;

let patched: { styledCharsToString: typeof styledCharsToString; tokenize: typeof tokenize; stringWidth: typeof stringWidth; segmenters: () => number; InkOutput: InkOutputClass };
let OriginalInkOutput: InkOutputClass;

beforeAll(async () => {
  const outfile = join(dir, 'patched.js');
  await build({
    absWorkingDir: ROOT,
    // Counts the Intl.Segmenters the patched modules create, from the moment they load.
    stdin: {
      contents: `let made = 0;
const Real = Intl.Segmenter;
Intl.Segmenter = class extends Real { constructor(...a) { super(...a); made++; } };
export const segmenters = () => made;
export { styledCharsToString, tokenize } from '@alcalzone/ansi-tokenize';
export { default as stringWidth } from 'string-width';
export { default as sliceAnsi } from 'slice-ansi';
export { default as wrapAnsi } from 'wrap-ansi';
export { default as InkOutput } from './node_modules/ink/build/output.js';`,
      resolveDir: ROOT,
      loader: 'js',
    },
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    plugins: [stubs],
    logLevel: 'silent',
  });
  // The original first: its packages create segmenters as they load, which the patched bundle, once
  // loaded, would count.
  OriginalInkOutput = ((await import(pathToFileURL(join(ROOT, 'node_modules', 'ink', 'build', 'output.js')).href)) as { default: InkOutputClass }).default;
  patched = await import(pathToFileURL(outfile).href);
});

/** A deterministic stream of numbers in [0, 1). */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

const SGR = ['0', '1', '2', '3', '4', '7', '9', '22', '23', '24', '27', '31', '32', '36', '39', '41', '44', '49', '90', '97', '38;5;208', '48;5;17', '38;2;10;20;30', '48;2;200;100;0'];
const TEXT = [' ', ' ', ' ', 'a', 'b', '─', '│', '界', '😀', 'é'];

/** A line as Ink writes them: runs of text with SGR codes between, often the same style again. */
function styledLine(next: () => number): string {
  let line = '';
  const n = Math.floor(next() * 60);
  for (let i = 0; i < n; i++) {
    const r = next();
    if (r < 0.25) line += `\x1b[${SGR[Math.floor(next() * SGR.length)]}m`;
    else if (r < 0.3) line += `\x1b[${SGR[Math.floor(next() * SGR.length)]};${SGR[Math.floor(next() * SGR.length)]}m`;
    else line += TEXT[Math.floor(next() * TEXT.length)].repeat(1 + Math.floor(next() * 4));
  }
  return line;
}

describe("@alcalzone/ansi-tokenize's styledCharsToString, patched to skip unchanged styles", () => {
  it('is the bundled one', () => {
    expect(patched.styledCharsToString.toString()).toContain('sameStyles');
    expect(styledCharsToString.toString()).not.toContain('sameStyles');
  });

  it('gives the same string as the original for 5,000 random styled lines', () => {
    const next = random(42);
    let styled = 0;
    for (let i = 0; i < 5000; i++) {
      const chars = styledCharsFromTokens(tokenize(styledLine(next)));
      if (chars.some((c) => c.styles.length > 0)) styled++;
      expect(patched.styledCharsToString(chars)).toBe(styledCharsToString(chars));
      // The same line with runs of one shared cell object, as Ink's blank makes them.
      const shared = chars.slice();
      for (let k = 1; k < shared.length; k++) if (next() < 0.4) shared[k] = shared[k - 1];
      expect(patched.styledCharsToString(shared)).toBe(styledCharsToString(shared));
    }
    expect(styled).toBeGreaterThan(3000);
  });

  it('gives the same string for cells whose equal styles are separate arrays, in another order, or one more', () => {
    const bold = { type: 'ansi' as const, code: '\x1b[1m', endCode: '\x1b[22m' };
    const dim = { type: 'ansi' as const, code: '\x1b[2m', endCode: '\x1b[22m' };
    const red = { type: 'ansi' as const, code: '\x1b[31m', endCode: '\x1b[39m' };
    const cell = (value: string, styles: StyledChar['styles']): StyledChar => ({ type: 'char', value, fullWidth: false, styles });
    const lines: StyledChar[][] = [
      [],
      [cell('a', [])],
      [cell('a', [bold])],
      [cell('a', [bold, red]), cell('b', [bold, red]), cell('c', [red, bold]), cell('d', [red]), cell('e', [])],
      [cell('a', [bold]), cell('b', [bold, dim]), cell('c', [dim]), cell('d', [dim, bold]), cell('e', [dim])],
      [cell(' ', []), cell(' ', []), cell('x', [red]), cell('y', [{ ...red }]), cell(' ', [])],
    ];
    // Runs of one shared cell object (Ink's blank), styled or not, at the start, middle and end.
    const blank = cell(' ', []);
    const redX = cell('x', [red]);
    const run = (c: StyledChar, n: number) => Array.from({ length: n }, () => c);
    lines.push(
      run(blank, 5),
      run(redX, 4),
      [...run(blank, 3), cell('a', [bold]), ...run(blank, 7), ...run(redX, 2), cell('b', [])],
      [cell('a', [bold]), ...run(redX, 3), ...run(blank, 2), ...run(redX, 3)],
    );
    for (const line of lines) expect(patched.styledCharsToString(line)).toBe(styledCharsToString(line));
  });
});

/** Strings of `pool`'s pieces, some with SGR codes between them. */
function strings(next: () => number, pool: readonly string[], n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let str = '';
    const len = Math.floor(next() * 30);
    for (let k = 0; k < len; k++) str += next() < 0.15 ? `\x1b[${SGR[Math.floor(next() * SGR.length)]}m` : pool[Math.floor(next() * pool.length)];
    out.push(str);
  }
  return out;
}

const SIMPLE = new RegExp(SIMPLE_TEXT);
/** Every BMP code point the patched modules treat as a grapheme cluster of its own. */
const simpleCodePoints = Array.from({ length: 0x10000 }, (_, c) => String.fromCharCode(c)).filter((c) => SIMPLE.test(c));
/** What breaks the simple path: combining marks, joiners, variation selectors, CR LF, Hangul, emoji, CJK. */
const COMPLEX = ['e\u0301', '\u200d', '\ufe0f', '\r\n', '\r', '\u1100\u1161', '한', '😀', '👩‍💻', '🇫🇷', '界', '\u0915\u094d\u0937', '\u0600a'];

describe('grapheme clusters without Intl.Segmenter for simple text', () => {
  // First: the other tests create segmenters of their own.
  it('no segmenter is created by loading the patched modules or by measuring and tokenizing simple text', () => {
    expect(patched.segmenters()).toBe(0);
    for (const s of ['┏━━ 1 sleep · running ━┓', '\x1b[36m│\x1b[39m  NORMAL  ← → ‘quoted’ … ½ é', '']) {
      patched.stringWidth(s);
      patched.tokenize(s);
    }
    expect(patched.segmenters()).toBe(0);
    patched.stringWidth('👩‍💻');
    expect(patched.segmenters()).toBe(1);
  });

  it('every code point of the simple set is a cluster of its own, whatever simple text surrounds it', () => {
    const seg = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
    expect(simpleCodePoints.length).toBeGreaterThan(3000);
    const merged = simpleCodePoints.filter((c) => [...seg.segment(`a${c}a`)].length !== 3 || [...seg.segment(`${c}${c}`)].length !== 2 || [...seg.segment(`\n${c}\x1b`)].length !== 3);
    expect(merged).toEqual([]);
  });

  it('string-width gives the same widths as the original', () => {
    for (const c of simpleCodePoints) expect(patched.stringWidth(c), `U+${c.charCodeAt(0).toString(16)}`).toBe(stringWidth(c));
    const next = random(7);
    const simple = simpleCodePoints.filter((_, i) => i % 7 === 0);
    for (const s of [...strings(next, simple, 2000), ...strings(next, [...simple.slice(0, 300), ...COMPLEX], 2000)]) expect(patched.stringWidth(s), JSON.stringify(s)).toBe(stringWidth(s));
  });

  it("@alcalzone/ansi-tokenize's tokenize gives the same tokens as the original", () => {
    const next = random(11);
    const simple = simpleCodePoints.filter((_, i) => i % 5 === 0);
    for (const s of [...strings(next, simple, 2000), ...strings(next, [...simple.slice(0, 300), ...COMPLEX], 2000)]) expect(patched.tokenize(s), JSON.stringify(s)).toEqual(tokenize(s));
  });
});

describe("Ink's Output, patched to share its blank cell and its caches between renders", () => {
  it('is the bundled one', () => {
    expect(patched.InkOutput.toString()).toContain('sharedOutputCaches');
    expect(OriginalInkOutput.toString()).not.toContain('sharedOutputCaches');
  });

  it('gives the same frame as the original for 300 renders of random writes and clips, one after another', () => {
    const next = random(7);
    const int = (n: number) => Math.floor(next() * n);
    const upper = (line: string) => line.toUpperCase();
    for (let r = 0; r < 300; r++) {
      const width = 10 + int(70);
      const height = 3 + int(20);
      const ops: Array<(o: InkOutputLike) => void> = [];
      for (let k = int(30); k > 0; k--) {
        const kind = next();
        if (kind < 0.1) {
          const clip = { x1: int(width), x2: int(width) + 5, y1: int(height), y2: int(height) + 3 };
          ops.push((o) => o.clip(clip));
        } else if (kind < 0.18) ops.push((o) => o.unclip());
        else {
          // Lines seen before come back (titles, borders), so the shared caches are hit across renders.
          const lines = Array.from({ length: 1 + int(3) }, () => (next() < 0.5 ? `\x1b[1m─ pane ${int(4)} ─\x1b[22m│` : styledLine(next)));
          const x = int(width);
          const y = int(height);
          const transformers = next() < 0.1 ? [upper] : [];
          ops.push((o) => o.write(x, y, lines.join('\n'), { transformers }));
        }
      }
      const a = new OriginalInkOutput({ width, height });
      const b = new patched.InkOutput({ width, height });
      for (const op of ops) {
        op(a);
        op(b);
      }
      expect(b.get()).toEqual(a.get());
    }
  });
});
