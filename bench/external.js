// External agent CLIs (issue 6): how well the workspace reads and steers a program it can only see
// and type into. Two parts:
//
// 1. Status detection on the recorded screens of real CLIs (test/fixtures/screens/<preset>/<state>-*.txt):
//    every screen read with its preset's rules (dist/workspace/activity.js + detectors.js) must give
//    the state in its file name.
// 2. Real Claude Code (node_modules/.bin/claude, a devDependency) in a pane of a real bin/agents,
//    talking to the project's local Messages API server (dist/demo/server.js), read through the test
//    harness's headless terminal exactly as a person sees it:
//    - interrupt: while it streams a slow answer, prefix+i; the time until the status bar says
//      "interrupted claude (stopped in N ms)" and the pane title "1 claude · idle";
//    - redirect: while it streams, prefix+r, a unique instruction, Enter; it lands when the server gets
//      a turn (a request with tools) whose last user message has a text block ending in exactly that
//      line, and the status bar says "claude: sent".
//
// Runnable alone after `npm run build`: `node bench/external.js [tries]`.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readScreen } from '../dist/workspace/activity.js';
import { DETECTORS } from '../dist/workspace/detectors.js';
import { startMessagesServer } from '../dist/demo/server.js';
import * as L from './lib.js';
import { claudeEnv, claudeInstalled, writeClaudeConfig } from '../test/helpers/claude-code.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SCREENS = join(ROOT, 'test', 'fixtures', 'screens');
const STATES = ['busy', 'waiting', 'idle'];
const REDIRECT_TIMEOUT_MS = 20_000;
const INTERRUPT_TIMEOUT_MS = 10_000;
const COLS = 160;
const ROWS = 40;

// ------------------------------------------------------------------------------ recorded screens

