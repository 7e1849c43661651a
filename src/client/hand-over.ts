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
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const BUILD = fileURLToPath(new URL('../../native/build/Release/', import.meta.url));

type HandOver = (path: string, args: string[], fd: number) => never;

/** The addon's handOver and the native client's path, when both are there and wanted. */
export function handOverTo(): { handOver: HandOver; path: string } | undefined {
  if (process.platform !== 'linux' || process.env.AGENTS_NATIVE_CLIENT === '0') return undefined;
  const path = `${BUILD}agents-attach`;
  if (!existsSync(path)) return undefined;
  try {
    const addon: unknown = createRequire(import.meta.url)(`${BUILD}agents_native.node`);
    const handOver: unknown = typeof addon === 'object' && addon !== null ? Reflect.get(addon, 'handOver') : undefined;
    return typeof handOver === 'function' ? { handOver: handOver as HandOver, path } : undefined;
  } catch {
    return undefined;
  }
}
