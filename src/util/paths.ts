// Where agents keeps its data. Everything stored lives under dataDir() so AGENTS_HOME can move all of
// it at once (tests and the benchmark point it at a temp folder).
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import envPaths from 'env-paths';

export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.AGENTS_HOME;
  if (home !== undefined && home !== '') return resolve(home);
  // env-paths reads XDG_DATA_HOME itself; the empty suffix avoids its default "-nodejs".
  return envPaths('agents', { suffix: '' }).data;
}

export function logDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(dataDir(env), 'logs');
}

/**
 * Creates `path` (and missing parents) readable by the user only. An existing folder we own is
 * tightened too, since stored sessions may hold prompts and code the user would not share.
 */
export function ensurePrivateDir(path: string): string {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') {
    const st = statSync(path);
    const ours = typeof process.getuid !== 'function' || st.uid === process.getuid();
    if (ours && (st.mode & 0o077) !== 0) chmodSync(path, st.mode & 0o700);
  }
  return path;
}
