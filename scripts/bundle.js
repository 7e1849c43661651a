// The second half of `npm run build` (after tsc has type-checked and emitted dist/): bundles the
// programs that start often, so starting one reads a few files instead of ~1,500 modules.
//
//   dist/cli/boot.cjs    what bin/agents loads first in a terminal (src/cli/boot.ts): starts its server,
//                        then runs dist/cli/main.cjs as the client, from the client's code cache
//   dist/cli/serve.cjs   what bin/agents loads first in a workspace server or an in-process workspace
//                        (src/cli/serve.ts): runs dist/cli/main.cjs from its code cache (below)
//   dist/cli/main.js     the same program as an ES module: run by nothing (client and server run
//                        dist/cli/main.cjs, below); EAGER_LIMITS checks its static imports
//   dist/cli/servers.cjs `agents ls`, `agents attach [ID]`, `agents stop [ID]` in their plain forms,
//                        run by bin/agents before anything else (src/cli/servers-main.ts)
//   dist/agent/start.cjs the built-in agent, started by path in each of its panes: runs
//                        dist/agent/main.cjs from its code cache (below)
//   dist/chunks/*.js     code shared by the two, and every dynamic import() as a chunk of its own,
//                        so a bad flag or `agents ls` still loads no React, Ink or SDK
//
// Measured on this machine (docs/bench.md): unbundled, Ink alone took ~425 ms to import, half of it
// es-toolkit/compat's 416 files for one function, and Node scanned every CommonJS file for its export
// names; the bundle tree-shakes the one and removes the other.
//
// Layout rule: every output file sits exactly one folder below dist/, like the modules tsc emits, so
// the paths our code builds from import.meta.url (../../themes, ../../data, ../../demo,
// ../../package.json, ../agent/start.cjs) mean the same from a chunk as from the module they came from.
//
// The rest of dist/ (tsc's per-module output) stays for the bench scripts and test helpers that import
// single modules; nothing the programs load at run time comes from it.
import { build } from 'esbuild';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stubs } from './bundle-plugins.js';
// tsc's output of the loader, built just before: the module function main.cjs is written inside.
import { WRAP_HEAD_TEXT, WRAP_TAIL_TEXT } from '../dist/cli/code-cache.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DIST = join(ROOT, 'dist');
const CHUNKS = join(DIST, 'chunks');
/**
 * Chunks of earlier builds are kept this long: a workspace server runs for days, and the chunks it
 * has not loaded yet (the MCP server, the file watcher's fallback) must still be there after a rebuild.
 */
const KEEP_OLD_CHUNKS_MS = 7 * 24 * 3600 * 1000;


/**
 * What a start must not load before it needs it: the build fails if one of these packages lands in
 * the static import graph of an entry (a new top-level import somewhere would do it silently).
 * - `agents` with a bad flag, `agents ls`, and a terminal attaching to a running server draw nothing
 *   themselves: no React, Ink, emulator or SDK.
 * - The built-in agent imports Ink and chalk only once it has hidden CI variables from them
 *   (src/agent/ui/load-ink.ts): they read the environment when they load.
 */
// Paths under node_modules (React's JSX runtime, a few hundred bytes that read nothing, is allowed),
// or an external package's name.
const HEAVY = ['react/index.js', 'react-reconciler/', 'ink/', 'yoga-layout/', 'chalk/', '@xterm/headless/', 'node-pty', '@anthropic-ai/sdk/', '@modelcontextprotocol/sdk/'];
const EAGER_LIMITS = [
  { entry: 'src/cli/main.ts', forbidden: HEAVY },
  { entry: 'src/cli/client-main.ts', forbidden: HEAVY },
  // Attaching parses the server's few messages with zod/mini; zod's full API costs ~30 ms to load.
  { entry: 'src/cli/servers.ts', forbidden: [...HEAVY, 'zod/v4/classic/', 'commander/'] },
  { entry: 'src/agent/main.tsx', forbidden: ['react/index.js', 'react-reconciler/', 'ink/', 'yoga-layout/', 'chalk/'] },
  // The workspace server's way to its first frame (the modules main.ts preloads, and what they import
  // statically): no SDK, no MCP server, nothing only a later action needs (re2js for claims and
  // searches, src/util/re2.ts; MiniSearch for session search; tinyglobby for a worktree's copied
  // files), and not zod's every locale (what `import { z } from 'zod'` instead of `import * as z`
  // pulls in: ~550 KB compiled at each start). Nor React, Ink or yoga: the first frame's chrome is
  // painted without them (src/frontend/chrome-paint.ts), and Ink loads when an overlay first shows.
  ...['src/cli/open.ts', 'src/cli/compose.ts', 'src/server/run-server.ts', 'src/cli/session-start.ts', 'src/server/server.ts'].map((entry) => ({
    entry,
    forbidden: ['@anthropic-ai/sdk/', '@modelcontextprotocol/sdk/', 're2js/', 'minisearch/', 'tinyglobby/', 'zod/v4/locales/index.js', 'react/index.js', 'react-reconciler/', 'ink/', 'yoga-layout/', 'chalk/'],
  })),
];

