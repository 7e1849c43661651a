/**
 * Private temporary folders of a running workspace (its IPC socket, per-run MCP configs), named with
 * the owner's pid so that folders left by a workspace that was killed outright (kill -9, a crash that
 * skipped cleanup) are removed by the next one to start.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pidAlive } from './pid.js';

/** Removes `<tmp>/<prefix>-<pid>-*` folders of processes that are gone (and only folders this user owns). */
export function sweepStale(prefix: string, dir = tmpdir()): number {
  const re = new RegExp(`^${prefix}-(\\d+)-[A-Za-z0-9]{6}$`);
  const uid = process.getuid?.();
  let removed = 0;
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const m = re.exec(name);
    if (!m || Number(m[1]) === process.pid || pidAlive(Number(m[1]))) continue;
    try {
      const path = join(dir, name);
      if (uid !== undefined && statSync(path).uid !== uid) continue;
      rmSync(path, { recursive: true, force: true });
      removed++;
    } catch {
      // Someone else's, or gone already.
    }
  }
  return removed;
}

/** A new 0700 folder `<tmp>/<prefix>-<pid>-XXXXXX`, after sweeping the stale ones. */
export function makePrivateDir(prefix: string): string {
  sweepStale(prefix);
  return mkdtempSync(join(tmpdir(), `${prefix}-${process.pid}-`));
}
