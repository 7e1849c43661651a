import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTool } from '../../../src/agent/tools/index.js';
import { sandbox, type Sandbox } from './helpers.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
  box.write('inside.txt', 'fine\n');
});
afterEach(() => box.dispose());

describe('paths stay inside the project', () => {
  it.each([
    ['read_file', { path: '../outside/secret.txt' }],
    ['read_file', { path: '/etc/passwd' }],
    ['read_file', { path: 'src/../../outside/secret.txt' }],
    ['write_file', { path: '../x', content: 'no' }],
    ['edit_file', { path: '/etc/passwd', old_text: 'root', new_text: 'toor' }],
    ['search', { pattern: 'secret', path: '../outside' }],
    ['list_files', { pattern: '../outside/*' }],
    ['list_files', { pattern: '/etc/*' }],
  ])('%s %j is refused', async (name, input) => {
    const r = await runTool(name, input, box.ctx());
    expect(r.isError).toBe(true);
    expect(r.content).toMatch(/Refused: .* outside the project folder/);
    expect(r.content).not.toContain('top secret');
    expect(existsSync(join(box.root, '..', 'x'))).toBe(false);
  });

  it('accepts an absolute path inside the root and shows it relative', async () => {
    const r = await runTool('read_file', { path: join(box.root, 'inside.txt') }, box.ctx());
    expect(r.isError).toBe(false);
    expect(r.summary).toBe('read inside.txt (1 line)');
  });

  it('accepts .. that stays inside', async () => {
    box.write('src/a.txt', 'a\n');
    const r = await runTool('read_file', { path: 'src/../inside.txt' }, box.ctx());
    expect(r.summary).toBe('read inside.txt (1 line)');
  });

  it('refuses a symlink that points outside', async () => {
    symlinkSync(join(box.outside, 'secret.txt'), join(box.root, 'link.txt'));
    const read = await runTool('read_file', { path: 'link.txt' }, box.ctx());
    expect(read.isError).toBe(true);
    expect(read.content).toMatch(/symbolic link/);
    const write = await runTool('write_file', { path: 'link.txt', content: 'pwned' }, box.ctx());
    expect(write.isError).toBe(true);
    expect(readFileSync(join(box.outside, 'secret.txt'), 'utf8')).toBe('top secret\n');
  });

  it('refuses a new file under a symlinked folder that points outside', async () => {
    symlinkSync(box.outside, join(box.root, 'out'));
    const calls: string[] = [];
    const r = await runTool('write_file', { path: 'out/sub/new.txt', content: 'x' }, box.ctx({ beforeWrite: (p) => calls.push(p) }));
    expect(r.isError).toBe(true);
    expect(r.content).toMatch(/symbolic link/);
    expect(existsSync(join(box.outside, 'sub'))).toBe(false);
    expect(calls).toEqual([]);
  });

  it('refuses writing through a dangling symlink whose target is outside', async () => {
    symlinkSync(join(box.outside, 'not-yet.txt'), join(box.root, 'dangling'));
    const r = await runTool('write_file', { path: 'dangling', content: 'x' }, box.ctx());
    expect(r.isError).toBe(true);
    expect(existsSync(join(box.outside, 'not-yet.txt'))).toBe(false);
  });

  it('allows symlinks that stay inside the project', async () => {
    mkdirSync(join(box.root, 'real'));
    box.write('real/a.txt', 'hello\n');
    symlinkSync(join(box.root, 'real'), join(box.root, 'alias'));
    const r = await runTool('read_file', { path: 'alias/a.txt' }, box.ctx());
    expect(r.isError).toBe(false);
    expect(r.content).toBe('1\thello');
  });

  it('list_files and search through a folder link inside the project show the path that was asked for', async () => {
    box.write('real/a.txt', 'hello\n');
    symlinkSync('real', join(box.root, 'alias'));
    expect((await runTool('list_files', { pattern: 'alias/**' }, box.ctx())).content).toBe('alias/a.txt');
    expect((await runTool('list_files', { pattern: 'alias' }, box.ctx())).content).toBe('alias/a.txt');
    expect((await runTool('search', { pattern: 'hello', path: 'alias' }, box.ctx())).content).toBe('alias/a.txt:1: hello');
    // The walk itself does not enter links to folders: the whole project lists the file once.
    expect((await runTool('list_files', { pattern: '**/a.txt' }, box.ctx())).content).toBe('real/a.txt');
  });

  it('search and list_files do not follow links out of the project', async () => {
    symlinkSync(join(box.outside, 'secret.txt'), join(box.root, 'leak.txt'));
    symlinkSync(box.outside, join(box.root, 'leakdir'));
    const found = await runTool('search', { pattern: 'secret' }, box.ctx());
    expect(found.content).not.toContain('top secret');
    const listed = await runTool('list_files', { pattern: '**' }, box.ctx());
    expect(listed.content).toBe('inside.txt');
  });
});
