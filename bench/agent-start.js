// `node bench/agent-start.js FILE...`: a built-in agent's start, alone in a pty (100x30), until its
// screen says it is ready; FILE is what a pane runs (dist/agent/start.cjs; another checkout's, or an
// older dist/agent/main.js, to compare). One start per FILE first makes its code cache (it lingers
// past the first frame: the cache is saved ~1 s after it), then 9 rounds interleaved; prints the
// median and range per FILE. The API is never reached (a closed port): only the start is timed.
// Run it under `chrt -r 10` on a shared machine.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pty from 'node-pty';

const files = process.argv.slice(2);
if (files.length === 0) files.push(new URL('../dist/agent/start.cjs', import.meta.url).pathname);
const home = mkdtempSync(join(tmpdir(), 'agents-agent-start-'));

function once(file, lingerMs = 0) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const env = { PATH: process.env.PATH, TERM: 'xterm-256color', AGENTS_HOME: home, ANTHROPIC_API_KEY: 'bench', ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' };
    const p = pty.spawn(process.execPath, [file], { name: 'xterm-256color', cols: 100, rows: 30, cwd: home, env });
    let seen = '';
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      resolve(NaN);
    }, 15_000);
    p.onData((d) => {
      seen += d;
      if (!/ready/.test(seen)) return;
      seen = '';
      clearTimeout(timer);
      const ms = performance.now() - t0;
      setTimeout(() => {
        p.kill('SIGTERM');
        resolve(ms);
      }, lingerMs);
    });
  });
}

for (const f of files) await once(f, 2500);
const results = new Map(files.map((f) => [f, []]));
for (let i = 0; i < 9; i++) for (const f of files) results.get(f).push(await once(f));
for (const [f, xs] of results) {
  xs.sort((a, b) => a - b);
  process.stdout.write(`${f}: to ready, median ${xs[4].toFixed(0)} ms (${xs[0].toFixed(0)}-${xs[8].toFixed(0)})\n`);
}
rmSync(home, { recursive: true, force: true });
