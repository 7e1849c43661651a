// The workspace server end to end, in real ptys: terminals attach and detach, agents go on without
// them, several terminals share one workspace, and nothing outlives the server.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';
import pty from 'node-pty';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { query } from '../../src/client/attach.js';
import { frame, FrameReader, PROTOCOL_VERSION } from '../../src/server/protocol.js';
import { ensureRuntimeDir, socketPath, workspaceId } from '../../src/server/paths.js';
import { BIN, Term, until } from '../helpers/term.js';
import { alive, descendants } from '../helpers/procs.js';
import { serverPid, servers, start, statusBar, type Run } from './setup.js';

const run = promisify(execFile);

/** A counter that prints once every 200 ms: the proof that work went on while nobody watched. */
const COUNTER = `i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.2; done`;

function envOf(r: Run): Record<string, string | undefined> {
  return { AGENTS_HOME: r.home, HOME: r.home, SHELL: '/bin/bash', PS1: '$ ', PROMPT_COMMAND: 'PS1="$ "', NO_COLOR: undefined };
}

/** Another terminal running `agents ARGS` in the same project. */
function another(r: Run, args: string[], size = { cols: 120, rows: 30 }, env: Record<string, string | undefined> = {}): Term {
  return Term.agents(args, { ...size, cwd: r.project, env: { ...envOf(r), ...env } });
}

/** `agents ARGS` without a terminal (ls, stop). */
async function cli(r: Run, args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(envOf(r))) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd: r.project, env });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

/** Bytes a process has written, and read, so far (/proc/PID/io). */
const written = (pid: number) => Number(/^wchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1]);
const read = (pid: number) => Number(/^rchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1]);

/** How many descriptors of process `pid` are open on the file `path` (gone by now, or not). */
const openOn = (pid: number, path: string) =>
  readdirSync(`/proc/${pid}/fd`).filter((fd) => {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      return target === path || target === `${path} (deleted)`;
    } catch {
      return false;
    }
  }).length;

const lastTick = (t: Term) => Math.max(0, ...[...t.text().matchAll(/tick (\d+)/g)].map((m) => Number(m[1])));

