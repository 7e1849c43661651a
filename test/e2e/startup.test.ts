// A terminal run as `node bin/agents` starts its workspace server before it has checked anything
// (src/client/prelaunch.ts; test/e2e/launcher.test.ts has the same through bin/agents' shell
// launcher): what a person sees must be what it always was, and a server the client does not use
// must be gone.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { until } from '../helpers/term.js';
import { alive, withEnv } from '../helpers/procs.js';
import { start, tempDir, tempHome } from './setup.js';

/** The pid of the server the client started ahead of its checks, from its start-up marks. */
function startedAhead(file: string): number | undefined {
  const m = /server started ahead: (\d+)/.exec(readFileSync(file, 'utf8'));
  return m ? Number(m[1]) : undefined;
}

/** The code cache marks (src/cli/code-cache.ts) in a start-up trace, each with its process. */
function cacheMarks(file: string): Array<{ pid: number; what: string }> {
  return [...readFileSync(file, 'utf8').matchAll(/^\S+ (\d+) code cache: (\w+)/gm)].map((m) => ({ pid: Number(m[1]), what: m[2] }));
}

describe('start-up from a code cache', () => {
  for (const how of ['through the server', 'in-process (AGENTS_SERVER=0)']) {
    it(`${how}: the first start makes the cache (user-only), the next starts from it and works`, async () => {
      const dirs = { project: tempDir(), home: tempHome() };
      const trace = join(dirs.home, 'trace');
      const inProcess = how.startsWith('in-process');
      const env = { AGENTS_START_TRACE: trace, ...(inProcess ? { AGENTS_SERVER: '0' } : {}) };
      // Through the server, the terminal's client and its server each make a cache of their own:
      // they run different parts of the same program (cli_main_cjs_client, cli_main_cjs).
      const caches = inProcess ? [/^cli_main_cjs-/] : [/^cli_main_cjs-/, /^cli_main_cjs_client-/];
      const first = start(['--cmd', 'echo first-$((6*7)); sleep 600'], { env, dirs });
      await first.t.waitFor('first-42');
      await until(() => cacheMarks(trace).filter((m) => m.what === 'saved').length === caches.length, { message: 'the caches saved' });
      expect(cacheMarks(trace).map((m) => m.what).sort()).toEqual([...caches.map(() => 'none'), ...caches.map(() => 'saved')]);
      const cacheDir = join(dirs.home, 'cache');
      const files = readdirSync(cacheDir).sort();
      expect(files).toHaveLength(caches.length);
      caches.forEach((name, i) => expect(files[i]).toMatch(name));
      expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
      for (const f of files) expect(statSync(join(cacheDir, f)).mode & 0o777).toBe(0o600);
      first.t.keys('C-a', 'q');
      await first.t.exited;

      const second = start(['shell'], { env, dirs });
      await second.t.waitFor('$ ');
      await until(() => cacheMarks(trace).length === caches.length * 3, { message: 'the second start marked' });
      const made = cacheMarks(trace).slice(0, caches.length * 2);
      const used = cacheMarks(trace).slice(caches.length * 2);
      expect(used.map((m) => m.what)).toEqual(caches.map(() => 'used'));
      for (const u of used) expect(made.map((m) => m.pid)).not.toContain(u.pid);
      // Keys reach the pane's program through a workspace started from the cache.
      second.t.write('echo typed-$((6*6))\r');
      await second.t.waitFor('typed-36');
      second.t.keys('C-a', 'q');
      await second.t.exited;
      await until(() => withEnv('AGENTS_HOME', dirs.home).length === 0, { message: 'no process of this run left' });
    });
  }
});

describe('start-up with the server started ahead', () => {
  it('a bad theme: the usual one-line message and exit 2, and the server started ahead is gone', async () => {
    const dirs = { project: tempDir(), home: tempHome() };
    const trace = join(dirs.home, 'trace');
    const run = start(['--theme', 'nosuch'], { env: { AGENTS_START_TRACE: trace }, dirs, launcher: false });
    const e = await run.t.exited;
    expect(e.exitCode).toBe(2);
    expect(run.t.text()).toMatch(/agents: .*nosuch/);
    const server = startedAhead(trace);
    expect(server).toBeDefined();
    await until(() => alive([server!]).length === 0 && withEnv('AGENTS_HOME', run.home).length === 0, { message: 'no process of this run left' });
  });

  it('--continue with nothing stored: the server says so after it listened, exit 2, the terminal restored', async () => {
    const run = start(['--continue'], { launcher: false });
    const e = await run.t.exited;
    expect(e.exitCode).toBe(2);
    expect(run.t.text()).toContain("agents: no stored session for this project yet. Run 'agents' to start one.");
    expect(run.t.text()).not.toContain('starting the workspace');
    await until(() => withEnv('AGENTS_HOME', run.home).length === 0, { message: 'no process of this run left' });
  });
});

describe("the server's way to its first frame", () => {
  it('loads none of the built-ins it does not use there (child_process, zlib, v8, assert), and starts no crawl for the file watcher', async () => {
    const dirs = { project: tempDir(), home: tempHome() };
    const trace = join(dirs.home, 'trace');
    // Each built-in's first load in each process, on the start trace's clock (src/util/start-trace.ts).
    const preload = join(dirs.home, 'builtins.cjs');
    const loads = join(dirs.home, 'builtins');
    writeFileSync(
      preload,
      `const Module = require('node:module'); const fs = require('node:fs'); const load = Module._load; const seen = new Set();
       Module._load = function (request) {
         const name = String(request).replace(/^node:/, '');
         if (Module.isBuiltin(name) && !seen.has(name)) { seen.add(name); fs.appendFileSync(${JSON.stringify(loads)}, (Number(process.hrtime.bigint()) / 1e6).toFixed(2) + ' ' + process.pid + ' ' + name + '\\n'); }
         return load.apply(this, arguments);
       };`,
    );
    const run = start(['--cmd', 'echo up-$((6*7)); sleep 600'], { env: { AGENTS_START_TRACE: trace, NODE_OPTIONS: `--require ${preload}` }, dirs });
    await run.t.waitFor('up-42');
    const marks = readFileSync(trace, 'utf8');
    const shown = /^(\S+) (\d+) first output/m.exec(marks.split('\n').filter((l) => !l.includes(` ${run.t.pid} `)).join('\n'));
    expect(shown, 'the server marked its first output').not.toBeNull();
    const [at, server] = [Number(shown![1]), shown![2]];
    const before = readFileSync(loads, 'utf8')
      .split('\n')
      .map((l) => l.split(' '))
      .filter(([t, pid]) => pid === server && Number(t) < at)
      .map(([, , name]) => name);
    // The preload itself is seen loading what it needs; the program loads the rest.
    expect(before).toContain('net');
    for (const name of ['child_process', 'zlib', 'v8', 'assert']) expect(before, `${name} before the first output`).not.toContain(name);
    // Nor does it crawl the project for the file watcher: that starts once the frame is out.
    const watchingMark = new RegExp(`^(\\S+) ${server} watching`, 'm');
    await until(() => watchingMark.test(readFileSync(trace, 'utf8')), { message: 'the watcher started' });
    const watching = watchingMark.exec(readFileSync(trace, 'utf8'));
    expect(Number(watching![1])).toBeGreaterThanOrEqual(at);
    run.t.keys('C-a', 'q');
    await run.t.exited;
  });
});
