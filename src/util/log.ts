/**
 * The workspace's log file, under the data folder (never the terminal: the screen belongs to the
 * panes). Best effort: logging must never be the thing that takes the workspace down.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir, logDir } from './paths.js';

export function logPath(name = 'agents.log'): string {
  return join(logDir(), name);
}

export function log(message: string): void {
  try {
    ensurePrivateDir(logDir());
    appendFileSync(logPath(), `${new Date().toISOString()} ${message}\n`, { mode: 0o600 });
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
    writeFileSync(file, `agents ${process.argv.slice(2).join(' ')}\nnode ${process.version}\n\n${detail}\n`, { mode: 0o600 });
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
