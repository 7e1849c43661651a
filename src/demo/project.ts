// Where the demo's sample project lives, and a throwaway copy of it for `agents --demo`: the demo
// agents edit files, and the original in the repository must stay buggy for the next tour.
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** demo/sample-project at the package root (the same path from src/demo and from dist/demo). */
export function sampleProjectDir(): string {
  return fileURLToPath(new URL('../../demo/sample-project', import.meta.url));
}

/** Copies the sample project into a new temporary folder and returns that folder. */
export async function copySampleProject(parent: string = tmpdir()): Promise<string> {
  const dest = await mkdtemp(join(parent, 'agents-demo-'));
  await cp(sampleProjectDir(), dest, { recursive: true });
  return dest;
}
