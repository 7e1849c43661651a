// Shared pieces of `npm run bench`: statistics, /proc readings, and starting and stopping the two
// programs under test (bin/agents through the test harness, and tmux on its own socket) so that
// nothing they started outlives the bench.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, Term } from '../test/helpers/term.js';

export { Term };

// ---------------------------------------------------------------------------------------- numbers

export function median(xs) {
  return quantile(xs, 0.5);
}

/** Linear-interpolated quantile of the samples (q in 0..1). */
export function quantile(xs, q) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return s[lo] + (s[hi] - s[lo]) * (i - lo);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Waits until `probe()` is truthy, checking every `every` ms; throws after `timeout` ms. */
export async function until(probe, { timeout = 10000, every = 10, message = 'condition' } = {}) {
  const deadline = performance.now() + timeout;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${message}`);
    await sleep(every);
  }
}

// ------------------------------------------------------------------------------------------ /proc

export const CLK_TCK = (() => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  return Number(r.stdout?.trim()) || 100;
})();

function statFields(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "pid (comm) ": the command name may contain spaces, so split after its ')'.
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/**
 * CPU time of one process, all its threads: utime+stime from /proc/PID/stat (clock ticks, 10 ms
 * here) and the sum of /proc/PID/task/TID/schedstat (nanoseconds, for short idle windows).
 */
export function cpuOf(pid) {
  const f = statFields(pid);
  if (!f) return undefined;
  const ticks = Number(f[11]) + Number(f[12]);
  let ns = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // the thread ended between the listing and the read
      }
    }
  } catch {
    ns = NaN;
  }
  return { ticks, ns, at: performance.now() };
}

/** Percent of one core used between two `cpuOf` readings: by ticks, and by schedstat. */
export function cpuPercent(a, b) {
  const wallMs = b.at - a.at;
  return {
    ticks: (((b.ticks - a.ticks) * 1000) / CLK_TCK / wallMs) * 100,
    sched: ((b.ns - a.ns) / 1e6 / wallMs) * 100,
    wallMs,
  };
}

/** CPU of several processes together (a `cpuOf` of their sums), or undefined if one is gone. */
export function cpuOfAll(pids) {
  const all = pids.map(cpuOf);
  if (all.some((c) => c === undefined)) return undefined;
  return { ticks: all.reduce((n, c) => n + c.ticks, 0), ns: all.reduce((n, c) => n + c.ns, 0), at: performance.now() };
}

export function rssOf(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN);
    return { rssMB: kb('VmRSS') / 1024, hwmMB: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

function allProcs() {
  const out = [];
  for (const n of readdirSync('/proc')) {
    if (!/^\d+$/.test(n)) continue;
    const f = statFields(n);
    if (f && f[0] !== 'Z') out.push({ pid: Number(n), ppid: Number(f[1]), pgid: Number(f[2]), sid: Number(f[3]) });
  }
  return out;
}

/** Every live process below `root`, and every process in a session one of them leads. */
export function descendants(root) {
  const procs = allProcs();
  const found = new Map();
  let frontier = new Set([root]);
  while (frontier.size) {
    const next = new Set();
    for (const p of procs) {
      if (frontier.has(p.ppid) && !found.has(p.pid)) {
        found.set(p.pid, p);
        next.add(p.pid);
      }
    }
    frontier = next;
  }
  const leaders = new Set([root, ...found.keys()]);
  for (const p of procs) if (leaders.has(p.sid) && p.pid !== root) found.set(p.pid, p);
  return [...found.values()];
}

export function alive(pid) {
  const f = statFields(pid);
  return f !== undefined && f[0] !== 'Z';
}

function killGroupOrPid(p, signal) {
  try {
    process.kill(-p.pgid, signal);
  } catch {
    try {
      process.kill(p.pid, signal);
    } catch {
      // gone already
    }
  }
}

// ----------------------------------------------------------------------------------------- agents

/**
 * Runs bin/agents in a real pty of the given size, read through the harness's headless terminal.
 * `frames` counts the synchronized-output frames (ESC[?2026h) that arrive; `bytes` (the harness's)
 * counts what arrives.
 */
export function startAgents(args, { cols, rows, home, env = {}, project = mkdtempSync(join(home, 'project-')) }) {
  // An empty project folder of its own: the workspace watches its project, and the repository (where
  // other work may be going on) would make "idle" measure that work. A fresh one each time: a
  // workspace server still stopping from the last measurement must not be joined instead of started.
  mkdirSync(project, { recursive: true });
  // The file itself, as `agents` on the PATH runs: its shell launcher first (bin/agents).
  const t = Term.agents(args, { cols, rows, cwd: project, env: { AGENTS_HOME: home, ...env }, launcher: true });
  t.inProcess = env.AGENTS_SERVER === '0';
  t.frames = 0;
  t.pty.onData((d) => {
    let i = -1;
    while ((i = d.indexOf('\x1b[?2026h', i + 1)) !== -1) t.frames++;
  });
  t.startedAt = performance.now();
  LIVE.add(t);
  t.exited.then(() => LIVE.delete(t));
  return t;
}

const LIVE = new Set();

/**
 * The workspace's processes once it is up: the client in the terminal and the workspace server it
 * started (its child, in a session of its own), or the one process when it runs in-process
 * (AGENTS_SERVER=0). CPU and memory figures are the workspace's, not only the client's.
 */
export function workspaceProcs(t) {
  if (t.inProcess) return { client: t.pid, server: undefined, all: [t.pid] };
  const server = allProcs().find((p) => {
    if (p.ppid !== t.pid) return false;
    try {
      return readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').includes(BIN);
    } catch {
      return false;
    }
  });
  return { client: t.pid, server: server?.pid, all: server ? [t.pid, server.pid] : [t.pid] };
}

/** Waits for the first frame: the status bar's mode label. */
export function firstFrame(t, timeout = 15000) {
  // A workspace that exits instead (a bad build, a broken theme) fails at once, with what it said.
  const died = t.exited.then(async (e) => {
    await t.settle();
    const said = t.text().split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 3).join(' / ');
    throw new Error(`agents exited (code ${e.exitCode}) before its first frame: ${said.slice(0, 300)}`);
  });
  died.catch(() => {});
  return Promise.race([t.waitFor(/ NORMAL /, { timeout, message: 'the status bar (NORMAL)' }), died]).then((text) => {
    // A server outlives its client (detach): remembered, so the last-resort sweep finds it too.
    const { server } = workspaceProcs(t);
    if (server) SERVERS.add(server);
    return text;
  });
}

const SERVERS = new Set();

/**
 * Quits the way a person does (prefix q, then y if it asks), waits for the exit, then kills anything
 * the workspace started that is still alive (there should be nothing), and the workspace itself.
 * Returns whether the quit was clean.
 */
export async function stopAgents(t, { timeout = 8000, server } = {}) {
  // An attached terminal's workspace server is no child of it: `server` names it then.
  const before = [...descendants(t.pid), ...(server ? [{ pid: server, pgid: server }, ...descendants(server)] : [])];
  let clean = true;
  const exited = t.exited.then(() => true);
  try {
    t.keys('C-a', 'q');
    // With programs still running it asks first; with none it quits at once.
    const outcome = await Promise.race([
      t.waitFor('Quit?', { timeout: 3000 }).then(
        () => 'asked',
        () => 'no question',
      ),
      exited.then(() => 'exited'),
    ]);
    if (outcome === 'asked') t.keys('y');
    const done = await Promise.race([exited, sleep(timeout).then(() => false)]);
    if (!done) clean = false;
  } catch {
    clean = false;
  }
  // A workspace server says goodbye to its terminals first, then stops its panes (TERM, a grace
  // period, KILL): give it that long before counting what is left.
  await until(() => before.every((p) => !alive(p.pid)), { timeout: 3000, every: 20 }).catch(() => undefined);
  const left = before.filter((p) => alive(p.pid));
  if (left.length) clean = false;
  for (const p of left) killGroupOrPid(p, 'SIGKILL');
  if (alive(t.pid)) {
    clean = false;
    killGroupOrPid({ pid: t.pid, pgid: t.pid }, 'SIGKILL');
  }
  await Promise.race([t.exited, sleep(2000)]);
  QUITS[clean ? 'clean' : 'unclean']++;
  return { clean, leftBehind: left.length };
}

/** How the bench's quits of agents went: `unclean` ones needed a kill or left processes behind. */
export const QUITS = { clean: 0, unclean: 0 };

/** Last resort on the way out (errors, ctrl-c): no agents process or pane child survives the bench. */
export function killEverything() {
  for (const t of LIVE) {
    for (const p of descendants(t.pid)) killGroupOrPid(p, 'SIGKILL');
    killGroupOrPid({ pid: t.pid, pgid: t.pid }, 'SIGKILL');
  }
  LIVE.clear();
  for (const server of SERVERS) {
    for (const p of descendants(server)) killGroupOrPid(p, 'SIGKILL');
    killGroupOrPid({ pid: server, pgid: server }, 'SIGKILL');
  }
  SERVERS.clear();
  tmuxKillServer();
}

/**
 * Processes whose command line mentions `marker` (the bench's temporary folder, or its tmux socket
 * name): anything found after the sweep was left behind by a measurement; they are killed and counted.
 */
export function killStragglers(markers) {
  const found = [];
  for (const n of readdirSync('/proc')) {
    if (!/^\d+$/.test(n) || Number(n) === process.pid) continue;
    let cmd;
    try {
      cmd = readFileSync(`/proc/${n}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      continue;
    }
    if (!markers.some((m) => cmd.includes(m)) || !alive(Number(n))) continue;
    found.push(`${n} ${cmd.trim().slice(0, 80)}`);
    try {
      process.kill(Number(n), 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

// ------------------------------------------------------------------------------------------- tmux

export const TMUX_SOCKET = 'agents-bench';
let tmuxConf;

export function setTmuxConf(file) {
  tmuxConf = file;
}

/** Arguments for the tmux command line, aimed at the bench's own server (never the user's). */
export function tmuxArgs(...args) {
  return ['-L', TMUX_SOCKET, ...(tmuxConf ? ['-f', tmuxConf] : []), ...args];
}

/** Runs a tmux command against the bench's own server. */
export function tmux(...args) {
  const env = { ...process.env };
  delete env.TMUX;
  delete env.TMUX_PANE;
  const r = spawnSync('tmux', tmuxArgs(...args), { encoding: 'utf8', env });
  return { ok: r.status === 0, out: r.stdout ?? '', err: r.stderr ?? '' };
}

/** The same, without blocking the bench (for `wait-for`); resolves with the exit code. */
export function tmuxAsync(...args) {
  const env = { ...process.env };
  delete env.TMUX;
  delete env.TMUX_PANE;
  const child = spawn('tmux', tmuxArgs(...args), { env, stdio: 'ignore' });
  TMUX_WAITERS.add(child);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      TMUX_WAITERS.delete(child);
      resolve(code);
    }),
  );
}

