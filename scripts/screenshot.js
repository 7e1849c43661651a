// `npm run screenshot`: makes the README's pictures from a real run. Starts bin/agents in a pty at
// 120x32 inside a throwaway project (scripts/demo-project.js), lets four panes do real work (a
// shell running ls and git, node's test runner in watch mode, a coloured dev-server log, vim), reads
// the screen through a headless xterm and writes it as SVG (scripts/svg.js):
//   docs/screenshot.svg        the workspace
//   docs/screenshot-help.svg   the help screen (prefix ?)
// Then quits the app the way a person does (prefix q, y) and fails unless it exits with status 0.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Term } from '../test/helpers/term.js';
import { makeDemoProject, makeHome } from './demo-project.js';
import { cursorHidden, screenToSvg } from './svg.js';

const DOCS = fileURLToPath(new URL('../docs/', import.meta.url));
const COLS = 120;
const ROWS = 32;
const PROMPT = 'ada@laptop:~/acme-api$';

const count = (text, s) => text.split(s).length - 1;

async function main() {
  const tmp = mkdtempSync(join(tmpdir(), 'agents-screenshot-'));
  let t;
  try {
    const home = join(tmp, 'home');
    const project = join(home, 'acme-api');
    mkdirSync(project, { recursive: true });
    makeHome(home);
    makeDemoProject(project);

    const env = {
      HOME: home,
      AGENTS_HOME: join(tmp, 'agents-home'),
      SHELL: '/bin/bash',
      LANG: 'C.UTF-8',
      LC_ALL: 'C.UTF-8',
      NO_COLOR: undefined,
      FORCE_COLOR: undefined,
      PS1: undefined,
      PROMPT_COMMAND: undefined,
      VIMINIT: undefined,
      GIT_CONFIG_GLOBAL: '/dev/null',
      NODE_OPTIONS: undefined,
    };
    // --trust: the throwaway project's config runs its test and dev commands; it is ours.
    t = Term.agents(['--trust', '--theme', 'dark', 'shell', 'tests', 'dev', '--cmd', 'vim src/server.js'], { cols: COLS, rows: ROWS, env, cwd: project });
    const failEarly = t.exited.then((e) => {
      throw new Error(`agents exited early (${JSON.stringify(e)}); screen:\n${t.text()}`);
    });
    failEarly.catch(() => {});
    // Conditions are checked between whole frames only: the app draws each frame inside
    // synchronized output (CSI ? 2026 h ... l), and a half-drawn frame is no picture.
    const wait = (want, message) => {
      const test = typeof want === 'string' ? (s) => s.includes(want) : want;
      const ready = (s, term) => !term.term.modes.synchronizedOutputMode && test(s, term);
      return Promise.race([t.waitFor(ready, { timeout: 20000, message }), failEarly]);
    };

    // Every pane has drawn its steady state.
    await wait((s) => s.includes('NORMAL') && s.includes(PROMPT), 'the shell prompt');
    await wait((s) => s.includes('ℹ duration_ms') && s.includes('pass 3'), 'the test run summary');
    await wait((s) => s.includes('watching for changes'), 'the dev server log');
    await wait((s) => /src\/server\.js/.test(s) && s.includes('greetings'), 'vim showing src/server.js');

    // Work in the shell (pane 1), one command at a time.
    t.keys('C-a', '1');
    for (const [i, cmd, shows] of [
      [2, 'ls', 'package.json'],
      [3, 'git status -sb', '?? src/cache.js'],
      [4, 'git log --oneline -3', 'Initial commit'],
    ]) {
      t.write(`${cmd}\r`);
      await wait((s) => count(s, PROMPT) >= i && s.includes(shows), `\`${cmd}\` in the shell`);
    }
    // The frame is complete once the cursor is back at the end of the last prompt.
    await wait((s, term) => {
      const lines = s.split('\n');
      const y = lines.findLastIndex((l) => l.includes(PROMPT));
      const c = term.cursor();
      return c.y === y && c.x === lines[y].indexOf(PROMPT) + PROMPT.length + 1 && !cursorHidden(term);
    }, 'the cursor at the shell prompt');

    const window = { title: 'agents — ~/acme-api' };
    mkdirSync(DOCS, { recursive: true });
    writeFileSync(join(DOCS, 'screenshot.svg'), screenToSvg(t, { window }));

    t.keys('C-a', '?');
    await wait((s, term) => s.includes('Press ctrl+a, then a key') && cursorHidden(term), 'the help screen');
    writeFileSync(join(DOCS, 'screenshot-help.svg'), screenToSvg(t, { window }));
    t.keys('Escape');
    await wait((s) => !s.includes('Press ctrl+a, then a key'), 'the help screen to close');

    t.keys('C-a', 'q');
    await wait('Quit?', 'the quit confirmation');
    t.keys('y');
    const exit = await Promise.race([t.exited, new Promise((r) => setTimeout(() => r(undefined), 10000))]);
    if (!exit) throw new Error(`agents did not exit within 10s of quitting; screen:\n${t.text()}`);
    if (exit.exitCode !== 0 || exit.signal) throw new Error(`agents exited with ${JSON.stringify(exit)}`);
    failEarly.catch(() => {});
    console.log('wrote docs/screenshot.svg and docs/screenshot-help.svg; agents exited 0');
  } finally {
    t?.kill();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
