// The measurements of `npm run bench`. Each one starts what it needs, measures, and stops it again
// (quitting agents the way a person does, then sweeping its process tree), and returns plain numbers.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as L from './lib.js';

export const SEQ_N = 2000000;
/** What every harness run of agents or tmux must not inherit from a bench started inside tmux. */
const CLEAN_ENV = { TMUX: undefined, TMUX_PANE: undefined };
/** The harness's environment for agents; `inProcess` runs the workspace in the terminal's own process. */
export const agentsEnv = (inProcess = false) => ({ ...CLEAN_ENV, ...(inProcess ? { AGENTS_SERVER: '0' } : {}) });

/** Shell scripts the panes run, written into the bench's temporary folder. */
export function writeScripts(dir) {
  // A coloured log line with changing numbers, as fast as bash can print it.
  const flood = join(dir, 'flood.sh');
  writeFileSync(
    flood,
    `i=0
while :; do
  i=$((i+1))
  printf '\\033[3%dmline %d \\033[1m%s\\033[22m some ordinary log text, %d %d\\033[0m\\n' $((i%8)) $i $RANDOM $RANDOM $((RANDOM*RANDOM))
done
`,
  );
  // The same lines at an agent-like pace: 8 lines every ~33 ms (~240 lines/s), so every frame has
  // new text in every pane but parsing costs little: the frame cost is what is left.
  const paced = join(dir, 'paced.sh');
  writeFileSync(
    paced,
    `i=0
while :; do
  for k in 1 2 3 4 5 6 7 8; do
    i=$((i+1))
    printf '\\033[3%dmline %d \\033[1m%s\\033[22m some ordinary log text, %d %d\\033[0m\\n' $((i%8)) $i $RANDOM $RANDOM $((RANDOM*RANDOM))
  done
  sleep 0.033
done
`,
  );
  return { flood: `bash ${flood}`, paced: `bash ${paced}` };
}

/** Resolves once nothing has reached the harness for `quietMs` (or after `timeout`, whichever first). */
export async function quiet(t, quietMs = 300, timeout = 5000) {
  const start = performance.now();
  let last = t.bytes;
  let since = performance.now();
  while (performance.now() - start < timeout) {
    await L.sleep(25);
    if (t.bytes !== last) {
      last = t.bytes;
      since = performance.now();
    } else if (performance.now() - since >= quietMs) return true;
  }
  return false;
}

/**
 * Panes whose program is up: the title's state is "running" until the pane's activity is first read,
 * then that activity (idle, busy, idle? …); anything but starting, exited, killed, failed.
 */
export function countRunning(text) {
  return (text.match(/[━─] \d+ [^·\n]*? · (?!starting|exited|killed|failed|not installed)[^━─\n]*[━─]/g) ?? []).length;
}

/** Panes whose title shows their activity (idle, busy, needs you; `?` a guess, `~` hooks silent): read at least once. */
export function countRead(text) {
  return (text.match(/[━─] \d+ [^·\n]*? · (?:idle|busy|needs you)[?~]? /g) ?? []).length;
}

// ---------------------------------------------------------------------------------------- 1 flood

/** `seq 1 2000000 > /dev/null`: what the work costs with no terminal at all. */
export function floodFloor(runs = 3) {
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    spawnSync('sh', ['-c', `seq 1 ${SEQ_N} > /dev/null`]);
    ms.push(performance.now() - t0);
  }
  return ms;
}

const lastLineAgents = new RegExp(`[┃│]${SEQ_N}\\s*[┃│]`);
const lastLineTmux = new RegExp(`^${SEQ_N}\\s*$`, 'm');

/**
 * One flood in agents: the pane waits on `read`, Enter starts `seq`; the time runs from the Enter
 * until the last number is on the screen the person sees. The program then lingers 0.5 s before it
 * exits (so a lost tail, measured separately, cannot spoil the timing) and the title must say so.
 */
