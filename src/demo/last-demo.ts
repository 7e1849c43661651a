// Where the last `agents --demo` ran: the demo works on a throwaway copy in the temp folder, and
// its session is stored under that copy, so `agents --demo --continue` must find the copy again.
// Kept as last-demo.json in the data folder (0600); a missing or unreadable file means "none".
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { dataDir } from '../util/paths.js';
import { writePrivateFile } from '../util/private-file.js';

const LastDemoSchema = z.object({ project: z.string().min(1), at: z.number() });

function file(home: string): string {
  return join(home, 'last-demo.json');
}

export function rememberDemo(project: string, home = dataDir(), now = Date.now()): void {
  writePrivateFile(file(home), JSON.stringify({ project, at: now }) + '\n');
}

export type LastDemo = { kind: 'none' } | { kind: 'gone'; project: string } | { kind: 'found'; project: string };

export function lastDemo(home = dataDir()): LastDemo {
  let project: string;
  try {
    const parsed = LastDemoSchema.safeParse(JSON.parse(readFileSync(file(home), 'utf8')));
    if (!parsed.success) return { kind: 'none' };
    project = parsed.data.project;
  } catch {
    return { kind: 'none' };
  }
  try {
    if (statSync(project).isDirectory()) return { kind: 'found', project };
  } catch {
    // Deleted, or the temp folder was cleaned (a reboot).
  }
  return { kind: 'gone', project };
}
