// Keys reach a pane's program with a direct write on the pty master when nothing is queued (no hop
// through libuv's thread pool), and everything a program does not take at once goes on through
// node-pty's own queue, in order: a large paste into a program that is not reading yet arrives
// whole and in sequence.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodePty from 'node-pty';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { killSessionNow } from '../../src/terminal/process-tree.js';
import { childEnv, writeAtOnce } from '../../src/terminal/pty.js';

const wait = { timeout: 15_000, interval: 20 };
const pids: number[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const pid of pids.splice(0)) killSessionNow(pid);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function spawn(script: string) {
  const p = nodePty.spawn('/bin/sh', ['-c', script], { name: 'xterm-256color', cols: 80, rows: 24, cwd: '/', env: childEnv({}) });
  pids.push(p.pid);
  let out = '';
  p.onData((d) => (out += d));
  return { p, output: () => out };
}

describe('writeAtOnce', () => {
  it('writes a key straight to the pty when nothing waits (node-pty internals where expected)', async () => {
    const { p, output } = spawn('stty -echo; read line; echo "got:$line"; sleep 5');
    await vi.waitFor(() => expect(output()).toBe(''), wait);
    const queued: Array<string | Buffer> = [];
    expect(writeAtOnce(p, 'hello\r', (rest) => queued.push(rest))).toBe(true);
    expect(queued).toEqual([]);
    await vi.waitFor(() => expect(output()).toContain('got:hello'), wait);
  });

  it('a paste larger than the pty takes goes on through the queue, whole and in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agents-ptyw-'));
    dirs.push(dir);
    const file = join(dir, 'out');
    // Raw (no line limit, no echo), and not reading for a while: the pty's buffer fills.
    const { p, output } = spawn(`stty raw -echo; echo raw-now; sleep 0.5; head -c 300000 > ${file}; sleep 5`);
    // (Before stty, a line over 4095 characters would be cut by the tty's line editing.)
    await vi.waitFor(() => expect(output()).toContain('raw-now'), wait);
    const chunks = Array.from({ length: 30 }, (_, i) => String.fromCharCode(97 + (i % 26)).repeat(10_000));
    const direct: boolean[] = [];
    for (const c of chunks) direct.push(writeAtOnce(p, c, (rest) => p.write(rest)));
    // Straight to the pty while it took everything; once it could not, the rest was queued behind.
    const firstQueued = direct.indexOf(false);
    expect(direct[0]).toBe(true);
    expect(firstQueued).toBeGreaterThan(0);
    expect(direct.slice(firstQueued).every((d) => !d)).toBe(true);
    await vi.waitFor(() => expect(statSync(file).size).toBe(300_000), wait);
    expect(readFileSync(file, 'utf8')).toBe(chunks.join(''));
  });
});
