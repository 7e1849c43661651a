import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createIgnoreRules, EDITOR_TEMP_FILES, isIgnoreFile, listFolders } from '../../src/context/ignore-rules.js';
import { ownFolderPatterns } from '../../src/context/own-folders.js';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

/** A temporary project with the given files (a path ending in `/` is a folder). */
function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(os.tmpdir(), 'agents-ignore-'));
  roots.push(root);
  for (const [rel, text] of Object.entries(files)) {
    if (rel.endsWith('/')) mkdirSync(join(root, rel), { recursive: true });
    else {
      mkdirSync(dirname(join(root, rel)), { recursive: true });
      writeFileSync(join(root, rel), text);
    }
  }
  return root;
}

describe('ignore rules', () => {
  it('always ignores .git and node_modules at any depth, and everything inside them', () => {
    const rules = createIgnoreRules(project({}));
    for (const p of ['.git', '.git/HEAD', 'node_modules', 'node_modules/a/b.js', 'pkg/node_modules/x/y.js', 'a/b/.git']) {
      expect(rules.isIgnored(p), p).toBe(true);
    }
    for (const p of ['src/a.ts', 'node_modules2/a', 'my.git', 'src/git/x']) expect(rules.isIgnored(p), p).toBe(false);
    expect(rules.isIgnored('')).toBe(false);
  });

  it('applies the root .gitignore: globs at any depth, anchored paths, folder-only patterns', () => {
    const rules = createIgnoreRules(project({ '.gitignore': '*.log\n/top.txt\nbuild/\n# comment\n' }));
    expect(rules.isIgnored('a.log')).toBe(true);
    expect(rules.isIgnored('deep/er/a.log')).toBe(true);
    expect(rules.isIgnored('top.txt')).toBe(true);
    expect(rules.isIgnored('sub/top.txt')).toBe(false);
    expect(rules.isIgnored('build', true)).toBe(true);
    expect(rules.isIgnored('build/out.js')).toBe(true);
    expect(rules.isIgnored('src/build/out.js')).toBe(true);
    // `build/` names folders only: a file called build is kept.
    expect(rules.isIgnored('build', false)).toBe(false);
    expect(rules.isIgnored('src/main.ts')).toBe(false);
  });

  it('applies nested .gitignore files to their own folder, deeper ones overriding', () => {
    const rules = createIgnoreRules(
      project({
        '.gitignore': '*.log\n',
        'sub/.gitignore': '*.out\n!keep.log\n',
        'other/x.out': '',
      }),
    );
    expect(rules.isIgnored('sub/a.out')).toBe(true);
    expect(rules.isIgnored('sub/deeper/a.out')).toBe(true);
    expect(rules.isIgnored('other/x.out')).toBe(false);
    expect(rules.isIgnored('a.out')).toBe(false);
    expect(rules.isIgnored('sub/keep.log')).toBe(false);
    expect(rules.isIgnored('sub/other.log')).toBe(true);
    expect(rules.isIgnored('keep.log')).toBe(true);
  });

  it('never re-includes anything inside an ignored folder (git does not enter it)', () => {
    const rules = createIgnoreRules(project({ '.gitignore': 'build/\n', 'build/.gitignore': '!*\n' }));
    expect(rules.isIgnored('build/x.js')).toBe(true);
  });

  it('reads .git/info/exclude as root rules', () => {
    const rules = createIgnoreRules(project({ '.git/info/exclude': 'secret.txt\n' }));
    expect(rules.isIgnored('secret.txt')).toBe(true);
    expect(rules.isIgnored('a/secret.txt')).toBe(true);
  });

  it('adds the config globs, in .gitignore syntax; `dir/**` also ignores the folder itself', () => {
    const rules = createIgnoreRules(project({}), { extra: ['dist/**', '*.gen.ts', './coverage/', ''] });
    expect(rules.extraGlobs).toEqual(['dist/**', '*.gen.ts', './coverage/', '']);
    expect(rules.isIgnored('dist', true)).toBe(true);
    expect(rules.isIgnored('dist/a/b.js')).toBe(true);
    expect(rules.isIgnored('src/x.gen.ts')).toBe(true);
    expect(rules.isIgnored('coverage', true)).toBe(true);
    expect(rules.isIgnored('src/x.ts')).toBe(false);
    expect(rules.isIgnored('distant/x.js')).toBe(false);
  });

  it('reads .gitignore files lazily, and re-reads one after invalidate()', () => {
    const root = project({ '.gitignore': '*.log\n' });
    const rules = createIgnoreRules(root);
    expect(rules.isIgnored('a.log')).toBe(true);
    // A folder not asked about yet: its .gitignore, written now, is read on the first question.
    mkdirSync(join(root, 'late'));
    writeFileSync(join(root, 'late', '.gitignore'), '*.txt\n');
    expect(rules.isIgnored('late/a.txt')).toBe(true);

    // Already read: an edit is seen only once the watcher says the file changed.
    writeFileSync(join(root, '.gitignore'), '*.md\n');
    expect(rules.isIgnored('a.log')).toBe(true);
    expect(rules.invalidate('.gitignore')).toBe(true);
    expect(rules.isIgnored('a.log')).toBe(false);
    expect(rules.isIgnored('docs/a.md')).toBe(true);

    rmSync(join(root, 'late', '.gitignore'));
    expect(rules.invalidate('late/.gitignore')).toBe(true);
    expect(rules.isIgnored('late/a.txt')).toBe(false);
    expect(rules.invalidate('src/a.ts')).toBe(false);
  });

  it('drops cached folder verdicts on invalidate()', () => {
    const root = project({ '.gitignore': 'gen/\n' });
    const rules = createIgnoreRules(root);
    expect(rules.isIgnored('gen/a/b.js')).toBe(true);
    writeFileSync(join(root, '.gitignore'), '');
    rules.invalidate('.gitignore');
    expect(rules.isIgnored('gen/a/b.js')).toBe(false);
  });

  it('tells which paths hold ignore rules', () => {
    expect(isIgnoreFile('.gitignore')).toBe(true);
    expect(isIgnoreFile('a/b/.gitignore')).toBe(true);
    expect(isIgnoreFile('.git/info/exclude')).toBe(true);
    expect(isIgnoreFile('a.gitignore')).toBe(false);
    expect(isIgnoreFile('src/x.ts')).toBe(false);
  });

  it('lists the kept folders and the topmost ignored ones (not .git or node_modules)', async () => {
    const root = project({
      '.gitignore': 'out/\n',
      'src/a/b/': '',
      'src/a/c.ts': '',
      'out/deep/': '',
      'node_modules/x/': '',
      'src/node_modules/y/': '',
      '.git/objects/': '',
      'dist/x/': '',
    });
    const rules = createIgnoreRules(root, { extra: ['dist/**'] });
    const { dirs, ignored } = await listFolders(rules);
    expect([...dirs].sort()).toEqual(['src', 'src/a', 'src/a/b']);
    expect(ignored.sort()).toEqual(['dist', 'out']);
    expect([...(await listFolders(rules, 'src/a')).dirs]).toEqual(['src/a/b']);
  });
});

