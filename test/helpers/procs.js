// Process-table checks for the "no orphans, ever" tests: everything a workspace started, found
// through /proc, so a test can assert that all of it is gone.
import { readdirSync, readFileSync } from 'node:fs';

function stat(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { pid, state: f[0], ppid: Number(f[1]), pgid: Number(f[2]), sid: Number(f[3]) };
  } catch {
    return undefined;
  }
}

export function allProcs() {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map((n) => stat(Number(n)))
    .filter((p) => p && p.state !== 'Z');
}

/** Pids of every live process descended from `root`, or in a session led by one of them. */
export function descendants(root) {
  const procs = allProcs();
  const found = new Set();
  let frontier = [root];
  while (frontier.length) {
    const next = [];
    for (const p of procs) if (frontier.includes(p.ppid) && !found.has(p.pid)) { found.add(p.pid); next.push(p.pid); }
    frontier = next;
  }
  const sessions = new Set([...found]);
  for (const p of procs) if (sessions.has(p.sid)) found.add(p.pid);
  return [...found];
}

export function alive(pids) {
  return pids.filter((pid) => {
    const s = stat(pid);
    return s !== undefined && s.state !== 'Z';
  });
}

/** Live processes whose environment holds `name=value`: what one run started, whatever else runs beside it. */
export function withEnv(name, value) {
  const want = `${name}=${value}`;
  return allProcs()
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p.pid}/environ`, 'utf8').split('\0').includes(want);
      } catch {
        return false;
      }
    })
    .map((p) => p.pid);
}
