// `node bench/start-phases.js [runs] [--local] [--no-code-cache] [--project=DIR] [--bin=PATH]... [--exec=PATH]...`: where a cold start's time goes, step by
// step, in the client and in the workspace server it starts, from the marks both write with
// AGENTS_START_TRACE (src/util/start-trace.ts) on one monotonic clock. Runs `agents --cmd "sleep 600"`
// at 244x85 in a real pty (raw bytes, no emulator in the harness) until "NORMAL" and the end of its
// frame arrive, then stops it. Several --bin (another checkout's bin/agents) are interleaved run by run; prints, per bin,
// the median ms from spawn of each mark, `node -e 0` for scale, CPU (client + server, from /proc)
// at the first frame, and the server's main-thread CPU at its first output (what the marks carry:
// the least noisy figure on a shared machine). With two or more --bin, each later bin's difference
// from the first, round by round (paired: both ran within seconds of each other), as a median and
// range. --bin runs `node PATH`, --exec runs PATH itself, as `agents` on the PATH is run (bin/agents'
// launcher, a shell script first); the default is --exec of this checkout's bin/agents. Run it under `chrt -r 10` on a shared machine (docs/profile.md; not -f, see bench/quick.js).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pty from 'node-pty';
import { BIN } from '../test/helpers/term.js';
import { CLK_TCK, descendants, median, quantile, sleep } from './lib.js';

const args = process.argv.slice(2);
const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 7);
const local = args.includes('--local');
// A real project to start in (a git checkout, say) instead of a fresh empty folder each run.
const projectArg = args.find((a) => a.startsWith('--project='))?.slice(10);
// Without the V8 code cache (src/cli/code-cache.ts): the first start after an install.
const noCodeCache = args.includes('--no-code-cache');
const bins = args.filter((a) => a.startsWith('--bin=') || a.startsWith('--exec=')).map((a) => (a.startsWith('--bin=') ? a.slice(6) : `exec:${a.slice(7)}`));
if (bins.length === 0) bins.push(`exec:${BIN}`);

const home = mkdtempSync(join(tmpdir(), 'agents-phases-'));
const now = () => Number(process.hrtime.bigint()) / 1e6;
const cpuMs = (pid) => {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
  } catch {
    return NaN;
  }
};

function isAgents(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('agents');
  } catch {
    return false;
  }
}

async function once(bin, i, lingerMs = 0) {
  const trace = join(home, `trace-${i}-${bins.indexOf(bin)}`);
  const project = projectArg ?? mkdtempSync(join(home, 'project-'));
  const env = { ...process.env, TERM: 'xterm-256color', AGENTS_HOME: home, AGENTS_START_TRACE: trace, TMUX: '', TMUX_PANE: '' };
  if (local) env.AGENTS_SERVER = '0';
  if (noCodeCache) env.AGENTS_CODE_CACHE = '0';
  const t0 = now();
  const [file, argv] = bin.startsWith('exec:') ? [bin.slice(5), []] : [process.execPath, [bin]];
  const p = pty.spawn(file, [...argv, '--cmd', 'sleep 600'], { name: 'xterm-256color', cols: 244, rows: 85, cwd: project, env });
  let seen = '';
  const shown = await new Promise((resolve) => {
    const timer = setTimeout(() => resolve(NaN), 15000);
    p.onData((d) => {
      seen = (seen + d).slice(-4096);
      // The status bar's mode label, then the end of that frame's synchronized output (its blank
      // cells are not written, so the label's spaces may not be either).
      const at = seen.indexOf('NORMAL');
      if (at >= 0 && seen.indexOf('\x1b[?2026l', at) > at) {
        clearTimeout(timer);
        resolve(now());
      }
    });
  });
  try {
    const procs = [p.pid, ...descendants(p.pid).map((d) => d.pid)].filter(isAgents);
    const cpu = procs.reduce((n, pid) => n + cpuMs(pid), 0);
    const marks = { 'first frame seen': shown - t0 };
    // The spawned process is the client (the launcher's shell execs it); the first to write a mark
    // is not: a server started by the launcher can mark first in a slow round.
    const client = String(p.pid);
    // A build without the marks (an older checkout) still gives its first frame.
    const lines = existsSync(trace) ? readFileSync(trace, 'utf8').trim().split('\n') : [];
    const threadCpu = {};
    for (const line of lines) {
      // `<ms> <pid> <mark>[\t<main-thread CPU ms>]` (the CPU field is missing from older builds).
      const [head, cpuField] = line.split('\t');
      const [t, pid, ...what] = head.split(' ');
      const key = `${pid === client ? 'client' : 'server'}: ${what.join(' ').replace(/\d+$/, 'N')}`;
      marks[key] ??= Number(t) - t0;
      if (cpuField !== undefined) threadCpu[key] ??= Number(cpuField);
    }
    return { marks, cpu, serverCpu: threadCpu['server: first output'] };
  } finally {
    if (lingerMs) await sleep(lingerMs);
    await stop(p);
  }
}