describe('editor and tool temporary files', () => {
  it('are ignored by default at any depth: what vim, emacs, JetBrains, gedit, Kate and Office write', () => {
    const rules = createIgnoreRules(project({}));
    const temp = [
      '.index.js.swp', 'src/.index.js.swo', '.index.js.swx', 'src/.a.ts.swn', 'notes.swp', '.b.swa', '4913', 'src/4913',
      'index.js~', 'src/.index.js.un~', '.#index.js', '#index.js#', 'src/App.tsx___jb_tmp___', 'App.tsx___jb_old___',
      '.goutputstream-AB12CD', '.a.md.kate-swp', 'a.js.crswap', '.~lock.report.odt#', '~$report.docx', '.db.json.tmp', 'out/x.tmp',
    ];
    for (const p of temp) expect(rules.isIgnored(p), p).toBe(true);
    // Real files that look close are kept.
    const real = ['index.js', 'movie.swf', 'logo.svg', 'query.sql', '49130', 'v4913.txt', 'src/#readme.md', 'a#b', 'tmp/a.js', 'template.html', '.swpignore', 'lock.json'];
    for (const p of real) expect(rules.isIgnored(p), p).toBe(false);
    // Only files: a folder named like one is kept (and what is in it).
    expect(rules.isIgnored('4913', true)).toBe(false);
    expect(rules.isIgnored('4913/a.js')).toBe(false);
    expect(EDITOR_TEMP_FILES.length).toBeGreaterThan(10);
  });

  it('a project .gitignore or the config can re-include one; the config can add more', () => {
    const root = project({ '.gitignore': '!*.tmp\n' });
    expect(createIgnoreRules(root).isIgnored('data.tmp')).toBe(false);
    expect(createIgnoreRules(project({}), { extra: ['!4913'] }).isIgnored('4913')).toBe(false);
    expect(createIgnoreRules(project({}), { extra: ['*.bak'] }).isIgnored('a.bak')).toBe(true);
  });
});

describe("the workspace's own folders inside the project", () => {
  it('are ignored where they are, and only there; folders outside the project and the project itself give nothing', () => {
    const root = project({ '.local/share/agents/': '', 'src/.local/share/agents/': '', 'h/': '' });
    const outside = project({});
    const patterns = ownFolderPatterns(root, [join(root, '.local/share/agents'), outside, root, join(root, '..')]);
    expect(patterns).toEqual(['/.local/share/agents/**']);
    const rules = createIgnoreRules(root, { extra: patterns });
    expect(rules.isIgnored('.local/share/agents', true)).toBe(true);
    expect(rules.isIgnored('.local/share/agents/projects/x/feed.jsonl')).toBe(true);
    expect(rules.isIgnored('src/.local/share/agents/feed.jsonl')).toBe(false);
    expect(rules.isIgnored('.local/share/other.txt')).toBe(false);
  });

  it('a folder name is never read as a glob, and one reached through a symlink is found', () => {
    const root = project({ 'a*b[1]?/': '', 'axb1z/': '' });
    const [pattern] = ownFolderPatterns(root, [join(root, 'a*b[1]?')]);
    const rules = createIgnoreRules(root, { extra: [pattern] });
    expect(rules.isIgnored('a*b[1]?/store.json')).toBe(true);
    expect(rules.isIgnored('axb1z/store.json')).toBe(false);
    // The data folder named by a path with a symlink in it (AGENTS_HOME=~/link/data).
    const elsewhere = project({});
    symlinkSync(root, join(elsewhere, 'link'));
    expect(ownFolderPatterns(root, [join(elsewhere, 'link', 'axb1z')])).toEqual(['/axb1z/**']);
    expect(ownFolderPatterns(join(elsewhere, 'link'), [join(root, 'axb1z')])).toEqual(['/axb1z/**']);
  });
});
