// Processes that left the command's process group, as they were found surviving: `setsid sleep &`
// outlived the agent's quit, crash and restart, and `(setsid sh -c "sleep" &)` outlived the call
// while the report said background processes "were stopped". Each test ends by reading /proc.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTool } from '../../../src/agent/tools/index.js';
import { newRunId, scanRun } from '../../../src/agent/tools/processes.js';
import { ToolBelt } from '../../../src/agent/toolbelt.js';
import { compiledTools } from './compiled.js';
import { sandbox, waitFor, type Sandbox } from './helpers.js';

let box: Sandbox;
const strays: number[] = [];
beforeEach(() => {
  box = sandbox();
});
afterEach(() => {
  for (const pid of strays.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  box.dispose();
});

/** A sleep duration no other test uses, so its processes can be told apart in /proc. */
let n = 0;
const unique = () => `${4000 + Math.floor(Math.random() * 900)}.${process.pid}${++n}`;

/** A process's scheduler state and what it waits in, from /proc, for a failure's report. */
function procState(pid: number | undefined): string {
  try {
    const state = /^State:\s*(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return `state ${state}, waiting in ${readFileSync(`/proc/${pid}/wchan`, 'utf8') || '-'}`;
  } catch {
    return 'no /proc entry';
  }
}

/** Live processes whose command line is exactly `argv`. */
function running(...argv: string[]): number[] {
  const want = `${argv.join('\0')}\0`;
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2))) continue;
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8') === want) out.push(Number(name));
    } catch {
      // exited while we looked
    }
  }
  return out;
}

describe('run_command stops what left its process group', () => {
  it('setsid sleep & (a new session holding the output pipe)', async () => {
    const t = unique();
    const r = await runTool('run_command', { command: `setsid sleep ${t} & echo started` }, box.ctx());
    expect(r.content).toContain('started');
    expect(r.content).toContain('[stopped 1 background process the command left running (sleep); all checked gone]');
    expect(running('sleep', t)).toEqual([]);
  });

  it('(setsid sh -c "sleep" &), whose output goes elsewhere', async () => {
    const t = unique();
    const r = await runTool('run_command', { command: `(setsid sh -c "sleep ${t}" >/dev/null 2>&1 &); echo started` }, box.ctx());
    // How many, and under which names, depends on how far the subshell and setsid got when the shell ended.
    expect(r.content).toMatch(/\[stopped \d+ background process(es)? the command left running \([a-z, ]+\); all checked gone\]/);
    expect(running('sleep', t)).toEqual([]);
    expect(running('sh', '-c', `sleep ${t}`)).toEqual([]);
  });

  it('a process caught in an exec, its environment empty for that moment, is looked at again', async () => {
    const t = unique();
    // Stands in for the exec window, made long: a process outside the group with no environment for
    // 50 ms, then carrying the run's marker again. The command ends once it is that `sh` in its own
    // session (setsid and env have exec'd: before setsid runs, the forked child is an `sh` too), so
    // the shell's end finds only the doubt. Before the second look the run settled there and the
    // sleep outlived it (as `(setsid sh -c "sleep" &)` did, about 1 run in 150).
    const inner = `sleep 0.05; export AGENTS_RUN_ID=$AGENTS_RUN_ID; exec sleep ${t}`;
    const ready = 'set -- $(cat /proc/$p/stat) && [ "$2" = "(sh)" ] && [ "$6" = "$p" ]';
    const command = `setsid env -i sh -c "${inner}" >/dev/null 2>&1 & p=$!; until ${ready}; do :; done; echo started`;
    const r = await runTool('run_command', { command }, box.ctx());
    if (!r.content.includes('[stopped')) {
      // Failing: collect the sleep that got away once it exists, so it does not outlive the test.
      await waitFor(() => running('sleep', t).length > 0, 'the sleep that got away').catch(() => undefined);
      strays.push(...running('sleep', t));
    }
    expect(r.content).toMatch(/\[stopped 1 background process the command left running \((sh|sleep)\); all checked gone\]/);
    expect(running('sleep', t)).toEqual([]);
  });

  it('a process with an empty environment outside the run is a doubt, never a target', () => {
    const t = unique();
    const other = spawn('env', ['-i', 'sleep', t], { detached: true, stdio: 'ignore' });
    strays.push(other.pid!);
    return waitFor(() => running('sleep', t).length === 1, 'the sleep').then(() => {
      const scan = scanRun(newRunId(), undefined);
      expect(scan.unsure.map((p) => p.pid)).toContain(other.pid);
      expect(scan.procs.map((p) => p.pid)).not.toContain(other.pid);
      // Kernel threads have no environment either, and are no doubt: kthreadd is pid 2.
      expect(scan.unsure.map((p) => p.pid)).not.toContain(2);
    });
  });

  it('on an interrupt, everything it started in other sessions goes too', async () => {
    const t = unique();
    const ac = new AbortController();
    const call = runTool('run_command', { command: `(setsid sh -c "sleep ${t}" &); setsid sleep ${t} & sleep ${t}` }, box.ctx({ signal: ac.signal }));
    await waitFor(() => running('sleep', t).length === 3, 'the three sleeps');
    ac.abort();
    const r = await call;
    expect(r.content).toContain('[stopped: interrupted by the user; the command and the processes it started were sent SIGTERM; all checked gone]');
    expect(running('sleep', t)).toEqual([]);
  });

  it('known limit, reported truthfully: a process that clears its environment and leaves the group is not found', async () => {
    const t = unique();
    // The command waits until env has exec'd sleep: before that the process still carries the marker.
    const command = `setsid env -i sleep ${t} >/dev/null 2>&1 & while ! grep -qx sleep /proc/$!/comm; do :; done; echo started`;
    const r = await runTool('run_command', { command }, box.ctx());
    const left = running('sleep', t);
    strays.push(...left);
    expect(left).toHaveLength(1);
    // Nothing claims it was stopped.
    expect(r.content).toBe('started\n[exit code 0]');
  });

  it('the command does not get the agent channel\'s secrets in its environment', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, { AGENTS_IPC: '/tmp/agents-ipc.sock', AGENTS_IPC_TOKEN: 'ipc-secret-123', AGENTS_PANE_ID: '2', AGENTS_THEME: 'dark' });
    try {
      const r = await runTool('run_command', { command: 'env' }, box.ctx());
      expect(r.content).not.toMatch(/AGENTS_IPC|AGENTS_PANE_ID|ipc-secret-123/);
      expect(r.content).toContain('AGENTS_THEME=dark');
      expect(r.content).toMatch(/^AGENTS_RUN_ID=\d+\.\d+\.[0-9a-f]{24}$/m);
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    }
  });
});

