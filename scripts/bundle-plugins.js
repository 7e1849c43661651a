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
      const code = await readFile(args.path, 'utf8');
      const parts = code.split(YOGA_FETCH);
      if (parts.length !== 2) throw new Error(`bundle: yoga-layout's wasm loader changed (${YOGA_FETCH} found ${parts.length - 1} times); see the stubs plugin in scripts/bundle.js`);
      return { contents: parts.join(YOGA_NO_FETCH), loader: 'js' };
    });
    // string-width builds /^\p{RGI_Emoji}$/v when it loads: ~25 ms of V8 work (measured; the Ink
    // chunk's evaluation in CPU profiles of the start), before the first frame. It is built on first
    // need instead, and not needed for a segment that is one code point without Emoji_Presentation:
    // no such code point is RGI_Emoji (checked for every code point with this Node's ICU).
    // (Only the project's own copy: wrap-ansi keeps an older string-width of its own, without it.)
    b.onLoad({ filter: /[\\/]node_modules[\\/]string-width[\\/]index\.js$/ }, async (args) => {
      if (args.path !== join(ROOT, 'node_modules', 'string-width', 'index.js')) return undefined;
      const code = await readFile(args.path, 'utf8');
      const parts = code.split(STRING_WIDTH_RGI);
      if (parts.length !== 2) throw new Error(`bundle: string-width changed (its RGI_Emoji regex found ${parts.length - 1} times); see the stubs plugin in scripts/bundle.js`);
      return { contents: parts.join(STRING_WIDTH_LAZY_RGI), loader: 'js' };
    });
    // Ink turns each row of its frame back into a string through this, one cell at a time: two
    // diffs of the cell's style against its neighbour's, each building three Sets and two arrays,
    // for every cell of the screen (244x85: ~20,700) at every render. The workspace's first frame
    // spent 35-45 ms there, and in the garbage collector after it (CPU profiles of the server). A
    // cell styled as its neighbour (most of a frame: blank or plain text) needs no codes between
    // them, which the diff would also find: the same codes in the same order leave nothing to undo
    // and nothing to add.
    b.onLoad({ filter: /[\\/]@alcalzone[\\/]ansi-tokenize[\\/]build[\\/]styledChars\.js$/ }, async (args) => {
      const code = await readFile(args.path, 'utf8');
      const parts = code.split(STYLED_CHARS_TO_STRING);
      if (parts.length !== 2) throw new Error(`bundle: @alcalzone/ansi-tokenize changed (styledCharsToString found ${parts.length - 1} times); see the stubs plugin in scripts/bundle-plugins.js`);
      return { contents: parts.join(STYLED_CHARS_TO_STRING_FAST), loader: 'js' };
    });
  },
};
/** @alcalzone/ansi-tokenize 0.2's styledCharsToString, and the same with unchanged styles skipped. */
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
        if (i === chars.length - 1 && char.styles.length > 0) {
            ret += ansiCodesToString(diffAnsiCodes(char.styles, []));
        }
    }
    return ret;
}`;
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
