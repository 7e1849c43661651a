// The workspace server's figures in `npm run bench`: attaching to a busy workspace, the flood and
// keystroke figures through a client against the same in the terminal's own process
// (AGENTS_SERVER=0), and a detached server left alone with idle panes.
//
// Every workspace these start is stopped again: quit from an attached terminal, or `agents stop`
// when none is attached, then whatever the server started that is still alive is killed (and
// counted as an unclean stop, like lib.stopAgents does).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN } from '../test/helpers/term.js';
import * as L from './lib.js';
import * as M from './measures.js';

/** A pane that prints about 20 coloured lines a second: busy, as an agent's log is, not flooding. */
export function busyScript(dir) {
  const file = join(dir, 'busy.sh');
  writeFileSync(
    file,
    `i=0
while :; do
  i=$((i+1))
  printf '\\033[3%dmbusy line %d \\033[1m%s\\033[22m some ordinary log text\\033[0m\\n' $((i%8)) $i $RANDOM
  sleep 0.05
done
`,
  );
  return `bash ${file}`;
}

/** prefix+d: the terminal leaves, the workspace goes on; resolves once the client has exited. */
export async function detach(t) {
  t.keys('C-a', 'd');
  const gone = await Promise.race([t.exited.then(() => true), L.sleep(5000).then(() => false)]);
  if (!gone) throw new Error('the terminal did not leave the workspace on prefix+d');
}

/**
 * Stops a workspace no terminal is attached to, the way a person does: `agents stop` in its project.
 * Waits for the server and everything below it to end; kills (and counts) anything left.
 */
export async function stopDetached({ home, project, server }) {
  const before = server ? [{ pid: server, pgid: server }, ...L.descendants(server)] : [];
  const r = spawnSync(process.execPath, [BIN, 'stop'], { cwd: project, env: { ...process.env, ...M.agentsEnv(), AGENTS_HOME: home }, encoding: 'utf8', timeout: 10000 });
  await L.until(() => before.every((p) => !L.alive(p.pid)), { timeout: 5000, every: 20 }).catch(() => undefined);
  const left = before.filter((p) => L.alive(p.pid));
  for (const p of left) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  const clean = r.status === 0 && left.length === 0;
  L.QUITS[clean ? 'clean' : 'unclean']++;
  return { clean, leftBehind: left.length, said: (r.stdout + r.stderr).trim() };
}

/**
 * What a process has written so far (/proc/PID/io): `wchar` bytes passed to write(2) and friends
 * (terminals, sockets, pipes, files, eventfds) in `syscw` calls.
 */
