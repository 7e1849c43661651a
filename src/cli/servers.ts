/**
 * `agents ls`, `agents attach [ID]` and `agents stop [ID]`: the running workspace servers of this
 * user, found by their sockets in the private runtime folder and asked over them (a socket nobody
 * answers on is a dead server's, and is removed).
 */
import { existsSync, unlinkSync } from 'node:fs';
import { attach, dial, query } from '../client/attach.js';
import { ensureRuntimeDir, listSockets, RuntimeDirError, socketPath, workspaceId } from '../server/paths.js';
import type { Info } from '../server/protocol.js';
import { formatCost } from '../util/format.js';
import { pidAlive } from '../util/pid.js';
import { printable } from '../util/safe-text.js';
import { plural } from '../util/text.js';

export interface Running {
  id: string;
  path: string;
  info: Info;
}

/** Every live workspace server of this user (stale sockets are cleaned up on the way). */
export async function runningServers(version: string): Promise<Running[]> {
  const dir = ensureRuntimeDir();
  const out: Running[] = [];
  for (const id of listSockets(dir)) {
    const path = socketPath(dir, id);
    const r = await query(path, version);
    if (r?.info) out.push({ id, path, info: r.info });
    else if (r?.refused) out.push({ id, path, info: { id, project: `(another version: ${r.refused})`, pid: 0, version: '?', since: 0, clients: 0, cost: 0, priced: false, panes: [] } });
    else if (r === undefined) {
      try {
        unlinkSync(path);
      } catch {
        // Someone else cleaned it, or it answers after all.
      }
    }
  }
  return out;
}

function since(t: number): string {
  const s = Math.max(0, Math.round((Date.now() - t) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export async function listServers(version: string, out: NodeJS.WritableStream): Promise<number> {
  const all = await runningServers(version);
  if (all.length === 0) {
    out.write('No workspace is running. agents starts one in the current folder.\n');
    return 0;
  }
  for (const { id, info } of all) {
    const cost = info.cost > 0 || info.priced ? `${formatCost(info.cost)}${info.priced ? '' : '+?'}${info.simulated ? ' (simulated)' : ''}` : 'cost unknown';
    const terminals = plural(info.clients, 'terminal');
    out.write(`${id}  ${printable(info.project)}\n    running ${since(info.since)} · pid ${info.pid} · ${terminals} attached · ${cost}\n`);
    out.write(`    ${printable(info.panes.map((p) => `${p.name} (${p.status})`).join(' · ')) || 'no panes'}\n`);
  }
  return 0;
}

/** The server `target` names (an id or its start), or this project's; a message when there is none. */
async function pick(target: string | undefined, version: string, projectDir: string): Promise<Running | string> {
  const all = await runningServers(version);
  if (target) {
    const hits = all.filter((r) => r.id.startsWith(target.toLowerCase()));
    if (hits.length === 1) return hits[0];
    return hits.length === 0 ? `no running workspace ${target}. agents ls lists them.` : `${target} names ${hits.length} workspaces; give more of the id.`;
  }
  const own = all.find((r) => r.id === workspaceId(projectDir));
  if (own) return own;
  if (all.length === 1) return all[0];
  return all.length === 0 ? 'no workspace is running. agents starts one here.' : `no workspace runs for this folder; ${all.length} run elsewhere (agents ls lists them): name one, agents attach ID.`;
}

export async function attachCommand(target: string | undefined, version: string, projectDir: string): Promise<number> {
  // This folder's own workspace, when it answers: attached to at once, without asking every server
  // for its status first (a round trip to each).
  const own = target === undefined ? socketPath(ensureRuntimeDir(), workspaceId(projectDir)) : undefined;
  // The connection that answered is the one attached through: a second would cost a busy server
  // another accept before the hello.
  const live = own !== undefined && existsSync(own) ? await dial(own) : undefined;
  const r = live && own ? { path: own } : await pick(target, version, projectDir);
  if (typeof r === 'string') {
    process.stderr.write(`agents: ${r}\n`);
    return 2;
  }
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    live?.destroy();
    process.stderr.write('agents: attaching needs a terminal: run it directly, not with its input or output redirected.\n');
    return 2;
  }
  return (await attach({ path: r.path, socket: live, version, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr })).code;
}

/**
 * A runtime folder that is not this user's alone (paths.ts) ends `ls`, `attach` or `stop` with what
 * is wrong with it and exit 2, as a start says it, not with a stack trace.
 */
export async function sayingRuntimeDir(run: Promise<number>): Promise<number> {
  try {
    return await run;
  } catch (err) {
    if (!(err instanceof RuntimeDirError)) throw err;
    process.stderr.write(`agents: ${printable(err.message)}\n`);
    return 2;
  }
}

export async function stopCommand(target: string | undefined, version: string, projectDir: string, out: NodeJS.WritableStream): Promise<number> {
  const r = await pick(target, version, projectDir);
  if (typeof r === 'string') {
    process.stderr.write(`agents: ${r}\n`);
    return 2;
  }
  const answer = await query(r.path, version, 'stop', 15_000);
  if (answer?.refused) {
    process.stderr.write(`agents: ${answer.refused}\n`);
    return 2;
  }
  // Stopping closes every pane (TERM, then KILL after a grace): say "stopped" once it is true.
  const deadline = Date.now() + 10_000;
  while (r.info.pid > 0 && pidAlive(r.info.pid) && Date.now() < deadline) await new Promise((w) => setTimeout(w, 50));
  if (r.info.pid > 0 && pidAlive(r.info.pid)) {
    process.stderr.write(`agents: the workspace in ${r.info.project} was asked to stop but still runs (pid ${r.info.pid}).\n`);
    return 1;
  }
  out.write(`Stopped the workspace in ${printable(r.info.project)} (${r.id}); its session is saved.\n`);
  return 0;
}

export { socketPath, workspaceId, ensureRuntimeDir };
