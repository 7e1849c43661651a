// `node bench/profile-summary.js FILE.cpuprofile [options]`: reads a V8 CPU profile (node --cpu-prof)
// and prints where the time went, grouped the way this project's questions are asked.
//   (default)          self time by area: npm package, dist/<folder>, node internals, GC, idle
//   --fns              also self time by function
//   --incl             also inclusive time by area (time with that area anywhere on the stack)
//   --until=NAME       only samples before the first one with function NAME on the stack
//                      (e.g. --until=frame: start-up to the renderer's first frame)
//   --from=MS --to=MS  a window, in ms from the profile's start
//   --monofrom=MS --monoto=MS  the same in CLOCK_MONOTONIC ms (process.hrtime in another process)
//   --spans=A,B        first/last time each function (or file suffix) is on the stack, inclusive ms
//   --bursts=fn@file   each contiguous run of samples inside fn (one call, roughly): count, durations
//   --top=N            rows per table (25)
// Sample weights are the time to the next sample; under load they include time the thread was
// descheduled, so compare shares within one profile rather than absolute ms across runs.
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
if (!file) {
  process.stderr.write('usage: node bench/profile-summary.js FILE.cpuprofile [--fns] [--incl] [--until=fn] [--from=ms --to=ms] [--spans=a,b] [--bursts=fn@file]\n');
  process.exit(2);
}
const opt = Object.fromEntries(args.filter((a) => a.startsWith('--')).map((a) => { const [k, v] = a.slice(2).split('='); return [k, v ?? true]; }));
const p = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map();
const parent = new Map();
for (const n of p.nodes) {
  byId.set(n.id, n);
  for (const c of n.children ?? []) parent.set(c, n.id);
}

const maps = new Map();
/**
 * Where a frame's code came from. In the bundle (dist/cli/main.js, dist/agent/main.js, dist/chunks/)
 * npm packages and our folders share files, so the chunk's source map says: node_modules/… or src/….
 */
