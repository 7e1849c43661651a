// Attacks on the file tools' confinement, reproduced as they were found: symbolic links whose
// targets are resolved against the wrong folder, folders swapped for links while a tool works, and
// hard links to files outside. Every test ends by checking the outside folder is untouched.
import { spawn, type ChildProcess } from 'node:child_process';
import { linkSync, mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTool } from '../../../src/agent/tools/index.js';
import { sandbox, waitFor, type Sandbox } from './helpers.js';

let box: Sandbox;
let flipper: ChildProcess | undefined;
beforeEach(() => {
  box = sandbox();
});
afterEach(async () => {
  if (flipper && flipper.exitCode === null) {
    const gone = new Promise((r) => flipper?.once('exit', r));
    flipper.kill('SIGKILL');
    await gone;
  }
  flipper = undefined;
  box.dispose();
});

/** What the outside folder holds: the attacks below must leave it exactly as the sandbox made it. */
const outsideEntries = () => readdirSync(box.outside).sort();
const secret = () => readFileSync(join(box.outside, 'secret.txt'), 'utf8');

describe('writes cannot leave the project through symbolic links', () => {
  beforeEach(() => {
    // sub/up is the project folder again; followed from there, ../outside is outside the project.
    mkdirSync(join(box.root, 'sub'));
    symlinkSync('..', join(box.root, 'sub', 'up'));
  });

  it('write_file through a link to the root and a dangling relative link (the reported escape)', async () => {
    symlinkSync('../outside/x', join(box.root, 'evil'));
    const r = await runTool('write_file', { path: 'sub/up/evil', content: 'pwned' }, box.ctx());
    expect(r.isError).toBe(true);
    expect(r.content).toMatch(/outside the project folder/);
    expect(outsideEntries()).toEqual(['secret.txt']);
  });

  it('write_file does not create missing folders through a dangling link', async () => {
    symlinkSync('../outside/newdir', join(box.root, 'evildir'));
    const r = await runTool('write_file', { path: 'sub/up/evildir/a/b.txt', content: 'pwned' }, box.ctx());
    expect(r.isError).toBe(true);
    expect(outsideEntries()).toEqual(['secret.txt']);
  });

  it('edit_file and write_file through a chain of relative links to an existing outside file', async () => {
    symlinkSync('up/../outside/secret.txt', join(box.root, 'sub', 'chain'));
    const edit = await runTool('edit_file', { path: 'sub/chain', old_text: 'top', new_text: 'no' }, box.ctx());
    expect(edit.isError).toBe(true);
    const write = await runTool('write_file', { path: 'sub/chain', content: 'pwned' }, box.ctx());
    expect(write.isError).toBe(true);
    expect(secret()).toBe('top secret\n');
  });

  it('an absolute link to the outside folder is refused, one back into the project is followed', async () => {
    symlinkSync(box.outside, join(box.root, 'abs-out'));
    symlinkSync(join(box.root, 'sub'), join(box.root, 'abs-in'));
    const out = await runTool('write_file', { path: 'abs-out/new.txt', content: 'pwned' }, box.ctx());
    expect(out.isError).toBe(true);
    const inside = await runTool('write_file', { path: 'abs-in/new.txt', content: 'fine' }, box.ctx());
    expect(inside.isError).toBe(false);
    expect(readFileSync(join(box.root, 'sub', 'new.txt'), 'utf8')).toBe('fine');
    expect(outsideEntries()).toEqual(['secret.txt']);
  });

  it('a link that stays inside is still written through, in place', async () => {
    box.write('real/target.txt', 'old\n');
    symlinkSync('../real/target.txt', join(box.root, 'sub', 'alias.txt'));
    const r = await runTool('edit_file', { path: 'sub/up/sub/alias.txt', old_text: 'old', new_text: 'new' }, box.ctx());
    expect(r.isError).toBe(false);
    expect(readFileSync(join(box.root, 'real', 'target.txt'), 'utf8')).toBe('new\n');
  });

  it('a link loop is reported, not followed forever', async () => {
    symlinkSync('loop-b', join(box.root, 'loop-a'));
    symlinkSync('loop-a', join(box.root, 'loop-b'));
    const r = await runTool('write_file', { path: 'loop-a/x.txt', content: 'x' }, box.ctx());
    expect(r.isError).toBe(true);
    expect(r.content).toMatch(/symbolic links/);
  });
});

