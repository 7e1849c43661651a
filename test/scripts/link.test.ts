// `npm run link` / `npm run unlink`: `agents` on the PATH from this checkout for one user, tried in
// a throwaway home and PATH so the machine's own PATH is never touched.
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../helpers/term.js';

const SCRIPT = join(ROOT, 'scripts', 'link.js');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const basePath = process.env.PATH ?? '';

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'agents-link-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

function link(args: string[], path = basePath) {
  const r = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8', env: { ...process.env, HOME: home, PATH: path } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('npm run link', () => {
  it('links ~/.local/bin/agents to this checkout; from another folder `agents` then runs it', () => {
    const bin = join(home, '.local', 'bin');
    const first = link([]);
    expect(first.code).toBe(0);
    expect(readlinkSync(join(bin, 'agents'))).toBe(BIN);
    // Not on PATH yet: it says so and how to add it.
    expect(first.out).toContain(`${bin} is not on your PATH`);
    expect(first.out).toContain(`export PATH="${bin}:$PATH"`);

    const path = `${bin}${delimiter}${basePath}`;
    const elsewhere = mkdtempSync(join(home, 'project-'));
    const run = spawnSync('agents', ['--version'], { cwd: elsewhere, encoding: 'utf8', env: { ...process.env, HOME: home, PATH: path, AGENTS_HOME: join(home, 'data') } });
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe(VERSION);

    // Run again with the folder on PATH: nothing changes, and it says `agents` works everywhere.
    const again = link([], path);
    expect(again.code).toBe(0);
    expect(again.out).toContain('`agents` now works in any folder');

    const removed = link(['--remove'], path);
    expect(removed.code).toBe(0);
    expect(() => lstatSync(join(bin, 'agents'))).toThrow();
    expect(link(['--remove']).out).toContain('Nothing to remove');
  });

  it('never replaces a file it did not make, and replaces an older symlink saying what it was', () => {
    const dir = join(home, 'bin');
    mkdirSync(dir);
    writeFileSync(join(dir, 'agents'), '#!/bin/sh\necho someone else\n');
    const refused = link(['--dir', dir]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('is not a symlink; not replacing it');
    expect(readFileSync(join(dir, 'agents'), 'utf8')).toContain('someone else');
    expect(link(['--dir', dir, '--remove']).code).toBe(1);
    expect(readFileSync(join(dir, 'agents'), 'utf8')).toContain('someone else');

    rmSync(join(dir, 'agents'));
    symlinkSync('/bin/true', join(dir, 'agents'));
    const replaced = link(['--dir', dir]);
    expect(replaced.code).toBe(0);
    expect(replaced.out).toContain('(it pointed to /bin/true)');
    expect(readlinkSync(join(dir, 'agents'))).toBe(BIN);
  });

  it('says when another agents earlier on the PATH would shadow the link', () => {
    const early = join(home, 'early');
    mkdirSync(early);
    writeFileSync(join(early, 'agents'), '#!/bin/sh\n', { mode: 0o755 });
    const dir = join(home, 'bin');
    const r = link(['--dir', dir], [early, dir, basePath].join(delimiter));
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Another agents comes first on your PATH: ${join(early, 'agents')}`);
  });
});
