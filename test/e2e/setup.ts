// Shared set-up for end-to-end runs: a throwaway project folder and data folder, a predictable shell.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach } from 'vitest';
import { Term, ROOT } from '../helpers/term.js';
import { descendants } from '../helpers/procs.js';
import { query } from '../../src/client/attach.js';
import { listSockets, socketPath } from '../../src/server/paths.js';

const started: Term[] = [];
const homes = new Set<string>();
const dirs: string[] = [];
export const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** The pids of the workspace servers running with this data home (each answers on its socket). */
export async function servers(home: string): Promise<number[]> {
  const dir = join(home, 'run');
  const pids: number[] = [];
  for (const id of listSockets(dir)) {
    const r = await query(socketPath(dir, id), VERSION, 'info', 2000);
    if (r?.info) pids.push(r.info.pid);
  }
  return pids;
}

/** The workspace server a run started (waits until it answers). */
export async function serverPid(run: { home: string }, timeout = 20_000): Promise<number> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const [pid] = await servers(run.home);
    if (pid) return pid;
    if (Date.now() > deadline) throw new Error(`no workspace server answered for ${run.home}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function tempDir(prefix = 'agents-e2e-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

/**
 * A throwaway data home (AGENTS_HOME) for a run a test starts itself: after the test, any workspace
 * server answering there is killed with its panes, as `start`'s are, even when the test failed
 * before stopping it.
 */
export function tempHome(): string {
  const home = tempDir('agents-home-');
  homes.add(home);
  return home;
}

export interface Run {
  t: Term;
  project: string;
  home: string;
}

/** Starts bin/agents as people run it, in a fresh project with bash as $SHELL, no rc files and the prompt "$ ". */
export function start(
  args: string[],
  opts: {
    cols?: number;
    rows?: number;
    files?: Record<string, string>;
    env?: Record<string, string | undefined>;
    /** Runs before the workspace starts, with the folders it will use (e.g. a CLI's config in the home). */
    prepare?: (dirs: { project: string; home: string }) => void;
    /** Reuse these folders (a second run on the same project), instead of fresh ones. */
    dirs?: { project: string; home: string };
    /**
     * Run bin/agents itself, as `agents` on the PATH runs (its shell launcher; the default), or
     * (false) as `node bin/agents`, which starts its server from the client (src/client/prelaunch.ts).
     */
    launcher?: boolean;
  } = {},
): Run {
  const project = opts.dirs?.project ?? tempDir();
  const home = opts.dirs?.home ?? tempDir('agents-home-');
  homes.add(home);
  for (const [name, text] of Object.entries(opts.files ?? {})) writeFileSync(join(project, name), text);
  opts.prepare?.({ project, home });
  const t = Term.agents(args, {
    cols: opts.cols ?? 120,
    rows: opts.rows ?? 30,
    cwd: project,
    env: { AGENTS_HOME: home, HOME: home, SHELL: '/bin/bash', PS1: '$ ', PROMPT_COMMAND: 'PS1="$ "', NO_COLOR: undefined, ...opts.env },
    launcher: opts.launcher ?? true,
  });
  started.push(t);
  return { t, project, home };
}

afterEach(async () => {
  // The terminals, the workspace servers they started, and the panes' programs too, at once: killed
  // outright, a workspace cannot stop them itself, and one still writing into its home would
  // outlive the test's folders.
  const roots = started.splice(0).flatMap((t) => (t.pid ? [t.pid] : []));
  for (const home of [...homes]) roots.push(...(await servers(home)));
  homes.clear();
  const all = new Set<number>();
  for (const root of roots) for (const pid of [root, ...descendants(root)]) all.add(pid);
  for (const pid of all) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
});

// Per test file (a worker that is killed never sees 'exit'); the workspaces are gone by then.
afterAll(() => {
  for (const d of dirs.splice(0)) {
    try {
      // A pane's program may still be finishing (it got SIGHUP when the workspace was killed).
      rmSync(d, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    } catch {
      // Left for the system's temp cleaning: never a reason to fail a test file.
    }
  }
});

/** Status bar text: the last line of the screen. */
export function statusBar(t: Term): string {
  const lines = t.lines();
  return lines[lines.length - 1];
}

/** Ends the workspace (not only this terminal's view of it): quit asks only while something works or waits. */
export async function quit(t: Term): Promise<number> {
  t.keys('C-a', 'q');
  if (await Promise.race([t.exited.then(() => false), t.waitFor('Quit?').then(() => true)])) t.keys('y');
  return (await t.exited).exitCode;
}