const TMUX_WAITERS = new Set();

/** Kills whatever is still alive below a tmux server that the bench started. */
export function sweep(serverPid) {
  if (!serverPid) return;
  for (const p of descendants(serverPid)) killGroupOrPid(p, 'SIGKILL');
}

export function tmuxAvailable() {
  return spawnSync('tmux', ['-V'], { encoding: 'utf8' }).status === 0;
}

/** Pids of the bench server and everything in it, for the final sweep. */
export function tmuxServerPid() {
  const r = tmux('display-message', '-p', '#{pid}');
  return r.ok ? Number(r.out.trim()) : undefined;
}

export function tmuxKillServer() {
  for (const c of TMUX_WAITERS) c.kill('SIGKILL');
  const pid = tmuxServerPid();
  const inside = pid ? descendants(pid) : [];
  tmux('kill-server');
  for (const p of inside) if (alive(p.pid)) killGroupOrPid(p, 'SIGKILL');
}

/**
 * A tmux client attached to a new session of the bench server, in a real pty of the given size read
 * by the same harness as agents, so both are measured by what reaches the screen. `setup` (tmux
 * commands) runs after the session exists (splits, layout) and before the client attaches.
 */
export async function startTmuxClient({ cols, rows, session = 'bench', firstCommand, setup = [], env = {} }) {
  tmux('kill-session', '-t', session);
  // The session is created detached at the client's size, then attached: the pane sizes match the
  // attached client, and the commands start before the client is there (as they would be in agents).
  const made = tmux('new-session', '-d', '-s', session, '-x', String(cols), '-y', String(rows - 1), firstCommand);
  if (!made.ok) throw new Error(`tmux new-session failed: ${made.err}`);
  for (const args of setup) tmux(...args);
  const t = new Term('tmux', tmuxArgs('attach-session', '-t', session), { cols, rows, env });
  t.startedAt = performance.now();
  t.serverPid = tmuxServerPid();
  return t;
}

/** Kills the session (its panes get SIGHUP), then anything of it still alive, and the client. */
export async function stopTmuxClient(t, session = 'bench') {
  const inside = t.serverPid ? descendants(t.serverPid) : [];
  tmux('kill-session', '-t', session);
  await Promise.race([t.exited, sleep(2000)]);
  await sleep(50);
  for (const p of inside) if (alive(p.pid)) killGroupOrPid(p, 'SIGKILL');
  t.kill('SIGKILL');
}
