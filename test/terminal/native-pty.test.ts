// Panes started by our addon (native/src/spawn.c, src/terminal/native-pty.ts): the program must
// see the terminal node-pty gave it (a session of its own with the pty as its controlling terminal,
// the same modes and size, no signal ignored or blocked), and the workspace must not pay a fork.
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NoForkChild, spawnNoFork } from '../../src/terminal/native-exec.js';
import { nativePtyAvailable, nativeSpawnAvailable, nativeSpawns, pacedPtys, paceStats, spawnNativePty } from '../../src/terminal/native-pty.js';
import { killSessionNow } from '../../src/terminal/process-tree.js';
import { childEnv, spawnPty, type PtyExit, type PtyLike } from '../../src/terminal/pty.js';

const wait = { timeout: 10_000, interval: 20 };
const started: PtyLike[] = [];
afterEach(() => {
  for (const p of started.splice(0)) killSessionNow(p.pid);
  delete process.env.AGENTS_NATIVE_SPAWN;
});

function run(command: string, args: string[], o: { cwd?: string; env?: Record<string, string>; cols?: number; rows?: number } = {}) {
  const pty = spawnNativePty({ command, args, cwd: o.cwd ?? '/', env: o.env ?? childEnv({}), cols: o.cols ?? 100, rows: o.rows ?? 30 });
  started.push(pty);
  let out = '';
  pty.onData((d) => (out += d));
  const exited = new Promise<PtyExit>((resolve) => pty.onExit(resolve));
  return { pty, output: () => out, exited };
}

const sh = (script: string, o?: Parameters<typeof run>[2]) => run('/bin/sh', ['-c', script], o);

