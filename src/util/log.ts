/**
 * The workspace's log file, under the data folder (never the terminal: the screen belongs to the
 * panes). Best effort: logging must never be the thing that takes the workspace down.
 *
 * A log line often quotes outside text (a path, an agent's message, an error from a program), so
 * every line and crash report is written through safeToWrite: no key, and no control character, so
 * one entry is one line and `cat`/`tail -f` of the log cannot be made to run terminal commands.
 *
 * Invariants:
 * - the file is opened once per process (0600, in a 0700 folder) and kept open: a line costs one
 *   fstat and one write, on the main thread, instead of mkdir + stat + open + write + close;
 * - each line is written synchronously with O_APPEND before log() returns, so a crash right after
 *   loses nothing, and lines of several processes (client, server, agents) never interleave;
 * - a log file that was deleted (its folder removed, the data folder wiped) is noticed on the next
 *   line (the open file has no name left) and created again, as is a change of AGENTS_HOME.
 */
import { closeSync, fchmodSync, fstatSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { inspect } from 'node:util';
import { join } from 'node:path';
import { ensurePrivateDir, logDir } from './paths.js';
import { safeToWrite } from './safe-text.js';
import { mapStack } from './stack-map.js';

export function logPath(name = 'agents.log'): string {
  return join(logDir(), name);
}

let open: { path: string; fd: number; dev: number; ino: number } | undefined;

/**
 * Whether the open descriptor is still our log file and the file still has a name: a removed file
 * keeps taking writes through its descriptor, into nothing.
 */
function usable(o: NonNullable<typeof open>): 'yes' | 'unlinked' | 'not ours' {
  try {
    const st = fstatSync(o.fd);
    if (st.dev !== o.dev || st.ino !== o.ino) return 'not ours';
    return st.nlink > 0 ? 'yes' : 'unlinked';
  } catch {
    return 'not ours';
  }
}

function logFd(path: string): number {
  if (open) {
    const state = usable(open);
    if (state === 'yes' && open.path === path) return open.fd;
    // A descriptor number something else closed and reused is not ours to close.
    if (state !== 'not ours') {
      try {
        closeSync(open.fd);
      } catch {
        // Already unusable: the new file replaces it either way.
      }
    }
    open = undefined;
  }
  ensurePrivateDir(logDir());
  const fd = openSync(path, 'a', 0o600);
  const st = fstatSync(fd);
  try {
    // A log left by an older version, or created by hand, is made private too.
    if ((st.mode & 0o077) !== 0) fchmodSync(fd, 0o600);
  } catch {
    // Not ours to change: still worth writing to.
  }
  open = { path, fd, dev: st.dev, ino: st.ino };
  return fd;
}

export function log(message: string): void {
  try {
    writeSync(logFd(logPath()), `${new Date().toISOString()} ${safeToWrite(message)}\n`);
  } catch {
    // Nowhere better to report it.
  }
}

/** Writes a crash report and returns its path (or undefined when even that failed). */
export function writeCrashReport(error: unknown): string | undefined {
  const file = logPath(`crash-${new Date().toISOString().replace(/[:.]/g, '-')}.log`);
  // The bundle's frames point into dist/; its source maps say where in src/ they are.
  const detail = error instanceof Error ? mapStack(error.stack ?? error.message) : String(error);
  try {
    ensurePrivateDir(logDir());
    const text = `agents ${safeToWrite(process.argv.slice(2).join(' '))}\nnode ${process.version}\n\n${safeToWrite(detail, { newlines: true })}\n`;
    writeFileSync(file, text, { mode: 0o600 });
    return file;
  } catch {
    return undefined;
  }
}

/**
 * At most one line per kind every `everyMs`; lines held back are counted into the next one. For
 * refusals a flood can cause (another process hammering a socket or port), so the log cannot become
 * the thing that fills the disk.
 */
export class LogLimiter {
  private kinds = new Map<string, { next: number; held: number }>();

  constructor(
    private everyMs = 5000,
    private now: () => number = Date.now,
  ) {}

  log(kind: string, message: string): void {
    const t = this.now();
    const k = this.kinds.get(kind);
    if (k && t < k.next) {
      k.held++;
      return;
    }
    log(k?.held ? `${message} (and ${k.held} more like it since the last such line)` : message);
    this.kinds.set(kind, { next: t + this.everyMs, held: 0 });
  }
}

/**
 * Sends Node's warnings and any library's console output to the log: on a workspace's screen they
 * would scribble over the panes, and a server has no screen at all.
 */
export function routeConsoleToLog(): void {
  process.removeAllListeners('warning');
  process.on('warning', (w) => log(`warning: ${w.name}: ${w.message}`));
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    // eslint-disable-next-line no-console -- replacing the console is the point
    console[level] = (...args: unknown[]) => log(`console.${level}: ${args.map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 2 }))).join(' ')}`);
  }
}
