/**
 * Starting a project's workspace server from a terminal: the same program, run again in a session
 * of its own with the same arguments and environment, reporting on a pipe whether it is ready (and
 * where it listens) or why it could not start (a bad config, no stored session to resume...), so the
 * person sees the same one-paragraph message and exit status as ever.
 */
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { z } from 'zod';

/** The server's report on its status pipe, one JSON line. */
export const StartReportSchema = z.union([
  z.object({ ready: z.string() }),
  z.object({ error: z.string(), code: z.number().int() }),
]);
export type StartReport = z.infer<typeof StartReportSchema>;

/** The environment variable that makes the program a server, naming the fd of its status pipe. */
export const SERVE_FD = 'AGENTS_SERVE_FD';
/** The size of the terminal that started the server, so its panes start at the size they will have. */
export const SERVE_SIZE = 'AGENTS_SERVE_SIZE';

export function launchServer(argv: string[], size: { cols: number; rows: number }): Promise<StartReport> {
  return new Promise((resolve) => {
    // Detached: a session of its own, so the terminal closing sends it nothing.
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1], ...argv], {
      detached: true,
      stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
      env: { ...process.env, [SERVE_FD]: '3', [SERVE_SIZE]: `${size.cols}x${size.rows}` },
    });
    // The fourth stdio entry is the pipe asked for above: the child writes, we read.
    const pipe = child.stdio[3] as Readable | null;
    let buffered = '';
    let settled = false;
    const settle = (r: StartReport) => {
      if (settled) return;
      settled = true;
      child.unref();
      pipe?.destroy();
      resolve(r);
    };
    pipe?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const nl = buffered.indexOf('\n');
      if (nl < 0) return;
      try {
        const r = StartReportSchema.safeParse(JSON.parse(buffered.slice(0, nl)));
        settle(r.success ? r.data : { error: 'the workspace server said something this program cannot read', code: 1 });
      } catch {
        settle({ error: 'the workspace server said something this program cannot read', code: 1 });
      }
    });
    pipe?.on('error', () => undefined);
    child.on('error', (err) => settle({ error: `could not start the workspace server: ${err.message}`, code: 1 }));
    child.on('exit', (code, signal) => settle({ error: `the workspace server ended before it was ready (${signal ?? `exit ${code}`}); the log in the data folder says why`, code: 1 }));
  });
}
