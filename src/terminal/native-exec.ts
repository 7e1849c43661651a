/**
 * child_process.execFile without a fork of the workspace: the program started by our addon
 * (native/src/spawn.c, posix_spawn) with pipes for its stdin, stdout and stderr, its exit reaped at
 * SIGCHLD (native-pty.ts). git runs through it (src/worktree/git.ts, the shared context's baselines).
 *
 * Why: libuv forks to start a program, and here a fork of a workspace of 75-100 MB cost ~10 ms and
 * then a fault on every page the workspace wrote afterwards (~13 µs each: docs/profile.md). The
 * context runs `git show` for files agents change, so a busy workspace paid that again and again.
 *
 * The callback gets what execFile's does for the options used here (utf8 text, maxBuffer, timeout):
 * a spawn failure with its errno code (ENOENT: not installed); a non-zero exit with `code` the exit
 * status; a program killed by a signal with `signal`; over maxBuffer bytes, the output cut there, the program sent SIGTERM and `code` ERR_CHILD_PROCESS_STDIO_MAXBUFFER; past the
 * timeout, SIGTERM, `killed` and `signal`. Without the native build (or with
 * AGENTS_NATIVE_SPAWN=0) it is child_process.execFile itself.
 */
import { Socket } from 'node:net';
import { constants } from 'node:os';
import { childProcess } from '../util/builtin.js';
import { addonFunction } from '../util/native-addon.js';
import { nativeSpawnAvailable, watchChild } from './native-pty.js';

export interface ExecOptions {
  cwd: string;
  /** The program's environment (this process's when undefined). */
  env?: NodeJS.ProcessEnv;
  /** The most characters of stdout or stderr kept. */
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

const signalNames = new Map<number, NodeJS.Signals>(Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]));

/** How many programs this process ran through the addon (a test checks that it is the path taken). */
export let nativeExecs = 0;

export function execFile(file: string, args: readonly string[], o: ExecOptions, cb: ExecCallback): void {
  const spawn = addonFunction('spawnPiped');
  if (!spawn || !nativeSpawnAvailable()) {
    const child = childProcess().execFile(file, args, { cwd: o.cwd, env: o.env, encoding: 'utf8', maxBuffer: o.maxBuffer, timeout: o.timeout, windowsHide: true }, (err, stdout, stderr) =>
      cb(err as ExecError | null, stdout, stderr),
    );
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(o.input ?? '');
    return;
  }
  nativeExecs++;
  let made: unknown;
  try {
    made = spawn(file, args, o.env ? Object.entries(o.env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`])) : null, o.cwd);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const err: ExecError = Object.assign(new Error(`spawn ${file} ${code ?? ''}`.trim()), { code, syscall: `spawn ${file}`, path: file });
    process.nextTick(cb, err, '', '');
    return;
  }
  if (!Array.isArray(made) || made.length !== 4) throw new Error('spawnPiped gave no process');
  const [pid, inFd, outFd, errFd] = made.map(Number);

  let exited = false;
  let killed = false;
  let failure: ExecError | undefined;
  const kill = (): void => {
    if (exited) return;
    killed = true;
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // Gone already.
    }
  };

  const stdin = new Socket({ fd: inFd, readable: false, writable: true });
  // It may exit without reading its input; the exit status says what happened.
  stdin.on('error', () => undefined);
  stdin.end(o.input ?? '');

  const texts = ['', ''];
  const bytes = [0, 0];
  let open = 2;
  let status: { code: number; signal?: number } | undefined;
  const done = (): void => {
    if (open > 0 || !status) return;
    clearTimeout(timer);
    const signal = status.signal ? signalNames.get(status.signal) ?? null : null;
    const cmd = [file, ...args].join(' ');
    let err: ExecError | null = failure ?? null;
    if (!err && (status.code !== 0 || signal)) {
      err = Object.assign(new Error(`Command failed: ${cmd}\n${texts[1]}`), { code: signal ? null : status.code });
    }
    if (err) Object.assign(err, { killed, signal, cmd });
    cb(err, texts[0], texts[1]);
  };
  [outFd, errFd].forEach((fd, i) => {
    const s = new Socket({ fd, readable: true, writable: false });
    s.setEncoding('utf8');
    s.on('data', (chunk: string) => {
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
    s.on('error', () => undefined);
    s.on('close', () => {
      open--;
      done();
    });
  });
  const timer = o.timeout ? setTimeout(kill, o.timeout) : undefined;
  watchChild(pid, (e) => {
    exited = true;
    status = { code: e.exitCode, signal: e.signal };
    done();
  });
}