export async function floodAgents(home, { cols = 120, rows = 40, inProcess = false } = {}) {
  const t = L.startAgents(['--cmd', `read x; seq 1 ${SEQ_N}; sleep 0.5`], { cols, rows, home, env: agentsEnv(inProcess) });
  try {
    await L.firstFrame(t);
    await t.waitFor((s) => countRunning(s) >= 1, { timeout: 5000, message: 'the pane running' });
    const t0 = performance.now();
    t.keys('Enter');
    await t.waitFor((s) => lastLineAgents.test(s), { timeout: 30000, message: `${SEQ_N} on screen` });
    const ms = performance.now() - t0;
    await t.waitFor(' · exited 0 ', { timeout: 10000 });
    return { ms, intact: lastLineAgents.test(t.text()) };
  } finally {
    await L.stopAgents(t);
  }
}

/** The same flood in a tmux pane of the same size, read through the same harness. */
export async function floodTmux({ cols = 120, rows = 40 } = {}) {
  const t = await L.startTmuxClient({ cols, rows, firstCommand: `read x; seq 1 ${SEQ_N}; sleep 0.5`, env: CLEAN_ENV });
  try {
    await t.waitFor('[bench]', { timeout: 5000 });
    const t0 = performance.now();
    t.keys('Enter');
    await t.waitFor((s) => lastLineTmux.test(s), { timeout: 30000, message: `${SEQ_N} on the tmux screen` });
    const ms = performance.now() - t0;
    await paneDead('bench', 10000);
    return { ms, intact: lastLineTmux.test(t.text()) };
  } finally {
    await L.stopTmuxClient(t);
  }
}

/**
 * tmux on its own, no client attached: the pane signals `tmux wait-for` as soon as `seq` has
 * written everything, then the bench checks with `capture-pane` that the last line is on the pane's
 * screen. This is tmux's own cost (parse, no drawing), the anchor the issue asks for.
 */
export async function floodTmuxDetached({ cols = 120, rows = 40 } = {}) {
  const channel = `flood-${process.pid}-${Date.now()}`;
  L.tmux('kill-session', '-t', 'flood');
  const made = L.tmux('new-session', '-d', '-s', 'flood', '-x', String(cols), '-y', String(rows - 1), `read x; seq 1 ${SEQ_N}; tmux wait-for -S ${channel}; sleep 0.5`);
  if (!made.ok) throw new Error(`tmux new-session failed: ${made.err}`);
  const serverPid = L.tmuxServerPid();
  try {
    // (A signal that comes before anyone waits is kept by tmux, so the order here cannot hang.)
    const waiter = L.tmuxAsync('wait-for', channel);
    const t0 = performance.now();
    L.tmux('send-keys', '-t', 'flood', 'Enter');
    await Promise.race([waiter, L.sleep(30000).then(() => Promise.reject(new Error('tmux wait-for never signalled')))]);
    await L.until(() => lastLineTmux.test(L.tmux('capture-pane', '-p', '-t', 'flood').out), { timeout: 5000, every: 2, message: `${SEQ_N} in tmux` });
    return { ms: performance.now() - t0 };
  } finally {
    L.tmux('kill-session', '-t', 'flood');
    L.sweep(serverPid);
  }
}

/** The largest number on a screen of `seq` output (the last line that arrived). */
function lastNumber(text) {
  let max = 0;
  for (const m of text.matchAll(/(?:^|[┃│])(\d+)\s*(?=[┃│]|$)/gm)) max = Math.max(max, Number(m[1]));
  return max;
}

/**
 * Does the end of a flood survive the program exiting at once? `seq` starts with the workspace
 * (as `agents --cmd "seq 1 2000000"` would) and exits as soon as its last write is in the pty; the
 * pane must still show all of it (issue 2, Lifecycle). Returns the last number shown once the title
 * says the program exited and the screen is quiet.
 */
