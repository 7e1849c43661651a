// Worktree figures: how long an agent's worktree takes to make (git worktree add, the .env* copy,
// the record), how long a merge and a refused merge take, what an overlap check across branches
// costs, and what the extra watcher each worktree gets costs (ready time, memory, inotify watches,
// CPU while idle).
//
// `node bench/worktrees.js` (after `npm run build`: it imports dist/) prints a table. Three
// projects, all real git repositories in a temp folder: a small one (20 files), this project's own
// tracked files (a clone of the checkout this runs in) and a generated one of 20,000 files, each
// with three ignored .env files. Each watcher figure comes from a child process of its own, so its
// memory and watches are the watchers' alone. Everything made is removed at the end, on errors too.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { inotifyWatches } from './inotify.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const dist = (p) => import(pathToFileURL(join(ROOT, 'dist', p)).href);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const git = (cwd, ...args) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 2 ** 20 });
const ms = (t0) => performance.now() - t0;

// ---- child: watchers on the given worktrees, one after another -------------------------------
async function child(roots) {
  const { createWatcher } = await dist('context/watcher.js');
  const out = [];
  const watchers = [];
  await sleep(200);
  for (const root of roots) {
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    const watches0 = inotifyWatches();
    const t0 = performance.now();
    const w = createWatcher(root, { ignore: [] });
    await w.ready;
    const readyMs = ms(t0);
    await sleep(300);
    global.gc?.();
    const cpu0 = process.cpuUsage();
    await sleep(2000);
    const cpu = process.cpuUsage(cpu0);
    out.push({ backend: w.backend, readyMs, rssMb: (process.memoryUsage().rss - rss0) / 2 ** 20, watches: inotifyWatches() - watches0, idleCpuMsPerS: (cpu.user + cpu.system) / 1000 / 2 });
    watchers.push(w);
  }
  await Promise.all(watchers.map((w) => w.close()));
  process.stdout.write(`${JSON.stringify({ result: out })}\n`);
}

function runChild(roots) {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ['--expose-gc', SELF, '--child', JSON.stringify(roots)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    const timer = setTimeout(() => c.kill('SIGKILL'), 120_000);
    c.stdout.on('data', (d) => (text += d));
    c.on('exit', (code, signal) => {
      clearTimeout(timer);
      const line = text.split('\n').find((l) => l.startsWith('{"result"'));
      if (!line) return reject(new Error(`watcher child ended (${signal ?? code}) without figures`));
      resolve(JSON.parse(line).result);
    });
  });
}

// ---- parent -----------------------------------------------------------------------------------
function setUp(dir) {
  git(dir, 'config', 'user.name', 'Bench');
  git(dir, 'config', 'user.email', 'bench@example.com');
  git(dir, 'config', 'commit.gpgsign', 'false');
  writeFileSync(join(dir, '.git', 'info', 'exclude'), '.env*\n');
  for (const name of ['.env', '.env.local', '.env.test']) writeFileSync(join(dir, name), `SECRET=${name}\n`, { mode: 0o600 });
}

function generated(dir, files, perDir) {
  mkdirSync(dir);
  git(dir, 'init', '--quiet', '--initial-branch=main');
  for (let i = 0; i < files; i++) {
    const sub = join(dir, 'src', `d${Math.floor(i / perDir)}`);
    if (i % perDir === 0) mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `f${i}.js`), `export const x${i} = ${i};\n`);
  }
  setUp(dir);
  git(dir, 'add', '-A');
  git(dir, 'commit', '--quiet', '-m', 'first');
  return dir;
}

function cloned(dir) {
  git(ROOT, 'clone', '--quiet', '--no-hardlinks', ROOT, dir);
  git(dir, 'checkout', '--quiet', '-B', 'main');
  setUp(dir);
  return dir;
}