describe('a pane started without fork', () => {
  it('is what panes start with here, unless AGENTS_NATIVE_SPAWN=0', () => {
    expect(nativePtyAvailable()).toBe(true);
    expect(nativePtyAvailable({ AGENTS_NATIVE_SPAWN: '0' })).toBe(false);
    // A pane read through node-pty's stream is node-pty's pane; git and the rest still need no fork.
    expect(nativePtyAvailable({ AGENTS_NATIVE_READ: '0' })).toBe(false);
    expect(nativeSpawnAvailable({ AGENTS_NATIVE_READ: '0' })).toBe(true);
    const before = nativeSpawns;
    started.push(spawnPty({ command: '/bin/sleep', args: ['100'], cwd: '/', env: childEnv({}), cols: 80, rows: 24 }));
    expect(nativeSpawns).toBe(before + 1);
    process.env.AGENTS_NATIVE_SPAWN = '0';
    started.push(spawnPty({ command: '/bin/sleep', args: ['100'], cwd: '/', env: childEnv({}), cols: 80, rows: 24 }));
    expect(nativeSpawns).toBe(before + 1);
  });

  it('runs as a session leader on its own pty, its controlling terminal, at the size asked, in the folder asked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'native-pty-'));
    const { pty, output, exited } = sh('echo "tty=$(tty) size=$(stty size) pwd=$(pwd) PWD=$PWD"; ps -o pid=,pgid=,sid=,tty= -p $$', { cwd: dir, cols: 123, rows: 45 });
    expect((await exited).exitCode).toBe(0);
    const text = output();
    expect(text).toMatch(new RegExp(`tty=/dev/pts/\\d+ size=45 123 pwd=${dir} PWD=${dir}`));
    const [pid, pgid, sid, tty] = text.trim().split('\n').at(-1)!.trim().split(/\s+/);
    expect(Number(pid)).toBe(pty.pid);
    expect(Number(pgid)).toBe(pty.pid);
    expect(Number(sid)).toBe(pty.pid);
    expect(tty).toMatch(/^pts\/\d+$/);
  });

  it('inherits no ignored or blocked signal from Node (which ignores SIGPIPE), and gets node-pty’s terminal modes', async () => {
    const { output, exited } = sh('grep -E "^Sig(Ign|Blk)" /proc/$$/status; stty -a');
    await exited;
    // Signals 1-31 (glibc keeps two of its own real-time ones, 32 and 33, to itself).
    const mask = (name: string) => parseInt(new RegExp(`${name}:\\s+([0-9a-f]+)`).exec(output())?.[1] ?? 'ffff', 16) & 0x7fffffff;
    expect(mask('SigIgn')).toBe(0);
    expect(mask('SigBlk')).toBe(0);
    // A few of node-pty's settings: UTF-8 input, canonical mode with echo, ^C interrupts, ^? erases.
    const on = (flag: string) => new RegExp(`(?:^|\\s)${flag}(?=\\s|$)`, 'm');
    expect(output()).toMatch(on('iutf8'));
    expect(output()).toMatch(on('icanon'));
    expect(output()).toMatch(on('echo'));
    expect(output()).toMatch(/intr = \^C/);
    expect(output()).toMatch(/erase = \^\?/);
  });

  it('^C typed into it interrupts its foreground job (the pty is its controlling terminal)', async () => {
    const { pty, output, exited } = sh('echo ready; sleep 100; echo after-sleep; exit 7');
    await vi.waitFor(() => expect(output()).toContain('ready'), wait);
    pty.write('\x03');
    // sh itself gets the SIGINT too (same foreground group) and dies of it.
    const e = await exited;
    expect(output()).not.toContain('after-sleep');
    expect(e.signal).toBe(2);
  });

  it('a resize reaches the program (SIGWINCH, and the size it reads)', async () => {
    const { pty, output } = sh('trap \'echo "winch $(stty size)"\' WINCH; echo ready; while :; do sleep 0.05; done');
    await vi.waitFor(() => expect(output()).toContain('ready'), wait);
    pty.resize(90, 20);
    await vi.waitFor(() => expect(output()).toContain('winch 20 90'), wait);
  });

  it('takes a paste larger than the pty holds, whole and in order, while the program reads slowly', async () => {
    const size = 300_000;
    const { pty, output } = sh('stty raw -echo; echo ready; sleep 0.3; head -c ' + size + ' | wc -c');
    await vi.waitFor(() => expect(output()).toContain('ready'), wait);
    pty.write('x'.repeat(size));
    await vi.waitFor(() => expect(output()).toMatch(new RegExp(`\\b${size}\\b`)), wait);
  });

  it('reports the exit status and a killing signal, after the output', async () => {
    expect((await sh('echo out; exit 42').exited).exitCode).toBe(42);
    const killed = sh('kill -TERM $$');
    expect((await killed.exited).signal).toBe(15);
  });

  it('finds a bare name in the PATH given to the program, and runs a script without #! with /bin/sh, as execvp does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'native-pty-path-'));
    writeFileSync(join(dir, 'only-here'), 'echo "ran from $0"\n');
    chmodSync(join(dir, 'only-here'), 0o755);
    const { output, exited } = run('only-here', [], { env: childEnv({ PATH: `${dir}:/usr/bin:/bin` }) });
    expect((await exited).exitCode).toBe(0);
    expect(output()).toContain(`ran from ${join(dir, 'only-here')}`);
  });

  it('a program that cannot start throws a clear error and leaves no process', () => {
    expect(() => run('no-such-program-here', [], { env: childEnv({ PATH: '/usr/bin:/bin' }) })).toThrow(expect.objectContaining({ code: 'ENOENT', message: 'No such file or directory' }));
    const plain = join(mkdtempSync(join(tmpdir(), 'native-pty-noexec-')), 'not-a-program');
    writeFileSync(plain, 'echo should not run\n', { mode: 0o644 });
    expect(() => run(plain, [])).toThrow(expect.objectContaining({ code: 'EACCES' }));
    expect(() => run('/bin/sh', [], { cwd: '/no/such/folder' })).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    // A NUL would cut an argument short in C: refused, not passed on cut.
    expect(() => run('/bin/echo', ['before\0after'])).toThrow(TypeError);
  });

  it('costs the workspace no fork: writing its memory again after a spawn faults no page', async () => {
    // With forkpty every page of this process is write-protected after the spawn, and the next write
    // to each one faults (~10,000 faults for these 40 MB; docs/profile.md).
    const buf = Buffer.alloc(40 * 1024 * 1024, 1);
    const { exited } = sh('exit 0');
    await exited;
    const before = process.resourceUsage().minorPageFault;
    for (let i = 0; i < buf.length; i += 4096) buf[i]++;
    expect(process.resourceUsage().minorPageFault - before).toBeLessThan(500);
  });
});