export async function tailAgents(home, { cols = 120, rows = 40 } = {}) {
  const a = L.startAgents(['--cmd', `seq 1 ${SEQ_N}`], { cols, rows, home, env: CLEAN_ENV });
  try {
    await L.firstFrame(a);
    await a.waitFor(' · exited ', { timeout: 30000 });
    await quiet(a);
    return lastNumber(a.lines().slice(1, -2).join('\n'));
  } finally {
    await L.stopAgents(a);
  }
}

/** The same in a detached tmux session: the dead pane's screen (remain-on-exit), from capture-pane. */
export async function tailTmux({ cols = 120, rows = 40 } = {}) {
  L.tmux('kill-session', '-t', 'tail');
  const made = L.tmux('new-session', '-d', '-s', 'tail', '-x', String(cols), '-y', String(rows - 1), `seq 1 ${SEQ_N}`);
  if (!made.ok) throw new Error(`tmux new-session failed: ${made.err}`);
  const serverPid = L.tmuxServerPid();
  try {
    await paneDead('tail');
    return lastNumber(L.tmux('capture-pane', '-p', '-t', 'tail').out);
  } finally {
    L.tmux('kill-session', '-t', 'tail');
    L.sweep(serverPid);
  }
}

/** Waits until the (only) pane of a tmux session has exited, asking the server. */
function paneDead(session, timeout = 30000) {
  return L.until(() => L.tmux('list-panes', '-t', session, '-F', '#{pane_dead}').out.trim() === '1', {
    timeout,
    every: 20,
    message: `the pane of tmux session ${session} to exit`,
  });
}

// ---------------------------------------------------------------------------- 2 frames and CPU

/**
 * 4 panes printing at 244x85 for `windowMs`. fps is counted over the window from the frames that
 * reach the harness (each frame is one ESC[?2026h … l block); CPU is the agents process's own
 * (all its threads), over the same window; frame cost comes from the renderer's stats, written on
 * quit (they cover the whole run, start-up included).
 */
/** Lines a pane keeps above its screen (the workspace's default, src/workspace/workspace.ts). */
const SCROLLBACK = 5000;

export async function frames(home, command, { windowMs = 5000, cols = 244, rows = 85, full = false } = {}) {
  const statsFile = join(home, `stats-${Date.now()}.json`);
  const t = L.startAgents(Array.from({ length: 4 }, () => ['--cmd', command]).flat(), {
    cols,
    rows,
    home,
    env: { ...CLEAN_ENV, AGENTS_BENCH_STATS: statsFile },
  });
  let window;
  try {
    await L.firstFrame(t);
    await t.waitFor((s) => countRunning(s) >= 4, { timeout: 5000, message: '4 running panes' });
    await t.waitFor(/line \d+ \d+ some ordinary/, { timeout: 5000 });
    const procs = L.workspaceProcs(t).all;
    const measure = async () => {
      const f0 = t.frames;
      const b0 = t.bytes;
      const c0 = L.cpuOfAll(procs);
      await L.sleep(windowMs);
      const cpu = L.cpuPercent(c0, L.cpuOfAll(procs));
      return { fps: ((t.frames - f0) * 1000) / cpu.wallMs, cpu, bytesPerSec: ((t.bytes - b0) * 1000) / cpu.wallMs };
    };
    // Two windows back to back: in the first V8 is still optimizing the hot paths (its compiler's
    // threads, and re-optimizing after the first scrolls), a start-up cost; the second is the rate a
    // workspace keeps up.
    const first = await measure();
    window = { ...(await measure()), first };
    // `full`: a third window once every pane's scrollback is full (every line on the screen is
    // numbered past SCROLLBACK + rows). Until then each new line is a new full-width array for
    // xterm, fresh memory for the process (page faults) and more for its GC; after, xterm recycles
    // its oldest line for each new one, as in a workspace that has been running for a while.
    if (full) {
      const filled = (s) => {
        const numbers = [...s.matchAll(/line (\d+) /g)].map((m) => Number(m[1]));
        return numbers.length > 0 && Math.min(...numbers) > SCROLLBACK + rows;
      };
      const t0 = performance.now();
      await t.waitFor(filled, { timeout: 90_000, message: `every pane past ${SCROLLBACK + rows} lines` });
      window.full = { ...(await measure()), afterMs: performance.now() - t0 };
    }
  } finally {
    // The stats are written on quit and cover the workspace's whole life, start to quit.
    const lifeMs = performance.now() - t.startedAt;
    await L.stopAgents(t);
    window = { ...window, lifeMs };
  }
  const s = JSON.parse(readFileSync(statsFile, 'utf8'));
  return {
    ...window,
    stats: s,
    meanFrameMs: s.totalFrameMs / s.frames,
    maxFrameMs: s.maxFrameMs,
    // Share of one core spent composing and diffing frames, over the whole run.
    frameSharePct: (s.totalFrameMs / window.lifeMs) * 100,
  };
}

