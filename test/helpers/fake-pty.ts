// A fake pty implementing PtyLike, passed in through PaneTerminal's / Workspace's `spawn` option.
// A test plays the program's side: `output()` is what the program prints, `exit()` ends it, and
// `written` records every byte the workspace sent to it.
import type { PtyExit, PtyLike, SpawnOptions, SpawnPty } from '../../src/terminal/pty.js';

// Far above any kernel's pid_max (2^22), so the process-tree code never finds or signals a real
// process when it is handed a fake pid.
let nextPid = 1_000_000_000;

export class FakePty implements PtyLike {
  readonly pid: number;
  readonly written: string[] = [];
  readonly resizes: Array<[number, number]> = [];
  cols: number;
  rows: number;
  paused = false;
  pauses = 0;
  resumes = 0;
  exited = false;
  /** Called for every write, after it is recorded: a program's reaction to input. */
  onWrite: ((data: string) => void) | undefined;
  private dataCbs: Array<(d: string) => void> = [];
  private exitCbs: Array<(e: PtyExit) => void> = [];

  /** `pid` may name a real process standing in for the program, for tests of killing it. */
  constructor(
    readonly options: SpawnOptions,
    pid?: number,
  ) {
    this.pid = pid ?? nextPid++;
    this.cols = options.cols;
    this.rows = options.rows;
  }

  get input(): string {
    return this.written.join('');
  }

  onData(cb: (data: string) => void): void {
    this.dataCbs.push(cb);
  }

  onExit(cb: (e: PtyExit) => void): void {
    this.exitCbs.push(cb);
  }

  write(data: string): void {
    if (this.exited) return;
    this.written.push(data);
    this.onWrite?.(data);
  }

  resize(cols: number, rows: number): void {
    this.resizes.push([cols, rows]);
    this.cols = cols;
    this.rows = rows;
  }

  pause(): void {
    this.paused = true;
    this.pauses++;
  }

  resume(): void {
    this.paused = false;
    this.resumes++;
  }

  /** The program prints. */
  output(data: string): void {
    for (const cb of this.dataCbs) cb(data);
  }

  /** The program ends (signal as a number, as node-pty reports it). */
  exit(exitCode: number, signal?: number): void {
    if (this.exited) return;
    this.exited = true;
    for (const cb of this.exitCbs) cb({ exitCode, signal });
  }
}

/** A SpawnPty that makes FakePtys, runs `program` on each once its listeners are attached, and keeps them. */
export function fakeSpawner(
  program: (p: FakePty) => void = () => {},
  pidFor?: (o: SpawnOptions) => number | undefined,
): SpawnPty & { ptys: FakePty[]; last: () => FakePty | undefined } {
  const ptys: FakePty[] = [];
  const spawn = (o: SpawnOptions): FakePty => {
    const p = new FakePty(o, pidFor?.(o));
    ptys.push(p);
    // The caller attaches onData/onExit right after spawn returns.
    queueMicrotask(() => program(p));
    return p;
  };
  return Object.assign(spawn, { ptys, last: () => ptys[ptys.length - 1] });
}
