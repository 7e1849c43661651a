// The task board's figures in `npm run bench`, through the real product: bin/agents with built-in
// agents talking to the project's local Messages API server (dist/demo/server.js), each agent played
// by a script there (told apart by `You are "NAME"` in its system prompt), and tasks added to the
// running workspace over its socket, as `agents task add` does.
//
// - delivery: a chain of tasks alternating between two agents; from the request carrying a task's
//   complete_task result to the next owner's request carrying its instruction;
// - board: 200 tasks, keystroke to screen for moving the selection and opening/closing the board;
// - supervisor: a detached workspace's CPU with 20 tasks in flight and nothing happening, beside the
//   same workspace without tasks over the same window.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from '../test/helpers/term.js';
import * as L from './lib.js';
import * as M from './measures.js';
import { detach, stopDetached } from './server.js';
import { realtimePriority } from './session.js';

const VERSION = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
const dist = (p) => import(new URL(`../dist/${p}`, import.meta.url).href);

// ------------------------------------------------------------------------- the scripted agents

const say = (text) => ({ type: 'text', text });
let ids = 0;
const tool = (name, input) => ({ type: 'tool_use', id: `toolu_bench_${++ids}`, name, input });

/** Who asks (from the system prompt), the newest user message's text, and the tool calls it answers. */
function turnOf(body) {
  const system = typeof body.system === 'string' ? body.system : (body.system ?? []).map((b) => String(b.text ?? '')).join('\n');
  const agent = /You are "([^"]+)"/.exec(system)?.[1] ?? 'agent';
  const last = body.messages.at(-1);
  const blocks = typeof last?.content === 'string' ? [{ type: 'text', text: last.content }] : (last?.content ?? []);
  const calls = new Map();
  for (const m of body.messages) if (m.role === 'assistant' && Array.isArray(m.content)) for (const b of m.content) if (b.type === 'tool_use') calls.set(String(b.id), b);
  const text = blocks.filter((b) => b.type === 'text').map((b) => String(b.text)).join('\n');
  const results = blocks.filter((b) => b.type === 'tool_result').map((b) => ({ name: calls.get(String(b.tool_use_id))?.name, input: calls.get(String(b.tool_use_id))?.input }));
  return { agent, text, results };
}

/**
 * A local Messages API server whose responder plays `scripts[agent]` (which may answer later: it
 * returns blocks or a promise of them). Every request is noted with its arrival time, every answer
 * with the time it left the script.
 */
async function scriptedServer(scripts) {
  const { startMessagesServer } = await dist('demo/server.js');
  const seen = [];
  const server = await startMessagesServer({
    responder: async (r) => {
      const turn = { ...turnOf(r.body), at: performance.now() };
      seen.push(turn);
      const content = (await scripts[turn.agent]?.(turn)) ?? [say('Nothing to do.')];
      turn.answeredAt = performance.now();
      return { kind: 'reply', content };
    },
  });
  return { server, seen };
}

/** bin/agents with built-in agents named `names`, talking to `server`, in a project of its own. */
function startBoardWorkspace(home, server, names, { cols = 160, rows = 44, env = {} } = {}) {
  const project = mkdtempSync(join(home, 'project-'));
  writeFileSync(join(project, 'agents.config.json'), JSON.stringify({ agents: names.map((name) => ({ name, preset: 'agent', permissions: 'auto' })) }));
  const t = L.startAgents(['--trust'], { cols, rows, home, project, env: { ...M.agentsEnv(), ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: 'bench-key', ...env } });
  return { t, project };
}

