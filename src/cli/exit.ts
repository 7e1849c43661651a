/**
 * How the `agents` process reports and ends, shared by the subcommands and the workspace path: a
 * server started by a terminal reports ready or its error on AGENTS_SERVE_FD; everyone else prints
 * one escaped paragraph on stderr.
 */
import { closeSync, readFileSync, writeSync } from 'node:fs';
import { printable } from '../util/safe-text.js';

/** Set when this process is a workspace server: where it reports ready, or why it could not start. */
export const serveFd = process.env.AGENTS_SERVE_FD ? Number(process.env.AGENTS_SERVE_FD) : undefined;
/** Set when this server was started ahead of its client's checks: it waits for "go" (src/client/prelaunch.ts). */
export const serveWait = serveFd !== undefined && process.env.AGENTS_SERVE_WAIT === '1';
/**
 * Where that go comes from: the status pipe itself (a socket pair, from a client that spawned us),
 * or a FIFO of its own (AGENTS_SERVE_GO_FD, from bin/agents' launcher).
 */
export const serveGoFd = serveWait ? Number(process.env.AGENTS_SERVE_GO_FD ?? serveFd) : undefined;
// Its children must not take themselves for servers.
delete process.env.AGENTS_SERVE_FD;
delete process.env.AGENTS_SERVE_WAIT;
delete process.env.AGENTS_SERVE_GO_FD;

export function report(r: { listening: string } | { ready: string } | { error: string; code: number }): void {
  if (serveFd === undefined) return;
  try {
    writeSync(serveFd, JSON.stringify(r) + '\n');
    if ('ready' in r) closeSync(serveFd);
  } catch {
    // The terminal that started us is gone; the log has the rest.
  }
}

export function fail(message: string, code = 2): never {
  if (serveFd !== undefined) {
    report({ error: message.trimEnd(), code });
    process.exit(code);
  }
  // Messages quote flags, config values and paths: shown escaped, never obeyed by the terminal.
  process.stderr.write(`agents: ${printable(message.trimEnd(), { newlines: true })}\n`);
  process.exit(code);
}

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

