// `agents` as the PATH runs it: bin/agents' shell launcher starts the workspace server and the client
// at once, over two FIFOs (test/cli/launcher.test.ts checks what each is given). Here the real
// thing: the client takes the server over, nothing of their channel reaches a pane, and a server the
// client does not want, or whose client is gone, ends.
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { until } from '../helpers/term.js';
import { alive, descendants, withEnv } from '../helpers/procs.js';
import { quit, start, tempDir, tempHome } from './setup.js';

/** The pid of the server the launcher started, from the client's start-up marks. */
function launched(file: string): number | undefined {
  const m = /server started ahead by the launcher: (\d+)/.exec(readFileSync(file, 'utf8'));
  return m ? Number(m[1]) : undefined;
}

/** Where each open descriptor of `pid` leads. */
function fdLinks(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
      try {
        return [readlinkSync(`/proc/${pid}/fd/${fd}`)];
      } catch {
        return [];
      }
    });
  } catch {
    return [];
  }
}

/** One end of the launcher's FIFOs (mktemp names its folders tmp.XXXXXXXXXX; the client removes it). */
const FIFO = /\/tmp\.[^/]+\/(go|status)( \(deleted\))?$/;

const sessionOf = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[3]);

describe('agents started by its shell launcher', () => {
  it('the client takes over the server started with it; the channel is gone and no pane can reach it', async () => {
    const home = tempHome();
    const tmp = tempDir();
    const trace = join(home, 'trace');
    const run = start(['--cmd', 'echo "leaked=$(env | grep -c "^AGENTS_\\(LAUNCHED\\|SERVE\\)")"; echo pane-$((6*7)); sleep 600'], {
      launcher: true,
      dirs: { project: tempDir(), home },
      env: { AGENTS_START_TRACE: trace, TMPDIR: tmp },
    });
    await run.t.waitFor('pane-42');
    expect(run.t.text()).toContain('leaked=0');
    const server = launched(trace);
    expect(server).toBeDefined();
    // Its own session, and the workspace this terminal shows (its socket is the one listening).
    expect(sessionOf(server!)).toBe(server);
    expect(readFileSync(trace, 'utf8')).toMatch(new RegExp(`^\\S+ ${server} first output`, 'm'));
    // The FIFOs' folder is removed at once, and once the server is ready no process, the panes
    // included, holds either end.
    // (mktemp names its folders tmp.XXXXXXXXXX; the workspace keeps files of its own in TMPDIR.)
    expect(readdirSync(tmp).filter((n) => n.startsWith('tmp.'))).toEqual([]);
    await until(() => [run.t.pid, server!, ...descendants(run.t.pid)].every((pid) => !fdLinks(pid).some((l) => FIFO.test(l))), {
      message: 'the launcher FIFOs closed',
    });
    expect(await quit(run.t)).toBe(0);
    await until(() => alive([server!]).length === 0 && withEnv('AGENTS_HOME', home).length === 0, { message: 'no process of this run left' });
  });

  it('a bad flag: the usual message and exit 2, and the launched server is gone', async () => {
    const home = tempHome();
    const trace = join(home, 'trace');
    const run = start(['--theme', 'nosuch'], { launcher: true, dirs: { project: tempDir(), home }, env: { AGENTS_START_TRACE: trace } });
    expect((await run.t.exited).exitCode).toBe(2);
    expect(run.t.text()).toMatch(/agents: unknown theme "nosuch"/);
    const server = launched(trace);
    expect(server).toBeDefined();
    await until(() => alive([server!]).length === 0 && withEnv('AGENTS_HOME', home).length === 0, { message: 'no process of this run left' });
  });

  it('a client killed before its go (at the trust question): the server it was started with ends', async () => {
    const home = tempHome();
    const project = tempDir();
    const trace = join(home, 'trace');
    writeFileSync(join(project, 'agents.config.json'), JSON.stringify({ agents: [{ name: 'probe', command: 'sh', args: ['-c', 'sleep 600'] }] }));
    const run = start([], { launcher: true, dirs: { project, home }, env: { AGENTS_START_TRACE: trace } });
    await run.t.waitFor('[y/N]');
    const server = launched(trace);
    expect(server).toBeDefined();
    expect(alive([server!])).toEqual([server]);
    // Until go, the client holds the go FIFO's writing end and the status FIFO's reading end, the
    // server the other two.
    expect(fdLinks(run.t.pid).filter((l) => FIFO.test(l)).map((l) => l.split(' ')[0].split('/').pop())).toEqual(expect.arrayContaining(['go', 'status']));
    expect(fdLinks(server!).filter((l) => FIFO.test(l))).toHaveLength(2);
    process.kill(run.t.pid, 'SIGKILL');
    // Its go FIFO's only writer is gone: an end of file, and the server ends having done nothing.
    await until(() => alive([server!]).length === 0, { message: 'the launched server ended' });
    expect(withEnv('AGENTS_HOME', home)).toEqual([]);
  });
});
