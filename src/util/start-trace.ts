/**
 * Start-up marks for measuring (the bench, docs/profile.md): with AGENTS_START_TRACE=FILE set, each
 * process appends `<epoch ms> <pid> <mark>` lines to FILE, so a client's and its server's steps line
 * up on one clock; on Linux each line ends with a tab and the CPU time its main thread has had so
 * far, in ms (from /proc: unlike wall time, it does not count the time other work on a shared
 * machine kept the thread waiting). Unset, a mark costs one property read. Imports only Node's
 * built-ins: the client marks before anything else is loaded.
 */
import { appendFileSync, readFileSync } from 'node:fs';

const file = process.env.AGENTS_START_TRACE;

export function startMark(what: string): void {
  if (!file) return;
  try {
    appendFileSync(file, `${(Number(process.hrtime.bigint()) / 1e6).toFixed(2)} ${process.pid} ${what}${mainThreadCpu()}\n`);
  } catch {
    // Measuring must never be what fails.
  }
}

/** `\t<ms>`: the main thread's CPU time (its schedstat's first field, in ns), or nothing without /proc. */
function mainThreadCpu(): string {
  try {
    return `\t${(Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6).toFixed(1)}`;
  } catch {
    return '';
  }
}
