// `node bench/flood-cpu.js [rounds]`: the flood of bench row 1 (`seq 1 2000000` in a 120x40 pane,
// timed from Enter until the last line is on the screen) with the CPU each program spent on it, so
// the comparison holds on a loaded machine where wall time does not: agents (its client and server;
// the pane's `seq` is counted apart, as the server's child), tmux detached and tmux attached (server, plus the
// client for attached). Rounds are interleaved; medians are printed as JSON. Needs `npm run build`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import * as L from './lib.js';

const N = 2000000;
const CLEAN_ENV = { TMUX: undefined, TMUX_PANE: undefined };

/** utime+stime of a process and of its reaped children, in ms. */
function cpuMs(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ').map(Number);
    const tick = 1000 / L.CLK_TCK;
    return { self: (f[11] + f[12]) * tick, children: (f[13] + f[14]) * tick };
  } catch {
    return { self: NaN, children: NaN };
  }
}
const diff = (a, b) => ({ self: b.self - a.self, children: b.children - a.children });

async function agents(home) {
  const t = L.startAgents(['--cmd', `read x; seq 1 ${N}; sleep 0.5`], { cols: 120, rows: 40, home, env: CLEAN_ENV });
  try {
    await L.firstFrame(t);
    await t.waitFor(' · ', { timeout: 5000 });
    await L.sleep(300);
    // The workspace is the client and the server it started; `seq` is the server's child.
    const { all } = L.workspaceProcs(t);
    const cpuAll = () => all.map(cpuMs).reduce((a, b) => ({ self: a.self + b.self, children: a.children + b.children }));
    const c0 = cpuAll();
    const t0 = performance.now();
    t.keys('Enter');
    await t.waitFor((s) => new RegExp(`[┃│]${N}\\s*[┃│]`).test(s), { timeout: 60000, message: `${N} on screen` });
    const ms = performance.now() - t0;
    // seq's CPU reaches the children's account once it is reaped (after the 0.5 s sleep).
    await t.waitFor(' · exited 0 ', { timeout: 10000 });
    return { ms, cpu: diff(c0, cpuAll()) };
  } finally {
    await L.stopAgents(t);
  }
}

async function tmuxDetached() {
  const channel = `fc-${process.pid}-${Date.now()}`;
  L.tmux('kill-session', '-t', 'fc');
  const made = L.tmux('new-session', '-d', '-s', 'fc', '-x', '120', '-y', '39', `read x; seq 1 ${N}; tmux wait-for -S ${channel}; sleep 0.5`);
  if (!made.ok) throw new Error(made.err);
  const server = L.tmuxServerPid();
  try {
    const waiter = L.tmuxAsync('wait-for', channel);
    const c0 = cpuMs(server);
    const t0 = performance.now();
    L.tmux('send-keys', '-t', 'fc', 'Enter');
    await waiter;
    await L.until(() => new RegExp(`^${N}\\s*$`, 'm').test(L.tmux('capture-pane', '-p', '-t', 'fc').out), { timeout: 5000, every: 2 });
    const ms = performance.now() - t0;
    await L.sleep(700);
    return { ms, cpu: diff(c0, cpuMs(server)) };
  } finally {
    L.tmux('kill-session', '-t', 'fc');
    L.sweep(server);
  }
}

async function tmuxAttached() {
  const t = await L.startTmuxClient({ cols: 120, rows: 40, firstCommand: `read x; seq 1 ${N}; sleep 0.5`, env: CLEAN_ENV });
  try {
    await t.waitFor('[bench]', { timeout: 5000 });
    const s0 = cpuMs(t.serverPid);
    const k0 = cpuMs(t.pid);
    const t0 = performance.now();
    t.keys('Enter');
    await t.waitFor((s) => new RegExp(`^${N}\\s*$`, 'm').test(s), { timeout: 60000 });
    const ms = performance.now() - t0;
    await L.sleep(700);
    const s = diff(s0, cpuMs(t.serverPid));
    const k = diff(k0, cpuMs(t.pid));
    return { ms, cpu: { self: s.self + k.self, children: s.children }, client: k.self };
  } finally {
    await L.stopTmuxClient(t);
  }
}

const rounds = Number(process.argv[2] ?? 3);
const home = mkdtempSync(join(os.tmpdir(), 'agents-floodcpu-'));
const conf = join(home, 'tmux.conf');
writeFileSync(conf, 'set -g remain-on-exit on\nset -g history-limit 5000\nset -s escape-time 0\n');
L.setTmuxConf(conf);
const R = { agents: [], tmuxDetached: [], tmuxAttached: [] };
const load = os.loadavg()[0];
try {
  for (let i = 0; i < rounds; i++) {
    R.agents.push(await agents(home));
    R.tmuxDetached.push(await tmuxDetached());
    R.tmuxAttached.push(await tmuxAttached());
  }
} finally {
  L.killEverything();
  rmSync(home, { recursive: true, force: true });
}
const med = (xs) => Math.round(L.median(xs));
const summary = Object.fromEntries(
  Object.entries(R).map(([k, rs]) => [k, { wallMs: med(rs.map((r) => r.ms)), cpuMs: med(rs.map((r) => r.cpu.self)), seqCpuMs: med(rs.map((r) => r.cpu.children)), ...(k === 'tmuxAttached' ? { clientCpuMs: med(rs.map((r) => r.client)) } : {}) }]),
);
console.log(JSON.stringify({ rounds, loadBefore: load, loadAfter: os.loadavg()[0], ...summary, raw: R }, null, 1));
