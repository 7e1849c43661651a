/**
 * Starting a project's workspace server from a terminal: the same program, run again in a session
 * of its own with the same arguments and environment, reporting on a pipe whether it is ready (and
 * where it listens) or why it could not start (a bad config, no stored session to resume...), so the
 * person sees the same one-paragraph message and exit status as ever.
 *
 * A server the client started ahead of its checks (prelaunch.ts) is already loading: it is told
 * "go", with the terminal's size, on the same pipe, and reports the same way.
 */
import * as z from 'zod';
import type { ServerChild, ServerPipe } from './launched.js';
import { spawnServer, takePrelaunched } from './prelaunch.js';
import { lazy } from '../util/lazy.js';
import { startMark } from '../util/start-trace.js';

/**
 * The server's reports on its status pipe, one JSON line each: `listening` once its socket is open
 * (a terminal may connect and say hello; it is answered once the workspace runs), then `ready`, or
 * an `error` (with the exit status to end with) at any point before ready.
 */
const startReportSchema = lazy(() =>
  z.union([
    z.object({ listening: z.string() }),
    z.object({ ready: z.string() }),
    z.object({ error: z.string(), code: z.number().int() }),
  ]),
);
export type StartReport = z.infer<ReturnType<typeof startReportSchema>>;
export type StartError = { error: string; code: number };

/**
 * How a launch went: an error before the server listened, or where it listens and how its start
 * ends (undefined once it is ready, or the error it reported or died of before that).
 */
export type Launch = StartError | { path: string; failed: Promise<StartError | undefined> };

/**
 * The client's word to a server waiting on its status pipe, one JSON line: start, at this size.
 * Both schemas are built on first use: a client parses only reports, a server only its go.
 */
export const goSchema = lazy(() => z.object({ go: z.literal(true), cols: z.number().int().min(1).max(2000), rows: z.number().int().min(1).max(1000) }));
export type Go = z.infer<ReturnType<typeof goSchema>>;

/** The size of the terminal that started the server, so its panes start at the size they will have. */
export const SERVE_SIZE = 'AGENTS_SERVE_SIZE';

export function launchServer(argv: string[], size: { cols: number; rows: number }): Promise<Launch> {
  const early = takePrelaunched(argv);
  let child: ServerChild;
  let pipe: ServerPipe | null;
  if (early) {
    ({ child, pipe } = early);
  } else {
    ({ child, pipe } = spawnServer(argv, { ...process.env, [SERVE_SIZE]: `${size.cols}x${size.rows}` }));
  }
  return new Promise((resolve) => {
    let buffered = '';
    let launched: ((f: StartError | undefined) => void) | undefined;
    let done = false;
    /** The start is over (ready, failed, or the server died): the pipe is let go. */
    const over = (f: StartError | undefined) => {
      if (done) return;
      done = true;
      child.unref();
      pipe?.destroy();
      if (launched) launched(f);
      else resolve(f ?? { error: 'the workspace server said it was ready without saying where', code: 1 });
    };
    const listening = (path: string) => {
      if (launched || done) return;
      startMark('reported');
      resolve({ path, failed: new Promise((r) => (launched = r)) });
    };
    const line = (text: string) => {
      let r;
      try {
        r = startReportSchema().safeParse(JSON.parse(text));
      } catch {
        r = undefined;
      }
      if (!r?.success) return over({ error: 'the workspace server said something this program cannot read', code: 1 });
      const report = r.data;
      if ('listening' in report) return listening(report.listening);
      if ('ready' in report) {
        listening(report.ready);
        return over(undefined);
      }
      over(report);
    };
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      for (let nl = buffered.indexOf('\n'); nl >= 0 && !done; nl = buffered.indexOf('\n')) {
        const text = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        line(text);
      }
    };
    pipe?.on('data', onData);
    pipe?.on('error', () => undefined);
    child.on('error', (err) => over({ error: `could not start the workspace server: ${err.message}`, code: 1 }));
    child.on('exit', (code, signal) => {
      // What it wrote before it went may still be on its way through the pipe: read that first.
      // (One the launcher started is not this process's to wait for: how it ended is not known.)
      const how = signal ? ` (${signal})` : code === null ? '' : ` (exit ${code})`;
      const died = () => over({ error: `the workspace server ended before it was ready${how}; the log in the data folder says why`, code: 1 });
      if (!pipe || pipe.destroyed || pipe.readableEnded) return died();
      pipe.once('close', died);
      setTimeout(died, 200);
    });
    if (early) {
      // Waited for from here on: the server and its pipe keep this process alive again.
      child.ref();
      pipe?.ref();
      for (const chunk of early.early) onData(chunk);
      if (!done) pipe?.write(JSON.stringify({ go: true, ...size } satisfies Go) + '\n');
      startMark('go');
    }
  });
}
