/**
 * Killing everything a pane started. node-pty makes each child a session leader (setsid), and a
 * job-control shell then moves each job into its own process group inside that session, so
 * `kill(-pid)` alone misses a shell's jobs (and interactive shells ignore SIGTERM). We therefore
 * signal every process group of the session, found through /proc, TERM (plus HUP, what closing a
 * terminal sends) first and KILL after a grace period. Processes that start a session of their own
 * (daemons) have left deliberately and are not touched.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { pidAlive } from '../util/pid.js';

const signalNames = new Map<number, NodeJS.Signals>(Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]));

/** A signal's name from its number (SIGTERM for 15), or undefined for a number this system does not name. */
export function signalName(n: number): NodeJS.Signals | undefined {
  return signalNames.get(n);
}

interface ProcInfo {
  pid: number;
  pgid: number;
  sid: number;
  state: string;
}

function readProc(pid: number): (ProcInfo & { tpgid: number }) | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, state: rest[0], pgid: Number(rest[2]), sid: Number(rest[3]), tpgid: Number(rest[5]) };
  } catch {
    return undefined;
  }
}

/**
 * The job in the terminal's foreground when it is not the leader's own group: for a shell, the
 * command it is running. Undefined while the leader itself has the terminal (a shell at its prompt),
 * when the leader is gone, or where /proc is missing.
 */
export function foregroundJob(leader: number): { pgid: number; command: string } | undefined {
  const info = readProc(leader);
  if (!info || info.tpgid <= 0 || info.tpgid === info.pgid) return undefined;
  let command = '?';
  try {
    command = readFileSync(`/proc/${info.tpgid}/comm`, 'utf8').trim();
  } catch {
    // The job ended between the two reads; its group id is still the answer for this moment.
  }
  return { pgid: info.tpgid, command };
}

const hasProc = (() => {
  try {
    readdirSync('/proc/self');
    return true;
  } catch {
    return false;
  }
})();

/** Live (non-zombie) processes of the session led by `sid`. */
export function sessionMembers(sid: number): ProcInfo[] {
  if (!hasProc) return pidAlive(sid) ? [{ pid: sid, pgid: sid, sid, state: 'R' }] : [];
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const info = readProc(Number(name));
    if (info && info.sid === sid && info.state !== 'Z' && info.state !== 'X') out.push(info);
  }
  return out;
}


function signalGroups(members: ProcInfo[], sid: number, signals: NodeJS.Signals[]): void {
  const groups = new Set<number>([sid]);
  for (const m of members) groups.add(m.pgid);
  for (const g of groups) {
    for (const sig of signals) {
      try {
        process.kill(-g, sig);
      } catch {
        // The group is already gone.
      }
    }
  }
}

/** TERM (and HUP, CONT for stopped jobs) to every group of the session, KILL whatever is left after `graceMs`. */
export async function killSession(sid: number, graceMs = 1500): Promise<void> {
  let members = sessionMembers(sid);
  if (members.length === 0) return;
  signalGroups(members, sid, ['SIGTERM', 'SIGHUP', 'SIGCONT']);
  const deadline = Date.now() + graceMs;
  let wait = 5;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, wait));
    wait = Math.min(wait * 2, 100);
    members = sessionMembers(sid);
    if (members.length === 0) return;
  }
  signalGroups(members, sid, ['SIGKILL']);
}

/** Synchronous last resort for a crash path: KILL at once. */
export function killSessionNow(sid: number): void {
  signalGroups(sessionMembers(sid), sid, ['SIGKILL']);
}