/** Every recorded screen read by its preset's rules: correct/total per preset and per state. */
export function detectionAccuracy() {
  const presets = readdirSync(SCREENS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const byPreset = [];
  const byState = Object.fromEntries(STATES.map((s) => [s, { correct: 0, total: 0 }]));
  const wrong = [];
  for (const preset of presets) {
    const files = readdirSync(join(SCREENS, preset)).filter((f) => f.endsWith('.txt')).sort();
    if (files.length === 0) continue;
    const detector = DETECTORS[preset];
    let correct = 0;
    for (const file of files) {
      const want = file.split('-')[0];
      const got = detector ? readScreen(detector, readFileSync(join(SCREENS, preset, file), 'utf8').split('\n'))?.state : undefined;
      const ok = got === want;
      if (ok) correct++;
      else wrong.push(`${preset}/${file}: read ${got ?? (detector ? 'nothing' : 'no detector')}`);
      byState[want] ??= { correct: 0, total: 0 };
      byState[want].total++;
      if (ok) byState[want].correct++;
    }
    byPreset.push({ preset, correct, total: files.length, ...(detector ? {} : { note: 'no detector' }) });
  }
  const correct = byPreset.reduce((n, p) => n + p.correct, 0);
  const total = byPreset.reduce((n, p) => n + p.total, 0);
  return { correct, total, byPreset, byState, wrong };
}

// ------------------------------------------------------------------------------- the local model

/** The last user message's blocks (Claude Code may end a request with another role's message). */
function lastUser(r) {
  const last = r.body.messages.findLast((m) => m.role === 'user');
  if (!last) return [];
  return typeof last.content === 'string' ? [{ type: 'text', text: last.content }] : last.content;
}
const lastLine = (s) => s.trim().split('\n').at(-1) ?? '';
const userText = (r) => lastUser(r).map((b) => b.text ?? '').join('\n');

/**
 * A long answer streamed slowly (3 chars every 80 ms, over a minute): the agent stays busy. Claude Code
 * shows streamed text a whole line at a time, so the lead gets a line of its own and shows at once.
 */
const slowly = (lead) => ({
  kind: 'reply',
  chunkChars: 3,
  chunkDelayMs: 80,
  content: [{ type: 'text', text: `${lead}\n${Array.from({ length: 400 }, (_, i) => i).join(' ')}` }],
});

/** Claude Code's side requests (titles, topic checks) have no tools; its turns do. */
function responder(r) {
  if (!r.body.tools?.length) return { kind: 'reply', content: [{ type: 'text', text: '{"isNewTopic": false, "title": null}' }] };
  // The newest instruction is the last line of the last user message.
  const text = lastLine(userText(r));
  // The answer names its instruction, so the bench can see that this one (not an earlier one) streams.
  const round = /count slowly, round (\S+)$/.exec(text);
  if (round) return slowly(`Counting for round ${round[1]}:`);
  // A redirect's answer streams too, so the next redirect finds it busy again.
  const number = /^redirect number (\d+)/.exec(text);
  if (number) return slowly(`Redirect ${number[1]} taken, counting:`);
  return { kind: 'reply', content: [{ type: 'text', text: 'Done.' }] };
}


// ---------------------------------------------------------------------------- watching the screen

const TITLE = /\b1 claude · (busy|needs you|idle)(\?)?/;

/**
 * Records every change of the status bar (the last line) and of the pane's title state, with the time
 * it was parsed, so that a message can be told from the same message left over from the last try.
 */
function watchScreen(t) {
  const events = [];
  let bar;
  let state;
  const check = () => {
    const lines = t.lines();
    const b = lines.at(-1) ?? '';
    const m = TITLE.exec(lines.join('\n'));
    const s = m ? m[1] + (m[2] ?? '') : undefined;
    if (b !== bar || s !== state) {
      bar = b;
      state = s;
      events.push({ at: performance.now(), bar: b.trim(), state: s });
    }
    return false; // never done: the harness keeps calling it after every parsed write
  };
  t.listeners.push(check);
  check();
  return {
    events,
    now: () => events.at(-1),
    /** The first recorded screen at or after `since` that satisfies `pred`, waiting up to `timeout` ms. */
    async first(pred, { since = 0, timeout = 10_000 } = {}) {
      const deadline = performance.now() + timeout;
      for (let i = 0; ; ) {
        for (; i < events.length; i++) if (events[i].at >= since && pred(events[i], events, i)) return events[i];
        if (performance.now() > deadline) return undefined;
        await L.sleep(10);
      }
    },
  };
}

// ------------------------------------------------------------------------------- real Claude Code

/**
 * prefix+r, `text`, Enter. Resolves with whether it landed (the server got it and the status bar says
 * "claude: sent"), the times from Enter, the status bar's outcome and the request that carried it.
 */
async function redirect(t, w, server, text, { timeout = REDIRECT_TIMEOUT_MS } = {}) {
  const before = server.requests.length;
  const opened = performance.now();
  t.keys('C-a', 'r');
  // The dialog is open when the status bar's mode says so ("Redirect" may be in the transcript too).
  if (!(await w.first((e) => e.bar.startsWith('DIALOG'), { since: opened, timeout: 5000 }))) throw new Error(`prefix+r opened no dialog (status bar "${w.now()?.bar}")`);
  t.write(text);
  await L.sleep(30);
  const enterAt = performance.now();
  const enterWall = Date.now();
  t.write('\r');
  const arrived = (r) => r.body.tools?.length && lastUser(r).some((b) => typeof b.text === 'string' && lastLine(b.text) === text);
  const landed = () => server.requests.slice(before).find(arrived);
  // "claude: sent" counts only after a status bar without it (the workspace says "sending to claude…"
  // first): the message of the last redirect may still be showing.
  const outcome = (e, events, i) => {
    if (!/claude: (not )?sent/.test(e.bar)) return false;
    for (let j = i - 1; j >= 0 && events[j].at >= enterAt; j--) if (!/claude: (not )?sent/.test(events[j].bar)) return true;
    return false;
  };
  const deadline = enterAt + timeout;
  let request;
  let said;
  while (performance.now() < deadline && !(request && said)) {
    request ??= landed();
    said ??= await w.first(outcome, { since: enterAt, timeout: 0 });
    if (said && /not sent/.test(said.bar)) break;
    await L.sleep(10);
  }
  return {
    ok: Boolean(request && said && /claude: sent/.test(said.bar)),
    toServerMs: request ? request.receivedAt - enterWall : undefined,
    fromPrefixMs: request ? request.receivedAt - enterWall + (enterAt - opened) : undefined,
    toSentMs: said ? said.at - enterAt : undefined,
    said: said?.bar,
    request,
    before,
  };
}

/** Waits until the pane title's state is `state` now; false after `timeout` ms. */
async function stateIs(w, state, timeout) {
  const deadline = performance.now() + timeout;
  while (w.now()?.state !== state) {
    if (performance.now() > deadline) return false;
    await L.sleep(10);
  }
  return true;
}

/** Makes it busy streaming a slow answer (a redirect: it interrupts whatever it is doing first). */
async function makeBusy(t, w, server, n) {
  const r = await redirect(t, w, server, `please count slowly, round ${n}`);
  if (!r.ok) throw new Error(`the slow count instruction did not land (${r.request ? 'it reached the model' : 'not at the model'}; status bar: ${r.said ?? 'no outcome'})`);
  await streaming(t, w, `Counting for round ${n}:`);
}

/** Waits until the answer beginning with `head` is on its screen and the title says busy. */
async function streaming(t, w, head) {
  await t.waitFor(head, { timeout: 10_000, message: `"${head}" on the screen` });
  if (!(await stateIs(w, 'busy', 5000))) throw new Error(`"${head}" is streaming but the title says ${w.now()?.state}`);
}

/** The end of a failure's story: the screen's last lines and the status bar. */
function screenTail(t, n = 12) {
  return t
    .lines()
    .map((l) => l.replace(/^[┃│]\s?/, '').replace(/[\s┃│]+$/, ''))
    .filter((l) => /[^\s━┗┛]/.test(l))
    .map((l) => l.trim().replace(/\s{3,}/g, '  ').replace(/([─━])\1{3,}/g, '$1$1$1'))
    .slice(-n)
    .join(' / ');
}

async function claudeBench({ tries, home, progress }) {
  const project = join(home, 'project');
  mkdirSync(project, { recursive: true });
  writeClaudeConfig({ home, project });
  const server = await startMessagesServer({ responder });
  let t;
  const out = { interrupt: [], redirect: [], notes: [] };
  try {
    t = L.startAgents(['claude'], {
      cols: COLS,
      rows: ROWS,
      home,
      project,
      env: {
        HOME: home,
        ...claudeEnv(server.url),
        ANTHROPIC_AUTH_TOKEN: undefined,
        SHELL: '/bin/bash',
      },
    });
    await L.firstFrame(t);
    const w = watchScreen(t);
    const t0 = performance.now();
    // Up when its own prompt reads as idle (a guess from a blank screen says "idle?").
    if (!(await stateIs(w, 'idle', 30_000))) throw new Error(`Claude Code did not come up in 30 s (title: ${w.now()?.state}); screen: ${screenTail(t)}`);
    out.readyMs = performance.now() - t.startedAt;
    progress?.(`  claude ready after ${(out.readyMs / 1000).toFixed(1)} s (${((performance.now() - t0) / 1000).toFixed(1)} s after the first frame)`);

    // Interrupts: busy streaming, then prefix+i, until the bar confirms and the title says idle.
    for (let i = 1; i <= tries; i++) {
      try {
        await makeBusy(t, w, server, i);
        await L.sleep(200 + Math.random() * 300);
        const at = performance.now();
        t.keys('C-a', 'i');
        const done = await w.first((e) => /interrupted claude \(stopped in \d+ ms\)/.test(e.bar) && e.state === 'idle', { since: at, timeout: INTERRUPT_TIMEOUT_MS });
        if (done) {
          out.interrupt.push({ ok: true, ms: done.at - at, reportedMs: Number(/stopped in (\d+) ms/.exec(done.bar)[1]) });
        } else {
          const e = w.now();
          out.interrupt.push({ ok: false, said: e.bar, title: e.state, screen: screenTail(t) });
          out.notes.push(`interrupt ${i}: not confirmed in ${INTERRUPT_TIMEOUT_MS / 1000} s (status bar "${e.bar}", title ${e.state}); screen: ${screenTail(t)}`);
        }
      } catch (err) {
        out.interrupt.push({ ok: false, error: err.message.split('\n')[0] });
        out.notes.push(`interrupt ${i}: ${err.message.split('\n')[0]}; screen: ${screenTail(t)}`);
      }
    }

    // Redirects while it streams: each lands as a slow answer, so the next one finds it busy again.
    for (let i = 1; i <= tries; i++) {
      try {
        // Busy with the last redirect's answer; if that one did not land, with a slow count.
        const last = out.redirect.at(-1);
        if (last?.ok) await streaming(t, w, `Redirect ${i - 1} taken, counting:`).catch(() => makeBusy(t, w, server, `r${i}`));
        else await makeBusy(t, w, server, `r${i}`);
        await L.sleep(200 + Math.random() * 300);
        const text = `redirect number ${i}, please stop`;
        const r = await redirect(t, w, server, text);
        out.redirect.push({ ok: r.ok, toServerMs: r.toServerMs, fromPrefixMs: r.fromPrefixMs, toSentMs: r.toSentMs, said: r.said });
        if (!r.ok) {
          const got = server.requests
            .slice(r.before)
            .filter((q) => q.body.tools?.length)
            .map((q) => JSON.stringify(lastLine(userText(q)).slice(0, 80)));
          out.notes.push(
            `redirect ${i}: ${r.request ? 'reached the model' : 'did NOT reach the model'}, status bar ${r.said ? `"${r.said}"` : 'never said sent'}; turns at the server: ${got.join(', ') || 'none'}; screen: ${screenTail(t)}`,
          );
        }
      } catch (err) {
        out.redirect.push({ ok: false, error: err.message.split('\n')[0] });
        out.notes.push(`redirect ${i}: ${err.message.split('\n')[0]}; screen: ${screenTail(t)}`);
      }
    }
    out.requests = server.requests.length;
    if (process.env.BENCH_EXTERNAL_EVENTS) writeFileSync(process.env.BENCH_EXTERNAL_EVENTS, w.events.map((e) => `${e.at.toFixed(0)} ${e.state} | ${e.bar}`).join('\n'));
  } finally {
    if (t) {
      const q = await L.stopAgents(t);
      out.quitClean = q.clean;
    }
    await server.close();
  }
  return out;
}

/**
 * The external-CLI figures. `home` (optional) is a folder of the bench's own: a subfolder of it is the
 * workspace's data folder and Claude Code's HOME, so the bench's final sweep finds anything left.
 */
export async function runExternalBench({ tries = 10, home, progress } = {}) {
  const detection = detectionAccuracy();
  if (!claudeInstalled()) {
    return { detection, skipped: 'node_modules/.bin/claude is not installed (npm install the devDependency @anthropic-ai/claude-code)' };
  }
  const own = home ? undefined : mkdtempSync(join(os.tmpdir(), 'agents-bench-external-'));
  const dir = home ? join(home, 'external') : own;
  mkdirSync(dir, { recursive: true });
  try {
    return { detection, ...(await claudeBench({ tries, home: dir, progress })) };
  } finally {
    if (own) {
      L.killEverything();
      rmSync(own, { recursive: true, force: true });
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const tries = Number(process.argv[2]) || 10;
  const r = await runExternalBench({ tries, progress: (m) => process.stderr.write(`${m}\n`) });
  const med = (xs) => (xs.length ? L.median(xs).toFixed(0) : 'n/a');
  const d = r.detection;
  console.log(`detection: ${d.correct}/${d.total}; ${d.byPreset.map((p) => `${p.preset} ${p.correct}/${p.total}${p.note ? ` (${p.note})` : ''}`).join(', ')}`);
  console.log(`by state: ${Object.entries(d.byState).map(([s, c]) => `${s} ${c.correct}/${c.total}`).join(', ')}`);
  if (d.wrong.length) console.log(`misread: ${d.wrong.join('; ')}`);
  if (r.skipped) console.log(`claude: skipped, ${r.skipped}`);
  else {
    const iOk = r.interrupt.filter((x) => x.ok);
    const rOk = r.redirect.filter((x) => x.ok);
    console.log(`interrupt: ${iOk.length}/${r.interrupt.length} confirmed, ms ${iOk.map((x) => x.ms.toFixed(0)).join(' ')} (median ${med(iOk.map((x) => x.ms))})`);
    console.log(`redirect: ${rOk.length}/${r.redirect.length} landed, to server ms ${rOk.map((x) => x.toServerMs).join(' ')} (median ${med(rOk.map((x) => x.toServerMs))})`);
    for (const n of r.notes) console.log(`- ${n}`);
    console.log(`quit clean: ${r.quitClean}`);
  }
  process.exit(0);
}
