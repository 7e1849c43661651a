/**
 * Programs the workspace runs besides its panes, started without a fork of the workspace: by our
 * addon (native/src/spawn.c, posix_spawn) with pipes or /dev/null as their stdin, stdout and
 * stderr, their exits reaped at SIGCHLD (native-pty.ts). `spawnNoFork` gives as much of a
 * ChildProcess as its users take (the reaper's helper, a task's check, attention.command);
 * `execFile` answers as child_process.execFile does (git: worktrees, the shared context's
 * baselines).
 *
 * Why: libuv forks to start a program, and here a fork of a workspace of 75-100 MB cost ~10 ms and
 * then a fault on every page the workspace wrote afterwards (~13 µs each: docs/profile.md). The
 * context runs `git show` for files agents change, so a busy workspace paid that again and again.
 *
 * execFile's callback gets what child_process's does for the options used here (utf8 text,
 * maxBuffer, timeout): a spawn failure with its errno code (ENOENT: not installed); a non-zero exit
 * with `code` the exit status; a program killed by a signal with `signal`; over maxBuffer bytes, the
 * output cut there, the program sent SIGTERM and `code` ERR_CHILD_PROCESS_STDIO_MAXBUFFER; past the
 * timeout, SIGTERM, `killed` and `signal`. Without the native build (or with AGENTS_NATIVE_SPAWN=0)
 * spawnNoFork gives undefined and execFile is child_process's own.
 */
import { EventEmitter } from 'node:events';
import { Socket } from 'node:net';
import { childProcess } from '../util/builtin.js';
import { addonFunction } from '../util/native-addon.js';
import { envList, nativeSpawnAvailable, watchChild } from './native-pty.js';
import { signalName } from './process-tree.js';

/** Each of the program's 0, 1 and 2: a pipe to this process, or /dev/null. */
export type Stdio = 'pipe' | 'ignore';

export interface NoForkOptions {
  cwd: string;
  /** Its environment (this process's when undefined). */
  env?: NodeJS.ProcessEnv;
  stdio: readonly [Stdio, Stdio, Stdio];
  /** A session (and process group) of its own, as child_process's `detached`. */
  detached?: boolean;
}

/**
 * A program spawnNoFork started: 'exit' (code, signal) once it has ended, then 'close' (code,
 * signal) once its stdout and stderr pipes have closed too, as a ChildProcess emits them.
 */
export class NoForkChild extends EventEmitter {
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  private exited = false;
  private openPipes = 0;

  constructor(
    readonly pid: number,
    readonly stdin: Socket | null,
    readonly stdout: Socket | null,
    readonly stderr: Socket | null,
  ) {
    super();
    for (const s of [stdout, stderr]) {
      if (!s) continue;
      this.openPipes++;
      s.on('close', () => {
        this.openPipes--;
        this.closed();
      });
    }
    watchChild(pid, (e) => {
      this.exited = true;
      this.signalCode = e.signal ? signalName(e.signal) ?? null : null;
      this.exitCode = this.signalCode ? null : e.exitCode;
      this.emit('exit', this.exitCode, this.signalCode);
      this.closed();
    });
  }

  /** Signals it while it has not been seen to end (its pid cannot have been reused until then). */
  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    if (this.exited) return false;
    try {
      return process.kill(this.pid, signal);
    } catch {
      return false;
    }
  }

  /** Its exit watch never keeps this process alive; its pipes do, as a ChildProcess's. */
  unref(): void {}

  private closed(): void {
    if (this.exited && this.openPipes === 0) this.emit('close', this.exitCode, this.signalCode);
  }
}

/** How many programs this process started through the addon (a test checks that it is the path taken). */
export let noForkSpawns = 0;

/**
 * `file` (searched in its environment's PATH) with `args`, started without a fork; undefined where
 * the addon cannot (the caller uses child_process). Throws, with the errno's code ("spawn git
 * ENOENT", as child_process says it), when the program cannot be started.
 */