/** Ends a run the way a lost workspace ends: TERM to the server (it stops its panes), then the rest. */
async function stop(p) {
  for (const d of descendants(p.pid)) if (d.pid === d.sid) try { process.kill(d.pid, 'SIGTERM'); } catch { /* gone */ }
  try { process.kill(p.pid, 'SIGTERM'); } catch { /* gone */ }
  await sleep(500);
  for (const d of descendants(p.pid)) try { process.kill(d.pid, 'SIGKILL'); } catch { /* gone */ }
  try { p.kill('SIGKILL'); } catch { /* gone */ }
  await sleep(200);
}

// Each build's code cache is made by a start that lives past its first frame (it is saved ~1 s after):
// every timed start after it starts from the cache, as a person's every start after the first does.
if (!noCodeCache) for (const bin of bins) await once(bin, 'warm', 2500);
const node0 = [];
const results = new Map(bins.map((b) => [b, []]));
for (let i = 0; i < runs; i++) {
  const t = now();
  spawnSync(process.execPath, ['-e', '0']);
  node0.push(now() - t);
  for (const bin of bins) results.get(bin).push(await once(bin, i));
}
const n0 = median(node0);
process.stdout.write(`node -e 0: ${n0.toFixed(0)} ms (median of ${runs}); ${local ? 'in-process (AGENTS_SERVER=0)' : 'through the server'}\n`);
/** `median (quartile-quartile)` of the numbers among `xs`, or undefined when there are none. */
const spread = (xs) => {
  const ok = xs.filter((x) => typeof x === 'number' && !Number.isNaN(x));
  return ok.length ? `${median(ok).toFixed(0)} (${quantile(ok, 0.25).toFixed(0)}-${quantile(ok, 0.75).toFixed(0)})` : undefined;
};
for (const [bin, rs] of results) {
  const keys = [...new Set(rs.flatMap((r) => Object.keys(r.marks)))];
  const rows = keys.map((k) => [k, median(rs.map((r) => r.marks[k]).filter((x) => !Number.isNaN(x)))]).sort((a, b) => a[1] - b[1]);
  const frame = median(rs.map((r) => r.marks['first frame seen']));
  process.stdout.write(`\n${bin}\n  first frame ${spread(rs.map((r) => r.marks['first frame seen']))} ms = node + ${(frame - n0).toFixed(0)}; CPU at the first frame ${median(rs.map((r) => r.cpu)).toFixed(0)} ms\n`);
  const serverCpu = spread(rs.map((r) => r.serverCpu));
  if (serverCpu) process.stdout.write(`  server main-thread CPU at its first output: ${serverCpu} ms\n`);
  for (const [k, v] of rows) process.stdout.write(`  ${v.toFixed(0).padStart(6)}  ${k}\n`);
}
if (bins.length > 1) {
  const base = results.get(bins[0]);
  const paired = (rs, f) => {
    const d = rs.map((r, i) => f(r) - f(base[i])).filter((x) => !Number.isNaN(x));
    return d.length ? `${median(d) >= 0 ? '+' : ''}${median(d).toFixed(0)} ms (${Math.min(...d).toFixed(0)} to ${Math.max(...d).toFixed(0)})` : 'n/a';
  };
  process.stdout.write(`\nround by round against ${bins[0]} (median, range):\n`);
  for (const bin of bins.slice(1)) {
    const rs = results.get(bin);
    process.stdout.write(`  ${bin}: first frame ${paired(rs, (r) => r.marks['first frame seen'])}; server main-thread CPU ${paired(rs, (r) => r.serverCpu ?? NaN)}\n`);
  }
}
rmSync(home, { recursive: true, force: true, maxRetries: 5 });
process.exit(0);
