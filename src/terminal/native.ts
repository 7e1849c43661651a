/**
 * Our own native part (native/, built by `npm install` with node-gyp, as node-pty is): an addon
 * for what Node cannot do (close-on-exec, malloc_trim), and the path of the reaper helper (see reaper.ts).
 *
 * Why close-on-exec needs native code: Node opens its own descriptors with O_CLOEXEC, but native
 * libraries do not. Measured with 4 panes (a built-in agent, a shell, two commands): the fourth
 * pane's program held the pty masters of the three earlier panes (node-pty 1.1 forkpty()s without
 * the flag and execs without closing anything), the read end of a popen() pipe @parcel/watcher
 * opens to look for watchman, and whatever the workspace itself had inherited. Node has no fcntl.
 *
 * Invariant: after `closeOnExecAll()` returns, no descriptor of this process from 3 up is passed to
 * a program this process starts (node-pty's fork or child_process; our own spawns close everything
 * from 3 in the child besides); children get their 0, 1, 2.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as z from 'zod';
import { log } from '../util/log.js';
import { NATIVE_BUILD } from '../util/native-addon.js';


/** The reaper helper's executable (undefined when the native build is missing). */
export const REAPER_PATH: string | undefined = existsSync(`${NATIVE_BUILD}agents-reaper`) ? `${NATIVE_BUILD}agents-reaper` : undefined;

/** Built by the one load (the first pane's spawn). */
function addonSchema() {
  return z.object({
    cloexecFrom: z.custom<(low: number) => void>((v) => typeof v === 'function'),
    isCloexec: z.custom<(fd: number) => boolean>((v) => typeof v === 'function'),
    // Optional: a build from before it was added still serves the rest.
    mallocTrim: z.custom<() => boolean>((v) => typeof v === 'function').optional(),
    peerPid: z.custom<(fd: number) => number>((v) => typeof v === 'function').optional(),
  });
}
type Addon = z.infer<ReturnType<typeof addonSchema>>;

let addon: Addon | null | undefined;
/** Why the addon is unavailable, for a caller that wants to say so. */
export let nativeProblem: string | undefined;

function load(): Addon | null {
  if (addon !== undefined) return addon;
  try {
    // jitless: checked once, and zod's compiled fast path (made at a schema's first parse) costs more
    // than it saves on one parse (~1.1 vs ~0.4 ms for a small object, measured).
    const parsed = addonSchema().safeParse(createRequire(import.meta.url)(`${NATIVE_BUILD}agents_native.node`), { jitless: true });
    addon = parsed.success ? parsed.data : null;
    if (!parsed.success) nativeProblem = 'native/build/Release/agents_native.node is not the expected addon';
  } catch (e) {
    addon = null;
    nativeProblem = `the native part is not built (run npm install): ${(e as Error).message.split('\n')[0]}`;
  }
  if (nativeProblem) log(`${nativeProblem}; panes may inherit each other's descriptors`);
  return addon;
}

/** Marks every descriptor from 3 up close-on-exec. False when the native part is missing. */
export function closeOnExecAll(): boolean {
  const a = load();
  if (!a) return false;
  a.cloexecFrom(3);
  return true;
}

/** Whether `fd` is close-on-exec (undefined when the native part is missing). */
export function isCloseOnExec(fd: number): boolean | undefined {
  return load()?.isCloexec(fd);
}

/**
 * glibc's malloc_trim(0): hands the free pages inside malloc's heap back to the system (freed
 * memory otherwise stays with the process; reclaim.ts). False when unavailable or nothing was given back.
 */
export function mallocTrim(): boolean {
  return load()?.mallocTrim?.() ?? false;
}

/**
 * The pid of the process at the other end of the connected unix socket `fd`, as the kernel recorded
 * it (SO_PEERCRED); undefined when unknown (no native part, not Linux, not such a socket).
 */
export function peerPid(fd: number): number | undefined {
  try {
    const pid = load()?.peerPid?.(fd);
    return pid !== undefined && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
