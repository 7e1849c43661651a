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