describe('a folder swapped for a link while a tool works', () => {
  it('a new file lands in the folder that was checked, not where a link put in its place points', async () => {
    mkdirSync(join(box.root, 'd'));
    // beforeWrite runs between the tool's checks and its write: the moment a racing process needs.
    const swap = () => {
      renameSync(join(box.root, 'd'), join(box.root, 'd-moved'));
      symlinkSync(box.outside, join(box.root, 'd'));
    };
    const r = await runTool('write_file', { path: 'd/new.txt', content: 'mine' }, box.ctx({ beforeWrite: swap }));
    expect(outsideEntries()).toEqual(['secret.txt']);
    expect(r.isError).toBe(false);
    expect(readFileSync(join(box.root, 'd-moved', 'new.txt'), 'utf8')).toBe('mine');
  });

  it('an existing file keeps being the one written after its folder is swapped', async () => {
    box.write('d/secret.txt', 'inside\n');
    const swap = () => {
      renameSync(join(box.root, 'd'), join(box.root, 'd-moved'));
      symlinkSync(box.outside, join(box.root, 'd'));
    };
    const r = await runTool('edit_file', { path: 'd/secret.txt', old_text: 'inside', new_text: 'edited' }, box.ctx({ beforeWrite: swap }));
    expect(r.isError).toBe(false);
    expect(secret()).toBe('top secret\n');
    expect(readFileSync(join(box.root, 'd-moved', 'secret.txt'), 'utf8')).toBe('edited\n');
  });

  it('with a process flipping a folder and a link to outside, no read or write ever crosses', async () => {
    box.write('d/secret.txt', 'inside\n');
    symlinkSync(box.outside, join(box.root, 'd-link'));
    // The flip leaves `d` missing for a moment; a write then creates a real folder `d` (which is
    // fine), so the flipper moves such a folder aside and carries on.
    const script = `
      const { renameSync } = require('node:fs');
      const at = (n) => ${JSON.stringify(box.root)} + '/' + n;
      const mv = (a, b) => { try { renameSync(at(a), at(b)); return true; } catch { return false; } };
      for (let n = 0; ; n++) {
        if (!mv('d', 'd-dir')) mv('d', 'made-' + n);
        mv('d-link', 'd'); mv('d', 'd-link');
        mv('d-dir', 'd');
      }`;
    flipper = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
    await waitFor(() => flipper?.pid !== undefined, 'the flipper to start');
    let wrote = 0;
    for (let i = 0; i < 300; i++) {
      const w = await runTool('write_file', { path: `d/w${i}.txt`, content: 'x' }, box.ctx());
      if (!w.isError) wrote++;
      const r = await runTool('read_file', { path: 'd/secret.txt' }, box.ctx());
      expect(r.content).not.toContain('top secret');
      const s = await runTool('search', { pattern: 'secret', path: 'd' }, box.ctx());
      expect(s.content).not.toContain('top secret');
    }
    expect(flipper.exitCode).toBe(null); // the race really ran the whole time
    expect(outsideEntries()).toEqual(['secret.txt']);
    expect(secret()).toBe('top secret\n');
    // Some writes found the real folder (they are refused or fail when they meet the link).
    expect(wrote).toBeGreaterThan(0);
  });
});

describe('hard links', () => {
  it('a file hard-linked to one outside the project is not changed through the project', async () => {
    linkSync(join(box.outside, 'secret.txt'), join(box.root, 'hl.txt'));
    const edit = await runTool('edit_file', { path: 'hl.txt', old_text: 'top', new_text: 'no' }, box.ctx());
    expect(edit.isError).toBe(true);
    expect(edit.content).toMatch(/hard link/);
    expect(edit.summary).toMatch(/hard link/);
    const write = await runTool('write_file', { path: 'hl.txt', content: 'pwned' }, box.ctx());
    expect(write.isError).toBe(true);
    expect(write.content).toMatch(/2 names/);
    expect(secret()).toBe('top secret\n');
  });

  it('reading a hard-linked file is allowed (it is a file in the project, by its name here)', async () => {
    writeFileSync(join(box.root, 'a.txt'), 'shared\n');
    linkSync(join(box.root, 'a.txt'), join(box.root, 'b.txt'));
    const r = await runTool('read_file', { path: 'b.txt' }, box.ctx());
    expect(r.content).toBe('1\tshared');
  });
});

describe('reads cannot leave the project through symbolic links', () => {
  beforeEach(() => {
    mkdirSync(join(box.root, 'sub'));
    symlinkSync('..', join(box.root, 'sub', 'up'));
    symlinkSync('up/../outside/secret.txt', join(box.root, 'sub', 'leak'));
    symlinkSync('../outside', join(box.root, 'leakdir'));
    box.write('inside.txt', 'secret? no, inside\n');
  });

  it('read_file refuses links that resolve outside', async () => {
    for (const path of ['sub/leak', 'sub/up/sub/leak', 'leakdir/secret.txt', 'sub/up/leakdir/secret.txt']) {
      const r = await runTool('read_file', { path }, box.ctx());
      expect(r.isError, path).toBe(true);
      expect(r.content, path).not.toContain('top secret');
    }
  });

  it('search refuses them as a path and skips them in a walk', async () => {
    for (const path of ['sub/leak', 'leakdir', 'sub/up/leakdir']) {
      const r = await runTool('search', { pattern: 'secret', path }, box.ctx());
      expect(r.isError, path).toBe(true);
      expect(r.content, path).not.toContain('top secret');
    }
    const all = await runTool('search', { pattern: 'secret' }, box.ctx());
    expect(all.content).toBe('inside.txt:1: secret? no, inside');
  });

  it('list_files refuses them as a start folder and does not list through them', async () => {
    for (const pattern of ['leakdir/*', 'sub/up/leakdir/**']) {
      const r = await runTool('list_files', { pattern }, box.ctx());
      expect(r.content, pattern).not.toContain('secret.txt');
    }
    const all = await runTool('list_files', { pattern: '**' }, box.ctx());
    expect(all.content).toBe('inside.txt');
  });
});
