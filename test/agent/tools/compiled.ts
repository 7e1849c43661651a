// The tools (and the modules they import) transpiled to JS in a temp folder with node_modules
// linked, so a child process can play an agent that quits, crashes or is killed, without a build.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll } from 'vitest';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
let compiled: string | undefined;
afterAll(() => {
  if (compiled) rmSync(compiled, { recursive: true, force: true });
});

/** The folder holding `agent/tools/index.js` and everything it imports, as plain JS. */
export function compiledTools(): string {
  if (compiled) return compiled;
  const dir = mkdtempSync(join(os.tmpdir(), 'agents-tools-js-'));
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  const src = join(REPO, 'src');
  const todo = [join(src, 'agent', 'tools', 'index.ts')];
  const done = new Set<string>();
  while (todo.length > 0) {
    const file = todo.pop() as string;
    if (done.has(file)) continue;
    done.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/from '(\.{1,2}\/[^']+)\.js'/g)) todo.push(resolve(dirname(file), `${m[1]}.ts`));
    const js = ts.transpileModule(text, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    const out = join(dir, relative(src, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, js);
  }
  compiled = dir;
  return dir;
}