/** Asks the project's running workspace, over its socket, as `agents task add` / `agents tasks` do. */
async function requester(home, project) {
  const { query } = await dist('client/attach.js');
  const { requestSchemas } = await dist('server/requests.js');
  const { socketPath, workspaceId } = await dist('server/paths.js');
  const socket = socketPath(join(home, 'run'), workspaceId(realpathSync(project)));
  const ask = async (request) => {
    const r = await query(socket, VERSION, 'request', 30000, { request, replies: requestSchemas().ReplySchema });
    if (!r?.reply) throw new Error(`the workspace did not answer ${request.op}: ${r?.refused ?? 'no reply'}`);
    return r.reply;
  };
  return {
    /** Adds a task as the person would; resolves with its id. */
    async add(title, { to, after, check } = {}) {
      const reply = await ask({ op: 'board', request: { op: 'create_task', title, to, after, check } });
      if (!reply.ok) throw new Error(`task add refused: ${reply.text}`);
      const id = /\bt\d+\b/.exec(reply.text)?.[0];
      if (!id) throw new Error(`task add: no id in ${JSON.stringify(reply.text)}`);
      return id;
    },
    tasks: async () => (await ask({ op: 'tasks' })).tasks ?? [],
  };
}

const idleTitle = (name) => new RegExp(`\\d+ ${name} · idle`);

// ---------------------------------------------------------------------------- 2a delivery latency

/**
 * A chain of `length` tasks alternating between w1 and w2, each `--check true` and after the one
 * before. Each agent completes its task at once (complete_task) when its instruction arrives. For
 * each handover: from the request carrying tN's complete_task result (and, as a bound that surely
 * holds the check, from the answer that called complete_task leaving the script) to the next
 * owner's request carrying "Task t(N+1):".
 */
export async function delivery(home, { length = 6 } = {}) {
  let open;
  const gate = new Promise((r) => (open = r));
  const worker = async (turn) => {
    const m = /Task (t\d+):/.exec(turn.text);
    if (m) {
      // The first task waits until the whole chain is on the board.
      await gate;
      return [tool('complete_task', { id: m[1], summary: `did ${m[1]}` })];
    }
    if (turn.results.some((r) => r.name === 'complete_task')) return [say('Reported.')];
    return [say('Waiting for a task.')];
  };
  const { server, seen } = await scriptedServer({ w1: worker, w2: worker });
  const { t, project } = startBoardWorkspace(home, server, ['w1', 'w2']);
  let server_;
  try {
    await L.firstFrame(t);
    server_ = L.workspaceProcs(t).server;
    await t.waitFor(idleTitle('w2'), { timeout: 30000, message: 'w2 idle' });
    await t.waitFor(idleTitle('w1'), { timeout: 30000, message: 'w1 idle' });
    const board = await requester(home, project);
    const chain = [];
    for (let i = 0; i < length; i++) chain.push(await board.add(`step ${i + 1}`, { to: i % 2 ? 'w2' : 'w1', after: i ? [chain[i - 1]] : undefined, check: 'true' }));
    open();
    const last = chain.at(-1);
    await L.until(() => seen.some((x) => x.results.some((r) => r.name === 'complete_task' && r.input?.id === last)), { timeout: 30000, message: `${last} completed` });
    const fromResult = [];
    const fromCall = [];
    for (let i = 0; i + 1 < chain.length; i++) {
      const result = seen.find((x) => x.results.some((r) => r.name === 'complete_task' && r.input?.id === chain[i]));
      const call = seen.find((x) => x.text.includes(`Task ${chain[i]}:`));
      const next = seen.find((x) => x.text.includes(`Task ${chain[i + 1]}:`));
      if (!result || !next || !call) throw new Error(`handover ${chain[i]} → ${chain[i + 1]} not seen at the server`);
      fromResult.push(next.at - result.at);
      fromCall.push(next.at - call.answeredAt);
    }
    return { fromResult, fromCall, requests: seen.length };
  } finally {
    await L.stopAgents(t, { server: server_ });
    await server.close();
  }
}

// ------------------------------------------------------------------------- 2b board, 200 tasks

/** Resolves with the time at which the screen first satisfies `test`, re-checked after every parsed write. */
function when(t, test, what, timeout = 5000) {
  const t0 = performance.now();
  return t.waitFor(test, { timeout, message: what }).then(() => performance.now() - t0);
}

