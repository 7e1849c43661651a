// Small files in the data folder that only the user may read (trust answers, the last demo's
// folder): written whole under a temporary name, synced, then renamed over the old one, so a crash
// leaves the old file or the new one, never half of each.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensurePrivateDir } from './paths.js';

export function writePrivateFile(path: string, text: string): void {
  ensurePrivateDir(dirname(path));
  const tmp = `${path}.${process.pid}.tmp`;
  // A leftover of a crash could have other permissions: start from a new file.
  rmSync(tmp, { force: true });
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
