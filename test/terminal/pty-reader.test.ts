// The addon's pty reader (native/src/reader.c) as spawnNodePty uses it: text decoded as UTF-8
// whatever the read boundaries, pause and resume, and handles that are not its own refused.
import { createRequire } from 'node:module';
import nodePty from 'node-pty';
import { afterEach, describe, expect, it } from 'vitest';
import { killSessionNow } from '../../src/terminal/process-tree.js';
import { childEnv, nativeReaders, spawnNodePty, type PtyLike } from '../../src/terminal/pty.js';
import { NATIVE_BUILD } from '../../src/util/native-addon.js';

const wait = { timeout: 10_000, interval: 20 };
const started: PtyLike[] = [];
afterEach(() => {
  for (const p of started.splice(0)) killSessionNow(p.pid);
});

function run(script: string): { pty: PtyLike; chunks: string[]; output: () => string; exited: Promise<number> } {
  const before = nativeReaders;
  const pty = spawnNodePty({ command: '/bin/bash', args: ['--norc', '--noprofile', '-c', script], cwd: '/', env: childEnv({}), cols: 80, rows: 24 });
  started.push(pty);
  expect(nativeReaders).toBe(before + 1);
  const chunks: string[] = [];
  pty.onData((d) => chunks.push(d));
  const exited = new Promise<number>((resolve) => pty.onExit((e) => resolve(e.exitCode)));
  return { pty, chunks, output: () => chunks.join(''), exited };
}

describe('the native pty reader', () => {
  it('delivers every character whole when its bytes arrive in separate reads', async () => {
    // A 2-, 3- and 4-byte character, each written one byte at a time with a pause between.
    const bytes = [...Buffer.from('é€😀', 'utf8')].map((b) => `printf '\\${b.toString(8)}'; sleep 0.02`).join('; ');
    const { output, exited, chunks } = run(`${bytes}; printf ' end\\n'`);
    await exited;
    expect(output()).toContain('é€😀 end');
    // No chunk ends inside a character: each is valid text on its own.
    for (const c of chunks) expect(c).not.toContain('\ufffd');
  });

  it('reads bytes that are not UTF-8 as U+FFFD and goes on', async () => {
    const { output, exited } = run("printf 'a\\377b\\300c\\n'");
    await exited;
    expect(output()).toContain('a\ufffdb\ufffdc');
  });

  it('reads nothing while paused and everything once resumed, in order', async () => {
    const { pty, output } = run('read -r go; seq 1 3000; read -r done');
    await expect.poll(() => output().length, wait).toBe(0);
    pty.pause();
    pty.write('go\r');
    // The echo and seq's output wait in the pty (it holds ~4 KB, so seq blocks on a full pty).
    await new Promise((r) => setTimeout(r, 300));
    expect(output()).toBe('');
    pty.resume();
    await expect.poll(() => output().includes('\r\n3000\r\n'), wait).toBe(true);
    const lines = output().split('\r\n').filter((l) => /^\d+$/.test(l));
    expect(lines).toEqual(Array.from({ length: 3000 }, (_, i) => String(i + 1)));
  });
});

describe('the reader’s handles', () => {
  const addon = createRequire(import.meta.url)(`${NATIVE_BUILD}agents_native.node`) as Record<string, (...a: unknown[]) => unknown>;

  it('refuses what is not a pty reader, an inotify handle included', () => {
    const inotify = addon.inotifyOpen(() => {});
    try {
      for (const f of ['readerPause', 'readerResume', 'readerDrain', 'readerClose']) {
        expect(() => addon[f]({})).toThrow(/not a pty reader/);
        expect(() => addon[f](inotify)).toThrow(/not a pty reader/);
      }
    } finally {
      addon.inotifyClose(inotify);
    }
  });

  it('is refused where an inotify handle is expected', () => {
    // A reader of our own on a pty master, opened and closed within this tick: node-pty's own
    // stream would start reading the same descriptor on the next one.
    const p = nodePty.spawn('/bin/sleep', ['5'], { cwd: '/', env: childEnv({}), cols: 80, rows: 24 });
    try {
      const handle = addon.readerOpen((p as unknown as { _fd: number })._fd, () => {});
      try {
        expect(() => addon.inotifyAdd(handle, '/tmp', 0x100)).toThrow(/not an inotify handle/);
      } finally {
        addon.readerClose(handle);
      }
    } finally {
      killSessionNow(p.pid);
    }
  });

  it('refuses a descriptor that is not one', () => {
    expect(() => addon.readerOpen(-1, () => {})).toThrow(/readerOpen\(fd, onData\)/);
    expect(() => addon.readerOpen(0, 'not a function')).toThrow(/readerOpen\(fd, onData\)/);
  });
});
