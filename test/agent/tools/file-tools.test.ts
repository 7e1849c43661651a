import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTool } from '../../../src/agent/tools/index.js';
import { MAX_READ_CHARS } from '../../../src/agent/tools/read-file.js';
import { sandbox, type Sandbox } from './helpers.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.dispose());

const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

describe('read_file', () => {
  it('shows numbered lines and a summary', async () => {
    box.write('src/a.ts', 'one\ntwo\nthree\n');
    const r = await runTool('read_file', { path: 'src/a.ts' }, box.ctx());
    expect(r.isError).toBe(false);
    expect(r.content).toBe('1\tone\n2\ttwo\n3\tthree');
    expect(r.summary).toBe('read src/a.ts (3 lines)');
  });

  it('reads a window by offset and limit and says how to continue', async () => {
    box.write('big.txt', Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n'));
    const r = await runTool('read_file', { path: 'big.txt', offset: 5, limit: 3 }, box.ctx());
    expect(r.content.split('\n').slice(0, 3)).toEqual(['5\tline 5', '6\tline 6', '7\tline 7']);
    expect(r.content).toContain('offset: 8');
    expect(r.summary).toBe('read big.txt (lines 5-7 of 20)');
  });

  it('caps the output size and points at the next offset', async () => {
    const line = 'x'.repeat(999);
    box.write('wide.txt', Array.from({ length: 200 }, () => line).join('\n'));
    const r = await runTool('read_file', { path: 'wide.txt' }, box.ctx());
    expect(r.content.length).toBeLessThan(MAX_READ_CHARS + 500);
    const shown = r.content.split('\n').filter((l) => /^\s*\d+\t/.test(l)).length;
    expect(shown).toBeGreaterThan(10);
    expect(shown).toBeLessThan(200);
    expect(r.content).toContain(`capped at ${MAX_READ_CHARS} characters`);
    expect(r.content).toContain(`offset: ${shown + 1}`);
  });

  it('refuses binary files with a clear message', async () => {
    box.write('logo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]));
    const r = await runTool('read_file', { path: 'logo.png' }, box.ctx());
    expect(r.isError).toBe(true);
    expect(r.content).toMatch(/binary file/);
  });

  it('reports missing files, folders and offsets past the end', async () => {
    box.write('src/a.ts', 'a\n');
    expect((await runTool('read_file', { path: 'nope.ts' }, box.ctx())).content).toMatch(/does not exist/);
    expect((await runTool('read_file', { path: 'src' }, box.ctx())).content).toMatch(/is a folder/);
    const past = await runTool('read_file', { path: 'src/a.ts', offset: 9 }, box.ctx());
    expect(past.isError).toBe(true);
    expect(past.content).toMatch(/has 1 line; offset 9/);
  });
});

describe('write_file', () => {
  it('creates parent folders and calls beforeWrite before the file changes', async () => {
    const calls: Array<{ rel: string; hash: string; existedThen: boolean }> = [];
    const target = join(box.root, 'deep/new/file.txt');
    const ctx = box.ctx({ beforeWrite: (rel, hash) => calls.push({ rel, hash, existedThen: existsSync(target) }) });
    const r = await runTool('write_file', { path: 'deep/new/file.txt', content: 'hello\nworld\n' }, ctx);
    expect(r.isError).toBe(false);
    expect(r.summary).toBe('created deep/new/file.txt (2 lines)');
    expect(readFileSync(target, 'utf8')).toBe('hello\nworld\n');
    expect(calls).toEqual([{ rel: 'deep/new/file.txt', hash: sha('hello\nworld\n'), existedThen: false }]);
  });

  it('overwrites, and the hook sees the old content still in place', async () => {
    const file = box.write('a.txt', 'old');
    let seen = '';
    const r = await runTool('write_file', { path: './a.txt', content: 'new' }, box.ctx({ beforeWrite: () => (seen = readFileSync(file, 'utf8')) }));
    expect(r.summary).toBe('wrote a.txt (1 line)');
    expect(seen).toBe('old');
    expect(readFileSync(file, 'utf8')).toBe('new');
  });

  it('writes even when the hook throws', async () => {
    const r = await runTool('write_file', { path: 'b.txt', content: 'x' }, box.ctx({ beforeWrite: () => { throw new Error('boom'); } }));
    expect(r.isError).toBe(false);
    expect(readFileSync(join(box.root, 'b.txt'), 'utf8')).toBe('x');
  });
});

describe('edit_file', () => {
  it('replaces a unique piece of text and reports the line delta', async () => {
    const file = box.write('src/a.ts', 'const a = 1;\nconst b = 2;\nconst c = 3;\n');
    const calls: Array<[string, string]> = [];
    const r = await runTool(
      'edit_file',
      { path: 'src/a.ts', old_text: 'const b = 2;\n', new_text: 'const b = 20;\nconst b2 = 21;\nconst b3 = 22;\n' },
      box.ctx({ beforeWrite: (rel, hash) => calls.push([rel, hash]) }),
    );
    expect(r.isError).toBe(false);
    expect(r.summary).toBe('edited src/a.ts (+3 -1)');
    const after = 'const a = 1;\nconst b = 20;\nconst b2 = 21;\nconst b3 = 22;\nconst c = 3;\n';
    expect(readFileSync(file, 'utf8')).toBe(after);
    expect(calls).toEqual([['src/a.ts', sha(after)]]);
    expect(r.content).toContain('2\tconst b = 20;');
  });

  it('refuses ambiguous text, saying how often and where it occurs', async () => {
    const file = box.write('a.txt', 'x = 1\ny = 2\nx = 1\nz = 3\nx = 1\n');
    const r = await runTool('edit_file', { path: 'a.txt', old_text: 'x = 1', new_text: 'x = 9' }, box.ctx());
    expect(r.isError).toBe(true);
    expect(r.content).toMatch(/occurs 3 times in a\.txt \(lines 1, 3, 5\)/);
    expect(r.content).toContain('replace_all');
    expect(r.content).toContain('4\tz = 3');
    expect(readFileSync(file, 'utf8')).toBe('x = 1\ny = 2\nx = 1\nz = 3\nx = 1\n');

    const all = await runTool('edit_file', { path: 'a.txt', old_text: 'x = 1', new_text: 'x = 9', replace_all: true }, box.ctx());
    expect(all.isError).toBe(false);
    expect(all.summary).toBe('edited a.txt (+3 -3)');
    expect(readFileSync(file, 'utf8')).toBe('x = 9\ny = 2\nx = 9\nz = 3\nx = 9\n');
  });

  it('explains a miss and shows the lines the model probably meant', async () => {
    box.write('f.py', 'def f():\n    return 1\n\ndef g():\n    return 2\n');
    const r = await runTool('edit_file', { path: 'f.py', old_text: 'def g():\n  return 2', new_text: 'def g():\n  return 3' }, box.ctx());
    expect(r.isError).toBe(true);
    expect(r.content).toMatch(/not found in f\.py \(0 occurrences\)/);
    expect(r.content).toContain('4\tdef g():');
    expect(r.content).toContain('5\t    return 2');
    expect(r.summary).toBe('edit f.py: old_text not found');
  });

  it('matches text taken from read_file in a CRLF file', async () => {
    const file = box.write('w.txt', 'a\r\nb\r\nc\r\n');
    const r = await runTool('edit_file', { path: 'w.txt', old_text: 'a\nb', new_text: 'a\nB' }, box.ctx());
    expect(r.isError).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('a\r\nB\r\nc\r\n');
  });

  it('refuses binary files and no-op edits', async () => {
    box.write('bin.dat', Buffer.from([1, 0, 2]));
    expect((await runTool('edit_file', { path: 'bin.dat', old_text: 'a', new_text: 'b' }, box.ctx())).content).toMatch(/binary/);
    box.write('s.txt', 'same');
    expect((await runTool('edit_file', { path: 's.txt', old_text: 'same', new_text: 'same' }, box.ctx())).content).toMatch(/nothing to change/);
  });
});
