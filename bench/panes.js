// `node bench/panes.js [--rounds N] [--rows flood,paced,keys,quiet,rss,rsspaced] [--tree DIR]...`: the
// bench rows that depend on how panes run their programs (flood against tmux detached, CPU at an
// agent-like pace, keystrokes with flooding and idle neighbours, RSS with 16 full scrollbacks),
// interleaved round by round, so two builds (each `--tree` is a checkout with its own dist/) and
// tmux share the machine's state. The workspace runs in the measured process (AGENTS_SERVER=0), so
// CPU and RSS are the workspace's own. `rsspaced` (not run by default) is row 5 with the 16
// scrollbacks filled at an agent's pace (20 lines every ~10 ms per pane) instead of by a flood. Run it as root under `chrt -r 10` (not -f: see bench/quick.js) on a shared machine
// (docs/profile.md). Prints medians per tree as JSON.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as L from './lib.js';
import * as M from './measures.js';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
const trees = argv.flatMap((a, i) => (a === '--tree' ? [resolve(argv[i + 1])] : []));
if (trees.length === 0) trees.push(fileURLToPath(new URL('../', import.meta.url)));
const rounds = Number(opt('rounds', '3'));
const rows = opt('rows', 'flood,paced,keys,quiet,rss').split(',');

process.env.AGENTS_SERVER = '0';
const home = mkdtempSync(join(os.tmpdir(), 'agents-panes-'));
const conf = join(home, 'tmux.conf');
writeFileSync(conf, 'set -g remain-on-exit on\nset -g history-limit 5000\nset -s escape-time 0\n');
L.setTmuxConf(conf);
const scripts = M.writeScripts(home);
const pacedFill = join(home, 'paced-fill.sh');
writeFileSync(pacedFill, 'i=0; while [ $i -lt 5200 ]; do j=0; while [ $j -lt 20 ]; do i=$((i+1)); j=$((j+1)); echo "$i a line of ordinary log output"; done; sleep 0.01; done; echo FILLED; sleep 600\n');

/** Row 5 with the scrollbacks filled at an agent's pace: RSS of the workspace 10 s after all 16 are full (see measures.rss). */
async function rssPaced(lib, th) {
  const t = lib.startAgents(Array.from({ length: 16 }, () => ['--cmd', `bash ${pacedFill}`]).flat(), { cols: 244, rows: 85, home: th, env: { TMUX: undefined, TMUX_PANE: undefined } });
  try {
    await lib.firstFrame(t);
    await t.waitFor((s) => (s.match(/FILLED/g) ?? []).length >= 16, { timeout: 120000, message: 'all 16 panes filled' });
    await L.sleep(10000);
    return lib.rssOf(t.pid).rssMB;
  } finally {
    await lib.stopAgents(t);
  }
}
const measures = await Promise.all(trees.map((t) => import(pathToFileURL(join(t, 'bench/measures.js')).href)));
const libs = await Promise.all(trees.map((t) => import(pathToFileURL(join(t, 'bench/lib.js')).href)));
for (const l of libs) l.setTmuxConf(conf);

const R = Object.fromEntries(trees.map((t) => [t, {}]));
R.tmux = {};
const push = (k, row, v) => ((R[k][row] ??= []).push(v));
const log = (s) => process.stderr.write(`${s}\n`);
const p = (xs, q) => L.quantile(xs, q);

try {
  for (let r = 0; r < rounds; r++) {
    for (const [i, tree] of trees.entries()) {
      const m = measures[i];
      const th = join(home, `t${i}`);
      mkdirSync(th, { recursive: true });
      if (rows.includes('flood')) push(tree, 'floodMs', (await m.floodAgents(th)).ms);
      if (rows.includes('paced')) {
        const f = await m.frames(th, scripts.paced);
        push(tree, 'pacedCpu', f.cpu.sched);
        push(tree, 'pacedFrameMs', f.meanFrameMs);
      }
      if (rows.includes('keys')) {
        const k = await m.latencyAgents(th, scripts.flood, { samples: 200 });
        push(tree, 'keysFloodP99', p(k.ms, 0.99));
        push(tree, 'keysFloodP50', p(k.ms, 0.5));
      }
      if (rows.includes('quiet')) {
        const k = await m.latencyAgents(th, 'sleep 600', { samples: 100 });
        push(tree, 'keysQuietP99', p(k.ms, 0.99));
        push(tree, 'keysQuietP50', p(k.ms, 0.5));
      }
      if (rows.includes('rss')) {
        const r = await m.rss(th, { panes: 16, lines: 20000 });
        push(tree, 'rssMB', r.rssMB);
        if (r.quietMB !== undefined) push(tree, 'rssQuietMB', r.quietMB);
      }
      if (rows.includes('rsspaced')) push(tree, 'rssPacedMB', await rssPaced(libs[i], th));
      log(`round ${r + 1} ${tree}: ${JSON.stringify(Object.fromEntries(Object.entries(R[tree]).map(([k, v]) => [k, Math.round(v.at(-1) * 10) / 10])))}`);
    }
    if (rows.includes('flood')) push('tmux', 'floodMs', (await M.floodTmuxDetached()).ms);
    if (rows.includes('keys')) {
      // On a loaded machine the tmux client now and then misses a key for good; keep the other rounds.
      try {
        const k = await M.latencyTmux(scripts.flood, { samples: 200 });
        push('tmux', 'keysFloodP99', p(k.ms, 0.99));
        push('tmux', 'keysFloodP50', p(k.ms, 0.5));
      } catch (e) {
        log(`round ${r + 1} tmux keys: ${e.message}`);
        L.killEverything();
      }
    }
    log(`round ${r + 1} tmux: ${JSON.stringify(R.tmux)}`);
  }
} finally {
  L.killEverything();
  for (const l of libs) l.killEverything();
  rmSync(home, { recursive: true, force: true });
}

const med = (xs) => Math.round(L.median(xs) * 10) / 10;
const out = {};
for (const [k, v] of Object.entries(R)) out[k] = Object.fromEntries(Object.entries(v).map(([row, xs]) => [row, { median: med(xs), all: xs.map((x) => Math.round(x * 10) / 10) }]));
for (const tree of trees) {
  const f = R[tree].floodMs;
  if (f && R.tmux.floodMs) out[tree].floodRatio = Math.round((L.median(f) / L.median(R.tmux.floodMs)) * 100) / 100;
}
console.log(JSON.stringify({ rounds, load: os.loadavg(), ...out }, null, 1));