// ---------------------------------------------------------------------------- 3 keystroke latency

/**
 * Types one character at a time into a pane running `cat` while 3 other panes flood, and times each
 * from the write into the pty until the harness's screen shows it. Lines are kept short: every
 * LINE characters, Enter (not timed) and a fresh marker (also not timed) start the next line, so a
 * line can be found unambiguously as "marker + what was typed so far" inside pane 1's columns.
 */
async function typeSamples(t, region, samples) {
  const LINE = 40;
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const ms = [];
  let lineNo = 0;
  let typed = '';
  let hintRow = -1;
  const rowText = (y) => {
    const b = t.term.buffer.active;
    return b.getLine(b.viewportY + y)?.translateToString(true, region.x0, region.x1).trimEnd() ?? '';
  };
  const shows = (want) => {
    if (hintRow >= 0 && rowText(hintRow) === want) return true;
    for (let y = region.y0; y < region.y1; y++) {
      if (rowText(y) === want) {
        hintRow = y;
        return true;
      }
    }
    return false;
  };
  /** Resolves with the time at which `test()` first held, re-checked after every parsed write. */
  const when = (test, what, timeout = 5000) =>
    new Promise((resolve, reject) => {
      const check = () => {
        if (!test()) return;
        done();
        resolve(performance.now());
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`never showed: ${what}`));
      }, timeout);
      const done = () => {
        clearTimeout(timer);
        t.listeners = t.listeners.filter((l) => l !== check);
      };
      t.listeners.push(check);
      check();
    });
  const appear = (want) => when(() => shows(want), JSON.stringify(want));
  /** After Enter, the line is on screen twice: the tty's echo and cat's copy. */
  const copied = (line) => {
    let n = 0;
    for (let y = region.y0; y < region.y1; y++) if (rowText(y) === line) n++;
    return n >= 2;
  };
  const newLine = async () => {
    lineNo++;
    typed = `#${String(lineNo).padStart(3, '0')}:`;
    t.write(typed);
    await appear(typed);
  };
  await newLine();
  while (ms.length < samples) {
    if (typed.length >= LINE) {
      const line = typed;
      t.write('\r');
      await when(() => copied(line), `cat's copy of ${JSON.stringify(line)}`);
      await newLine();
    }
    // A gap of 15–45 ms between keys, so keys land at every phase of the frame timer.
    await L.sleep(15 + Math.random() * 30);
    const ch = letters[ms.length % letters.length];
    typed += ch;
    const t0 = performance.now();
    t.write(ch);
    const t1 = await appear(typed);
    ms.push(t1 - t0);
  }
  return ms;
}

/** Runs `fn` (the samples) and notes how many bytes per second the harness had to parse meanwhile. */
async function withRate(t, fn) {
  const b0 = t.bytes;
  const t0 = performance.now();
  const ms = await fn();
  return { ms, harnessBytesPerSec: ((t.bytes - b0) * 1000) / (performance.now() - t0) };
}

