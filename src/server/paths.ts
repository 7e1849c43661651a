/**
 * Where workspace servers listen. One unix socket per project, in a folder only the user can enter
 * (0700, owned by the user: checked, not assumed, as tmux does), named by a short hash of the
 * project's real path so the same project always finds its server.
 *
 * The folder: AGENTS_RUNTIME_DIR if set; else `run/` under AGENTS_HOME when that is set (a separate
 * data home is a separate world of servers: tests and the bench rely on it); else
 * $XDG_RUNTIME_DIR/agents; else /tmp/agents-<uid>.
 */
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';

export class RuntimeDirError extends Error {
  readonly kind = 'runtime-dir' as const;
}

export function runtimeDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AGENTS_RUNTIME_DIR) return resolve(env.AGENTS_RUNTIME_DIR);
  if (env.AGENTS_HOME) return join(resolve(env.AGENTS_HOME), 'run');
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, 'agents');
  return join('/tmp', `agents-${process.getuid?.() ?? 'user'}`);
}

/**
 * Creates the folder if needed and checks it is ours and private: a socket in a folder another user
 * can write to could be swapped for theirs, and one they can enter could be connected to.
 */
export function ensureRuntimeDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = runtimeDir(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  const uid = process.getuid?.();
  if (!st.isDirectory()) throw new RuntimeDirError(`${dir} is not a folder; remove it or set AGENTS_RUNTIME_DIR`);
  if (uid !== undefined && st.uid !== uid) throw new RuntimeDirError(`${dir} belongs to another user; set AGENTS_RUNTIME_DIR to a folder of your own`);
  if ((st.mode & 0o077) !== 0) throw new RuntimeDirError(`${dir} can be entered by other users (mode ${(st.mode & 0o777).toString(8)}); run chmod 700 ${dir}`);
  return dir;
}

/** The workspace id of a project: 8 hex digits of its real path's hash (stable, short enough to type). */
export function workspaceId(projectDir: string): string {
  let real = resolve(projectDir);
  try {
    real = realpathSync(real);
  } catch {
    // A project that is gone still has the id it had.
  }
  return createHash('sha256').update(real).digest('hex').slice(0, 8);
}

export function socketPath(dir: string, id: string): string {
  return join(dir, `${id}.sock`);
}

/** Ids of every socket in the folder (live or stale: connecting tells). */
export function listSockets(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((n) => /^[0-9a-f]{8}\.sock$/.test(n))
      .map((n) => n.slice(0, 8));
  } catch {
    return [];
  }
}