export function ioOf(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/io`, 'utf8');
    const n = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? NaN);
    return { wchar: n('wchar'), syscw: n('syscw') };
  } catch {
    return { wchar: NaN, syscw: NaN };
  }
}

/** Total size of the regular files a process holds open (its session store, its log). */
export function openFilesBytes(pid) {
  let n = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const st = statSync(`/proc/${pid}/fd/${fd}`);
      if (st.isFile()) n += st.size;
    } catch {
      // closed meanwhile
    }
  }
  return n;
}

// ------------------------------------------------------------------ 1a attach to a busy workspace

/**
 * `agents attach` to a workspace whose 4 panes print ~20 lines/s each (started once, detached),
 * until the first complete frame (the status bar's mode label, the frame's last row), `runs` times
 * with a detach between.
 */
export async function attachBusy(home, { runs = 5, panes = 4, cols = 244, rows = 85 } = {}) {
  const busy = busyScript(home);
  const project = mkdtempSync(join(home, 'project-'));
  const first = L.startAgents(Array.from({ length: panes }, () => ['--cmd', busy]).flat(), { cols, rows, home, env: M.agentsEnv(), project });
  const ms = [];
  let server;
  /** The terminal attached now, if one is: it quits the workspace at the end; else `agents stop`. */
  let attached = first;
  try {
    await L.firstFrame(first);
    await first.waitFor((s) => M.countRunning(s) >= panes, { timeout: 10000, message: `${panes} running panes` });
    await first.waitFor(/busy line \d+/, { timeout: 5000 });
    server = L.workspaceProcs(first).server;
    if (!server) throw new Error('no workspace server below the first terminal');
    await detach(first);
    attached = undefined;
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const t = (attached = L.startAgents(['attach'], { cols, rows, home, env: M.agentsEnv(), project }));
      await L.firstFrame(t);
      ms.push(performance.now() - t0);
      // Still printing while attached: the frame was of a busy workspace.
      await t.waitFor(/busy line \d+/, { timeout: 5000 });
      if (i === runs - 1) break;
      await detach(t);
      attached = undefined;
    }
  } finally {
    if (attached) await L.stopAgents(attached, { server });
    else await stopDetached({ home, project, server });
  }
  return ms;
}

// ----------------------------------------------------- 1b through a client against in-process

/**
 * The flood (median of `floods` each) and keystroke-to-screen with 3 panes flooding (`samples`
 * each, in `keyRounds` runs), through the workspace server's client and in-process
 * (AGENTS_SERVER=0), interleaved so that both see the same machine load.
 */
export async function clientVsInProcess(home, flood, { floods = 3, samples = 100, keyRounds = 2 } = {}) {
  const out = { floodClientMs: [], floodInProcessMs: [], keysClientMs: [], keysInProcessMs: [] };
  for (let i = 0; i < floods; i++) {
    // Alternate which goes first, so neither always follows the other's clean-up.
    for (const inProcess of i % 2 ? [true, false] : [false, true]) {
      const r = await M.floodAgents(home, { inProcess });
      if (!r.intact) throw new Error(`flood ${inProcess ? 'in-process' : 'through the client'}: the last line was gone after the program exited`);
      out[inProcess ? 'floodInProcessMs' : 'floodClientMs'].push(r.ms);
    }
  }
  // The keys in rounds too, the order swapped each round: one pair of runs, the client's always
  // first, read 0.91-1.22x at p50 from pair to pair, while 6 pairs alternated read 0.975x overall.
  for (let i = 0; i < keyRounds; i++) {
    for (const inProcess of i % 2 ? [true, false] : [false, true]) {
      const { ms } = await M.latencyAgents(home, flood, { samples: Math.ceil(samples / keyRounds), inProcess });
      out[inProcess ? 'keysInProcessMs' : 'keysClientMs'].push(...ms);
    }
  }
  return out;
}

// ------------------------------------------------------------------ 1c idle detached server

/**
 * 8 panes running `sleep 600`: once all are drawn and the screen is quiet, prefix+d; a second after
 * the terminal has gone, over `windowMs`: the server's CPU, what it passed to write(2) (/proc/PID/io;
 * node's event loop wakes its threads with 8-byte eventfd writes, which count there too), how much
 * the files it holds open grew (its session store and log), and, from the renderer's own count
 * written when it stops, whether it composed any frame with nobody attached.
 */
export async function idleDetached(home, { panes = 8, windowMs = 10000, settleMs = 1000, cols = 244, rows = 85 } = {}) {
  const project = mkdtempSync(join(home, 'project-'));
  const statsFile = join(home, `stats-idle-detached-${Date.now()}.json`);
  const t = L.startAgents(Array.from({ length: panes }, () => ['--cmd', 'sleep 600']).flat(), { cols, rows, home, project, env: { ...M.agentsEnv(), AGENTS_BENCH_STATS: statsFile } });
  let server;
  let detached = false;
  let result;
  try {
    await L.firstFrame(t);
    await t.waitFor((s) => M.countRunning(s) >= panes, { timeout: 10000, message: `${panes} running panes` });
    await M.quiet(t, 500);
    server = L.workspaceProcs(t).server;
    if (!server) throw new Error('no workspace server below the terminal');
    await detach(t);
    detached = true;
    const framesSeen = t.frames;
    await L.sleep(settleMs);
    // Two windows back to back, and the quieter one counts: V8's memory reducer shrinks the server's
    // heap once, anywhere from ~15 to ~25 s after its start (~120 ms of CPU), which is start-up, not
    // idling; a one-off lands in one window at most. Both are in the raw figures.
    const windows = [];
    for (let w = 0; w < 2; w++) {
      const c0 = L.cpuOf(server);
      const io0 = ioOf(server);
      const f0 = openFilesBytes(server);
      await L.sleep(windowMs);
      const c1 = L.cpuOf(server);
      const io1 = ioOf(server);
      const f1 = openFilesBytes(server);
      if (!c0 || !c1) throw new Error('the workspace server ended while detached');
      windows.push({ cpu: L.cpuPercent(c0, c1), wchar: io1.wchar - io0.wchar, writes: io1.syscw - io0.syscw, fileBytes: f1 - f0 });
    }
    const quieter = windows[0].cpu.sched <= windows[1].cpu.sched ? windows[0] : windows[1];
    // Files grow or frames are composed in either window: both count.
    result = { ...quieter, fileBytes: windows[0].fileBytes + windows[1].fileBytes, framesSeen, windowsSchedPct: windows.map((w) => +w.cpu.sched.toFixed(4)) };
  } finally {
    const stop = detached ? await stopDetached({ home, project, server }) : await L.stopAgents(t, { server });
    if (result) result.stop = stop;
  }
  // The renderer's count of frames over the server's whole life (written when it stops): any more
  // than reached the terminal before it left were composed while nobody was attached.
  try {
    result.framesComposed = JSON.parse(readFileSync(statsFile, 'utf8')).frames;
  } catch {
    result.framesComposed = undefined;
  }
  return result;
}
