// One run of the bench (full or quick): a temporary home for agents' data and the scripts the panes
// run, tmux's config, a watchdog, and a cleanup that stops every process the run started, on errors
// and on ctrl-c too. Measurements go through `step`, so one that fails is reported and the others
// still run.
import { execFileSync } from 'node:child_process';
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
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Field 41 of /proc/PID/stat is the scheduling policy: 1 SCHED_FIFO, 2 SCHED_RR.
    const policy = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[38]);
    return policy === 1 || policy === 2 ? 'real-time priority (chrt)' : 'normal priority';
  } catch {
    return 'normal priority';
  }
}
