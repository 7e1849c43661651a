/**
 * The pty seam: the workspace talks to `PtyLike`, so tests can run the same contract against a
 * fake and against real node-pty.
 */
import nodePty from 'node-pty';

export interface PtyExit {
  exitCode: number;
  signal?: number;
}

export interface PtyLike {
  readonly pid: number;
  onData(cb: (data: string) => void): void;
  onExit(cb: (e: PtyExit) => void): void;
  write(data: string): void;
  resize(cols: number, rows: number): void;
  pause(): void;
  resume(): void;
}

export interface SpawnOptions {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  cols: number;
  rows: number;
}

export type SpawnPty = (o: SpawnOptions) => PtyLike;

export const spawnNodePty: SpawnPty = (o) => {
  const p = nodePty.spawn(o.command, o.args, {
    name: 'xterm-256color',
    cols: o.cols,
    rows: o.rows,
    cwd: o.cwd,
    env: o.env,
  });
  return {
    get pid() {
      return p.pid;
    },
    onData: (cb) => void p.onData(cb),
    onExit: (cb) => void p.onExit((e) => cb({ exitCode: e.exitCode, signal: e.signal || undefined })),
    write: (d) => p.write(d),
    resize: (c, r) => p.resize(c, r),
    pause: () => p.pause(),
    resume: () => p.resume(),
  };
};

/** Environment for a child: the user's own, as if they had started the program themselves. */
export function childEnv(extra: Record<string, string>, base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  // bin/agents sets NODE_ENV for its own React; a child must see the user's value.
  if (env.AGENTS_SET_NODE_ENV) {
    delete env.NODE_ENV;
    delete env.AGENTS_SET_NODE_ENV;
  }
  // The child's terminal is ours, not an outer tmux/screen: programs that see these talk to the wrong server.
  delete env.TMUX;
  delete env.TMUX_PANE;
  delete env.STY;
  env.TERM = 'xterm-256color';
  env.COLORTERM = 'truecolor';
  return { ...env, ...extra };
}