async function measure(name, dir, home) {
  const { WorktreeManager } = await dist('worktree/manager.js');
  const { merge } = await dist('worktree/merge.js');
  const { conflictsAcross } = await dist('worktree/conflicts.js');
  const m = await WorktreeManager.open(dir, { home });
  const files = git(dir, 'ls-files').split('\n').filter(Boolean).length;
  const create = [];
  const wts = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const made = await m.create({ name: `w${i}`, agent: `w${i}` });
    create.push(ms(t0));
    if (made.copied.copied.length !== 3) throw new Error(`copied ${made.copied.copied.join(', ')}`);
    wts.push(made.worktree);
  }
  // Three panes opening at once: the manager makes them one after another.
  const t1 = performance.now();
  await Promise.all(['t0', 't1', 't2'].map((n) => m.create({ name: n })));
  const togetherMs = ms(t1);
  // Each worktree changes a file of its own, and w0..w1 also the same one (the overlap check finds it).
  const target = git(dir, 'ls-files').split('\n').filter(Boolean).find((p) => p.endsWith('.js') || p.endsWith('.md'));
  for (const [i, wt] of wts.entries()) writeFileSync(join(wt.path, `own-${i}.txt`), `${i}\n`);
  for (const wt of wts.slice(0, 2)) writeFileSync(join(wt.path, target), `changed by ${wt.name}\n`);
  const overlap = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const shared = await conflictsAcross(wts);
    overlap.push(ms(t0));
    if (shared.length !== 1) throw new Error(`overlap found ${shared.length}`);
  }
  // Merges: w2..w4 merge cleanly (their uncommitted work committed first); w1 then conflicts with w0.
  const merges = [];
  for (const wt of [wts[0], ...wts.slice(2)]) {
    const t0 = performance.now();
    await merge(wt, { mode: 'merge', message: `work of ${wt.name}`, commitMessage: `work of ${wt.name}` });
    merges.push(ms(t0));
  }
  const t2 = performance.now();
  const refused = await merge(wts[1], { mode: 'merge', message: 'conflicting', commitMessage: 'conflicting' }).then(
    () => undefined,
    (err) => err,
  );
  const refusedMs = ms(t2);
  if (refused?.kind !== 'conflict') throw new Error(`expected a refused merge, got ${refused?.kind ?? 'a merge'}`);
  const watch = await runChild([wts[0].path, wts[1].path, wts[2].path]);
  const t3 = performance.now();
  const pruned = await m.prune();
  const pruneMs = ms(t3);
  return { name, files, createMs: median(create), createMax: Math.max(...create), togetherMs, overlapMs: median(overlap), mergeMs: median(merges), refusedMs, watch, pruneMs, pruned: pruned.removed.length };
}

async function main() {
  const tmp = mkdtempSync(join(os.tmpdir(), 'agents-wt-bench-'));
  try {
    const results = [];
    const projects = [
      ['small (20 files)', () => generated(join(tmp, 'small'), 20, 10)],
      ['this project', () => cloned(join(tmp, 'self'))],
      ['generated (20,000 files)', () => generated(join(tmp, 'large'), 20_000, 50)],
    ];
    for (const [name, make] of projects) {
      process.stderr.write(`${name}…\n`);
      const dir = make();
      results.push(await measure(name, dir, join(tmp, `home-${results.length}`)));
    }
    const f = (x) => `${Math.round(x)} ms`;
    const rows = [['project', 'tracked files', 'create (median / max of 5)', '3 at once', 'overlap check, 5 trees', 'merge (commit + merge)', 'refused merge', 'prune']];
    for (const r of results) rows.push([r.name, String(r.files), `${f(r.createMs)} / ${f(r.createMax)}`, f(r.togetherMs), f(r.overlapMs), f(r.mergeMs), f(r.refusedMs), `${f(r.pruneMs)} (${r.pruned} removed)`]);
    rows.push([]);
    rows.push(['project', 'watcher', 'ready (1st, 2nd, 3rd)', 'RSS added (MB)', 'inotify watches', 'idle CPU (ms/s)']);
    for (const r of results) {
      const w = r.watch;
      rows.push([r.name, w[0].backend, w.map((x) => f(x.readyMs)).join(', '), w.map((x) => x.rssMb.toFixed(1)).join(', '), w.map((x) => x.watches).join(', '), w.map((x) => x.idleCpuMsPerS.toFixed(2)).join(', ')]);
    }
    process.stdout.write(`${rows.map((r) => r.join(' | ')).join('\n')}\n`);
    process.stdout.write(`\n${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}, git ${git(tmp, 'version').trim()}\n`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child(JSON.parse(process.argv[3]));
else await main();
