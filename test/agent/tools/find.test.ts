import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { globToRegExp } from '../../../src/util/glob.js';
import { runTool } from '../../../src/agent/tools/index.js';
import { MAX_LISTED } from '../../../src/agent/tools/list-files.js';
import { MAX_SEARCH_MATCHES } from '../../../src/agent/tools/search.js';
import { seeded } from '../../helpers/random.js';
import { sandbox, type Sandbox } from './helpers.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
  box.write('.gitignore', 'dist/\n*.log\n');
  box.write('src/a.ts', 'export const needle = 1;\n');
  box.write('src/b.js', 'const x = "needle";\n');
  box.write('src/debug.log', 'needle in a log\n');
  box.write('dist/out.js', 'needle built\n');
  box.write('node_modules/pkg/index.js', 'needle dep\n');
  box.write('.git/config', 'needle git\n');
  box.write('.github/workflows/ci.yml', 'needle: yes\n');
  // Nested ignore file: applies relative to its folder, and can re-include.
  box.write('pkg/.gitignore', 'generated/\n!keep.log\nlocal.ts\n');
  box.write('pkg/keep.log', 'needle kept\n');
  box.write('pkg/local.ts', 'needle local\n');
  box.write('pkg/main.ts', 'needle main\n');
  box.write('pkg/generated/x.ts', 'needle generated\n');
  box.write('other/local.ts', 'needle other\n');
  box.write('image.bin', Buffer.from([0x6e, 0x65, 0x65, 0x64, 0x6c, 0x65, 0x00, 0x01]));
});
afterEach(() => box.dispose());

describe('list_files', () => {
  it('lists matches sorted, respecting .gitignore at every level and never .git or node_modules', async () => {
    const r = await runTool('list_files', { pattern: '**' }, box.ctx());
    expect(r.isError).toBe(false);
    expect(r.content.split('\n')).toEqual([
      '.github/workflows/ci.yml',
      '.gitignore',
      'image.bin',
      'other/local.ts',
      'pkg/.gitignore',
      'pkg/keep.log',
      'pkg/main.ts',
      'src/a.ts',
      'src/b.js',
    ]);
    expect(r.summary).toBe('listed ** (9 files)');
  });

  it('matches globs from the root', async () => {
    expect((await runTool('list_files', { pattern: '**/*.ts' }, box.ctx())).content).toBe('other/local.ts\npkg/main.ts\nsrc/a.ts');
    expect((await runTool('list_files', { pattern: 'src/*.{ts,js}' }, box.ctx())).content).toBe('src/a.ts\nsrc/b.js');
    expect((await runTool('list_files', { pattern: './src' }, box.ctx())).content).toBe('src/a.ts\nsrc/b.js');
    expect((await runTool('list_files', { pattern: '**/*.yml' }, box.ctx())).content).toBe('.github/workflows/ci.yml');
  });

  it('explains an empty result', async () => {
    const r = await runTool('list_files', { pattern: '*.ts' }, box.ctx());
    expect(r.isError).toBe(false);
    expect(r.content).toContain('No files match *.ts');
    expect(r.content).toContain('**/*.ts');
  });

  it('does not look inside ignored folders even when asked', async () => {
    expect((await runTool('list_files', { pattern: 'node_modules/**' }, box.ctx())).content).toMatch(/is ignored/);
    expect((await runTool('list_files', { pattern: 'dist/*.js' }, box.ctx())).content).toMatch(/is ignored/);
  });

  it('caps the list and counts what was left out', async () => {
    for (let i = 0; i < MAX_LISTED + 25; i++) box.write(`many/f${String(i).padStart(4, '0')}.txt`, '');
    const r = await runTool('list_files', { pattern: 'many/*.txt' }, box.ctx());
    const lines = r.content.split('\n');
    expect(lines).toHaveLength(MAX_LISTED + 1);
    expect(lines[0]).toBe('many/f0000.txt');
    expect(lines[MAX_LISTED]).toBe(`[25 more files not shown (${MAX_LISTED + 25} in all). Use a narrower pattern.]`);
  });
});

