// The server draws straight to an attached client's terminal (src/server/direct.ts). A frame is
// written at once when nothing waits; what a terminal that stops reading does not take goes on
// through the stream. Nothing may be lost or reordered either way, whatever the renderer does with
// its buffer after the call.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodePty from 'node-pty';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DirectTerminal } from '../../src/server/direct.js';
import { killSessionNow } from '../../src/terminal/process-tree.js';

const wait = { timeout: 15_000, interval: 20 };
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

/** A process in a real terminal connected to a socket of ours: the server's side of an attach. */
async function attached(): Promise<{ direct: DirectTerminal; pty: nodePty.IPty; output: () => string }> {
  const dir = mkdtempSync(join(tmpdir(), 'agents-direct-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 's');
  const accepted = new Promise<Socket>((resolve) => {
    const server: Server = createServer(resolve).listen(path);
    cleanups.push(() => server.close());
  });
  // Raw, so the terminal passes every byte as written (no newline translation).
  const script = `require('node:child_process').execSync('stty raw -echo', { stdio: 'inherit' }); require('node:net').connect(${JSON.stringify(path)}); setInterval(() => {}, 1000);`;
  const pty = nodePty.spawn(process.execPath, ['-e', script], { cols: 80, rows: 24, cwd: dir, env: process.env as Record<string, string> });
  cleanups.push(() => killSessionNow(pty.pid));
  let out = '';
  pty.onData((d) => (out += d));
  const socket = await accepted;
  cleanups.push(() => socket.destroy());
  const direct = DirectTerminal.open(socket, () => {});
  if (!direct) throw new Error('no terminal to draw to (not Linux, or the native part is not built)');
  cleanups.push(() => direct.close());
  return { direct, pty, output: () => out };
}

describe('DirectTerminal', () => {
  it("writes frames in order while the terminal keeps up and after it stopped reading, the renderer's buffer reused", async () => {
    const { direct, pty, output } = await attached();
    // The renderer's way: one buffer, refilled for every frame after the call returns.
    const buffer = new Uint8Array(16 * 1024);
    const frame = (i: number): string => `<${i}:${String(i).padStart(5, '0').repeat(1500)}>`;
    const send = (i: number): void => {
      const n = buffer.length;
      const text = Buffer.from(frame(i));
      buffer.set(text.subarray(0, n));
      direct.write(buffer.subarray(0, text.length));
      buffer.fill(0x21);
    };
    send(0);
    await vi.waitFor(() => expect(output()).toContain('<0:'), wait);
    // The terminal stops reading: its buffers fill, and the rest must queue in the stream.
    pty.pause();
    for (let i = 1; i <= 40; i++) send(i);
    expect(direct.backlog).toBeGreaterThan(0);
    pty.resume();
    const expected = Array.from({ length: 41 }, (_, i) => frame(i)).join('');
    await vi.waitFor(() => expect(output().length).toBeGreaterThanOrEqual(expected.length), wait);
    expect(output()).toBe(expected);
  });
});
