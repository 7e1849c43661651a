// The native attach client (native/src/attach.c): `agents attach`, and `agents` where this folder's
// workspace runs, as bin/agents runs them from the PATH. Against a real workspace, and against a
// stand-in server on the folder's socket that says exactly what a test needs, hostile words included.
import { chmodSync, existsSync, readdirSync, readFileSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { frame, FrameReader, type FrameType } from '../../src/server/protocol.js';
import { ensureRuntimeDir, socketPath, workspaceId } from '../../src/server/paths.js';
import { BIN, Term, until } from '../helpers/term.js';
import { alive, descendants } from '../helpers/procs.js';
import { serverPid, servers, start, statusBar, tempDir, tempHome, VERSION } from './setup.js';

const NATIVE = 'native/build/Release/agents-attach';

/** `agents ARGS` in project `project` as the PATH runs it (the launcher), with every byte it writes kept. */
function attachIn(project: string, home: string, args = ['attach'], env: Record<string, string | undefined> = {}, size = { cols: 100, rows: 30 }) {
  const t = Term.agents(args, { ...size, cwd: project, env: { AGENTS_HOME: home, HOME: home, SHELL: '/bin/bash', PS1: '$ ', NO_COLOR: undefined, ...env }, launcher: true });
  const raw: string[] = [];
  t.pty.onData((d: string) => raw.push(d));
  return { t, raw: () => raw.join('') };
}

/** The program running as the terminal's process: the native client has its own executable. */
const exe = (pid: number) => readlinkSync(`/proc/${pid}/exe`);

interface Conn {
  socket: Socket;
  frames: Array<{ type: FrameType; body: Buffer }>;
}

const fakes: Server[] = [];
afterEach(() => {
  for (const f of fakes.splice(0)) f.close();
});

/**
 * A stand-in workspace server on `project`'s socket: `onHello` answers each connection's hello; every
 * frame a connection sends is kept in its `frames`.
 */
async function fakeServer(project: string, home: string, onHello: (c: Conn, hello: Record<string, unknown>) => void, runtime?: string): Promise<Conn[]> {
  const path = socketPath(runtime ?? ensureRuntimeDir({ AGENTS_HOME: home }), workspaceId(project));
  const conns: Conn[] = [];
  const server = createServer((socket) => {
    const c: Conn = { socket, frames: [] };
    conns.push(c);
    const reader = new FrameReader(64 * 1024 * 1024);
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      for (const f of reader.push(chunk)) {
        c.frames.push(f);
        if (f.type === 'hello') onHello(c, JSON.parse(f.body.toString('utf8')) as Record<string, unknown>);
      }
    });
  });
  fakes.push(server);
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return conns;
}

const welcome = (extra: Record<string, unknown> = {}) => frame('welcome', { id: 'abcd1234', project: '/p', version: VERSION, mouse: true, direct: false, keys: false, ...extra });
const framesOf = (c: Conn, type: FrameType) => c.frames.filter((f) => f.type === type);

/** A workspace started in a terminal running `command`, drawn, then detached from: its run and server. */
/** The native client among the terminal's processes, if one runs there. */
const nativeClient = (t: Term): number | undefined => descendants(t.pid).find((p) => existsSync(`/proc/${p}/exe`) && exe(p).endsWith(NATIVE));

/** Types a line and sees its echo, shrinks the terminal to 80x24 and sees a frame that size, then detaches. */
async function typeResizeDetach(t: Term, word: string): Promise<void> {
  t.write(`${word}\r`);
  await t.waitFor((s) => s.split(word).length > 2, { message: 'the line and its echo' });
  t.resize(80, 24);
  // The server draws for the new size: the status bar ends within 80 columns.
  await t.waitFor(() => statusBar(t).includes('NORMAL') && t.lines()[0].trimEnd().length <= 80 && t.lines()[0].trimEnd().length > 70, { message: 'a frame 80 wide' });
  t.keys('C-a', 'd');
}

async function detachedWorkspace(command: string, drawn: (t: Term) => Promise<unknown> = (t) => t.waitFor(() => statusBar(t).includes('NORMAL'), { message: 'the status bar' })) {
  const r = start(['--cmd', command]);
  await drawn(r.t);
  const server = await serverPid(r);
  r.t.keys('C-a', 'd');
  await r.t.exited;
  return { r, server };
}

