/**
 * A terminal client that is attached and drawn to directly becomes the native client
 * (native/src/attach.c, `--adopt`) on the same process, through our addon's `handOver` (an exec).
 *
 * Why: once the server draws to the terminal and reads its keys itself (src/server/direct.ts), a
 * client only holds the terminal's modes and reports its size, and a Node process doing that still
 * holds ~50 MB and, a few seconds after its start, collects its start's garbage (~45 ms of CPU,
 * docs/profile.md). The exec keeps the process (the server's peer), its connection and its terminal;
 * everything else of Node goes.
 *
 * Loads the addon by itself (not src/terminal/native.ts, which brings zod): the client stays small.
 */
import { existsSync } from 'node:fs';
import { addonFunction, NATIVE_BUILD } from '../util/native-addon.js';

/** Execs the native client in this process's place (`--adopt` ARGS, the connection `fd` kept); returns only by throwing, when the exec failed. */
export type HandOver = (args: string[], fd: number) => void;

/** The hand-over, when the native client and the addon are there and wanted. */
export function handOverTo(): HandOver | undefined {
  if (process.platform !== 'linux' || process.env.AGENTS_NATIVE_CLIENT === '0') return undefined;
  const path = `${NATIVE_BUILD}agents-attach`;
  const handOver = existsSync(path) ? addonFunction('handOver') : undefined;
  return handOver && ((args, fd) => void handOver(path, args, fd));
}
