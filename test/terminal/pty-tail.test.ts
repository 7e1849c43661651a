// Nothing a program printed is lost when it exits: node-pty destroys its reader 200 ms after the
// child's exit, and a reader that is behind by then (a loaded machine, or a pane's backpressure
// pausing it) used to lose what was still in the pty. Here the reader is paused on purpose until
// well after the exit: every line must still arrive, in order, before the exit is reported.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { killSessionNow } from '../../src/terminal/process-tree.js';
import { nativeSpawns, spawnNativePty } from '../../src/terminal/native-pty.js';
import { childEnv, nativeReaders, spawnNodePty, type PtyLike, type SpawnPty } from '../../src/terminal/pty.js';

const started: PtyLike[] = [];
afterEach(() => {
  for (const p of started.splice(0)) killSessionNow(p.pid);
  delete process.env.AGENTS_NATIVE_READ;
});

function run(script: string, spawn: SpawnPty): { pty: PtyLike; output: () => string; exited: Promise<number> } {
  const pty = spawn({ command: '/bin/sh', args: ['-c', script], cwd: '/', env: childEnv({}), cols: 80, rows: 24 });
  started.push(pty);
  let out = '';
  pty.onData((d) => (out += d));
  const exited = new Promise<number>((resolve) => pty.onExit((e) => resolve(e.exitCode)));
  return { pty, output: () => out, exited };
}

// Our own pty (native/src/spawn.c and reader.c), and node-pty's read by both readers: our addon's
// and node-pty's stream (without the native build).
describe.each([
  ['our own pty', 'own'],
  ['node-pty, with the native reader', 'reader'],
  ['node-pty’s stream', 'stream'],
] as const)('a pty whose reader is behind when its program exits: %s', (_name, way) => {
  let readersBefore = 0;
  let spawnsBefore = 0;
  const spawn: SpawnPty = way === 'own' ? spawnNativePty : spawnNodePty;
  beforeEach(() => {
    if (way === 'stream') process.env.AGENTS_NATIVE_READ = '0';
    readersBefore = nativeReaders;
    spawnsBefore = nativeSpawns;
  });
  afterEach(() => {
    // The way named is the one that read.
    expect(nativeReaders > readersBefore).toBe(way === 'reader');
    expect(nativeSpawns > spawnsBefore).toBe(way === 'own');
  });

  it('still delivers everything before the exit, with the reader paused past node-pty’s 200 ms', async () => {
    // 1,000 short lines (~3.9 KB: the pty holds them all, so the program exits without waiting).
    const { pty, output, exited } = run('seq 1 1000; exit 3', spawn);
    pty.pause();
    let outputAtExit = '';
    const code = await exited.then((c) => {
      outputAtExit = output();
      return c;
    });
    expect(code).toBe(3);
    const lines = outputAtExit.split(/\r?\n/).filter(Boolean);
    expect(lines.at(-1)).toBe('1000');
    expect(lines).toEqual(Array.from({ length: 1000 }, (_, i) => String(i + 1)));
  });

  it('keeps what the paused reader had buffered, a character split across two writes included', async () => {
    const { pty, output, exited } = run("printf 'a\\342\\202'; sleep 0.05; printf '\\254 b\\n'", spawn);
    // Let the first bytes (half of the euro sign) reach the reader, then pause it.
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (output().includes('a')) {
          clearInterval(t);
          resolve();
        }
      }, 5);
    });
    pty.pause();
    await exited;
    expect(output()).toContain('a€ b');
  });
});
