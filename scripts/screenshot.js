// `npm run screenshot`: makes the README's pictures from a real run. Starts `bin/agents --demo` in a
// pty at 140x40 (the offline tour: built-in agents played by the local Messages API server on a
// throwaway copy of the sample project), waits until the lead has planned on the task board, a
// worker's check failed once and passed on its retry, and the tests agent waits for the person's
// approval (its attention border, the status bar's list), opens the board beside the panes, reads
// the screen through a headless xterm and writes it as SVG (scripts/svg.js):
//   docs/screenshot.svg        the workspace
//   docs/screenshot-help.svg   the help screen (prefix ?)
// Then quits the app the way a person does (prefix q, y) and fails unless it exits with status 0.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withEnv } from '../test/helpers/procs.js';
import { Term } from '../test/helpers/term.js';
import { cursorHidden, screenToSvg } from './svg.js';

const DOCS = fileURLToPath(new URL('../docs/', import.meta.url));
const COLS = 140;
const ROWS = 40;

async function main() {
  const tmp = mkdtempSync(join(tmpdir(), 'agents-screenshot-'));
  let t;
  try {
    const env = {
      HOME: join(tmp, 'home'),
      AGENTS_HOME: join(tmp, 'agents-home'),
      TMPDIR: tmp,
      SHELL: '/bin/bash',
      LANG: 'C.UTF-8',
      LC_ALL: 'C.UTF-8',
      NO_COLOR: undefined,
      FORCE_COLOR: undefined,
      PS1: 'ada@laptop:~/cart-demo$ ',
      PROMPT_COMMAND: undefined,
      ANTHROPIC_API_KEY: undefined,
      GIT_CONFIG_GLOBAL: '/dev/null',
      NODE_OPTIONS: undefined,
    };
    mkdirSync(env.HOME, { recursive: true });
    t = Term.agents(['--demo', '--theme', 'dark'], { cols: COLS, rows: ROWS, env, cwd: tmp });
    const failEarly = t.exited.then((e) => {
      throw new Error(`agents exited early (${JSON.stringify(e)}); screen:\n${t.text()}`);
    });
    failEarly.catch(() => {});
    // Conditions are checked between whole frames only: the app draws each frame inside
    // synchronized output (CSI ? 2026 h ... l), and a half-drawn frame is no picture.
    const wait = (want, message, timeout = 90000) => {
      const test = typeof want === 'string' ? (s) => s.includes(want) : want;
      const ready = (s, term) => !term.term.modes.synchronizedOutputMode && test(s, term);
      return Promise.race([t.waitFor(ready, { timeout, message }), failEarly]);
    };

    // The tour's busiest moment: the tests agent waits for the person while the board shows the plan.
    await wait('press y in this pane', 'the tests agent asking for approval');
    await wait((s) => /waiting for you: \d:tests/.test(s), 'the status bar listing tests as waiting');
    t.keys('C-a', 't');
    await wait((s) => /t1\s+done/.test(s) && /t2\s+(doing|checking)/.test(s), 'the board with t1 done and t2 under way');
    // The board has the keyboard now; give it back so the picture shows the normal mode.
    t.keys('Escape');
    await wait((s) => /NORMAL/.test(s), 'the board open, the keyboard back on the panes');

    const window = { title: 'agents --demo' };
    mkdirSync(DOCS, { recursive: true });
    writeFileSync(join(DOCS, 'screenshot.svg'), screenToSvg(t, { window }));

    t.keys('C-a', '?');
    await wait((s, term) => s.includes('then one of these keys') && cursorHidden(term), 'the help screen');
    writeFileSync(join(DOCS, 'screenshot-help.svg'), screenToSvg(t, { window }));
    t.keys('Escape');
    await wait((s) => !s.includes('then one of these keys'), 'the help screen to close');

    t.keys('C-a', 'q');
    await wait('Quit?', 'the quit confirmation (tests still waits for you)');
    t.keys('y');
    const exit = await Promise.race([t.exited, new Promise((r) => setTimeout(() => r(undefined), 10000))]);
    if (!exit) throw new Error(`agents did not exit within 10s of quitting; screen:\n${t.text()}`);
    if (exit.exitCode !== 0 || exit.signal) throw new Error(`agents exited with ${JSON.stringify(exit)}`);
    failEarly.catch(() => {});
    console.log('wrote docs/screenshot.svg and docs/screenshot-help.svg; agents exited 0');
  } finally {
    t?.kill();
    // A run that failed half-way leaves its workspace server going without a terminal: stop
    // everything started with this run's data folder.
    for (const pid of withEnv('AGENTS_HOME', join(tmp, 'agents-home'))) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // Gone already.
      }
    }
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
