/**
 * The workspace's log file, under the data folder (never the terminal: the screen belongs to the
 * panes). Best effort: logging must never be the thing that takes the workspace down.
 *
 * A log line often quotes outside text (a path, an agent's message, an error from a program), so
 * every line and crash report is written through safeToWrite: no key, and no control character, so
 * one entry is one line and `cat`/`tail -f` of the log cannot be made to run terminal commands.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { join } from 'node:path';
import { ensurePrivateDir, logDir } from './paths.js';
import { safeToWrite } from './safe-text.js';

export function logPath(name = 'agents.log'): string {
  return join(logDir(), name);
}

export function log(message: string): void {
  try {
    ensurePrivateDir(logDir());
    appendFileSync(logPath(), `${new Date().toISOString()} ${safeToWrite(message)}\n`, { mode: 0o600 });
  } catch {
    // Nowhere better to report it.
  }
}

/** Writes a crash report and returns its path (or undefined when even that failed). */
export function writeCrashReport(error: unknown): string | undefined {
  const file = logPath(`crash-${new Date().toISOString().replace(/[:.]/g, '-')}.log`);
  const detail = error instanceof Error ? `${error.stack ?? error.message}` : String(error);
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
