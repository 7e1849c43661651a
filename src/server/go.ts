/**
 * The server's side of "go" (src/client/prelaunch.ts): a server started ahead of its client's
 * checks reads its status pipe until the client says go, with its terminal's size. The pipe closing
 * first means the client decided otherwise (a bad flag, a workspace to attach to, a declined trust
 * question): the server has done nothing yet and just ends.
 */
import { read } from 'node:fs';
import { goSchema, type Go } from '../client/launch.js';

const waiting = new Map<number, Promise<Go | undefined>>();

/**
 * The client's go, or undefined when the pipe closed (or said something else). The read is started
 * by the first call and shared by the later ones: main.ts starts it before the server's own checks,
 * so that the pool thread it reads on is up by the time they end (started after them, the read of a
 * go already written took ~16 ms: the thread pool's start).
 */
export function waitForGo(fd: number): Promise<Go | undefined> {
  let p = waiting.get(fd);
  if (!p) waiting.set(fd, (p = readGo(fd)));
  return p;
}

function readGo(fd: number): Promise<Go | undefined> {
  return new Promise((resolve) => {
    const buf = Buffer.alloc(256);
    let got = '';
    const next = () =>
      // A blocking read on a thread of the pool: nothing else waits for it.
      read(fd, buf, 0, buf.length, null, (err, n) => {
        if (err || n === 0) return resolve(undefined);
        got += buf.toString('utf8', 0, n);
        const nl = got.indexOf('\n');
        if (nl < 0) return got.length > 4096 ? resolve(undefined) : next();
        try {
          // jitless: one parse, for which zod's compiled fast path costs more than it saves.
          const parsed = goSchema().safeParse(JSON.parse(got.slice(0, nl)), { jitless: true });
          resolve(parsed.success ? parsed.data : undefined);
        } catch {
          resolve(undefined);
        }
      });
    next();
  });
}