export function spawnNoFork(file: string, args: readonly string[], o: NoForkOptions): NoForkChild | undefined {
  const spawn = addonFunction('spawnStdio');
  if (!spawn || !nativeSpawnAvailable()) return undefined;
  noForkSpawns++;
  const env = o.env ? envList(o.env) : null;
  let made: unknown;
  try {
    made = spawn(file, args, env, o.cwd, o.stdio.map((m) => (m === 'pipe' ? 'p' : 'n')).join(''), o.detached === true);
  } catch (e) {
    // As child_process words it: "spawn git ENOENT".
    const code = (e as NodeJS.ErrnoException).code;
    throw Object.assign(new Error(`spawn ${file} ${code ?? (e as Error).message}`), { code, syscall: `spawn ${file}`, path: file });
  }
  if (!Array.isArray(made) || made.length !== 4) throw new Error('spawnStdio gave no process');
  const [pid, ...fds] = made.map(Number);
  const socket = (fd: number, writable: boolean) => (fd < 0 ? null : new Socket({ fd, readable: !writable, writable }));
  return new NoForkChild(pid, socket(fds[0], true), socket(fds[1], false), socket(fds[2], false));
}

export interface ExecOptions {
  cwd: string;
  /** The program's environment (this process's when undefined). */
  env?: NodeJS.ProcessEnv;
  /** The most bytes of stdout or stderr kept. */
  maxBuffer: number;
  /** Ms after which the program is sent SIGTERM (none when undefined). */
  timeout?: number;
  /** Written to its stdin, which is then closed. */
  input?: string;
}

export interface ExecError extends Error {
  code?: string | number | null;
  killed?: boolean;
  signal?: NodeJS.Signals | null;
}

export type ExecCallback = (err: ExecError | null, stdout: string, stderr: string) => void;

export function execFile(file: string, args: readonly string[], o: ExecOptions, cb: ExecCallback): void {
  let child: NoForkChild | undefined;
  try {
    child = spawnNoFork(file, args, { cwd: o.cwd, env: o.env, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    process.nextTick(cb, e as ExecError, '', '');
    return;
  }
  if (!child) {
    const c = childProcess().execFile(file, args, { cwd: o.cwd, env: o.env, encoding: 'utf8', maxBuffer: o.maxBuffer, timeout: o.timeout, windowsHide: true }, (err, stdout, stderr) =>
      cb(err as ExecError | null, stdout, stderr),
    );
    c.stdin?.on('error', () => undefined);
    c.stdin?.end(o.input ?? '');
    return;
  }
  const running = child;
  let killed = false;
  let failure: ExecError | undefined;
  const kill = (): void => {
    killed = running.kill('SIGTERM') || killed;
  };
  // It may exit without reading its input; the exit status says what happened.
  running.stdin?.on('error', () => undefined);
  running.stdin?.end(o.input ?? '');
  const texts = ['', ''];
  const bytes = [0, 0];
  [running.stdout, running.stderr].forEach((s, i) => {
    s?.setEncoding('utf8');
    s?.on('error', () => undefined);
    s?.on('data', (chunk: string) => {
      if (failure) return;
      // Counted in bytes and cut in characters, as execFile does.
      const n = Buffer.byteLength(chunk);
      bytes[i] += n;
      if (bytes[i] > o.maxBuffer) {
        texts[i] += chunk.slice(0, o.maxBuffer - (bytes[i] - n));
        failure = Object.assign(new Error(`${i === 0 ? 'stdout' : 'stderr'} maxBuffer length exceeded`), { code: 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER' });
        kill();
        return;
      }
      texts[i] += chunk;
    });
  });
  const timer = o.timeout ? setTimeout(kill, o.timeout) : undefined;
  running.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
    clearTimeout(timer);
    let err: ExecError | null = failure ?? null;
    if (!err && (code !== 0 || signal)) err = Object.assign(new Error(`Command failed: ${[file, ...args].join(' ')}\n${texts[1]}`), { code });
    if (err) Object.assign(err, { killed, signal, cmd: [file, ...args].join(' ') });
    cb(err, texts[0], texts[1]);
  });
}