/**
 * An agent process with a command running that started `setsid sleep &` and
 * `(setsid sh -c "sleep" &)`, ready when it prints `running`. Once the file `go` appears, `quit`
 * leaves by process.exit, `crash` by an uncaught error; `hold` waits to be killed.
 */
const AGENT = `import { existsSync } from 'node:fs';
import { runTool } from './agent/tools/index.js';
const [root, mode, t] = process.argv.slice(2);
const command = 'setsid sleep ' + t + ' & (setsid sh -c "sleep ' + t + '" &); touch started; sleep ' + t;
void runTool('run_command', { command }, { root, signal: new AbortController().signal });
let said = false;
// A line a second on stderr, for the test's report when 'running' does not come: is the loop alive?
let ticks = 0;
setInterval(() => process.stderr.write('tick ' + ++ticks + ' said=' + said + ' started=' + existsSync(root + '/started') + '\\n'), 1000).unref();
setInterval(() => {
  // One look at the file decides both: a second look could see it appear after the first missed it,
  // marking 'running' said when it never was (the command's touch and this poll run concurrently).
  if (!said && existsSync(root + '/started')) {
    said = true;
    console.log('running');
  }
  if (!existsSync(root + '/go')) return;
  if (mode === 'quit') process.exit(0);
  if (mode === 'crash') throw new Error('the agent crashed');
}, 10);
`;

describe('an agent that ends while a command runs leaves nothing behind', { timeout: 60_000 }, () => {
  async function agentWithCommand(mode: 'quit' | 'crash' | 'hold', t: string) {
    const file = join(compiledTools(), 'agent-with-command.js');
    writeFileSync(file, AGENT);
    const child = spawn(process.execPath, [file, box.root, mode, t], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise((r) => child.once('exit', r));
    let out = '';
    let err = '';
    let exit: string | undefined;
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code, signal) => (exit = `exited ${code ?? signal}`));
    // Said whole when it does not start: what the agent printed (its heartbeat tells a stalled loop
    // from one that is running), and whether it is still there. The deadline is far above a start
    // under load (alone the agent prints within ~0.3 s); the wait ends as soon as it prints.
    await waitFor(() => out.includes('running'), 'the command to run', 30_000).catch((e: Error) => {
      throw new Error(`${e.message}; the agent ${exit ?? `still runs (${procState(child.pid)})`}; stdout ${JSON.stringify(out)}; stderr ${JSON.stringify(err.slice(-600))}; started file ${existsSync(join(box.root, 'started'))}`);
    });
    await waitFor(() => running('sleep', t).length === 3, 'its three sleeps', 30_000);
    writeFileSync(join(box.root, 'go'), '');
    return { child, exited };
  }

  it.each(['quit', 'crash'] as const)('%s: the exit kills every process of the running command', async (mode) => {
    const t = unique();
    const { exited } = await agentWithCommand(mode, t);
    await exited;
    // SIGKILL is delivered asynchronously: wait (with a deadline) for the kernel to finish them.
    await waitFor(() => running('sleep', t).length === 0 && running('sh', '-c', `sleep ${t}`).length === 0, 'all to be gone', 5_000);
  });

  it('kill -9: the processes survive the agent, and the next agent start sweeps them', async () => {
    const t = unique();
    const { child, exited } = await agentWithCommand('hold', t);
    child.kill('SIGKILL');
    await exited;
    const orphans = running('sleep', t);
    strays.push(...orphans);
    expect(orphans).toHaveLength(3);
    // An agent starting (its first tool belt) is what sweeps.
    new ToolBelt(box.root, [], undefined);
    await waitFor(() => running('sleep', t).length === 0, 'the orphans to be gone', 5_000);
    expect(existsSync(join(box.root, 'started'))).toBe(true);
  });
});