/**
 * 200 tasks nobody owns (they stay todo), added over the socket to a 244x85 workspace; then
 * keystroke to screen: `moves` j/k presses (down half of them, then up) until the selection mark is
 * on the next task, and `toggles` opens and closes of the board (prefix+t) until its title shows and
 * is gone again. The renderer's frame cost over the run comes from AGENTS_BENCH_STATS.
 */
export async function board200(home, { tasks = 200, moves = 50, toggles = 10, cols = 244, rows = 85 } = {}) {
  const project = mkdtempSync(join(home, 'project-'));
  const statsFile = join(home, `stats-board-${Date.now()}.json`);
  const t = L.startAgents(['--cmd', 'sleep 600'], { cols, rows, home, project, env: { ...M.agentsEnv(), AGENTS_BENCH_STATS: statsFile } });
  const out = { moveMs: [], openMs: [], closeMs: [] };
  const title = ` Tasks (${tasks}) `;
  const gap = () => L.sleep(15 + Math.random() * 30);
  try {
    await L.firstFrame(t);
    await t.waitFor((s) => M.countRunning(s) >= 1, { timeout: 10000, message: 'the pane running' });
    const b = await requester(home, project);
    const a0 = performance.now();
    for (let i = 0; i < tasks; i++) await b.add(`task number ${i + 1} of the bench board`);
    out.addMs = performance.now() - a0;
    const open = async () => {
      t.keys('C-a');
      await t.waitFor(/ PREFIX /, { timeout: 5000, message: 'the prefix mode' });
      const p = when(t, (s) => s.includes(title) && / BOARD /.test(s), 'the board open');
      t.keys('t');
      return p;
    };
    const close = async () => {
      t.keys('C-a');
      await t.waitFor(/ PREFIX /, { timeout: 5000, message: 'the prefix mode' });
      const p = when(t, (s) => !s.includes(title) && / NORMAL /.test(s), 'the board closed');
      t.keys('t');
      return p;
    };
    await M.quiet(t, 300);
    for (let i = 0; i < toggles; i++) {
      await gap();
      out.openMs.push(await open());
      await gap();
      out.closeMs.push(await close());
    }
    await open();
    await t.waitFor('›t1 ', { timeout: 5000, message: 'the first task selected' });
    let sel = 1;
    for (let i = 0; i < moves; i++) {
      await gap();
      const down = i < moves / 2;
      sel += down ? 1 : -1;
      const p = when(t, `›t${sel} `, `t${sel} selected`);
      t.keys(down ? 'j' : 'k');
      out.moveMs.push(await p);
    }
  } finally {
    await L.stopAgents(t);
  }
  try {
    out.stats = JSON.parse(readFileSync(statsFile, 'utf8'));
  } catch {
    out.stats = undefined;
  }
  return out;
}

// --------------------------------------------------------------- 2c supervisor CPU, nothing happening

/**
 * Two workspaces with one idle built-in agent w1, detached: one with 20 tasks in flight (t1 doing:
 * w1 took it and answered without completing it; t2..t20 for w1, waiting after t1), one without
 * tasks. Both servers' CPU over the same three `windowMs` windows (side by side: the same machine
 * load for both), starting `settleMs` after their terminals left; each server's quietest counts.
 */
