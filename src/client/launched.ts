/**
 * The workspace server bin/agents' shell launcher started alongside this client, as the client
 * uses a server it spawned itself (prelaunch.ts, launch.ts): a process to kill or to hear end, and
 * a status pipe, here the launcher's two FIFOs (the client writes go on fd 7 and reads reports on
 * fd 8). Imports only Node's built-ins: it runs before anything else loads.
 */
import { EventEmitter } from 'node:events';
import { Socket } from 'node:net';

/** What the client needs of its server's process: a ChildProcess, or the one the launcher started. */
export interface ServerChild {
  readonly pid?: number;
  kill(signal?: NodeJS.Signals): boolean;
  ref(): void;
  unref(): void;
  on(event: 'exit', fn: (code: number | null, signal: NodeJS.Signals | null) => void): this;
  on(event: 'error', fn: (err: Error) => void): this;
}

/** The status pipe as the client uses it: a socket pair's end, or the launcher's two FIFOs. */
export interface ServerPipe {
  readonly destroyed: boolean;
  readonly readableEnded: boolean;
  on(event: 'data', fn: (chunk: Buffer) => void): this;
  on(event: 'error', fn: (err: Error) => void): this;
  once(event: 'close', fn: () => void): this;
  removeAllListeners(event: 'data'): this;
  write(text: string): boolean;
  destroy(): void;
  ref(): void;
  unref(): void;
}

/**
 * The launcher's server `pid` on fds 7 and 8, or undefined (the server killed) when they are not
 * there: without its pipe the server would only wait.
 */
export function launchedServer(pid: number): { child: ServerChild; pipe: ServerPipe } | undefined {
  const child = new LaunchedServer(pid);
  let pipe: FifoPipe;
  try {
    pipe = new FifoPipe(new Socket({ fd: 7, readable: false, writable: true }), new Socket({ fd: 8, readable: true, writable: false }));
  } catch {
    child.kill('SIGKILL');
    return undefined;
  }
  // Its end of file is the server's end: no process but the server holds the other side.
  pipe.once('close', () => child.emit('exit', null, null));
  return { child, pipe };
}

/**
 * The launcher's server as a ServerChild. It is this process's child (the launcher's shell became
 * this process), but not one Node started: its status comes from its pipe, not from a wait.
 */
class LaunchedServer extends EventEmitter implements ServerChild {
  constructor(readonly pid: number) {
    super();
  }
  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    try {
      return process.kill(this.pid, signal);
    } catch {
      return false;
    }
  }
  ref(): void {}
  unref(): void {}
}

/** The launcher's two FIFOs as one ServerPipe: go is written to one, reports read from the other. */
class FifoPipe extends EventEmitter implements ServerPipe {
  constructor(
    private readonly out: Socket,
    private readonly inp: Socket,
  ) {
    super();
    inp.on('data', (chunk: Buffer) => this.emit('data', chunk));
    inp.on('error', (err: Error) => this.emit('error', err));
    inp.on('close', () => {
      out.destroy();
      this.emit('close');
    });
    out.on('error', (err: Error) => this.emit('error', err));
  }
  get destroyed(): boolean {
    return this.inp.destroyed;
  }
  get readableEnded(): boolean {
    return this.inp.readableEnded;
  }
  write(text: string): boolean {
    return !this.out.destroyed && this.out.write(text);
  }
  destroy(): void {
    this.out.destroy();
    this.inp.destroy();
  }
  ref(): void {
    this.out.ref();
    this.inp.ref();
  }
  unref(): void {
    this.out.unref();
    this.inp.unref();
  }
}
