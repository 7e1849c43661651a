// Shared pieces of the store tests: temp folders removed after each test, a walk over every file
// the store wrote, and the store compiled to plain JS for child processes (no build needed).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, afterEach } from 'vitest';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

export function later(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

export function tempDir(prefix = 'agents-store-'): string {
  const dir = mkdtempSync(join(os.tmpdir(), prefix));
  later(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A project folder and a data folder for one test. */
export function setup(): { project: string; home: string } {
  const root = tempDir();
  const project = join(root, 'my project');
  mkdirSync(project);
  return { project, home: join(root, 'home') };
}

export function walk(dir: string): { path: string; isDir: boolean; mode: number }[] {
  const out: { path: string; isDir: boolean; mode: number }[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    out.push({ path, isDir: st.isDirectory(), mode: st.mode & 0o777 });
    if (st.isDirectory()) out.push(...walk(path));
  }
  return out;
}

export function allText(dir: string): string {
  return walk(dir)
    .filter((f) => !f.isDir)
    .map((f) => readFileSync(f.path, 'utf8'))
    .join('\n');
}

const STORE_FILES = ['errors', 'secrets', 'schema', 'migrations', 'locations', 'lock', 'jsonl', 'index-file', 'session', 'store'];
let compiled: string | undefined;
afterAll(() => {
  if (compiled) rmSync(compiled, { recursive: true, force: true });
});

/**
 * src/store (and the util modules it uses) transpiled to JS in a temp folder with node_modules
 * linked, so a child process can import `./store/store.js` without a build.
 */
export function compiledStore(): string {
  if (compiled) return compiled;
  const dir = mkdtempSync(join(os.tmpdir(), 'agents-store-js-'));
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  const files = [...STORE_FILES.map((f) => `store/${f}`), 'util/paths', 'util/log', 'util/stack-map', 'util/safe-text', 'util/pid', 'util/lazy'];
  for (const f of files) {
    const src = readFileSync(join(REPO, 'src', `${f}.ts`), 'utf8');
    const js = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, `${f}.js`), js);
  }
  compiled = dir;
  return dir;
}

/** A child running `script` (a module in the compiled folder), with its stdout split into lines. */
export function child(script: string, args: string[]): { proc: ChildProcess; lines: string[]; stderr: () => string; next: (match: RegExp, timeoutMs?: number) => Promise<RegExpExecArray>; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, [join(compiledStore(), script), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  let err = '';
  const waiters: Array<() => void> = [];
  proc.stdout!.on('data', (d: Buffer) => {
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
    for (const w of waiters.splice(0)) w();
  });
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => {
    resolve(code);
    for (const w of waiters.splice(0)) w();
  }));
  let seen = 0;
  later(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  /** Resolves with the first line from here on matching `match`; rejects on exit or after the timeout. */
  const next = (match: RegExp, timeoutMs = 15_000) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`no line matching ${match} within ${timeoutMs} ms; stderr: ${err}`)), timeoutMs);
      const check = () => {
        while (seen < lines.length) {
          const m = match.exec(lines[seen++]);
          if (m) {
            clearTimeout(deadline);
            return resolve(m);
          }
        }
        if (proc.exitCode !== null || proc.signalCode !== null) {
          clearTimeout(deadline);
          return reject(new Error(`child exited (${proc.exitCode ?? proc.signalCode}) before a line matching ${match}; stderr: ${err}`));
        }
        waiters.push(check);
      };
      check();
    });
  return { proc, lines, stderr: () => err, next, exited };
}

/** Writes a script into the compiled folder and returns its name. */
export function script(name: string, body: string): string {
  writeFileSync(join(compiledStore(), name), body);
  return name;
}