export async function supervisorIdle(home, { tasks = 20, windowMs = 10000, settleMs = 15000 } = {}) {
  const { server, seen } = await scriptedServer({
    w1: (turn) => (/Task t\d+:/.test(turn.text) ? [say('Looking into it; more later.')] : [say('Waiting for a task.')]),
  });
  const runs = [];
  try {
    for (const withTasks of [true, false]) {
      const { t, project } = startBoardWorkspace(home, server, ['w1']);
      const run = { withTasks, t, project, attached: true };
      runs.push(run);
      await L.firstFrame(t);
      run.server = L.workspaceProcs(t).server;
      if (!run.server) throw new Error('no workspace server below the terminal');
      await t.waitFor(idleTitle('w1'), { timeout: 30000, message: 'w1 idle' });
      if (withTasks) {
        const b = await requester(home, project);
        const first = await b.add('the task in hand', { to: 'w1' });
        for (let i = 1; i < tasks; i++) await b.add(`waiting task ${i}`, { to: 'w1', after: [first] });
        await L.until(async () => seen.some((x) => x.text.includes(`Task ${first}:`) && x.answeredAt) && (await b.tasks()).find((x) => x.id === first)?.state === 'doing', { timeout: 20000, every: 50, message: `${first} doing` });
        run.states = (await b.tasks()).reduce((n, x) => ({ ...n, [x.state]: (n[x.state] ?? 0) + 1 }), {});
      }
      await t.waitFor(idleTitle('w1'), { timeout: 20000, message: 'w1 idle again' });
      await M.quiet(t, 500);
      await detach(t);
      run.attached = false;
    }
    await L.sleep(settleMs);
    // 15 s after the detach, three windows back to back; for each server the quietest counts. After a
    // server's last activity V8's memory reducer runs a few GCs some seconds apart (~120 ms in all
    // after a start), and the server whose agent just worked on its task settles last: measured 1 s
    // after the detach, its quiet windows read 0.041-0.050% against 0.026-0.029% without tasks, with
    // two or three windows alike; 15 s on, 0.024-0.026% against 0.025-0.026%. A cost of the
    // supervisor's own recurs in every window, however late.
    const samples = [runs.map((r) => L.cpuOf(r.server))];
    for (let w = 0; w < 3; w++) {
      await L.sleep(windowMs);
      samples.push(runs.map((r) => L.cpuOf(r.server)));
    }
    if (samples.flat().some((c) => !c)) throw new Error('a workspace server ended while detached');
    const windows = runs.map((_, i) => samples.slice(1).map((c, w) => L.cpuPercent(samples[w][i], c[i])));
    const cpu = windows.map((ws) => ws.reduce((a, b) => (b.sched < a.sched ? b : a)));
    const requestsDuring = seen.filter((x) => x.at >= samples[0][0].at).length;
    return { withTasks: cpu[0], without: cpu[1], windows: windows.map((ws) => ws.map((w) => +w.sched.toFixed(4))), states: runs[0].states, requestsDuring };
  } finally {
    for (const r of runs) {
      if (r.attached) await L.stopAgents(r.t, { server: r.server });
      else await stopDetached({ home, project: r.project, server: r.server });
    }
    await server.close();
  }
}

// ------------------------------------------------------------------- at normal scheduling priority

const MEASURES = { delivery, board200, supervisorIdle };

/**
 * Runs one of the measures above at normal priority. The built-in agent's process spun under
 * SCHED_FIFO here (seen at start-up, pinned at the 95% real-time throttle, starving the bench that
 * plays the model: node's cppgc sweeper livelocks when its background thread gets no core, see
 * quick.js), so under the bench's real-time priority the workspaces with built-in agents run in a
 * child process reset to SCHED_OTHER (`chrt -o 0`), which prints the figures as JSON.
 */
export async function atNormalPriority(name, home, opts = {}) {
  if (!realtimePriority()) return MEASURES[name](home, opts);
  const child = spawn('chrt', ['-o', '0', process.execPath, fileURLToPath(import.meta.url), name, home, JSON.stringify(opts)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const code = await new Promise((r) => child.on('exit', (c) => r(c)));
  const last = out.trim().split('\n').at(-1) ?? '';
  const parsed = last ? JSON.parse(last) : {};
  if (code !== 0 || parsed.error) throw new Error(parsed.error ?? `${name} at normal priority exited with ${code}`);
  return parsed.result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [name, home, opts] = process.argv.slice(2);
  try {
    const result = await MEASURES[name](home, JSON.parse(opts ?? '{}'));
    process.stdout.write(`${JSON.stringify({ result })}\n`);
    process.exit(0);
  } catch (err) {
    L.killEverything();
    process.stdout.write(`${JSON.stringify({ error: err instanceof Error ? err.message.split('\n')[0] : String(err) })}\n`);
    process.exit(1);
  }
}