describe('workspace server', () => {
  it('prefix+d detaches: the terminal comes back at once, the agents go on, and attach shows them whole', async () => {
    const r = start(['--cmd', COUNTER, 'shell']);
    await r.t.waitFor('tick 3');
    const server = await serverPid(r);
    r.t.keys('C-a', 'd');
    const exit = await r.t.exited;
    expect(exit.exitCode).toBe(0);
    expect(r.t.term.buffer.active.type).toBe('normal');
    expect(r.t.text()).toContain('Detached from the workspace in');
    expect(r.t.text()).toContain('agents attach comes back');
    const before = lastTick(r.t);
    // Nobody is watching: the counter still counts.
    const again = another(r, ['attach']);
    await again.waitFor((s) => /1 shell /.test(s) && /2 i0 /.test(s), { message: 'both panes' });
    await again.waitFor(() => lastTick(again) > before + 2, { message: `counter past ${before + 2}` });
    // Whole: both titles and the status bar are drawn, the server is the same one. (The first frame
    // can reach the screen in two reads, and the counter may already show in the first: wait for the rest.)
    await again.waitFor(() => statusBar(again).includes('NORMAL'), { message: 'the status bar' });
    expect(await serverPid(r)).toBe(server);
    again.kill('SIGKILL');
  });

  it('closing the terminal (SIGHUP to its client) leaves the server and the agents running', async () => {
    const r = start(['--cmd', COUNTER]);
    await r.t.waitFor('tick 2');
    const server = await serverPid(r);
    r.t.kill('SIGHUP');
    await r.t.exited;
    // Its agent keeps working with nobody attached: the server reads it busy. (One full run under
    // load saw a single idle reading right as the terminal went away; the counter's next ticks read
    // busy, so this waits for busy rather than taking the first answer.)
    const { VERSION } = await import('./setup.js');
    const sock = socketPath(ensureRuntimeDir({ AGENTS_HOME: r.home }), workspaceId(r.project));
    await until(async () => JSON.stringify((await query(sock, VERSION))?.info?.panes) === JSON.stringify([{ name: 'i0', status: 'busy' }]), {
      timeout: 10_000,
      message: 'the detached pane to read busy',
    });
    expect(alive([server])).toEqual([server]);
    expect(descendants(server).length).toBeGreaterThan(0);
    const { stdout } = await cli(r, ['ls']);
    expect(stdout).toContain(r.project);
    expect(stdout).toContain('0 terminals attached');
  });

  it('two terminals see the same workspace and both follow a focus change; quit from one ends it and restores both', async () => {
    const a = start(['shell', 'shell'], { cols: 120, rows: 30 });
    await a.t.waitFor('2 shell-2');
    const b = another(a, ['attach'], { cols: 120, rows: 30 });
    await b.waitFor('2 terminals');
    await a.t.waitFor('2 terminals');
    a.t.keys('C-a', '2');
    await a.t.waitFor(/NORMAL\s+2:shell-2/);
    await b.waitFor(/NORMAL\s+2:shell-2/);
    // The same screen, cell for cell, on both.
    await until(() => a.t.text() === b.text(), { message: 'same screen' });
    const server = await serverPid(a);
    const pids = [server, ...descendants(server)];
    const quitAt = Date.now();
    b.keys('C-a', 'q');
    expect((await b.exited).exitCode).toBe(0);
    // The prompt comes back once the server has stopped its panes and left its socket: an `agents`
    // typed right after starts afresh instead of attaching to a workspace still stopping. (The
    // client waits for that at most 3 s: the time taken says which limit a failure hit.)
    const sock = socketPath(ensureRuntimeDir({ AGENTS_HOME: a.home }), workspaceId(a.project));
    expect(existsSync(sock), `the socket, ${Date.now() - quitAt} ms after quit; the server ${alive([server]).length ? 'still runs' : 'is gone'}`).toBe(false);
    expect(alive(pids.filter((p) => p !== server))).toEqual([]);
    expect((await a.t.exited).exitCode).toBe(0);
    for (const t of [a.t, b]) {
      expect(t.term.buffer.active.type).toBe('normal');
      expect(t.text()).toContain('The workspace has ended');
    }
    await until(() => alive(pids).length === 0, { message: `nothing left: ${alive(pids).join(' ')}` });
  });

  it('a terminal of another size sees the layout clipped or padded, and is told', async () => {
    const a = start(['shell'], { cols: 100, rows: 24 });
    await a.t.waitFor('1 shell');
    const b = another(a, ['attach'], { cols: 120, rows: 30 });
    await b.waitFor('1 shell');
    // The layout follows the terminal that was active last (b attached last): a is the other one.
    await a.t.waitFor('sized for another terminal (120×30)');
    b.kill('SIGKILL');
  });

  it('agents ls lists it, agents stop stops it, and nothing is left', async () => {
    const r = start(['--cmd', COUNTER]);
    await r.t.waitFor('tick 2');
    const server = await serverPid(r);
    const pids = [server, ...descendants(server)];
    const ls = await cli(r, ['ls']);
    expect(ls.stdout).toMatch(new RegExp(`${workspaceId(r.project)}  ${r.project.replace(/[/.]/g, '\\$&')}`));
    expect(ls.stdout).toContain('1 terminal attached');
    const stop = await cli(r, ['stop']);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toContain('Stopped the workspace in');
    expect((await r.t.exited).exitCode).toBe(0);
    expect(r.t.text()).toContain('The workspace was stopped');
    await until(() => alive(pids).length === 0, { message: `nothing left: ${alive(pids).join(' ')}` });
    expect(await servers(r.home)).toEqual([]);
    expect((await cli(r, ['ls'])).stdout).toContain('No workspace is running');
    expect((await cli(r, ['stop'])).code).toBe(2);
  });

  it('agents in a project whose workspace runs attaches to it instead of starting another', async () => {
    const r = start(['--cmd', COUNTER]);
    await r.t.waitFor('tick 2');
    const server = await serverPid(r);
    const again = another(r, []);
    await again.waitFor('2 terminals');
    expect(await servers(r.home)).toEqual([server]);
    again.kill('SIGKILL');
  });

  it('a server killed outright: the terminal says so and how to resume', async () => {
    const r = start(['--cmd', COUNTER]);
    await r.t.waitFor('tick 2');
    process.kill(await serverPid(r), 'SIGKILL');
    const exit = await r.t.exited;
    expect(exit.exitCode).toBe(1);
    expect(r.t.term.buffer.active.type).toBe('normal');
    await r.t.waitFor('the workspace server stopped unexpectedly');
    expect(r.t.text()).toContain('agents --continue resumes the session');
  });

  it('a terminal of another version gets a clear message, not garbage', async () => {
    const r = start(['--cmd', COUNTER]);
    await r.t.waitFor('tick 1');
    await serverPid(r);
    const answer = await query(socketPath(ensureRuntimeDir({ AGENTS_HOME: r.home }), workspaceId(r.project)), '0.0.0-other');
    expect(answer?.refused).toMatch(/^this workspace runs agents \S+; this is agents 0\.0\.0-other\. Use the same version, or stop it first \(agents stop [0-9a-f]{8}\)\.$/);
  });

  it('the server draws straight to the terminal: its client writes only the terminal modes, however many frames go by', async () => {
    // Without a code cache: a client's first start writes its own (src/cli/code-cache.ts), ~0.7 MB.
    const r = start(['--cmd', COUNTER], { launcher: false, env: { AGENTS_CODE_CACHE: '0' } });
    await r.t.waitFor('tick 2');
    const before = written(r.t.pid);
    const at = lastTick(r.t);
    await r.t.waitFor(() => lastTick(r.t) >= at + 3, { message: `counter past ${at + 3}` });
    // Three more frames reached the screen; the client wrote none of them.
    expect(written(r.t.pid) - before).toBe(0);
    expect(before).toBeLessThan(1000);
    // The same with frames over the socket (AGENTS_DIRECT=0): the client writes every frame.
    const relayed = another(r, ['attach'], { cols: 120, rows: 30 }, { AGENTS_DIRECT: '0' });
    await relayed.waitFor(() => lastTick(relayed) > 0, { message: 'a tick through the relay' });
    const start2 = written(relayed.pid);
    const at2 = lastTick(relayed);
    await relayed.waitFor(() => lastTick(relayed) >= at2 + 2, { message: `counter past ${at2 + 2}` });
    expect(written(relayed.pid)).toBeGreaterThan(start2);
    relayed.kill('SIGKILL');
  });

  it('a detached terminal is let go: the server holds none of its descriptors, however many times it attached', async () => {
    const r = start(['--cmd', COUNTER], { launcher: false });
    await r.t.waitFor('tick 1');
    const server = await serverPid(r);
    const tty = readlinkSync(`/proc/${r.t.pid}/fd/1`);
    // Drawn to and read from directly: the server holds the terminal while attached.
    expect(openOn(server, tty)).toBeGreaterThan(0);
    r.t.keys('C-a', 'd');
    await r.t.exited;
    for (let i = 0; i < 2; i++) {
      const again = another(r, ['attach']);
      await again.waitFor('tick', { message: 'a tick' });
      const its = readlinkSync(`/proc/${again.pid}/fd/1`);
      again.keys('C-a', 'd');
      await again.exited;
      expect(openOn(server, its)).toBe(0);
    }
    expect(openOn(server, tty)).toBe(0);
  });

  it('the server reads the keys straight from the terminal: its client reads none of them', async () => {
    const r = start(['--cmd', 'cat'], { launcher: false });
    await r.t.waitFor(() => statusBar(r.t).includes('NORMAL'), { message: 'the status bar' });
    // Once the client is the native one (src/client/hand-over.ts): the exec's own reads (the dynamic
    // loader's) are not keys, and a first start saves its code cache before it, which can take a while.
    await until(() => readlinkSync(`/proc/${r.t.pid}/exe`).endsWith('agents-attach'), { message: 'the hand-over to the native client' });
    // Frames the Node client had not read yet (sent before the server drew directly) are the native
    // client's to read first, as is its loader's reading of libc: counted from when reading stops.
    let last = -1;
    await until(
      () => {
        const now = read(r.t.pid);
        const settled = now === last;
        last = now;
        return settled;
      },
      { every: 100, message: "the native client's first reads" },
    );
    const before = read(r.t.pid);
    r.t.write('keys-direct\r');
    // The tty echoes the line and cat prints it back: both reached the screen.
    await r.t.waitFor((s) => s.split('keys-direct').length > 2, { message: 'the line and its echo' });
    expect(read(r.t.pid) - before).toBe(0);
  });

  it('a terminal whose client is told to stop (SIGTERM) is restored, and the server draws nothing after', async () => {
    const r = start(['--cmd', COUNTER], { launcher: false });
    await r.t.waitFor('tick 2');
    r.t.kill('SIGTERM');
    const exit = await r.t.exited;
    expect(exit.exitCode).toBe(0);
    expect(r.t.term.buffer.active.type).toBe('normal');
    const bytes = r.t.bytes;
    // The counter ticks every 200 ms and each tick was a frame: 1 s is five frames that never came.
    await new Promise((done) => setTimeout(done, 1000));
    expect(r.t.bytes).toBe(bytes);
    expect(r.t.text()).not.toContain('tick');
  });

  it('attack: a client cannot make the server draw to a terminal that is not its own output', async () => {
    const r = start(['--cmd', COUNTER]);
    await r.t.waitFor('tick 1');
    await serverPid(r);
    // Another terminal, whose path the attacker names; this test's own output is no terminal.
    const victim = pty.spawn('/bin/sh', ['-c', 'tty; exec sleep 30'], { cols: 80, rows: 24 });
    let seen = '';
    victim.onData((d) => (seen += d));
    await until(() => /\/dev\/pts\/\d+/.test(seen), { message: 'the victim terminal' });
    const victimPath = /\/dev\/pts\/\d+/.exec(seen)![0];
    const mark = seen.length;
    const s = connect(socketPath(ensureRuntimeDir({ AGENTS_HOME: r.home }), workspaceId(r.project)));
    const reader = new FrameReader(64 * 1024 * 1024);
    const got: Array<{ type: string; body: Buffer }> = [];
    s.on('data', (c: Buffer) => got.push(...reader.push(c)));
    const { VERSION } = await import('./setup.js');
    s.write(frame('hello', { protocol: PROTOCOL_VERSION, version: VERSION, want: 'attach', cols: 80, rows: 24, pid: victim.pid, direct: true, tty: victimPath, path: victimPath }));
    await until(() => got.some((f) => f.type === 'welcome'), { message: 'the welcome' });
    expect(JSON.parse(got.find((f) => f.type === 'welcome')!.body.toString()).direct).toBe(false);
    s.write(frame('ready'));
    // Its frames come over the socket, as to any client that cannot be drawn to directly.
    await until(() => got.filter((f) => f.type === 'output').some((f) => f.body.toString().includes('tick')), { message: 'frames on the socket' });
    expect(seen.slice(mark)).toBe('');
    s.destroy();
    victim.kill('SIGKILL');
  });
});
