// What the bundle (scripts/bundle.js) changes in the packages it takes in: imports that must not be
// bundled, resolved to something harmless, and patches to a few packages' start-up and render costs,
// each measured. A patch names the exact text it replaces and fails the build when the package changed
// (an update must be looked at again, not silently left unpatched). Kept apart from the build itself so
// tests can bundle with the same plugin and compare a patched function with the original.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Resolves imports that must not be bundled to something harmless. */
export const stubs = {
  name: 'stubs',
  setup(b) {
    // Ink's debug mode (DEV=true in the environment, which people set for other reasons) imports
    // React's dev tools, which need react-devtools-core (not installed), and reads Ink's own
    // package.json next to its module, a path that does not exist once bundled: the workspace would
    // fail to start. Ink here is never in debug mode, and the dev tools are not bundled.
    const inInk = (args) => /[\\/]ink[\\/]build[\\/]/.test(args.importer);
    b.onResolve({ filter: /^\.\/devtools\.js$/ }, (args) => (inInk(args) ? { path: 'devtools', namespace: 'ink-stub' } : undefined));
    b.onResolve({ filter: /^\.\/utils\.js$/ }, (args) => (inInk(args) ? { path: 'utils', namespace: 'ink-stub' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'ink-stub' }, (args) => ({ contents: args.path === 'utils' ? 'export const isDev = () => false;' : 'export {};', loader: 'js' }));
    // Yoga's wasm is inlined as a base64 data: URL, which its loader fetch()es whenever fetch exists:
    // on Node that loads undici (Node's fetch) and decodes the URL through it, ~10 ms of the
    // workspace's start-up in CPU profiles. Its own synchronous fallback decodes the same bytes.
    b.onLoad({ filter: /[\\/]yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/ }, async (args) => {
      let code = await readFile(args.path, 'utf8');
      code = replaceOnce(code, YOGA_FETCH, YOGA_NO_FETCH, "yoga-layout's wasm loader (its fetch)");
      // The module is also instantiated synchronously (below): its instantiateWasm hook is handed
      // the inlined data: URL, which Node's native base64 decoder reads in ~0.1 ms (the loader's own
      // decoder, a JavaScript loop over 130 KB of base64, took 4.8 ms of every start in profiles).
      code = replaceOnce(code, YOGA_DATA_URL, YOGA_DATA_URL, "yoga-layout's wasm loader (its inlined data: URL)");
      code = replaceOnce(code, YOGA_HOOK, YOGA_HOOK_WITH_URL, "yoga-layout's wasm loader (its instantiateWasm hook)");
      return { contents: code, loader: 'js' };
    });
    // Top-level await: yoga-layout awaits its wasm's instantiation, and Ink awaits its dev tools and
    // its package.json in debug mode. The workspace server runs a CommonJS build (it starts from a V8
    // code cache, src/cli/code-cache.ts), which cannot await at the top level. Yoga's module is
    // compiled and instantiated synchronously instead (WebAssembly.Module/Instance: Node allows any
    // size on any thread), and Ink's debug-mode awaits go (its debug mode is stubbed off above).
    b.onLoad({ filter: /[\\/]yoga-layout[\\/]dist[\\/]src[\\/]index\.js$/ }, async (args) => {
      const code = await readFile(args.path, 'utf8');
      return { contents: replaceOnce(code, YOGA_AWAIT, YOGA_SYNC, 'yoga-layout (its top-level await)'), loader: 'js' };
    });
    b.onLoad({ filter: /[\\/]ink[\\/]build[\\/]reconciler\.js$/ }, async (args) => {
      let code = await readFile(args.path, 'utf8');
      code = replaceOnce(code, "await import('./devtools.js');", '/* dev tools: not bundled, and isDev() is false */', "Ink's reconciler (its dev tools)");
      code = replaceOnce(code, '? await loadPackageJson()', '? undefined', "Ink's reconciler (its package.json)");
      return { contents: code, loader: 'js' };
    });
    // string-width builds /^\p{RGI_Emoji}$/v when it loads: ~25 ms of V8 work (measured; the Ink
    // chunk's evaluation in CPU profiles of the start), before the first frame. It is built on first
    // need instead, and not needed for a segment that is one code point without Emoji_Presentation:
    // no such code point is RGI_Emoji (checked for every code point with this Node's ICU).
    // (Only the project's own copy: wrap-ansi keeps an older string-width of its own, without it.)
    b.onLoad({ filter: /[\\/]node_modules[\\/]string-width[\\/]index\.js$/ }, async (args) => {
      if (args.path !== join(ROOT, 'node_modules', 'string-width', 'index.js')) return undefined;
      let code = await readFile(args.path, 'utf8');
      code = replaceOnce(code, STRING_WIDTH_RGI, STRING_WIDTH_LAZY_RGI, 'string-width (its RGI_Emoji regex)');
      code = replaceOnce(code, 'const segmenter = new Intl.Segmenter();', SIMPLE_GRAPHEMES, 'string-width (its segmenter)');
      return { contents: code, loader: 'js' };
    });
    // The first Intl.Segmenter a process creates loads ICU's break rules: 8-15 ms (measured), paid
    // when Ink's modules and src/terminal/input.ts loaded, before the first frame. Ink's text
    // measuring (string-width) and its frame's tokenizer (@alcalzone/ansi-tokenize) split text into
    // grapheme clusters; for text in which every code point is a cluster of its own (the chrome's:
    // ASCII, Latin, punctuation, arrows, box drawing; checked against Intl.Segmenter for each such
    // code point in test/scripts/bundle-plugins.test.ts) they now take the code points as they are,
    // and the segmenter is created on first need. slice-ansi and wrap-ansi's own string-width only
    // create theirs on first need.
    b.onResolve({ filter: /^agents-graphemes$/ }, () => ({ path: 'graphemes', namespace: 'agents-graphemes' }));
    b.onLoad({ filter: /.*/, namespace: 'agents-graphemes' }, () => ({ contents: GRAPHEMES_MODULE, loader: 'js' }));
    b.onLoad({ filter: /[\\/]@alcalzone[\\/]ansi-tokenize[\\/]build[\\/]tokenize\.js$/ }, async (args) => {
      const code = await readFile(args.path, 'utf8');
      return { contents: replaceOnce(code, 'const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });', SIMPLE_GRAPHEMES, '@alcalzone/ansi-tokenize (its segmenter)'), loader: 'js' };
    });
    b.onLoad({ filter: /[\\/]wrap-ansi[\\/]node_modules[\\/]string-width[\\/]index\.js$/ }, async (args) => {
      const code = await readFile(args.path, 'utf8');
      return { contents: replaceOnce(code, 'const segmenter = new Intl.Segmenter();', LAZY_GRAPHEMES('segmenter'), "wrap-ansi's string-width (its segmenter)"), loader: 'js' };
    });
    b.onLoad({ filter: /[\\/]slice-ansi[\\/]tokenize-ansi\.js$/ }, async (args) => {
      const code = await readFile(args.path, 'utf8');
      return { contents: replaceOnce(code, "const GRAPHEME_SEGMENTER = new Intl.Segmenter(undefined, {granularity: 'grapheme'});", LAZY_GRAPHEMES('GRAPHEME_SEGMENTER'), 'slice-ansi (its segmenter)'), loader: 'js' };
    });
    // Ink turns each row of its frame back into a string through this, one cell at a time: two
    // diffs of the cell's style against its neighbour's, each building three Sets and two arrays,
    // for every cell of the screen (244x85: ~20,700) at every render. The workspace's first frame
    // spent 35-45 ms there, and in the garbage collector after it (CPU profiles of the server). A
    // cell styled as its neighbour (most of a frame: blank or plain text) needs no codes between
    // them, which the diff would also find: the same codes in the same order leave nothing to undo
    // and nothing to add.
    // Ink's frame buffer (Output): every render made a cell object with its own empty style array
    // for each of the screen's cells before writing anything (244x85: ~20,700 objects and as many
    // arrays), and tokenized every line of text it wrote afresh, its caches made new for each
    // render. A status change redraws the whole chrome, and a keystroke arriving meanwhile waits:
    // a CPU profile of the server while keys were typed showed ~20 ms renders, a third of it in
    // the garbage collector. Blank cells now share one frozen cell (Ink only ever replaces cells,
    // never changes one: a write that tried would throw), and the caches (pure functions of a line's
    // text) are shared by every render, emptied when they grow past a bound. Rows are made by one
    // fill, and copied without their holes only when they have some (a write past a row's end).
    // Ink's Output alone, 244x85 with a chrome's writes, fresh processes: the first three renders
    // 22-24 -> 7.4-8.3 ms each, later ones 2.2 -> 0.84 ms.
    b.onLoad({ filter: /[\\/]ink[\\/]build[\\/]output\.js$/ }, async (args) => {
      let code = await readFile(args.path, 'utf8');
      code = replaceOnce(code, INK_BLANK_CELL, 'row.push(BLANK_CELL);', "Ink's Output (its blank cells)");
      code = replaceOnce(code, INK_ROWS, INK_ROWS_FILLED, "Ink's Output (its rows)");
      code = replaceOnce(code, INK_FILTER, INK_NO_HOLES, "Ink's Output (its holes)");
      code = replaceOnce(code, '    caches = new OutputCaches();', '    caches = sharedOutputCaches();', "Ink's Output (its caches)");
      code = replaceOnce(code, 'export default class Output {', INK_SHARED, "Ink's Output (the class)");
      return { contents: code, loader: 'js' };
    });
    // Node built-ins loaded for one rarely used call, before the workspace server's first frame:
    // commander's child_process (it spawns executable subcommands, which this program has none of),
    // terminal-size's (Ink's fallback when a stream has no size: it runs tput or resize) and
    // signal-exit's assert (one argument check). Each now loads when that call is made, if ever:
    // ~2 and ~3 ms of the server's start (measured in a process that had loaded the server's other
    // built-ins).
    b.onLoad({ filter: /[\\/]node_modules[\\/]commander[\\/]lib[\\/]command\.js$/ }, async (args) => {
      const code = await readFile(args.path, 'utf8');
      return { contents: replaceOnce(code, COMMANDER_CHILD_PROCESS, COMMANDER_LAZY_CHILD_PROCESS, 'commander (its child_process)'), loader: 'js' };
    });
    b.onLoad({ filter: /[\\/]node_modules[\\/]terminal-size[\\/]index\.js$/ }, async (args) => {
      const code = await readFile(args.path, 'utf8');
      return { contents: replaceOnce(code, "import {execFileSync} from 'node:child_process';", TERMINAL_SIZE_LAZY_EXEC, 'terminal-size (its child_process)'), loader: 'js' };
    });
    b.onLoad({ filter: /[\\/]node_modules[\\/]signal-exit[\\/]index\.js$/ }, async (args) => {
      const code = await readFile(args.path, 'utf8');
      return { contents: replaceOnce(code, "  var assert = require('assert')\n", SIGNAL_EXIT_ASSERT, 'signal-exit (its assert)'), loader: 'js' };
    });
    b.onLoad({ filter: /[\\/]@alcalzone[\\/]ansi-tokenize[\\/]build[\\/]styledChars\.js$/ }, async (args) => {
      const code = await readFile(args.path, 'utf8');
      return { contents: replaceOnce(code, STYLED_CHARS_TO_STRING, STYLED_CHARS_TO_STRING_FAST, '@alcalzone/ansi-tokenize (styledCharsToString)'), loader: 'js' };
    });
  },
};
const COMMANDER_CHILD_PROCESS = "const childProcess = require('node:child_process');";
const COMMANDER_LAZY_CHILD_PROCESS = "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };";
const TERMINAL_SIZE_LAZY_EXEC = "const execFileSync = (...args) => require('node:child_process').execFileSync(...args);";
// assert.equal's check (loose equality) and its message, as an Error: the one use is a programming
// error in a caller (a handler that is not a function).
const SIGNAL_EXIT_ASSERT = `  var assert = { equal: function (a, b, message) { if (a != b) throw new Error(message) } }
`;

/** `code` with `from` (which must be there exactly once: else the package changed, and the patch is looked at again) replaced. */
function replaceOnce(code, from, to, what) {
  const parts = code.split(from);
  if (parts.length !== 2) throw new Error(`bundle: ${what} changed (found ${parts.length - 1} times); see the stubs plugin in scripts/bundle-plugins.js`);
  return parts.join(to);
}

/**
 * Code points that are each a grapheme cluster of their own next to any other of them: no CR (CR LF
 * is one cluster), no combining marks, joiners, variation selectors, Prepend characters, Hangul or
 * regional indicators; all in the BMP. Exported for the test that checks it against Intl.Segmenter.
 */
export const SIMPLE_TEXT = String.raw`^[\0-\x0c\x0e-\u02ff\u2010-\u2027\u2030-\u205e\u2190-\u2bff]*$`;
/** The module the patched packages import: grapheme segments without ICU for simple text. */
const GRAPHEMES_MODULE = `const SIMPLE = new RegExp(${JSON.stringify(SIMPLE_TEXT)});
let segmenter;
const real = () => (segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' }));
function simple(input) {
  const out = new Array(input.length);
  for (let index = 0; index < input.length; index++) out[index] = { segment: input[index], index, input };
  return out;
}
/** Intl.Segmenter's grapheme segment() for iterating, with each code point its own segment in simple text. */
export const graphemes = { segment: (input) => (SIMPLE.test(input) ? simple(input) : real().segment(input)) };
/** Intl.Segmenter itself, created on first use. */
export const lazyGraphemes = { segment: (input) => real().segment(input) };
`;
/** A module's segmenter, replaced by the simple-text one (for modules that only iterate over segments). */
const SIMPLE_GRAPHEMES = "import { graphemes as __agentsGraphemes } from 'agents-graphemes';\nconst segmenter = __agentsGraphemes;";
/** A module's segmenter, created on first use (for modules that use more of what segment() returns). */
const LAZY_GRAPHEMES = (name) => `import { lazyGraphemes as __agentsLazyGraphemes } from 'agents-graphemes';\nconst ${name} = __agentsLazyGraphemes;`;

/**
 * @alcalzone/ansi-tokenize 0.2's styledCharsToString, and the same with unchanged styles skipped and
 * a run of one shared cell added at once. A line of Ink's frame is mostly its one blank cell, and
 * adding 20,000 cells to a string one by one was the largest item of the workspace's first render:
 * 24 ms of a 51 ms render in a start's CPU profile (the code is cold then); one run at a time, a
 * fresh process does the same lines in ~2 ms instead of ~7-9.
 */
const STYLED_CHARS_TO_STRING = `export function styledCharsToString(chars) {
    let ret = "";
    for (let i = 0; i < chars.length; i++) {
        const char = chars[i];
        if (i === 0) {
            ret += ansiCodesToString(char.styles);
        }
        else {
            ret += ansiCodesToString(diffAnsiCodes(chars[i - 1].styles, char.styles));
        }
        ret += char.value;
        // reset active styles at the end of the string
        if (i === chars.length - 1) {
            ret += ansiCodesToString(diffAnsiCodes(char.styles, []));
        }
    }
    return ret;
}`;
const STYLED_CHARS_TO_STRING_FAST = `function sameStyles(a, b) {
    if (a === b) return true;
    if (a.length !== b.length) return false;
    for (let k = 0; k < a.length; k++) if (a[k].code !== b[k].code || a[k].endCode !== b[k].endCode) return false;
    return true;
}
export function styledCharsToString(chars) {
    let ret = "";
    for (let i = 0; i < chars.length; i++) {
        const char = chars[i];
        if (i === 0) {
            if (char.styles.length > 0) ret += ansiCodesToString(char.styles);
        }
        else if (!sameStyles(chars[i - 1].styles, char.styles)) {
            ret += ansiCodesToString(diffAnsiCodes(chars[i - 1].styles, char.styles));
        }
        ret += char.value;
        // A run of this very cell (Ink's shared blank, patched below): its values at once.
        let j = i + 1;
        while (j < chars.length && chars[j] === char) j++;
        if (j > i + 1) {
            ret += char.value.repeat(j - i - 1);
            i = j - 1;
        }
        if (i === chars.length - 1 && char.styles.length > 0) {
            ret += ansiCodesToString(diffAnsiCodes(char.styles, []));
        }
    }
    return ret;
}`;
/** Ink 6.8's Output.get: a new blank cell for every cell of the screen. */
const INK_BLANK_CELL = `row.push({
                    type: 'char',
                    value: ' ',
                    fullWidth: false,
                    styles: [],
                });`;
/** Its row made cell by cell (after the blank cell patch), and the same made by one fill. */
const INK_ROWS = `            const row = [];
            for (let x = 0; x < this.width; x++) {
                row.push(BLANK_CELL);
            }`;
const INK_ROWS_FILLED = `            const row = new Array(this.width).fill(BLANK_CELL);`;
/** Its copy of every row without holes, and a copy only of a row that has one. */
const INK_FILTER = 'const lineWithoutEmptyItems = line.filter(item => item !== undefined);';
const INK_NO_HOLES = 'let lineWithoutEmptyItems = line; for (let i = 0; i < line.length; i++) if (line[i] === undefined) { lineWithoutEmptyItems = line.filter(item => item !== undefined); break; }';
/** One blank cell for all, and caches shared by every render (bounded: titles and clocks make new lines). */
const INK_SHARED = `const BLANK_CELL = Object.freeze({ type: 'char', value: ' ', fullWidth: false, styles: Object.freeze([]) });
let sharedCaches;
function sharedOutputCaches() {
    if (sharedCaches === undefined || sharedCaches.styledChars.size + sharedCaches.widths.size + sharedCaches.blockWidths.size > 4000) sharedCaches = new OutputCaches();
    return sharedCaches;
}
export default class Output {`;
/** string-width 8.3's emoji test, and the same test with the regex built on first need. */
const STRING_WIDTH_RGI = 'const rgiEmojiRegex = /^\\p{RGI_Emoji}$/v;';
const STRING_WIDTH_LAZY_RGI = `const emojiPresentationRegex = /^\\p{Emoji_Presentation}$/u;
let rgiEmojiRegexBuilt;
const rgiEmojiRegex = {
  test: (segment) =>
    segment.length <= 2 && segment.codePointAt(0) > 0xffff === (segment.length === 2) && !emojiPresentationRegex.test(segment)
      ? false
      : (rgiEmojiRegexBuilt ??= new RegExp('^\\\\p{RGI_Emoji}$', 'v')).test(segment),
};`;
/** In yoga-layout 3.2's loader: use fetch when there is no binary given and fetch is a function. */
const YOGA_FETCH = 'return w||"function"!=typeof fetch?';
const YOGA_NO_FETCH = 'return w||true?';
/** Its inlined wasm, a base64 data: URL (in `H`, in 3.2's minified loader). */
const YOGA_DATA_URL = 'var H;H="data:application/octet-stream;base64,';
/** Where it hands the instantiation to a Module's instantiateWasm hook, and the same with the URL. */
const YOGA_HOOK = 'if(h.instantiateWasm)try{return h.instantiateWasm(d,';
const YOGA_HOOK_WITH_URL = 'if(h.instantiateWasm)try{return h.instantiateWasm(d,H,';
/** yoga-layout 3.2's entry awaits the loader; the same done synchronously through the hook. */
const YOGA_AWAIT = 'const Yoga = wrapAssembly(await loadYoga());';
const YOGA_SYNC = `const Yoga = wrapAssembly(loadYogaNow());
function loadYogaNow() {
  const module = {
    instantiateWasm(imports, url, receive) {
      const bytes = Buffer.from(url.slice(url.indexOf(',') + 1), 'base64');
      receive(new WebAssembly.Instance(new WebAssembly.Module(bytes), imports));
      return {};
    },
  };
  // Settled already when it returns (the loader runs on once its one dependency, the wasm, is in).
  loadYoga(module).catch(() => undefined);
  if (!module.calledRun) throw new Error('yoga-layout: its wasm did not start synchronously');
  return module;
}`;
