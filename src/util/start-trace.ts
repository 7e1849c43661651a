/**
 * Start-up marks for measuring (the bench, docs/profile.md): with AGENTS_START_TRACE=FILE set, each
 * process appends `<epoch ms> <pid> <mark>` lines to FILE, so a client's and its server's steps line
 * up on one clock. Unset, a mark costs one property read. Imports only Node's built-ins: the client
 * marks before anything else is loaded.
 */
import { appendFileSync } from 'node:fs';

const file = process.env.AGENTS_START_TRACE;

export function startMark(what: string): void {
  if (!file) return;
  try {
    appendFileSync(file, `${(Number(process.hrtime.bigint()) / 1e6).toFixed(2)} ${process.pid} ${what}\n`);
  } catch {
    // Measuring must never be what fails.
  }
}
