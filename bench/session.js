// One run of the bench (full or quick): a temporary home for agents' data and the scripts the panes
// run, tmux's config, a watchdog, and a cleanup that stops every process the run started, on errors
// and on ctrl-c too. Measurements go through `step`, so one that fails is reported and the others
// still run.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import * as L from './lib.js';

export function openSession({ watchdogMs }) {
  const home = mkdtempSync(join(os.tmpdir(), 'agents-bench-'));
  const tmuxConf = join(home, 'tmux.conf');
  // remain-on-exit keeps a finished pane's last screen, as agents does; the same scrollback as agents.
  writeFileSync(tmuxConf, 'set -g remain-on-exit on\nset -g history-limit 5000\nset -s escape-time 0\n');
  L.setTmuxConf(tmuxConf);

  let cleaned = false;
  /** Stops everything; returns the processes that were left behind (killed now). */
  function cleanup() {
    if (cleaned) return [];
    cleaned = true;
    L.killEverything();
    const left = L.killStragglers([home, `-L ${L.TMUX_SOCKET}`]);
    rmSync(home, { recursive: true, force: true });
    return left;
  }
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      cleanup();
      process.exit(130);
    });
  }
  const watchdog = setTimeout(() => {
    process.stderr.write(`bench: still running after ${watchdogMs / 1000} s; stopping everything\n`);
    cleanup();
    process.exit(1);
  }, watchdogMs);

  const failures = [];
  const loadBefore = os.loadavg();
  const started = performance.now();
  const progress = (msg) => process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${msg}\n`);

  return {
    home,
    haveTmux: L.tmuxAvailable(),
    failures,
    progress,
    /** Runs one measurement; a failure is reported and the others still run. */
    async step(name, fn) {
      progress(name);
      try {
        return await fn();
      } catch (err) {
        failures.push(`${name}: ${err instanceof Error ? err.message.split('\n')[0].replace(/; screen:$/, '') : String(err)}`);
        progress(`  failed: ${failures.at(-1)}`);
        return undefined;
      }
    },
    /** Ends the run: stops everything and notes what had to be killed. Returns the wall time and load. */
    finish() {
      const totalS = (performance.now() - started) / 1000;
      clearTimeout(watchdog);
      const stragglers = cleanup();
      if (stragglers.length) failures.push(`processes left behind (killed now): ${stragglers.join('; ')}`);
      if (L.QUITS.unclean) failures.push(`${L.QUITS.unclean} of ${L.QUITS.clean + L.QUITS.unclean} quits of agents (ctrl+a q, y) did not end cleanly: the bench had to kill the workspace or processes it left behind`);
      const loadAfter = os.loadavg();
      return { totalS, load: `load average (1 min) ${loadBefore[0].toFixed(2)} before, ${loadAfter[0].toFixed(2)} after` };
    },
  };
}

export async function repeat(n, fn) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await fn(i));
  return out;
}

/** The machine, Node and tmux the figures were taken on. */
export function machine() {
  const cpuModel = os.cpus()[0]?.model?.trim() ?? 'unknown CPU';
  let tmuxVersion = 'tmux not installed';
  try {
    tmuxVersion = execFileSync('tmux', ['-V'], { encoding: 'utf8' }).trim();
  } catch {
    // no tmux: the anchors say n/a
  }
  return `${os.availableParallelism?.() ?? os.cpus().length} CPUs (nproc) ${cpuModel}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GB RAM, Linux ${os.release()}, Node ${process.version}, ${tmuxVersion}`;
}

/** How the bench itself is scheduled (its children inherit it): real-time priority cuts the noise of a shared machine. */
export function priority() {
  return realtimePriority() ? 'real-time priority (chrt)' : 'normal priority';
}

/** This thread's real-time priority, or 0 when it runs at normal priority (/proc fields 40 and 41: 1 SCHED_FIFO, 2 SCHED_RR). */
export function realtimePriority() {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return f[38] === '1' || f[38] === '2' ? Number(f[37]) : 0;
  } catch {
    return 0;
  }
}

/**
 * Runs `fn` with every process it starts at normal priority while the harness keeps its real-time
 * one (SCHED_RESET_ON_FORK on the harness's main thread, from which node-pty and child_process fork).
 * For the rows that time output's way to the screen (keystrokes, start-up, attach): the kernel
 * passes what a program writes into a pty on to its reader on a kworker thread, which runs at normal
 * priority, so measured programs at real-time priority hold their own output back for as long as
 * their threads keep both cores busy (a first frame 30-45 ms late in `bench/start-phases.js` here,
 * against ~1 ms at normal priority: docs/profile.md). Nobody runs agents at real-time priority; the
 * harness keeps it, so it reads the output as it arrives.
 */
export async function measuredAtNormalPriority(fn) {
  const prio = realtimePriority();
  if (!prio || spawnSync('chrt', ['-R', '-r', '-p', String(prio), String(process.pid)]).status !== 0) return fn();
  try {
    return await fn();
  } finally {
    spawnSync('chrt', ['-r', '-p', String(prio), String(process.pid)]);
  }
}
