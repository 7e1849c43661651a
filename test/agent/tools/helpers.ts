// Real temp folders for the tool tests: a project root, and a sibling "outside" folder that escape
// attempts aim at.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ToolContext } from '../../../src/agent/tools/index.js';

export interface Sandbox {
  root: string;
  outside: string;
  write(rel: string, content: string | Buffer): string;
  ctx(extra?: Partial<ToolContext>): ToolContext;
  dispose(): void;
}

export function sandbox(): Sandbox {
  const base = mkdtempSync(join(tmpdir(), 'agents-tools-'));
  const root = join(base, 'project');
  const outside = join(base, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.txt'), 'top secret\n');
  return {
    root,
    outside,
    write(rel, content) {
      const file = join(root, rel);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
      return file;
    },
    ctx(extra = {}) {
      return { root, signal: new AbortController().signal, ...extra };
    },
    dispose() {
      rmSync(base, { recursive: true, force: true });
    },
  };
}

/** Polls `cond` until it holds or the deadline passes; tests wait for conditions, never fixed times. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
