// No pane's program holds a descriptor of the workspace: the attack was a shell in one pane typing
// into another pane's agent through an inherited pty master (`printf 'text\r' >&23`).
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import nodePty from 'node-pty';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeOnExecAll, isCloseOnExec } from '../../src/terminal/native.js';
import { killSessionNow } from '../../src/terminal/process-tree.js';
import { spawnNativePty } from '../../src/terminal/native-pty.js';
import { childEnv, spawnNodePty, type PtyLike, type SpawnPty } from '../../src/terminal/pty.js';

const wait = { timeout: 10_000, interval: 20 };
const started: PtyLike[] = [];
const rawPids: number[] = [];
afterEach(() => {
  for (const p of started.splice(0)) killSessionNow(p.pid);
  for (const pid of rawPids.splice(0)) killSessionNow(pid);
});

function pane(script: string, spawn: SpawnPty = spawnNodePty): { pty: PtyLike; output: () => string } {
  // bash: dash cannot redirect to a descriptor above 9.
  const pty = spawn({ command: '/bin/bash', args: ['--norc', '--noprofile', '-c', script], cwd: '/', env: childEnv({}), cols: 200, rows: 50 });
  started.push(pty);
  let out = '';
  pty.onData((d) => (out += d));
  return { pty, output: () => out };
}

/** fd -> what it points at, for a process we can read. */
function descriptors(pid: number): Map<number, string> {
  const fds = new Map<number, string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      fds.set(Number(fd), readlinkSync(`/proc/${pid}/fd/${fd}`));
    } catch {
      // Closed while listing.
    }
  }
  return fds;
}

/** This process's descriptors from 3 up that a child would inherit. */
function inheritable(): number[] {
  return [...descriptors(process.pid).keys()].filter((fd) => {
    if (fd < 3) return false;
    try {
      const flags = /flags:\s*(\d+)/.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1];
      return flags !== undefined && (parseInt(flags, 8) & 0o2000000) === 0;
    } catch {
      return false;
    }
  });
}

// Both ways a pane starts: our own (native/src/spawn.c, closes everything from 3 in the child) and
// node-pty's forkpty (which closes nothing: the sweeps in pty.ts).
describe.each([
  ['our own pty', spawnNativePty],
  ['node-pty', spawnNodePty],
] as const)('descriptors a pane inherits, started by %s', (_name, start) => {
  const on = (script: string) => pane(script, start);
  it('a program started after three other panes holds its own terminal as 0, 1, 2 and nothing else', async () => {
    for (let i = 0; i < 3; i++) on('exec sleep 1000');
    const { pty, output } = on('echo ready; exec sleep 1001');
    await vi.waitFor(() => expect(output()).toContain('ready'), wait);
    const fds = descriptors(pty.pid);
    expect([...fds.keys()].sort()).toEqual([0, 1, 2]);
    const own = fds.get(0)!;
    expect(own).toMatch(/^\/dev\/pts\/\d+$/);
    expect(fds.get(1)).toBe(own);
    expect(fds.get(2)).toBe(own);
  });

  it("reads the program's line mode from the master: on at the start, off once it goes raw", async () => {
    const { pty, output } = on('echo cooked; read -r go; stty raw -echo; echo raw; exec sleep 1000');
    await vi.waitFor(() => expect(output()).toContain('cooked'), wait);
    expect(pty.lineMode?.()).toBe(true);
    pty.write('go\r');
    await vi.waitFor(() => expect(output()).toContain('raw'), wait);
    expect(pty.lineMode?.()).toBe(false);
  });

  it('a pane cannot type into an earlier pane through any inherited descriptor', async () => {
    const victim = on('IFS= read -r line; echo "victim got: $line"; exec sleep 1000');
    // The attack: a line written to every pty master this pane's shell holds.
    const attacker = on('for fd in $(ls /proc/$$/fd); do [ "$(readlink /proc/$$/fd/$fd)" = /dev/ptmx ] && printf "typed by another pane\\r" >&$fd; done; echo attacker-done; exec sleep 1000');
    await vi.waitFor(() => expect(attacker.output()).toContain('attacker-done'), wait);
    // The victim still waits for its own input; what its own terminal sends does arrive.
    expect(victim.output()).not.toContain('victim got');
    victim.pty.write('from its own keyboard\r');
    await vi.waitFor(() => expect(victim.output()).toContain('victim got: from its own keyboard'), wait);
  });

  it('a child_process child started after it gets no pty master either', async () => {
    on('exec sleep 1000');
    // Every pty descriptor of this process is close-on-exec: ours are opened so, node-pty's swept.
    const ptys = [...descriptors(process.pid)].filter(([, target]) => target === '/dev/ptmx' || target.startsWith('/dev/pts/')).map(([fd]) => fd);
    expect(ptys.length).toBeGreaterThan(0);
    expect(ptys.filter((fd) => inheritable().includes(fd))).toEqual([]);
    // After node-pty's spawn the sweep leaves nothing of this process inheritable at all (our own
    // spawns need none: they close everything from 3 in the child).
    if (start === spawnNodePty) expect(inheritable()).toEqual([]);
    const child = spawn('/bin/sh', ['-c', 'ls -l /proc/$$/fd'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let listing = '';
    child.stdout.on('data', (d) => (listing += d));
    await new Promise((r) => child.on('close', r));
    expect(listing).not.toContain('ptmx');
  });
});

describe('descriptors native code opens', () => {
  it('closeOnExecAll marks a descriptor native code opened without the flag (node-pty\'s own master)', () => {
    // nodePty directly, without our sweep: its master fd is the leak the sweep exists for.
    const raw = nodePty.spawn('/bin/sleep', ['1000'], { cols: 80, rows: 24, cwd: '/', env: childEnv({}) });
    rawPids.push(raw.pid);
    const master = [...descriptors(process.pid)].filter(([, target]) => target === '/dev/ptmx').map(([fd]) => fd);
    expect(master.length).toBeGreaterThan(0);
    expect(master.some((fd) => isCloseOnExec(fd) === false)).toBe(true);
    expect(closeOnExecAll()).toBe(true);
    for (const fd of master) expect(isCloseOnExec(fd)).toBe(true);
  });
});