describe('agents attach without Node (the native client)', () => {
  it('attaches to a real workspace: keys reach the pane, a resize is followed, prefix+d detaches and restores the terminal', async () => {
    const { r, server } = await detachedWorkspace('cat');
    // Run from a shell that prints the terminal's modes once the client is done.
    const t = new Term('/bin/sh', ['-c', `"${BIN}" attach; stty -a`], { cols: 100, rows: 30, cwd: r.project, env: { AGENTS_HOME: r.home, HOME: r.home } });
    await t.waitFor(() => statusBar(t).includes('NORMAL'), { message: 'the status bar' });
    expect(nativeClient(t), 'the native client runs below the shell').toBeDefined();
    await typeResizeDetach(t, 'typed-native');
    // The shell ends after stty: its whole report is on the screen by then.
    expect((await t.exited).exitCode).toBe(0);
    expect(t.text()).toContain('Detached from the workspace in');
    const modes = t.text();
    expect(modes).toMatch(/(^|\s)icanon(\s|$)/m);
    expect(modes).toMatch(/(^|\s)echo(\s|$)/m);
    expect(t.term.buffer.active.type).toBe('normal');
    expect(await serverPid(r)).toBe(server);
  });

  it('a terminal that started its workspace becomes the native client once drawn to, holding nothing else; the person\'s own modes come back', async () => {
    const project = tempDir();
    const home = tempHome();
    // An unusual mode of the person's own (interrupt on Ctrl-X) must survive, not a generic "sane" one.
    const t = new Term('/bin/sh', ['-c', `stty intr ^X; "${BIN}" --cmd cat; stty -a`], { cols: 100, rows: 30, cwd: project, env: { AGENTS_HOME: home, HOME: home } });
    await t.waitFor(() => statusBar(t).includes('NORMAL'), { message: 'the status bar' });
    let client: number | undefined;
    // Mid-exec, /proc already names the new program while its arguments read empty, and then its
    // dynamic loader holds the libraries it loads open: so the wait is for its own first act in
    // main, the signalfd.
    const args = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    // (A descriptor closed between the listing and its link is left out.)
    const fdsOf = (pid: number) =>
      readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
        try {
          return [readlinkSync(`/proc/${pid}/fd/${fd}`)];
        } catch {
          return [];
        }
      });
    await until(() => (client = nativeClient(t)) !== undefined && fdsOf(client).includes('anon_inode:[signalfd]'), { message: 'the native client in the Node client\'s place' });
    // Its arguments: the connection, the size, the modes; its descriptors: the terminal, the
    // connection and its signals, nothing of Node's or of the launcher's FIFOs.
    expect(args(client!).slice(1, 2)).toEqual(['--adopt']);
    const fds = fdsOf(client!);
    expect(fds.filter((f) => f.startsWith('/dev/pts/'))).toHaveLength(3);
    expect(fds.filter((f) => f.startsWith('socket:'))).toHaveLength(1);
    expect(fds.filter((f) => !f.startsWith('/dev/pts/') && !f.startsWith('socket:') && f !== 'anon_inode:[signalfd]')).toEqual([]);
    await typeResizeDetach(t, 'typed-after');
    expect((await t.exited).exitCode).toBe(0);
    expect(t.text()).toContain('Detached from the workspace in');
    expect(t.text()).toMatch(/intr = \^X;/);
    expect(t.text()).toMatch(/(^|\s)icanon(\s|$)/m);
    expect(t.term.buffer.active.type).toBe('normal');
    const [server] = await servers(home);
    expect(server).toBeGreaterThan(0);
    process.kill(server, 'SIGTERM');
  });

  it('AGENTS_NATIVE_CLIENT=0 keeps to the Node client, started or attached', async () => {
    const r = start(['--cmd', 'cat'], { env: { AGENTS_NATIVE_CLIENT: '0' } });
    await r.t.waitFor(() => statusBar(r.t).includes('NORMAL'), { message: 'the status bar' });
    r.t.write('still-node\r');
    await r.t.waitFor((s) => s.split('still-node').length > 2, { message: 'the line and its echo' });
    expect(exe(r.t.pid)).toBe(realpathSync(process.execPath));
    r.t.keys('C-a', 'd');
    await r.t.exited;
    const { t } = attachIn(r.project, r.home, ['attach'], { AGENTS_NATIVE_CLIENT: '0' });
    await t.waitFor(() => statusBar(t).includes('NORMAL'), { message: 'the status bar' });
    expect(exe(t.pid)).toBe(realpathSync(process.execPath));
    t.kill('SIGKILL');
  });

  it('bare agents where the workspace runs attaches natively; quitting from it returns only once the server is gone', async () => {
    const { r, server } = await detachedWorkspace('sleep 600');
    const { t } = attachIn(r.project, r.home, []);
    await t.waitFor(() => statusBar(t).includes('NORMAL'), { message: 'the status bar' });
    expect(exe(t.pid)).toMatch(new RegExp(`${NATIVE}$`));
    t.keys('C-a', 'q');
    if (await Promise.race([t.exited.then(() => false), t.waitFor('Quit?').then(() => true)])) t.keys('y');
    expect((await t.exited).exitCode).toBe(0);
    // An `agents` typed now starts a new workspace: this one answers no more.
    expect(await servers(r.home)).toEqual([]);
    expect(t.text()).toContain('The workspace has ended');
    await until(() => alive([server]).length === 0, { message: 'the server gone' });
  });

  it('told to stop (SIGTERM) it detaches: restored, the workspace goes on, nothing drawn after', async () => {
    const { r, server } = await detachedWorkspace('i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.2; done', (t) => t.waitFor('tick 2'));
    const { t } = attachIn(r.project, r.home);
    await t.waitFor('tick', { message: 'a tick' });
    expect(exe(t.pid)).toMatch(new RegExp(`${NATIVE}$`));
    t.kill('SIGTERM');
    expect((await t.exited).exitCode).toBe(0);
    expect(t.term.buffer.active.type).toBe('normal');
    expect(t.text()).not.toContain('tick');
    expect(alive([server])).toEqual([server]);
  });

  it('a server killed outright: says so and how to resume', async () => {
    const { r, server } = await detachedWorkspace('sleep 600');
    const { t } = attachIn(r.project, r.home);
    await t.waitFor(() => statusBar(t).includes('NORMAL'), { message: 'the status bar' });
    process.kill(server, 'SIGKILL');
    expect((await t.exited).exitCode).toBe(1);
    expect(t.term.buffer.active.type).toBe('normal');
    await t.waitFor('the workspace server stopped unexpectedly');
    expect(t.text().replace(/\n/g, '')).toContain('agents --continue resumes the session');
  });

  it('a socket nobody answers on is handed to the usual client, which says there is no workspace', async () => {
    const project = tempDir();
    const home = tempHome();
    writeFileSync(socketPath(ensureRuntimeDir({ AGENTS_HOME: home }), workspaceId(project)), '');
    const { t } = attachIn(project, home);
    expect((await t.exited).exitCode).toBe(2);
    expect(t.text()).toContain('agents: no workspace is running. agents starts one here.');
  });

  it('says hello as the TypeScript client does, draws what comes on the socket, and sends keys and sizes', async () => {
    const project = tempDir();
    const home = tempHome();
    const conns = await fakeServer(project, home, (c) => c.socket.write(Buffer.concat([welcome(), frame('output', '\x1b[3;5Hdrawn by the server')])));
    const { t, raw } = attachIn(project, home);
    await t.waitFor('drawn by the server');
    expect(exe(t.pid)).toMatch(new RegExp(`${NATIVE}$`));
    const hello = JSON.parse(framesOf(conns[0], 'hello')[0].body.toString('utf8'));
    expect(hello).toEqual({ protocol: 1, version: VERSION, want: 'attach', cols: 100, rows: 30, pid: t.pid, direct: true });
    // Modes on after the welcome: alternate screen, bracketed paste, and the mouse the server asked for.
    expect(raw()).toContain('\x1b[?1049h');
    expect(raw()).toContain('\x1b[?1000h\x1b[?1006h');
    t.write('keys é\x03');
    await until(() => Buffer.concat(framesOf(conns[0], "input").map((f) => f.body)).toString("utf8") === "keys é\x03", { message: "the keys as input frames" }).catch((e) => { throw new Error(`${e.message}: ${JSON.stringify(conns[0].frames.map((f) => [f.type, f.body.toString()]))}`); });
    t.resize(90, 25);
    await until(() => framesOf(conns[0], 'resize').some((f) => f.body.toString() === '{"cols":90,"rows":25}'), { message: 'a resize frame' });
    // Not drawn direct: no ready.
    expect(framesOf(conns[0], 'ready')).toEqual([]);
    conns[0].socket.end(frame('bye', { reason: 'detached', message: 'Detached.' }));
    expect((await t.exited).exitCode).toBe(0);
    expect(t.term.buffer.active.type).toBe('normal');
    expect(t.text()).toContain('Detached.');
    expect(raw()).toContain('\x1b[?1049l');
  });

  it('attack: a server\'s words are shown escaped, never obeyed by the terminal', async () => {
    const project = tempDir();
    const home = tempHome();
    const evil = 'bye \x1b]52;c;aGVsbG8=\x07 clip \x1b[2J\x1b]0;title\x07 \u202eexe.txt \x9b31m \u2028 end\t\r\n';
    await fakeServer(project, home, (c) => c.socket.write(Buffer.concat([welcome(), frame('bye', { reason: 'crashed', message: evil })])));
    const { t, raw } = attachIn(project, home);
    expect((await t.exited).exitCode).toBe(1);
    const after = raw().slice(raw().lastIndexOf('\x1b[?1049l') + '\x1b[?1049l'.length);
    // After the terminal was given back, nothing but text: no escape, no C1 control, no bidi override.
    expect(after).not.toMatch(/[\x1b\x07\x9b\u202e\u2028]/);
    expect(after).toContain('bye \\x1b]52;c;aGVsbG8=\\x07 clip \\x1b[2J\\x1b]0;title\\x07 \\u202eexe.txt \\x9b31m \\u2028 end');
    // Trailing blanks trimmed, as the TypeScript client does.
    expect(after).not.toContain('end\\t');
  });

  it('attack: a refusal is said escaped, and the terminal is never taken over', async () => {
    const project = tempDir();
    const home = tempHome();
    await fakeServer(project, home, (c) => c.socket.end(frame('refuse', { message: 'another version \x1b[31mred\x1b]8;;http://x\x07' })));
    const { t, raw } = attachIn(project, home);
    expect((await t.exited).exitCode).toBe(2);
    expect(raw()).not.toContain('\x1b[?1049h');
    expect(raw()).not.toMatch(/\x1b\[31m|\x1b\]8/);
    expect(t.text()).toContain('agents: another version \\x1b[31mred\\x1b]8;;http://x\\x07');
  });

  it('attack: frames it cannot read end the attach with a message, restored', async () => {
    const home = tempHome();
    const bad = [Buffer.from([99, 0, 0, 0, 0]), Buffer.from([18, 0xff, 0xff, 0xff, 0xff])];
    const said = ['(unknown frame type 99).', '(a output frame of 4294967295 bytes is over the limit of 67108864).'];
    for (let i = 0; i < bad.length; i++) {
      const p = tempDir();
      await fakeServer(p, home, (c) => c.socket.write(Buffer.concat([welcome(), bad[i]])));
      const { t } = attachIn(p, home);
      expect((await t.exited).exitCode).toBe(1);
      expect(t.term.buffer.active.type).toBe('normal');
      expect(t.text().replace(/\n/g, '')).toContain(`agents: the workspace server sent something this client cannot read ${said[i]}`);
    }
  });

  it('a welcome it cannot read is handed to the usual client on the same process, which says what came', async () => {
    const project = tempDir();
    const home = tempHome();
    const conns = await fakeServer(project, home, (c) => c.socket.write(frame('welcome', '{"id": 1')));
    const { t, raw } = attachIn(project, home);
    expect((await t.exited).exitCode).toBe(1);
    expect(t.text()).toContain('agents: the workspace server answered with something unexpected.');
    // Both hellos came from the terminal's one process: the native client, then Node in its place.
    expect(conns.map((c) => JSON.parse(framesOf(c, 'hello')[0].body.toString()).pid)).toEqual([t.pid, t.pid]);
    expect(raw()).not.toContain('\x1b[?1049h');
  });

  it('attack: a socket in a runtime folder others can enter is never dialed, by either client', async () => {
    const project = tempDir();
    const home = tempHome();
    const run = tempDir('agents-run-');
    const conns = await fakeServer(project, home, (c) => c.socket.write(welcome()), run);
    chmodSync(run, 0o755);
    const { t, raw } = attachIn(project, home, ['attach'], { AGENTS_RUNTIME_DIR: run });
    expect((await t.exited).exitCode).toBe(2);
    expect(t.text().replace(/\n/g, '')).toContain('can be entered by other users');
    expect(conns).toEqual([]);
    expect(raw()).not.toContain('\x1b[?1049h');
  });

  it('a welcome or a bye outside the protocol: handed over, or nothing shown', async () => {
    const home = tempHome();
    const odd = tempDir();
    const conns = await fakeServer(odd, home, (c) => c.socket.write(welcome({ direct: 'nope' })));
    const first = attachIn(odd, home).t;
    expect((await first.exited).exitCode).toBe(1);
    expect(first.text()).toContain('agents: the workspace server answered with something unexpected.');
    expect(conns).toHaveLength(2);
    for (const bye of [{ reason: 'detached', message: '' }, { reason: 'gone fishing', message: 'not a reason the protocol has' }]) {
      const p = tempDir();
      await fakeServer(p, home, (c) => c.socket.write(Buffer.concat([welcome(), frame('bye', bye)])));
      const { t, raw } = attachIn(p, home);
      expect((await t.exited).exitCode).toBe(0);
      const after = raw().slice(raw().lastIndexOf('\x1b[?1049l') + '\x1b[?1049l'.length);
      expect(after).toBe('');
    }
  });

  it('drawn direct: says ready after its modes, reads no keys, and on SIGTERM asks to detach and waits for the bye', async () => {
    const project = tempDir();
    const home = tempHome();
    const conns = await fakeServer(project, home, (c) => c.socket.write(welcome({ direct: true, keys: true })));
    const { t } = attachIn(project, home);
    await until(() => conns.length === 1 && framesOf(conns[0], 'ready').length === 1, { message: 'ready' });
    t.write('not for the client');
    t.kill('SIGTERM');
    await until(() => framesOf(conns[0], 'detach').length === 1, { message: 'detach' });
    conns[0].socket.end(frame('bye', { reason: 'detached', message: 'not shown: this terminal asked to leave' }));
    expect((await t.exited).exitCode).toBe(0);
    expect(t.text()).not.toContain('not shown');
    expect(framesOf(conns[0], 'input')).toEqual([]);
    // A server that never says goodbye: the client leaves anyway (after 300 ms), restored.
    const p = tempDir();
    const silent = await fakeServer(p, home, (c) => c.socket.write(welcome({ direct: true, keys: true })));
    const second = attachIn(p, home).t;
    await until(() => silent.length === 1 && framesOf(silent[0], 'ready').length === 1, { message: 'ready' });
    second.kill('SIGTERM');
    expect((await second.exited).exitCode).toBe(0);
    expect(framesOf(silent[0], 'detach')).toHaveLength(1);
    expect(second.term.buffer.active.type).toBe('normal');
  });

  it('the workspace ending: the terminal is given back at once, the prompt only once the server is gone', async () => {
    const project = tempDir();
    const home = tempHome();
    const conns = await fakeServer(project, home, (c) => c.socket.write(Buffer.concat([welcome(), frame('bye', { reason: 'quit', message: 'The workspace has ended.' })])));
    const { t } = attachIn(project, home);
    await t.waitFor('The workspace has ended.');
    expect(t.term.buffer.active.type).toBe('normal');
    // The server has not closed the connection yet: the client waits (at most 3 s) for it to.
    expect(alive([t.pid])).toEqual([t.pid]);
    conns[0].socket.end();
    expect((await t.exited).exitCode).toBe(0);
  });
});
