// Real git repositories for the worktree tests: made in a temp folder whose name has a space and
// non-ASCII letters (paths are where quoting bugs live), with a local identity so commits work
// whatever the machine's git config says.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll } from 'vitest';
import { WorktreeManager, type ManagerOptions } from '../../src/worktree/manager.js';

const made: string[] = [];

export function tempDir(prefix = 'agents-wt-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

afterAll(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Runs git in `cwd` (test side: sync, throwing on failure), returning stdout. */
export function sh(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function write(root: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), text);
  }
}

export interface Repo {
  dir: string;
  home: string;
  open(opts?: ManagerOptions): Promise<WorktreeManager>;
}

/** A repository on `main` with one commit of `files` (plus a .gitignore ignoring .env* and build/). */
export function repo(files: Record<string, string> = { 'README.md': 'hello\n' }, opts: { commit?: boolean } = {}): Repo {
  const root = tempDir('agents wt ü-');
  const dir = join(root, 'my project');
  mkdirSync(dir);
  const home = join(root, 'home');
  sh(dir, 'init', '--quiet', '--initial-branch=main');
  sh(dir, 'config', 'user.name', 'Test Person');
  sh(dir, 'config', 'user.email', 'test@example.com');
  sh(dir, 'config', 'commit.gpgsign', 'false');
  write(dir, { '.gitignore': '.env*\nbuild/\nnode_modules/\n', ...files });
  if (opts.commit !== false) {
    sh(dir, 'add', '-A');
    sh(dir, 'commit', '--quiet', '-m', 'first');
  }
  return { dir, home, open: (o = {}) => WorktreeManager.open(dir, { home, ...o }) };
}

export function commit(dir: string, files: Record<string, string>, message = 'change'): string {
  write(dir, files);
  sh(dir, 'add', '-A');
  sh(dir, 'commit', '--quiet', '-m', message);
  return sh(dir, 'rev-parse', 'HEAD').trim();
}

function head(dir: string): string {
  try {
    return sh(dir, 'rev-parse', '--verify', '--quiet', 'HEAD');
  } catch {
    return '(unborn)';
  }
}

function walk(root: string, rel: string, out: string[]): void {
  for (const name of readdirSync(join(root, rel)).sort()) {
    if (rel === '' && name === '.git') continue;
    const p = rel === '' ? name : `${rel}/${name}`;
    const st = lstatSync(join(root, p));
    if (st.isDirectory()) walk(root, p, out);
    else if (st.isSymbolicLink()) out.push(`${p} -> ${readlinkSync(join(root, p))}`);
    else out.push(`${p} ${(st.mode & 0o777).toString(8)} ${createHash('sha256').update(readFileSync(join(root, p))).digest('hex')}`);
  }
}

/**
 * Everything a person could notice about a tree: every file's content and mode, `git status`, the
 * index, HEAD and every ref. Equal fingerprints before and after = the tree was left exactly as it was.
 */
export function fingerprint(dir: string): string {
  const files: string[] = [];
  walk(dir, '', files);
  return [
    files.join('\n'),
    sh(dir, 'status', '--porcelain=v2', '-z', '--branch', '--untracked-files=all'),
    sh(dir, 'ls-files', '--stage', '-z'),
    head(dir),
    sh(dir, 'for-each-ref', '--format=%(refname) %(objectname)'),
    sh(dir, 'worktree', 'list', '--porcelain'),
  ].join('\n---\n');
}

export function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

export function mode(path: string): number {
  return lstatSync(path).mode & 0o777;
}
