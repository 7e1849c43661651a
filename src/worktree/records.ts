/**
 * Where a project's worktrees and their records live, and the records themselves.
 *
 *   <dataDir>/worktrees/<project-key>/<name>       the worktree (unless `worktree.dir` moves them)
 *   <dataDir>/worktrees/<project-key>/<name>.json  its record: branch, base, path, last agent
 *
 * The project key is the store's (slug of the folder name + hash of the repository top's real
 * path), so a project's worktrees sit beside nothing else's. Names are agent names
 * ([A-Za-z0-9_-]), so `<name>` and `<name>.json` never collide.
 *
 * Invariants: a record is written whole (temp file + rename), 0600, in a 0700 folder; a record that
 * does not parse is treated as absent (git's own list is the truth about which worktrees exist; the
 * record only adds which agent used it), never as a reason to fail.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import * as z from 'zod';
import { projectKey } from '../store/locations.js';
import { dataDir } from '../util/paths.js';
import { writePrivateFile } from '../util/private-file.js';
import { lazy } from '../util/lazy.js';

/** Built at the first record read. */
const worktreeRecordSchema = lazy(() =>
  z.object({
    version: z.literal(1),
    name: z.string(),
    branch: z.string(),
    /** The branch it was made from and merges back into. */
    base: z.string(),
    path: z.string(),
    createdAt: z.number(),
    /** The agent that last ran in it. */
    agent: z.string().optional(),
    usedAt: z.number().optional(),
  }),
);
export type WorktreeRecord = z.output<ReturnType<typeof worktreeRecordSchema>>;

/** The folder holding a project's records (and, by default, its worktrees). */
export function recordsDir(topLevelRealPath: string, home = dataDir()): string {
  return join(home, 'worktrees', projectKey(topLevelRealPath));
}

/** Where worktrees go: `worktree.dir` (relative to the project folder) or the records folder. */
export function worktreesDir(opts: { topLevel: string; projectDir: string; dir?: string; home?: string }): string {
  if (opts.dir === undefined) return recordsDir(opts.topLevel, opts.home);
  return isAbsolute(opts.dir) ? resolve(opts.dir) : resolve(opts.projectDir, opts.dir);
}

function recordFile(dir: string, name: string): string {
  return join(dir, `${name}.json`);
}

export function readRecord(dir: string, name: string): WorktreeRecord | undefined {
  try {
    const parsed = worktreeRecordSchema().safeParse(JSON.parse(readFileSync(recordFile(dir, name), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function writeRecord(dir: string, record: WorktreeRecord): void {
  writePrivateFile(recordFile(dir, record.name), JSON.stringify(record, null, 2) + '\n');
}

export function deleteRecord(dir: string, name: string): void {
  rmSync(recordFile(dir, name), { force: true });
}

/** Every record in the folder that parses. */
export function readRecords(dir: string): WorktreeRecord[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: WorktreeRecord[] = [];
  for (const file of names) {
    const m = /^([A-Za-z0-9_-]+)\.json$/.exec(file);
    if (!m) continue;
    const record = readRecord(dir, m[1]);
    if (record) out.push(record);
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