/** Modules (node_modules paths, external names) in the static import graph of the output built from `entry`. */
function eagerModules(outputs, entry) {
  const start = Object.keys(outputs).find((f) => outputs[f].entryPoint === entry);
  if (!start) throw new Error(`bundle: no output for ${entry}`);
  const seen = new Set();
  const visit = (f) => {
    if (seen.has(f)) return;
    seen.add(f);
    for (const i of outputs[f]?.imports ?? []) if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  visit(start);
  const modules = [];
  for (const f of seen) {
    for (const input of Object.keys(outputs[f].inputs)) {
      const at = input.lastIndexOf('node_modules/');
      if (at >= 0) modules.push(input.slice(at + 'node_modules/'.length));
    }
    for (const i of outputs[f].imports) if (i.external) modules.push(i.path);
  }
  return modules;
}

const started = performance.now();
/** What both builds share. */
const COMMON = {
  absWorkingDir: ROOT,
  outdir: DIST,
  bundle: true,
  platform: 'node',
  target: 'node20.19',
  jsx: 'automatic',
  // Native addons, found by node at run time next to their .node files.
  external: ['node-pty', '@parcel/watcher'],
  plugins: [stubs],
  // Not minified here: a minified bundle measured no faster to start (one file: 566 ms minified,
  // 604 ms not, within the noise; the unminified one ran fewer instructions), and this way a stack
  // trace Node prints itself still names real functions on readable lines. (The CommonJS build below,
  // which runs from a code cache, is minified in whitespace: there the file's size counts.) Crash
  // reports map their stacks back to src/ through the source maps (src/util/stack-map.ts), which cost
  // nothing at start.
  sourcemap: 'linked',
  sourcesContent: false,
  legalComments: 'eof',
  metafile: true,
  logLevel: 'warning',
};
// React (and everything else that asks) takes its production build; the dead development branches
// are dropped. Our own code never reads NODE_ENV from process.env, and children get the person's own.
const PRODUCTION = { 'process.env.NODE_ENV': '"production"' };

const result = await build({
  ...COMMON,
  entryPoints: { 'cli/main': 'src/cli/main.ts', 'agent/main': 'src/agent/main.tsx' },
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  format: 'esm',
  define: PRODUCTION,
  // CommonJS packages inside an ES module still call require() for Node's built-ins.
  banner: { js: "import { createRequire as __agentsCreateRequire } from 'node:module'; const require = __agentsCreateRequire(import.meta.url);" },
});

// The workspace's build (its server, its terminal's client, the in-process workspace) and the built-in
// agent's: the same programs as one CommonJS file each, which bin/agents and src/agent/start.ts run
// through src/cli/code-cache.ts so that they start from a V8 code cache (Node 20 has none for ES
// modules); and the small CommonJS files that do that (boot, serve, start: an ES module entry costs
// Node ~10 ms more to start).
// Every dynamic import() becomes a lazy init inside the file: nothing is evaluated before it is
// needed, and what is never called is never compiled. (The ES module builds above are used by
// nothing at run time: they are what EAGER_LIMITS checks the static imports on.)
const cjs = await build({
  ...COMMON,
  entryPoints: { 'cli/main': 'src/cli/main.ts', 'agent/main': 'src/agent/main.tsx', 'cli/boot': 'src/cli/boot.ts', 'cli/serve': 'src/cli/serve.ts', 'agent/start': 'src/agent/start.ts', 'cli/servers': 'src/cli/servers-main.ts' },
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  // Whitespace only: names stay, so a stack trace Node prints itself still names real functions (its
  // lines are long; crash reports map them back to src/). Each start reads the whole file, decodes it
  // into a string and compiles it against its code cache, and on this machine every fresh page costs a
  // ~10 µs fault: main.cjs 3.6 -> 2.5 MB took ~7 ms off reading and decoding it (measured).
  minifyWhitespace: true,
  // import.meta.url is the file's own URL, as in the ES module build (the layout rule above holds:
  // main.cjs sits one folder below dist/).
  define: { ...PRODUCTION, 'import.meta.url': '__agentsModuleUrl' },
  // "use strict" first: after the banner, esbuild's own directive would be a plain string statement
  // and the whole program would run in sloppy mode (its modules were written strict).
  banner: { js: "'use strict';\nvar __agentsModuleUrl = require('node:url').pathToFileURL(__filename).href;\nvar __agentsBuiltin = (m) => Object.create(m, { default: { value: m, enumerable: true } });" },
  // Written below, each file aside and renamed into place, never over itself: a running server or
  // agent reads its program through a mapping of the file (native/src/source.c), which a file changed
  // in place would change under it.
  write: false,
});
const cjsOut = new Map(cjs.outputFiles.map((f) => [f.path, f.text]));

// src/cli/code-cache.ts runs main.cjs as a vm.Script, whose import() Node 20 breaks once it comes
// from a cache: esbuild turns every import() of ours and of the externals into a require, and a new
// one (a computed specifier, say) must not slip in.
const builtins = new Set(builtinModules);
const DYNAMIC_IMPORT = /(^|[^\w.$'"`])import\(/m;
for (const cjsFile of [join(DIST, 'cli', 'main.cjs'), join(DIST, 'agent', 'main.cjs')]) {
  let cjsText = cjsOut.get(cjsFile);
  // (A call, not the word in a message: "`import('node:buffer')`" in the SDK's text is fine.)
  if (DYNAMIC_IMPORT.test(cjsText)) {
    process.stderr.write(`bundle: ${cjsFile} calls import(), which fails in a script started from a code cache (src/cli/code-cache.ts): load it with require or a static import.\n`);
    process.exit(1);
  }
  // ASCII only, so that the server's every start reads it into a one-byte string: a single non-ASCII
  // character makes V8 hold all 3.5 MB as two-byte text, and Node's UTF-8 decoding of it took 14.5 ms
  // against 5-6 ms (measured). esbuild escapes every non-ASCII character in code and strings; what
  // is left is in the comments it keeps, written here as escapes. A line with one that is not a
  // comment line fails the build rather than be changed.
  const nonAscii = /[^\x00-\x7f]/;
  const commentLine = /^\s*(\/\/|\/\*|\*)/;
  const lines = cjsText.split('\n');
  const notComment = lines.findIndex((l) => nonAscii.test(l) && !commentLine.test(l));
  if (notComment >= 0) {
    process.stderr.write(`bundle: ${cjsFile}:${notComment + 1} has a non-ASCII character outside a comment line; see the ASCII rule in scripts/bundle.js.\n`);
    process.exit(1);
  }
  cjsText = lines.map((l) => (nonAscii.test(l) ? l.replace(/[^\x00-\x7f]/gu, (c) => `\\u{${c.codePointAt(0).toString(16)}}`) : l)).join('\n');
  // A default or namespace import of a Node built-in becomes `__toESM(require("node:x"))`, which copies
  // every property of the module into a new object, one getter each: `node:process` twelve times (each
  // package that imports it), 8 ms of the server's start in CPU profiles. A built-in is never an ES
  // module converted to CommonJS, so an object that has it as its prototype and as its default reads
  // the same, live.
  // (`, 1` or `,1`: the CommonJS build is minified in whitespace. A form this misses fails the build.)
  const wrapped = /__toESM\(require\("((?:node:)?[\w/]+)"\)(?:, ?1)?\)/g;
  cjsText = cjsText.replace(wrapped, (all, name) => (builtins.has(name.replace(/^node:/, '')) ? `__agentsBuiltin(require("${name}"))` : all));
  const missed = [...cjsText.matchAll(/__toESM\(require\("((?:node:)?[\w/]+)"\)/g)].map((m) => m[1]).filter((name) => builtins.has(name.replace(/^node:/, '')));
  if (missed.length) {
    process.stderr.write(`bundle: ${cjsFile} still copies Node built-ins into getters (__toESM of ${[...new Set(missed)].join(', ')}): see the __agentsBuiltin rule in scripts/bundle.js.\n`);
    process.exit(1);
  }
  // Inside CommonJS's module function already, as code-cache.ts runs it: then a start maps the file
  // as the script's text instead of reading and wrapping it (mappedSource in code-cache.ts).
  cjsOut.set(cjsFile, `${WRAP_HEAD_TEXT}${cjsText}${WRAP_TAIL_TEXT}`);
}
// The loaders (boot.cjs, serve.cjs, start.cjs) first: a start in between then meets a new loader, which reads
// either form of main.cjs, rather than an old one that would wrap a new main.cjs a second time.
const loadersFirst = [...cjsOut].sort(([a], [b]) => Number(/main\.cjs/.test(a)) - Number(/main\.cjs/.test(b)));
for (const [file, text] of loadersFirst) {
  mkdirSync(dirname(file), { recursive: true });
  const aside = `${file}.${process.pid}.tmp`;
  writeFileSync(aside, text);
  renameSync(aside, file);
}

const tooEager = EAGER_LIMITS.flatMap(({ entry, forbidden }) => {
  const loaded = eagerModules(result.metafile.outputs, entry);
  return forbidden.filter((p) => loaded.some((m) => m === p || m.startsWith(p))).map((p) => `${entry} loads ${p} at start`);
});
// What bin/agents and an agent's pane load before the program: our own code and Node's built-ins only.
for (const out of ['dist/cli/boot.cjs', 'dist/cli/serve.cjs', 'dist/agent/start.cjs']) {
  for (const input of Object.keys(cjs.metafile.outputs[out].inputs)) if (!input.startsWith('src/')) tooEager.push(`${out} loads ${input}`);
}
// `agents attach`, `ls` and `stop` (src/cli/servers-main.ts): one CommonJS file holds everything it
// could ever run, lazily or not, so the limit is on the whole file: no commander, no zod's full API.
for (const input of Object.keys(cjs.metafile.outputs['dist/cli/servers.cjs'].inputs)) {
  if ([...HEAVY, 'zod/v4/classic/', 'commander/'].some((p) => input.includes(`node_modules/${p}`))) tooEager.push(`dist/cli/servers.cjs loads ${input}`);
}
if (tooEager.length) {
  process.stderr.write(`bundle: ${tooEager.join('; ')}. Import it with await import() where it is needed (see EAGER_LIMITS in scripts/bundle.js).\n`);
  process.exit(1);
}

// What went where (for esbuild's analyzer, or to check what a start-up loads).
writeFileSync(join(DIST, 'bundle-meta.json'), JSON.stringify(result.metafile));

// Chunks this build did not write and that are old enough that no running server can still need them.
const written = new Set(Object.keys(result.metafile.outputs).map((f) => join(ROOT, f)));
let removed = 0;
for (const name of readdirSync(CHUNKS)) {
  const file = join(CHUNKS, name);
  if (written.has(file) || written.has(file.replace(/\.map$/, ''))) continue;
  if (Date.now() - statSync(file).mtimeMs > KEEP_OLD_CHUNKS_MS) {
    rmSync(file);
    removed++;
  }
}

const js = [...Object.entries(result.metafile.outputs), ...Object.entries(cjs.metafile.outputs)].filter(([f]) => f.endsWith('.js') || f.endsWith('.cjs'));
const kb = js.reduce((n, [, o]) => n + o.bytes, 0) / 1024;
process.stdout.write(`bundled ${js.length} files (${kb.toFixed(0)} KB) in ${(performance.now() - started).toFixed(0)} ms${removed ? `; removed ${removed} stale chunk files` : ''}\n`);