function sourceOf(cf) {
  if (!cf.url.startsWith('file://') || !cf.url.includes('/dist/')) return { url: cf.url, line: cf.lineNumber };
  let m = maps.get(cf.url);
  if (m === undefined) {
    try {
      const file = fileURLToPath(cf.url);
      m = { map: new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8'))), dir: dirname(file) };
    } catch {
      m = null; // tsc's output, or no map: the dist/ path says enough
    }
    maps.set(cf.url, m);
  }
  const e = m?.map.findEntry(cf.lineNumber, cf.columnNumber);
  if (!e?.originalSource) return { url: cf.url, line: cf.lineNumber };
  // A package's own map passes through its names (xterm: webpack://@xterm/xterm/src/…).
  return { url: /^[a-z][a-z0-9+.-]*:\/\//i.test(e.originalSource) ? e.originalSource : resolve(m.dir, e.originalSource), line: e.originalLine };
}

/** The area a frame belongs to: an npm package, a src/ or dist/ folder, a node internal group, or a V8 pseudo-frame. */
function area(url, fn) {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  let m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url) ?? /^webpack:\/\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (m) return m[1];
  m = /\/src\/([^/]+)\//.exec(url);
  if (m) return `src/${m[1]}`;
  m = /\/dist\/([^/]+)\//.exec(url);
  if (m) return `dist/${m[1]}`;
  m = /^node:internal\/(modules|deps)/.exec(url);
  if (m) return `node:internal/${m[1]}`;
  if (url.startsWith('node:internal')) return 'node:internal/other';
  if (url.startsWith('node:')) return 'node:lib';
  return url.replace(/^.*\//, '');
}
for (const n of p.nodes) {
  const o = sourceOf(n.callFrame);
  n.callFrame.url = o.url;
  n.callFrame.lineNumber = o.line;
}
const stackOf = (id) => {
  const s = [];
  for (let x = id; x !== undefined; x = parent.get(x)) s.push(byId.get(x));
  return s;
};
const t0 = p.startTime;
let t = t0;
const samples = p.samples.map((id, i) => {
  t += p.timeDeltas[i];
  return { id, t };
});
for (let i = 0; i < samples.length; i++) samples[i].w = ((samples[i + 1]?.t ?? p.endTime) - samples[i].t) / 1000;

let list = samples;
if (opt.until) {
  const i = samples.findIndex((s) => stackOf(s.id).some((n) => n.callFrame.functionName === opt.until));
  if (i < 0) throw new Error(`no sample has ${opt.until} on its stack`);
  console.log(`first sample in ${opt.until}: ${((samples[i].t - t0) / 1000).toFixed(1)} ms after the profile started`);
  list = samples.slice(0, i);
}
if (opt.monofrom) {
  opt.from = Number(opt.monofrom) - t0 / 1000;
  opt.to = Number(opt.monoto) - t0 / 1000;
}
if (opt.from !== undefined) list = list.filter((s) => (s.t - t0) / 1000 >= Number(opt.from));
if (opt.to !== undefined) list = list.filter((s) => (s.t - t0) / 1000 < Number(opt.to));
const total = list.reduce((a, s) => a + s.w, 0);
console.log(`profile ${((p.endTime - t0) / 1000).toFixed(0)} ms; window ${total.toFixed(1)} ms, ${list.length} samples`);

const top = Number(opt.top ?? 25);
const show = (m, title) => {
  console.log(`\n${title}`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${v.toFixed(1).padStart(9)} ms ${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
};
const add = (m, k, v) => m.set(k, (m.get(k) ?? 0) + v);
const self = new Map();
const selfFn = new Map();
for (const s of list) {
  const cf = byId.get(s.id).callFrame;
  add(self, area(cf.url, cf.functionName), s.w);
  add(selfFn, `${cf.functionName || '(anonymous)'} ${cf.url.replace(/^.*node_modules\//, '').replace(/^.*\/dist\//, 'dist/').replace(/^.*\/src\//, 'src/')}:${cf.lineNumber}`, s.w);
}
show(self, 'self time by area (the function running when sampled)');
if (opt.fns) show(selfFn, 'self time by function');
if (opt.incl) {
  const inc = new Map();
  for (const s of list) for (const a of new Set(stackOf(s.id).map((n) => area(n.callFrame.url, n.callFrame.functionName)))) add(inc, a, s.w);
  show(inc, 'inclusive time by area (anywhere on the stack)');
}
if (opt.spans) {
  console.log('\nspans (ms from the profile start): first .. last sample, inclusive ms');
  for (const nm of String(opt.spans).split(',')) {
    let first, last, incl = 0;
    for (const s of samples) {
      if (!stackOf(s.id).some((n) => n.callFrame.functionName === nm || n.callFrame.url.endsWith(nm))) continue;
      first ??= s.t;
      last = s.t;
      incl += s.w;
    }
    if (first !== undefined) console.log(`${nm.padEnd(36)} ${((first - t0) / 1000).toFixed(0).padStart(7)} .. ${((last - t0) / 1000).toFixed(0).padStart(7)}  ${incl.toFixed(1)} ms`);
  }
}
if (opt.bursts) {
  for (const fn of String(opt.bursts).split(',')) {
    const [name, suffix = ''] = fn.split('@');
    const inside = (id) => stackOf(id).some((n) => n.callFrame.functionName === name && n.callFrame.url.endsWith(suffix));
    const runs = [];
    let cur;
    for (let i = 0; i < list.length; i++) {
      // a GC sample between two samples of the call belongs to the call
      const gc = byId.get(list[i].id).callFrame.functionName === '(garbage collector)';
      if (inside(list[i].id) || (cur && gc)) {
        cur ??= { a: list[i].t, b: list[i].t };
        cur.b = list[i].t + list[i].w * 1000;
      } else if (cur) {
        runs.push(cur);
        cur = undefined;
      }
    }
    if (cur) runs.push(cur);
    const d = runs.map((r) => (r.b - r.a) / 1000).sort((a, b) => a - b);
    console.log(`\n${fn}: ${runs.length} calls; median ${d[Math.floor(d.length / 2)]?.toFixed(1)} ms, max ${d.at(-1)?.toFixed(1)} ms, total ${d.reduce((a, b) => a + b, 0).toFixed(0)} ms`);
  }
}
