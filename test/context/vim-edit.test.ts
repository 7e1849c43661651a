// One edit in a real vim, driven through a real pty, is one entry in the change feed: its swap file
// (`.index.js.swp`, and the `.swx` it tests the folder with) and backups never show. Before the
// default ignores, the same edit made five entries, four of them the swap file.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pty from 'node-pty';
import { afterEach, describe, expect, it } from 'vitest';
import { ContextService } from '../../src/context/service.js';
import { until } from '../helpers/term.js';

const hasVim = spawnSync('sh', ['-c', 'command -v vim']).status === 0;
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

describe('an edit in vim', () => {
  it.skipIf(!hasVim)('makes one feed entry: the file, not the swap file or backups', async () => {
    const project = mkdtempSync(join(tmpdir(), 'agents-vim-'));
    cleanup.push(() => rmSync(project, { recursive: true, force: true }));
    writeFileSync(join(project, 'index.js'), 'console.log(1);\n');
    const context = new ContextService({ root: project, ignore: [], send: () => false });
    cleanup.push(() => context.close());
    await context.start();

    // --clean: vim's defaults, none of this machine's vimrc (swap files in the file's folder, as by default).
    const vim = pty.spawn('vim', ['--clean', 'index.js'], { cwd: project, cols: 80, rows: 24, env: { ...process.env, TERM: 'xterm-256color' } });
    let exited = false;
    vim.onExit(() => (exited = true));
    cleanup.push(() => void (exited || vim.kill('SIGKILL')));
    // A person takes seconds over an edit: the swap file vim creates on opening is seen by the watcher
    // long before the save. Batches arrive in order, so once a marker written after the swap file is in
    // the feed, the swap file's creation has been through the feed too.
    await until(() => existsSync(join(project, '.index.js.swp')), { message: 'vim’s swap file' });
    writeFileSync(join(project, 'opened.txt'), 'vim is open\n');
    await until(() => context.feed.entries().some((e) => e.path === 'opened.txt'), { message: 'the first marker in the feed' });
    // Then typed ahead in one go: vim takes keys in order (insert a line, leave insert mode, save and quit).
    vim.write('Oconsole.log(2);\x1b:wq\r');
    await until(() => exited, { message: 'vim to exit' });
    expect(readFileSync(join(project, 'index.js'), 'utf8')).toBe('console.log(2);\nconsole.log(1);\n');

    // And once a marker written after vim quit is in, so is everything vim did.
    writeFileSync(join(project, 'closed.txt'), 'vim is closed\n');
    await until(() => context.feed.entries().some((e) => e.path === 'closed.txt'), { message: 'the last marker in the feed' });
    const entries = context.feed.entries().map((e) => `${e.kind} ${e.path}`);
    expect(entries).toEqual(['added opened.txt', 'modified index.js', 'added closed.txt']);
  });
});