describe('search', () => {
  it('prints file:line: text for text files that git would see', async () => {
    box.write('src/a.ts', 'export const needle = 1;\nnothing here\n  // needle again\n');
    const r = await runTool('search', { pattern: 'needle' }, box.ctx());
    expect(r.isError).toBe(false);
    expect(r.content.split('\n')).toEqual([
      '.github/workflows/ci.yml:1: needle: yes',
      'other/local.ts:1: needle other',
      'pkg/keep.log:1: needle kept',
      'pkg/main.ts:1: needle main',
      'src/a.ts:1: export const needle = 1;',
      'src/a.ts:3: // needle again',
      'src/b.js:1: const x = "needle";',
      '[1 file skipped: binary or over 2 MB.]',
    ]);
    expect(r.summary).toBe('search /needle/ (7 matches in 6 files)');
  });

  it('searches under a path, a single file, and ignores case with (?i)', async () => {
    expect((await runTool('search', { pattern: 'need+le', path: 'src' }, box.ctx())).content).toBe(
      'src/a.ts:1: export const needle = 1;\nsrc/b.js:1: const x = "needle";',
    );
    expect((await runTool('search', { pattern: 'NEEDLE', path: 'pkg/main.ts' }, box.ctx())).content).toMatch(/^No matches for \/NEEDLE\/ in pkg\/main.ts/);
    expect((await runTool('search', { pattern: '(?i)NEEDLE', path: 'pkg/main.ts' }, box.ctx())).content).toBe('pkg/main.ts:1: needle main');
  });

  it('rejects an invalid regular expression clearly, and says what RE2 does not support', async () => {
    const r = await runTool('search', { pattern: 'foo(' }, box.ctx());
    expect(r.isError).toBe(true);
    expect(r.content).toBe('Invalid regular expression: missing closing ): `foo(`. Put a backslash before ( ) [ ] { } . * + ? | ^ $ to match them literally.');
    expect(r.summary).toBe('search: invalid regex');
    const look = await runTool('search', { pattern: 'foo(?=bar)' }, box.ctx());
    expect(look.isError).toBe(true);
    expect(look.content).toMatch(/Lookahead, lookbehind and backreferences are not supported \(RE2 syntax, as in ripgrep\)/);
  });

  it('RE2 syntax: (?i) anywhere, Perl classes, \\A anchoring each line, CRLF lines', async () => {
    box.write('crlf.txt', 'Alpha end\r\nbeta end\r\n');
    const r = await runTool('search', { pattern: 'end$', path: 'crlf.txt' }, box.ctx());
    expect(r.content).toBe('crlf.txt:1: Alpha end\ncrlf.txt:2: beta end');
    expect((await runTool('search', { pattern: '\\Abeta', path: 'crlf.txt' }, box.ctx())).content).toBe('crlf.txt:2: beta end');
    expect((await runTool('search', { pattern: '^(?i:ALPHA)\\s\\w+', path: 'crlf.txt' }, box.ctx())).content).toBe('crlf.txt:1: Alpha end');
  });

  it('finds exactly the lines a line-by-line match finds (the whole-file pass only picks candidates)', async () => {
    const rnd = seeded(7);
    const words = ['', ' ', 'a', 'ab', 'b', 'x', '\t', 'é', '😀', 'foo', 'bar\r', '\r'];
    const lines = Array.from({ length: 400 }, () => Array.from({ length: Math.floor(rnd() * 6) }, () => words[Math.floor(rnd() * words.length)]).join(''));
    box.write('gen.txt', `\n${lines.join('\n')}\n\n`);
    const shown = (await readFile(join(box.root, 'gen.txt'), 'utf8')).split('\n').map((l) => l.replace(/\r$/, ''));
    for (const pattern of ['^$', 'a', '^a', 'b$', '^ab?$', '\\s', 'x\\s*$', 'foo|bar', '^(a|b)+$', 'é', '😀a', '[^a]', '\\bab\\b']) {
      const js = new RegExp(pattern, 'u');
      const want = shown.flatMap((l, i) => (i < shown.length - 1 && js.test(l) ? [i + 1] : []));
      const r = await runTool('search', { pattern, path: 'gen.txt' }, box.ctx());
      const got = r.content.startsWith('No matches') ? [] : r.content.split('\n').filter((l) => l.startsWith('gen.txt:')).map((l) => Number(l.split(':')[1]));
      expect(got, pattern).toEqual(want.slice(0, MAX_SEARCH_MATCHES));
    }
  });

  it('caps the matches and counts the rest', async () => {
    box.write('many.txt', Array.from({ length: MAX_SEARCH_MATCHES + 50 }, (_, i) => `hit ${i}`).join('\n'));
    const r = await runTool('search', { pattern: '^hit', path: 'many.txt' }, box.ctx());
    const lines = r.content.split('\n');
    expect(lines).toHaveLength(MAX_SEARCH_MATCHES + 1);
    expect(lines[MAX_SEARCH_MATCHES]).toBe(`[50 more matches not shown (${MAX_SEARCH_MATCHES + 50} in all). Narrow the pattern or the path.]`);
  });

  it('stops when interrupted', async () => {
    const ac = new AbortController();
    ac.abort();
    const r = await runTool('search', { pattern: 'needle' }, box.ctx({ signal: ac.signal }));
    expect(r.isError).toBe(true);
    expect(r.content).toMatch(/Interrupted/);
  });
});

describe('globToRegExp', () => {
  it.each([
    ['*.ts', 'a.ts', true],
    ['*.ts', 'src/a.ts', false],
    ['**/*.ts', 'a.ts', true],
    ['**/*.ts', 'src/deep/a.ts', true],
    ['src/**', 'src/a/b.c', true],
    ['src/**/test/*.ts', 'src/test/a.ts', true],
    ['src/**/test/*.ts', 'src/x/y/test/a.ts', true],
    ['a?.js', 'ab.js', true],
    ['a?.js', 'a/.js', false],
    ['[abc].md', 'b.md', true],
    ['[!abc].md', 'b.md', false],
    ['[!abc].md', 'd.md', true],
    ['*.{ts,tsx}', 'x.tsx', true],
    ['{src,test}/**/*.{ts,js}', 'test/u/v.js', true],
    ['file(1).txt', 'file(1).txt', true],
    ['a{b', 'a{b', true],
    ['\\*.md', '*.md', true],
    ['\\*.md', 'x.md', false],
  ])('%s vs %s -> %s', (glob, path, expected) => {
    expect(globToRegExp(glob).test(path)).toBe(expected);
  });
});
