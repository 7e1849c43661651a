// `node bench/socket-hop.js [blocks]`: what a socket hop between a workspace server and its client
// costs, against a program that writes its frames to the terminal itself. Both run in a real pty
// (244x85) read by this script (raw bytes, no parsing):
//   direct - one process in the pty answers keys on its own stdout;
//   socket - bench/attach-client.js in the pty, relaying to a server process over a unix socket.
// Figures: start to the first frame (spawn until the 'READY' frame arrives); keystroke -> echo
// frame round trip (50 keys per block); a burst of 300 full 244x85 frames (~6 MB) until the last
// arrives, and the client's CPU for it. Blocks alternate direct/socket so load hits both alike.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const CLIENT = fileURLToPath(new URL('./attach-client.js', import.meta.url));
const BURST = 300;

/** A full 244x85 frame with styled text on every row, like a busy workspace's. */
function fullFrame() {
  let s = '\x1b[?2026h\x1b[H';
  for (let y = 0; y < 85; y++) {
    s += `\x1b[${y + 1};1H`;
    for (let x = 0; x < 244; x += 12) s += `\x1b[3${(x + y) % 8}m${String(y * 1000 + x).padEnd(12)}`;
  }
  return s + '\x1b[0m\x1b[?2026l';
}

function answer(d, out, close) {
  for (const c of String(d)) {
    if (c === 'F') {
      const f = fullFrame();
      for (let i = 0; i < BURST; i++) out.write(f);
      out.write('\x1b[?2026hDONE\x1b[?2026l');
    } else if (c === '\x11') return close();
    else out.write(`\x1b[?2026h${c}\x1b[?2026l`);
  }
}

if (process.argv[2] === 'direct') {
  process.stdin.setRawMode(true);
  process.stdin.on('data', (d) => answer(d, process.stdout, () => process.exit(0)));
  process.stdout.write('READY\r\n');
} else if (process.argv[2] === 'server') {
  const path = process.argv[3];
  net
    .createServer((c) => {
      let hello = '';
      c.on('error', () => {});
      c.on('data', (d) => {
        if (hello !== undefined) {
          hello += d;
          const i = hello.indexOf('\n');
          if (i < 0) return;
          d = hello.slice(i + 1);
          hello = undefined;
          c.write('READY\r\n');
          if (!d.length) return;
        }
        answer(d, c, () => c.end());
      });
    })
    .listen(path, () => process.stdout.write('listening\n'));
} else {
  // Loaded here only: the direct and server roles must start as light as the client does.
  const pty = (await import('node-pty')).default;
  const { cpuOf, quantile, sleep } = await import('./lib.js');
  const blocks = Number(process.argv[2] ?? 6);
  const sock = join(os.tmpdir(), `agents-hop-${process.pid}.sock`);
  const server = spawn(process.execPath, [SELF, 'server', sock], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((r) => server.stdout.once('data', r));
  const keepAlive = setInterval(() => {}, 1000);
  const start = (kind) => {
    const args = kind === 'direct' ? [SELF, 'direct'] : [CLIENT, sock];
    const p = pty.spawn(process.execPath, args, { name: 'xterm-256color', cols: 244, rows: 85, env: process.env });
    const s = { p, got: '', bytes: 0, waiters: [], at: performance.now() };
    p.onData((d) => {
      s.bytes += d.length;
      s.got = (s.got + d).slice(-4000);
      for (const w of s.waiters.slice()) w();
    });
    s.until = (pred) =>
      new Promise((res) => {
        const chk = () => {
          if (!pred()) return;
          s.waiters = s.waiters.filter((x) => x !== chk);
          res(performance.now());
        };
        s.waiters.push(chk);
        chk();
      });
    return s;
  };
  const R = { direct: { start: [], echo: [], burst: [], cpu: [] }, socket: { start: [], echo: [], burst: [], cpu: [] } };
  try {
    for (let b = 0; b < blocks; b++) {
      for (const kind of ['direct', 'socket']) {
        const s = start(kind);
        R[kind].start.push((await s.until(() => s.got.includes('READY'))) - s.at);
        for (let i = 0; i < 50; i++) {
          const c = 'abcdefghijklmnopqrstuvwxyz'[i % 26];
          s.got = '';
          const t0 = performance.now();
          s.p.write(c);
          R[kind].echo.push((await s.until(() => s.got.includes(`\x1b[?2026h${c}\x1b[?2026l`))) - t0);
          await sleep(3 + Math.random() * 10);
        }
        s.got = '';
        const c0 = cpuOf(s.p.pid);
        const t0 = performance.now();
        s.p.write('F');
        R[kind].burst.push((await s.until(() => s.got.includes('DONE'))) - t0);
        R[kind].cpu.push((cpuOf(s.p.pid).ns - c0.ns) / 1e6);
        R[kind].mb = (fullFrame().length * BURST) / 1048576;
        s.p.write('\x11');
        await sleep(100);
        try {
          s.p.kill('SIGKILL');
        } catch {
          // gone
        }
      }
    }
  } finally {
    clearInterval(keepAlive);
    server.kill();
    rmSync(sock, { force: true });
  }
  const f = (xs, q, d = 2) => quantile(xs, q).toFixed(d);
  for (const [k, v] of Object.entries(R)) {
    console.log(
      `${k.padEnd(6)} start to first frame p50 ${f(v.start, 0.5, 0)} ms | echo p50 ${f(v.echo, 0.5)} p90 ${f(v.echo, 0.9)} p99 ${f(v.echo, 0.99)} ms (${v.echo.length}) | ` +
        `${BURST} full frames (${v.mb.toFixed(1)} MB) in ${f(v.burst, 0.5, 0)} ms, CPU of the process in the pty ${f(v.cpu, 0.5, 0)} ms`,
    );
  }
  process.exit(0);
}
