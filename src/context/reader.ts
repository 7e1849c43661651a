/**
 * How the feed reads files: injected, so tests and the workspace decide where bytes come from. The
 * default reads from the project root on disk.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execFile } from '../terminal/native-exec.js';

/** The file's bytes; `{ bytes }` when it is too large to read for a hash; undefined when it is gone. */
export type Reader = (path: string) => Promise<Uint8Array | { bytes: number } | undefined>;

/** The file's previous content from elsewhere (git HEAD), when the feed has not seen it. */
export type Baseline = (path: string) => Promise<string | undefined>;

/** Hashing a huge file on every save would stall the feed for little: such changes show as outside. */
export const MAX_HASH_BYTES = 32 * 1024 * 1024;

export function fileReader(root: string, maxBytes = MAX_HASH_BYTES): Reader {
  return async (path) => {
    const abs = join(root, path);
    try {
      const st = await stat(abs);
      if (!st.isFile()) return undefined;
      if (st.size > maxBytes) return { bytes: st.size };
      return await readFile(abs);
    } catch {
      // ENOENT (deleted since the event), EACCES, ELOOP: nothing to read is all the feed needs to know.
      return undefined;
    }
  };
}

/**
 * `git show HEAD:./path` (./ so it works when the project is a subfolder of the repository), or
 * undefined outside a repository, for files new since HEAD, past `maxBytes`, and on any error.
 */
export function gitBaseline(root: string, maxBytes = 256 * 1024): Baseline {
  return (path) =>
    new Promise((resolve) => {
      execFile('git', ['show', `HEAD:./${path}`], { cwd: root, maxBuffer: maxBytes }, (err, stdout) => resolve(err ? undefined : stdout));
    });
}

export function sha256Bytes(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}