/** Pane 1's interior on a 2x2 grid: from its top-left corner to the next vertical border. */
function firstPaneRegion(t, { topBorderRow = 0 } = {}) {
  const lines = t.lines();
  const row = lines[topBorderRow + 1] ?? '';
  let x1 = -1;
  for (let x = 1; x < row.length; x++) {
    if ('┃│'.includes(row[x])) {
      x1 = x;
      break;
    }
  }
  // The interior ends at the first horizontal border below.
  let y1 = topBorderRow + 1;
  while (y1 < lines.length && !/^[┗╰┏╭─━]/.test(lines[y1])) y1++;
  return { x0: 1, x1: x1 > 0 ? x1 : Math.floor(t.term.cols / 2), y0: topBorderRow + 1, y1 };
}

/** `others` is what panes 2-4 run: the flood, or `sleep 600` for the no-load baseline. */
export async function latencyAgents(home, others, { samples = 200, cols = 244, rows = 85, inProcess = false } = {}) {
  const flooding = !others.startsWith('sleep');
  const t = L.startAgents(['--cmd', 'cat', '--cmd', others, '--cmd', others, '--cmd', others], {
    cols,
    rows,
    home,
    env: agentsEnv(inProcess),
  });
  try {
    await L.firstFrame(t);
    await t.waitFor((s) => countRunning(s) >= 4, { timeout: 5000, message: '4 running panes' });
    if (flooding) await t.waitFor(/line \d+ \d+ some ordinary/, { timeout: 5000 });
    // Typing starts once the start is over, as a person's would (a reaction to a new screen takes
    // ~200 ms): every pane's first activity reading is on screen, so the chrome render that shows
    // them (the first after the first frame, in code V8 has barely run) is done. Keys typed within
    // ~100 ms of the first frame met it: docs/profile.md.
    await t.waitFor((s) => countRead(s) >= 4, { timeout: 5000, message: "4 panes' first activity" });
    const region = firstPaneRegion(t);
    return await withRate(t, () => typeSamples(t, region, samples));
  } finally {
    await L.stopAgents(t);
  }
}

/** The same in tmux: 4 tiled panes, the first running `cat` and focused, the others flooding. */
export async function latencyTmux(flood, { samples = 200, cols = 244, rows = 85 } = {}) {
  const t = await L.startTmuxClient({
    cols,
    rows,
    firstCommand: 'cat',
    env: CLEAN_ENV,
    setup: [
      ['split-window', '-t', 'bench', flood],
      ['split-window', '-t', 'bench', flood],
      ['split-window', '-t', 'bench', flood],
      ['select-layout', '-t', 'bench', 'tiled'],
      ['select-pane', '-t', 'bench:0.0'],
    ],
  });
  try {
    await t.waitFor('[bench]', { timeout: 5000 });
    await t.waitFor(/line \d+ \d+ some ordinary/, { timeout: 5000 });
    // tmux has no outer border: pane 0's interior starts at column 0 and ends at the first divider.
    const lines = t.lines();
    const row = lines[1] ?? '';
    const x1 = row.indexOf('│');
    let y1 = 0;
    while (y1 < lines.length && !/^─/.test(lines[y1])) y1++;
    return await withRate(t, () => typeSamples(t, { x0: 0, x1: x1 > 0 ? x1 : Math.floor(cols / 2), y0: 0, y1 }, samples));
  } finally {
    await L.stopTmuxClient(t);
  }
}

// ------------------------------------------------------------------------------------ 4 idle CPU

/**
 * When the idle window starts, from the spawn. V8's memory reducer shrinks each process's heap once
 * after its start-up: in the client three incremental GCs at ~8-9 s (~60 ms of CPU), in the server
 * GCs somewhere between ~15 and ~25 s (~120 ms of CPU, RSS 113 -> 79 MB with 8 idle panes; it waits
 * while anything allocates, and a shorter --gc-memory-reducer-start-delay-ms did not move it), seen
 * by thread in /proc and in \`gc\` performance entries. Those are start-up costs, not idling; the
 * quick bench starts its shorter window after the client's (IDLE_SETTLED_QUICK_MS) and may see the
 * server's.
 */
export const IDLE_SETTLED_MS = 30_000;
export const IDLE_SETTLED_QUICK_MS = 10_500;

