// `node bench/frame-cost.js [--dist DIR]... [--frames N] [--spin]`: the Renderer's own cost per frame,
// without a workspace around it, so two builds can be compared on a busy machine (CPU per frame of
// one process, interleaved runs). Four real emulators (121x41 interiors, scrollback 5000) in a
// 244x85 screen; before each frame every pane gets what bench row 2b's panes print in 33 ms (8
// coloured log lines), or with `--spin` one status row rewritten in place (a spinner: the case of
// an agent working with its screen still). Prints per build: CPU and wall µs per frame, the share
// of it spent painting panes, and bytes per frame. Run it under `chrt -r 10` (not -f: see bench/quick.js) (docs/profile.md).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const argv = process.argv.slice(2);
const dists = argv.flatMap((a, i) => (a === '--dist' ? [resolve(argv[i + 1])] : []));
if (dists.length === 0) dists.push(resolve(new URL('../dist', import.meta.url).pathname));
const fi = argv.indexOf('--frames');
const N = fi >= 0 ? Number(argv[fi + 1]) : 600;
const spin = argv.includes('--spin');

async function run(dist) {
  const load = (p) => import(pathToFileURL(`${dist}/${p}`).href);
  const { Renderer } = await load('render/renderer.js');
  const { Grid, COLOR } = await load('render/grid.js');
  const { createEmulator } = await load('terminal/emulator.js');
  const { paintBuffer } = await load('terminal/snapshot.js');
  // Builds that keep what each pane painted (row-cache.js) skip its unchanged rows, as panes do.
  const rowCache = await load('terminal/row-cache.js').catch(() => undefined);
  const cols = 244;
  const rows = 85;
  const rects = [
    { x: 1, y: 1, width: 121, height: 41 },
    { x: 123, y: 1, width: 120, height: 41 },
    { x: 1, y: 43, width: 121, height: 41 },
    { x: 123, y: 43, width: 120, height: 41 },
  ];
  let paintMs = 0;
  const panes = rects.map((inner) => {
    const term = createEmulator(inner.width, inner.height, 5000);
    const rows = rowCache ? new rowCache.RowCache() : undefined;
    return {
      term,
      dirty: true,
      focused: false,
      inner,
      paint(g, r, skip, fresh = true) {
        const t0 = performance.now();
        paintBuffer(term, term.buffer.active.baseY, g, r, skip, false, rows && { rows, fresh });
        paintMs += performance.now() - t0;
        this.dirty = false;
      },
    };
  });
  const scene = { panes, overlays: [] };
  let bytes = 0;
  // A build before frames were bytes wrote strings, encoded by the terminal's write: counted here.
  const renderer = new Renderer((d) => (bytes += typeof d === 'string' ? Buffer.from(d, 'utf8').length : d.length), () => scene, cols, rows);
  const chrome = new Grid(cols, rows);
  for (let i = 0; i < cols * rows; i++) chrome.set(i, '─', 1, COLOR.p16 | 4, 0, 0);
  renderer.setChrome(chrome);
  let i = 0;
  let seed = 1;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 17);
  const logLines = () => {
    let s = '';
    for (let k = 0; k < 8; k++) {
      i++;
      s += `\x1b[3${i % 8}mline ${i} \x1b[1m${rnd()}\x1b[22m some ordinary log text, ${rnd()} ${rnd() * rnd()}\x1b[0m\r\n`;
    }
    return s;
  };
  const spinner = () => `\x1b[s\x1b[41;1H\x1b[2K\x1b[33m${'-\\|/'[i++ % 4]} working ${i}\x1b[0m\x1b[u`;
  const write = (t, s) => new Promise((res) => t.write(s, res));
  const step = async (s) => {
    await Promise.all(panes.map((p) => write(p.term, s())));
    for (const p of panes) p.dirty = true;
  };
  // Fill part of the scrollback, then let the JIT settle.
  for (let k = 0; k < 700; k++) await step(logLines);
  for (let k = 0; k < 100; k++) {
    await step(spin ? spinner : logLines);
    renderer.frame();
  }
  let cpu = 0;
  let wall = 0;
  bytes = 0;
  paintMs = 0;
  for (let k = 0; k < N; k++) {
    await step(spin ? spinner : logLines);
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    renderer.frame();
    wall += performance.now() - w0;
    const c1 = process.cpuUsage(c0);
    cpu += c1.user + c1.system;
  }
  renderer.stop();
  for (const p of panes) p.term.dispose();
  return { dist, cpuUs: Math.round(cpu / N), wallUs: Math.round((wall * 1000) / N), paintUs: Math.round((paintMs * 1000) / N), bytes: Math.round(bytes / N) };
}

// Interleaved, three rounds: the machine's state is shared fairly between builds.
const results = [];
for (let r = 0; r < 3; r++) for (const d of dists) results.push(await run(d));
const med = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const d of dists) {
  const mine = results.filter((x) => x.dist === d);
  console.log(JSON.stringify({ dist: d, case: spin ? 'spinner' : 'scrolling', cpuUsPerFrame: med(mine.map((x) => x.cpuUs)), wallUsPerFrame: med(mine.map((x) => x.wallUs)), paintUsPerFrame: med(mine.map((x) => x.paintUs)), bytesPerFrame: med(mine.map((x) => x.bytes)) }));
}
