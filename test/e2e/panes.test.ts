// End to end: bin/agents in a real pty, read through a real headless terminal, driven by keys.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { until } from '../helpers/term.js';
import { start, statusBar } from './setup.js';

const hasVim = spawnSync('sh', ['-c', 'command -v vim']).status === 0;

describe('panes', () => {
  it('shows several live panes with numbered titles and a status bar', async () => {
    const { t } = await startReady(['shell', '--cmd', 'echo from-cmd; sleep 60']);
    await t.waitFor('from-cmd');
    // Each title says what its program is doing: the shell from its foreground job, the command by
    // a guess from its output (marked with ?).
    await t.waitFor(/1 shell · idle/);
    await t.waitFor(/2 echo · idle\?/);
    expect(statusBar(t)).toMatch(/NORMAL\s+1:shell of 2/);
  });

  it('types into the focused pane and switches focus by number, arrows, o and hjkl', async () => {
    const { t } = await startReady(['shell', 'shell']);
    await t.waitFor((s) => (s.match(/\$ /g) ?? []).length >= 2, { message: 'two prompts' });
    t.write('echo one-$((40+2))\r');
    await t.waitFor('one-42');
    expect(column(t, 'one-42')).toBeLessThan(60);
    t.keys('C-a', '2');
    await t.waitFor(() => statusBar(t).includes('2:shell-2'), { message: 'focus on pane 2' });
    t.write('echo two-$((50+8))\r');
    await t.waitFor('two-58');
    expect(column(t, 'two-58')).toBeGreaterThan(60);
    t.keys('C-a', 'Left');
    await t.waitFor(() => statusBar(t).includes('1:shell of'), { message: 'focus left' });
    t.keys('C-a', 'l');
    await t.waitFor(() => statusBar(t).includes('2:shell-2'), { message: 'focus right with l' });
    t.keys('C-a', 'o');
    await t.waitFor(() => statusBar(t).includes('1:shell of'), { message: 'focus next with o' });
  });

  it('shows the cursor in the focused pane where the program put it', async () => {
    const { t } = await startReady(['shell', 'shell']);
    await t.waitFor((s) => (s.match(/\$ /g) ?? []).length >= 2, { message: 'two prompts' });
    t.write('abc');
    await t.waitFor('$ abc');
    await t.settle();
    // Pane 1's interior starts at (1,1); the prompt "$ abc" leaves the cursor after the c.
    await t.waitFor(() => t.cursor().x === 1 + 5 && t.cursor().y === 1, { message: 'cursor after the typed text' });
  });

  it.skipIf(!hasVim)('runs vim full screen in a pane and returns to the shell', async () => {
    const { t } = await startReady(['shell'], { files: { 'notes.txt': 'first line\nsecond line\n' } });
    t.write('vim -u NONE -N notes.txt\r');
    await t.waitFor('second line');
    await t.waitFor(/"notes.txt" 2L/);
    t.write('Gotyped in vim\x1b');
    await t.waitFor('typed in vim');
    // vim's own tildes for lines past the end of the file, inside the pane's border.
    expect(t.lines()[5]).toMatch(/^┃~\s+┃$/);
    t.write(':q!\r');
    await t.waitFor((s) => !s.includes('typed in vim') && s.includes('vim -u NONE'), { message: 'back to the shell' });
  });

  it('keeps colours, bold and wide characters', async () => {
    const { t } = await startReady(['--cmd', "printf '\\033[1;31mRED\\033[0m \\033[38;5;208mORANGE\\033[0m \\033[38;2;1;2;3mRGB\\033[0m 你好😀end'; sleep 60"]);
    await t.waitFor('end');
    const y = t.lines().findIndex((l) => l.includes('RED'));
    const x = t.lines()[y].indexOf('RED');
    const red = t.cell(x, y)!;
    expect(red.isBold()).toBeTruthy();
    expect(red.isFgPalette()).toBeTruthy();
    expect(red.getFgColor()).toBe(1);
    const ox = t.lines()[y].indexOf('ORANGE');
    expect(t.cell(ox, y)!.getFgColor()).toBe(208);
    const rx = t.lines()[y].indexOf('RGB');
    expect(t.cell(rx, y)!.isFgRGB()).toBeTruthy();
    expect(t.cell(rx, y)!.getFgColor()).toBe(0x010203);
    // Wide characters take two cells each: "end" sits right after them with no gap or overlap.
    expect(t.lines()[y]).toContain('你好😀end');
  });

  it('draws the chrome in the theme’s colours through the workspace server, the help dialog too', async () => {
    // The server's stdout is /dev/null: chalk, which Ink colours with, took that as "no colour", and
    // the whole chrome came out colourless unless the workspace ran in the terminal's own process.
    const { t } = await startReady(['shell', '--theme', 'light']);
    await t.waitFor('1 shell · idle');
    const accent = 0x005f87;
    const corner = t.cell(0, 0)!;
    expect(corner.getChars()).toBe('┏');
    expect(corner.isFgRGB()).toBeTruthy();
    expect(corner.getFgColor()).toBe(accent);
    const bar = t.lines().length - 1;
    const mode = t.cell(1, bar)!;
    expect(mode.getChars()).toBe('N');
    expect(mode.getBgColor()).toBe(0x007a00);
    expect(mode.isBold()).toBeTruthy();
    // The help is drawn by Ink, loaded when it first shows.
    t.keys('C-a', '?');
    await t.waitFor('Keys');
    const y = t.lines().findIndex((l) => l.includes('Keys'));
    const border = t.cell(0, y)!;
    expect(border.getChars()).toBe('╭');
    expect(border.isFgRGB()).toBeTruthy();
    expect(border.getFgColor()).toBe(accent);
  });

  it('zooms the focused pane and back', async () => {
    const { t } = await startReady(['shell', 'shell']);
    await t.waitFor('1 shell · idle');
    t.keys('C-a', 'z');
    await t.waitFor(() => statusBar(t).includes('(zoomed)'), { message: 'zoomed' });
    expect(t.lines()[0]).toMatch(/^┏━ 1 shell · idle ━+┓$/);
    expect(t.lines()[0].length).toBe(120);
    t.keys('C-a', 'z');
    await t.waitFor(() => t.lines()[0].includes('2 shell-2'), { message: 'both panes back' });
  });

  it('the mouse: a click focuses a pane, the wheel scrolls its history', async () => {
    const { t } = await startReady(['shell', 'shell']);
    await t.waitFor('1 shell · idle');
    // Columns 1-60 are pane 1, 61-120 pane 2 (SGR reports count from 1).
    t.write('\x1b[<0;90;5M\x1b[<0;90;5m');
    await t.waitFor(() => statusBar(t).includes('2:shell-2 of 2'), { message: 'focus by click' });
    t.write('seq 1 200\r');
    await t.waitFor(/[┃│]200 /);
    t.write('\x1b[<64;90;10M');
    await t.waitFor(() => statusBar(t).includes('SCROLL'), { message: 'the wheel enters scroll mode' });
    t.write('\x1b[<65;90;10M');
    await t.waitFor(() => statusBar(t).includes('NORMAL'), { message: 'back at the bottom, scroll mode ends' });
  });

  it('shows help generated from the keymap', async () => {
    const { t } = await startReady(['shell']);
    t.keys('C-a', '?');
    // One frame may reach the harness in several reads: wait for all of it.
    const lines = ['Zoom the focused pane', 'Interrupt the focused agent', 'Jump to the agent that has waited longest'];
    await t.waitFor((s) => lines.every((l) => s.includes(l)), { message: `help with: ${lines.join(', ')}` });
    // The rest is further down: the help scrolls (PgDn).
    t.write('\x1b[6~');
    await t.waitFor('Scroll the shared-context panel', { message: 'the help scrolled to the context panel keys' });
    t.keys('Escape');
    await t.waitFor((s) => !s.includes('Zoom the focused pane'), { message: 'help closed' });
  });

  it('scroll mode reads back through the history and leaves with q', async () => {
    const { t } = await startReady(['--cmd', 'seq 1 300; sleep 60']);
    await t.waitFor(/\b300\b/);
    t.keys('C-a', '[');
    await t.waitFor(() => statusBar(t).includes('SCROLL'), { message: 'scroll mode' });
    t.keys('g');
    await t.waitFor(/┃1\s+┃/);
    expect(t.lines()[0]).toMatch(/\[\d+\/\d+\]/);
    t.keys('q');
    await t.waitFor(() => statusBar(t).includes('NORMAL') && /\b300\b/.test(t.text()), { message: 'back at the bottom' });
  });

  it('says when a preset command is not installed and how to get it', async () => {
    const { t } = await startReady(['codex'], { env: { PATH: '/usr/bin:/bin' } });
    await t.waitFor('not installed');
    expect(t.text()).toContain('npm install -g @openai/codex');
  });

  it('opens a new pane from the preset picker and closes one after confirming', async () => {
    const { t } = await startReady(['shell']);
    t.keys('C-a', 'c');
    await t.waitFor('New pane');
    const shellLine = t.lines().find((l) => / shell /.test(l) && /\d shell/.test(l));
    expect(shellLine).toBeDefined();
    t.keys('Down');
    t.keys('Up');
    // "shell" is the second preset in the picker.
    t.keys('2');
    await t.waitFor(() => t.lines()[0].includes('2 shell-2'), { message: 'a second pane' });
    t.keys('C-a', 'x');
    await t.waitFor('Close pane 2');
    t.keys('y');
    await t.waitFor(() => !t.lines()[0].includes('shell-2'), { message: 'pane closed' });
  });

  it('follows terminal resizes and sizes each pty to its pane', async () => {
    const { t } = await startReady(['shell', 'shell']);
    await t.waitFor((s) => (s.match(/\$ /g) ?? []).length >= 2, { message: 'two prompts' });
    t.resize(100, 24);
    await t.waitFor(() => t.lines()[0].length === 100 && t.lines()[0].endsWith('╮'), { message: 'relayout to 100 columns' });
    // 100 columns: two panes of 50, interiors 48 wide; 24 rows minus the status bar minus borders.
    // The pty is resized after a short debounce, so ask until the new size is reported.
    await until(async () => {
      t.write('clear; stty size\r');
      return t.waitFor(/^┃\d+ \d+\s/m, { timeout: 2000 }).then(() => /┃21 48\s/.test(t.text()), () => false);
    }, { message: 'stty size 21 48' });
    t.resize(20, 6);
    await t.waitFor('Too small');
    t.resize(120, 30);
    await t.waitFor(() => t.lines()[0].includes('2 shell-2'), { message: 'panes back' });
  });
});

async function startReady(args: string[], opts: Parameters<typeof start>[1] = {}) {
  const run = start(args, opts);
  await run.t.waitFor('NORMAL');
  return run;
}

function column(t: { lines(): string[] }, text: string): number {
  for (const l of t.lines()) {
    const i = l.indexOf(text);
    if (i >= 0) return i;
  }
  return -1;
}