export async function idle(home, { panes = 8, windowMs = 10000, cols = 244, rows = 85, settledAfterMs = IDLE_SETTLED_MS } = {}) {
  const t = L.startAgents(Array.from({ length: panes }, () => ['--cmd', 'sleep 600']).flat(), { cols, rows, home, env: CLEAN_ENV });
  try {
    await L.firstFrame(t);
    await t.waitFor((s) => countRunning(s) >= panes, { timeout: 5000, message: `${panes} running panes` });
    await quiet(t, 500);
    const b0 = t.bytes;
    const f0 = t.frames;
    const procs = L.workspaceProcs(t).all;
    const q = L.cpuOfAll(procs);
    // The memory reducers' one-off GCs (IDLE_SETTLED_MS) are reported on their own, before the window.
    await L.sleep(Math.max(0, t.startedAt + settledAfterMs - performance.now()));
    const c0 = L.cpuOfAll(procs);
    await L.sleep(windowMs);
    const c1 = L.cpuOfAll(procs);
    return { cpu: L.cpuPercent(c0, c1), settleCpuMs: (c0.ns - q.ns) / 1e6, bytes: t.bytes - b0, frames: t.frames - f0 };
  } finally {
    await L.stopAgents(t);
  }
}

// ------------------------------------------------------------------------------------------ 5 RSS

/**
 * Row 5. The workspace packs scrollback lines once a pane stops scrolling and gives the memory back
 * within ~8 s (src/terminal/reclaim.ts: a GC after 1 s without keys or output, malloc_trim, a
 * second GC that shrinks the young generation once allocation has been low for ~5 s), so the figure
 * is taken `settleMs` after the screen went quiet; `quietMB` is the RSS when it went quiet.
 */
export async function rss(home, { panes = 16, lines = 20000, cols = 244, rows = 85, settleMs = 10000 } = {}) {
  const t = L.startAgents(Array.from({ length: panes }, () => ['--cmd', `seq 1 ${lines}; sleep 600`]).flat(), {
    cols,
    rows,
    home,
    env: CLEAN_ENV,
  });
  const last = new RegExp(`[┃│]${lines}\\s*(?=[┃│])`, 'g');
  try {
    await L.firstFrame(t);
    const t0 = performance.now();
    await t.waitFor((s) => (s.match(last) ?? []).length >= panes, { timeout: 30000, message: `${lines} in all ${panes} panes` });
    const fillMs = performance.now() - t0;
    await quiet(t, 500);
    // The workspace's memory is the server's; the client in the terminal is reported beside it.
    const { client, server } = L.workspaceProcs(t);
    const quietMB = L.rssOf(server ?? client)?.rssMB;
    await L.sleep(settleMs);
    const m = L.rssOf(server ?? client);
    return { ...m, quietMB, clientMB: server ? L.rssOf(client)?.rssMB : undefined, fillMs };
  } finally {
    await L.stopAgents(t);
  }
}

// ----------------------------------------------------------------------------------- 6 first frame

/**
 * `agents --cmd "sleep 600"` until its first complete frame (the status bar is its last row). By
 * default that is the whole cold path: the client starts the project's workspace server, which builds
 * the workspace and sends the frame. `inProcess`: the workspace in the terminal's own process.
 * The server starts from its V8 code cache (src/cli/code-cache.ts), as every start after the first
 * one of an install does: a start that makes the cache goes first when there is none.
 * `codeCache: false`: without one, as the first start after an install or an upgrade.
 */
export async function startup(home, { runs = 5, cols = 244, rows = 85, inProcess = false, codeCache = true, nodeAnchor } = {}) {
  const env = { ...agentsEnv(inProcess), ...(codeCache ? {} : { AGENTS_CODE_CACHE: '0' }) };
  if (codeCache) await warmCodeCache(home, { cols, rows, inProcess });
  const ms = [];
  for (let i = 0; i < runs; i++) {
    // `nodeAnchor`: `node -e 0` timed right before each start, into that array, so the row's
    // difference compares two starts made in the same state of a shared machine.
    if (nodeAnchor) nodeAnchor.push(timeNodeStart());
    const t0 = performance.now();
    const t = L.startAgents(['--cmd', 'sleep 600'], { cols, rows, home, env });
    try {
      await L.firstFrame(t);
      ms.push(performance.now() - t0);
    } finally {
      await L.stopAgents(t);
    }
  }
  return ms;
}