describe('a pane printing in bursts is read at shared ticks (pacing)', () => {
  // An agent's pace: a few lines, a pause, a few lines. Each burst after the first few is read at
  // a tick, not at the program's writes.
  const bursts = (n: number, gap = '0.03') => `i=0; while [ $i -lt ${n} ]; do i=$((i+1)); for k in 1 2 3; do echo "burst $i line $k"; done; sleep ${gap}; done; echo done-bursts`;
  const expected = (n: number) =>
    Array.from({ length: n }, (_, i) => [1, 2, 3].map((k) => `burst ${i + 1} line ${k}`))
      .flat()
      .concat('done-bursts');
  const lines = (text: string) => text.split(/\r?\n/).filter(Boolean);

  it('gets every line, in order, most of them read at ticks, and the pty read at its writes again once it is quiet', async () => {
    const before = { ...paceStats };
    const { output, exited } = sh(bursts(30));
    await vi.waitFor(() => expect(pacedPtys()).toBe(1), wait);
    await exited;
    expect(lines(output())).toEqual(expected(30));
    expect(paceStats.tickChars - before.tickChars).toBeGreaterThan(paceStats.eventChars - before.eventChars);
    // Its exit closed it: no tick is left to run for it.
    expect(pacedPtys()).toBe(0);
  });

  it('keys end the pacing at once: their echo is read at the program’s write, not at a tick', async () => {
    const { pty, output } = sh(`while :; do echo tick; sleep 0.02; done & echo ready; cat`);
    await vi.waitFor(() => {
      expect(output()).toContain('ready');
      expect(pacedPtys()).toBe(1);
    }, wait);
    pty.write('typed');
    expect(pacedPtys()).toBe(0);
    await vi.waitFor(() => expect(output()).toContain('typed'), wait);
  });

  it('a flood is read at its writes, not throttled to ticks', async () => {
    const before = { ...paceStats };
    const { output, exited } = sh('seq 1 200000; echo end-of-flood');
    await exited;
    expect(output()).toContain('\n200000\r\nend-of-flood');
    // 1.3 MB: at most its last few reads at ticks (a tick reading 16 KB or more hands it back).
    const tick = paceStats.tickChars - before.tickChars;
    const event = paceStats.eventChars - before.eventChars;
    expect(tick + event).toBeGreaterThan(1_200_000);
    expect(tick).toBeLessThan(event / 10);
  });

  it('keeps a character split across two ticks whole', async () => {
    // é is C3 A9: the first byte alone in one burst, the second in the next.
    const { output, exited } = sh(`${bursts(5)}; printf 'x\\303'; sleep 0.1; printf '\\251y\\n'; sleep 0.1; echo end`);
    await exited;
    expect(output()).toContain('xéy');
    expect(output()).not.toContain('\ufffd');
  });

  it('is not read at ticks while its owner holds it (backpressure), and nothing is lost', async () => {
    const { pty, output, exited } = sh(bursts(40, '0.01'));
    await vi.waitFor(() => expect(pacedPtys()).toBe(1), wait);
    pty.pause();
    const held = output().length;
    const ticks = paceStats.ticks;
    await vi.waitFor(() => expect(paceStats.ticks).toBeGreaterThan(ticks + 5), wait);
    expect(output().length).toBe(held);
    pty.resume();
    await exited;
    expect(lines(output())).toEqual(expected(40));
  });
});

describe('a helper started without fork (the reaper’s)', () => {
  it('runs in a session of its own in the folder asked, reads the pipe it is given, and its exit is reported', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'native-detached-'));
    const script = join(dir, 'helper');
    const out = join(dir, 'out');
    writeFileSync(script, `#!/bin/sh\n: > ${join(dir, 'reading')}\nread line\necho "$line $(pwd) $(ps -o sid= -p $$) $$" > ${out}\nexit 5\n`);
    chmodSync(script, 0o755);
    const child = spawnNoFork(script, [], { cwd: dir, stdio: ['pipe', 'ignore', 'ignore'], detached: true });
    expect(child).toBeInstanceOf(NoForkChild);
    const exited = new Promise<[number | null, string | null]>((resolve) => child!.on('exit', (code: number | null, signal: string | null) => resolve([code, signal])));
    // While it waits on its pipe: stdin is the pipe, stdout and stderr /dev/null, and nothing else
    // of ours (the shell holds its script open itself).
    await vi.waitFor(() => expect(existsSync(join(dir, 'reading'))).toBe(true), wait);
    const fds = new Map(readdirSync(`/proc/${child!.pid}/fd`).map((fd) => [Number(fd), readlinkSync(`/proc/${child!.pid}/fd/${fd}`)]));
    expect(fds.get(0)).toMatch(/^pipe:/);
    expect([fds.get(1), fds.get(2)]).toEqual(['/dev/null', '/dev/null']);
    expect([...fds.values()].filter((t) => !/^pipe:|^\/dev\/null$/.test(t) && t !== script)).toEqual([]);
    child!.stdin!.end('hello\n');
    expect(await exited).toEqual([5, null]);
    const [word, cwd, sid, pid] = readFileSync(out, 'utf8').trim().split(/\s+/);
    expect([word, cwd, sid]).toEqual(['hello', dir, pid]);
  });
});