/**
 * The workspace's own code cache in the bench's home (src/cli/code-cache.ts keeps them in
 * AGENTS_HOME/cache): the server's, or the in-process workspace's (`cli_main_cjs-…`), not the
 * terminal client's (`cli_main_cjs_client-…`), which is there by the first frame.
 */
function codeCaches(home) {
  try {
    return readdirSync(join(home, 'cache')).filter((f) => f.startsWith('cli_main_cjs-') && f.endsWith('.v8cache'));
  } catch {
    return [];
  }
}

/**
 * One start that makes the code cache, when the home has none yet (the workspace makes its own ~1 s
 * after the first frame). Waiting for any cache file ended at the client's, so the measured starts
 * ran a server without one, and each stopped at its first frame, before it could make it.
 */
async function warmCodeCache(home, { cols, rows, inProcess }) {
  if (codeCaches(home).length > 0) return;
  const t = L.startAgents(['--cmd', 'sleep 600'], { cols, rows, home, env: agentsEnv(inProcess) });
  try {
    await L.firstFrame(t);
    const until = performance.now() + 15_000;
    while (codeCaches(home).length === 0 && performance.now() < until) await L.sleep(100);
  } finally {
    await L.stopAgents(t);
  }
}

/**
 * `agents attach` to a workspace that is already running (started once, then detached), until its
 * first complete frame: the client's own cost, plus the server composing a full frame for it.
 */
export async function attachStartup(home, { runs = 5, cols = 244, rows = 85 } = {}) {
  const project = mkdtempSync(join(home, 'project-'));
  const first = L.startAgents(['--cmd', 'sleep 600'], { cols, rows, home, env: CLEAN_ENV, project });
  await L.firstFrame(first);
  const { server } = L.workspaceProcs(first);
  first.keys('C-a', 'd');
  await Promise.race([first.exited, L.sleep(5000)]);
  const ms = [];
  let last;
  try {
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const t = (last = L.startAgents(['attach'], { cols, rows, home, env: CLEAN_ENV, project }));
      await L.firstFrame(t);
      ms.push(performance.now() - t0);
      if (i === runs - 1) break;
      t.keys('C-a', 'd');
      await Promise.race([t.exited, L.sleep(5000)]);
    }
  } finally {
    // The last terminal quits the workspace (its server ends with it); a failure before that kills all.
    await L.stopAgents(last ?? first, { server });
  }
  return ms;
}

/** Anchors for the start-up figure: a bare `node -e 0`, and tmux to its first status line. */
/** How long `node -e 0` takes to start and end, in ms. */
function timeNodeStart() {
  const t0 = performance.now();
  spawnSync(process.execPath, ['-e', '0']);
  return performance.now() - t0;
}

export async function startupAnchors({ runs = 5, cols = 244, rows = 85 } = {}) {
  const node = [];
  for (let i = 0; i < runs; i++) node.push(timeNodeStart());
  const tmux = [];
  for (let i = 0; i < runs; i++) {
    L.tmuxKillServer();
    const t0 = performance.now();
    const t = new L.Term('tmux', L.tmuxArgs('new-session', '-s', 'start', 'sleep 600'), { cols, rows, env: CLEAN_ENV });
    try {
      await t.waitFor('[start]', { timeout: 5000 });
      tmux.push(performance.now() - t0);
    } finally {
      L.tmux('kill-session', '-t', 'start');
      await Promise.race([t.exited, L.sleep(2000)]);
      t.kill('SIGKILL');
    }
  }
  return { node, tmux };
}
