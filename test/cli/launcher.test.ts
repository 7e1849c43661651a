// bin/agents run by the shell (as `agents` on the PATH is) starts the workspace server and the client
// at the same moment, over two FIFOs. Here a stand-in `node` first on the PATH records what each of
// the two would have been given: which command lines start a server (the same as prelaunch.ts's
// looksLikeStart, which the client falls back to), with which descriptors, in which session.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { looksLikeStart } from '../../src/client/prelaunch.js';
import { socketPath, workspaceId } from '../../src/server/paths.js';
import { BIN, Term, until } from '../helpers/term.js';
import { tempDir } from '../e2e/setup.js';

interface Seen {
  role: 'client' | 'server' | 'plain';
  pid: number;
  sid: number;
  /** Where fds 5 to 8 lead ('' when closed). */
  fds: Record<number, string>;
  env: Record<string, string>;
  args: string[];
}

/** A `node` that writes one line about itself to $LOG and ends. */
const FAKE_NODE = `#!/bin/sh
shift
args=
[ $# -gt 0 ] && args=$(printf '%s\\037' "$@")
read -r stat < /proc/$$/stat
set -- $stat
fds=
for n in 5 6 7 8; do fds="$fds$(readlink /proc/$$/fd/$n 2>/dev/null),"; done
role=plain
[ -n "$AGENTS_LAUNCHED" ] && role=client
[ -n "$AGENTS_SERVE_FD" ] && role=server
printf '%s\\t%s\\t%s\\t%s\\t%s|%s|%s|%s\\t%s\\n' "$role" "$1" "$6" "$fds" "$AGENTS_SERVE_FD" "$AGENTS_SERVE_GO_FD" "$AGENTS_SERVE_WAIT" "$AGENTS_LAUNCHED" "$args" >> "$LOG"
# A client stays until its server has written its line: when the terminal closes, the server may not
# have left its session yet (setsid runs right after the fork), and would be hung up. The real
# client lives far longer than that moment.
if [ "$role" = client ]; then
  n=0
  while ! grep -q '^server' "$LOG" && [ $n -lt 200 ]; do sleep 0.05; n=$((n+1)); done
fi
`;

function parse(line: string): Seen {
  const [role, pid, sid, fds, env, args] = line.split('\t');
  const [serveFd, goFd, wait, launched] = env.split('|');
  const links = fds.split(',');
  return {
    role: role as Seen['role'],
    pid: Number(pid),
    sid: Number(sid),
    fds: { 5: links[0], 6: links[1], 7: links[2], 8: links[3] },
    env: { AGENTS_SERVE_FD: serveFd, AGENTS_SERVE_GO_FD: goFd, AGENTS_SERVE_WAIT: wait, AGENTS_LAUNCHED: launched },
    args: args.split('\x1f').slice(0, -1),
  };
}

describe('bin/agents run by the shell', () => {
  const fakeBin = tempDir();
  writeFileSync(join(fakeBin, 'node'), FAKE_NODE);
  chmodSync(join(fakeBin, 'node'), 0o755);

  /** Runs bin/agents ARGS in a terminal (or without one) with the stand-in node: what each process saw. */
  async function launch(args: string[], opts: { env?: Record<string, string | undefined>; terminal?: boolean; project?: string } = {}) {
    const dir = tempDir();
    const log = join(dir, 'log');
    const tmp = tempDir();
    const env = { PATH: `${fakeBin}:${process.env.PATH}`, LOG: log, TMPDIR: tmp, AGENTS_HOME: join(dir, 'home'), AGENTS_SERVER: undefined, AGENTS_LAUNCHED: undefined, AGENTS_SERVE_FD: undefined, ...opts.env };
    const cwd = opts.project ?? tempDir();
    if (opts.terminal === false) {
      spawnSync(BIN, args, { cwd, env: Object.fromEntries(Object.entries({ ...process.env, ...env }).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    } else {
      const t = new Term(BIN, args, { cwd, env });
      await t.exited;
    }
    const read = () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).map(parse) : []);
    // The server is started in the background: when the client was told of one, it is awaited.
    await until(() => !read().some((s) => s.role === 'client') || read().some((s) => s.role === 'server'), { message: 'the server launched' });
    return { seen: read(), tmp };
  }

  const cases = [
    [], ['claude', 'shell'], ['--cmd', 'sleep 600'], ['--cmd', 'ls'], ['--config', 'x.json', 'lead'], ['--layout=rows', 'agent'], ['--continue'], ['--resume', 'abc'],
    ['--demo'], ['--', 'run'], ['-', 'x'], [''], ['--trust', 'a b', "it's"],
    ['ls'], ['attach'], ['stop', 'abc'], ['sessions', '--all'], ['search', 'x'], ['worktrees', 'prune'], ['tasks'], ['task', 'add', 'x'], ['run', 'review', 'goal'], ['help'],
    ['--help'], ['claude', '-h'], ['-V'], ['--version'], ['--config', 'a.json', 'ls'], ['--demo', '--continue'], ['--demo', '--resume=x'], ['--cmd', 'ls', 'help'],
  ];

  it('starts a server exactly for the command lines prelaunch.ts takes for a start, with the same words', async () => {
    for (const argv of cases) {
      const { seen, tmp } = await launch(argv);
      const client = seen.find((s) => s.role !== 'server');
      const server = seen.find((s) => s.role === 'server');
      expect(client?.args, JSON.stringify(argv)).toEqual(argv);
      expect(client?.role === 'client', JSON.stringify(argv)).toBe(looksLikeStart(argv));
      if (!server || !client) {
        expect(seen, JSON.stringify(argv)).toHaveLength(1);
        // No server, no FIFOs: nothing is left in the temporary folder.
        expect(readdirSync(tmp), JSON.stringify(argv)).toEqual([]);
        continue;
      }
      expect(server.args).toEqual(argv);
      expect(server.env).toEqual({ AGENTS_SERVE_FD: '6', AGENTS_SERVE_GO_FD: '5', AGENTS_SERVE_WAIT: '1', AGENTS_LAUNCHED: '' });
      // In a session of its own: the terminal closing sends it nothing.
      expect(server.sid).toBe(server.pid);
      expect(client.sid).not.toBe(server.pid);
      // The client is told which process and which folder (it removes the folder).
      const [pid, folder] = client.env.AGENTS_LAUNCHED.split(' ');
      expect(Number(pid)).toBe(server.pid);
      expect(folder.startsWith(tmp)).toBe(true);
      expect(statSync(folder).mode & 0o777).toBe(0o700);
      for (const name of ['go', 'status']) {
        const st = statSync(join(folder, name));
        expect(st.isFIFO()).toBe(true);
        expect(st.mode & 0o777).toBe(0o600);
      }
      // Each end is held by one process only: the server reads go and writes its reports, the
      // client the other way round, so either one ending is an end of file for the other.
      expect(server.fds).toEqual({ 5: join(folder, 'go'), 6: join(folder, 'status'), 7: '', 8: '' });
      expect(client.fds).toEqual({ 5: '', 6: '', 7: join(folder, 'go'), 8: join(folder, 'status') });
    }
  }, 60_000);

  it('leaves the start to the client when a workspace runs here, without a terminal, or in-process', async () => {
    const runtime = tempDir();
    const project = tempDir();
    // Another project's server changes nothing.
    writeFileSync(socketPath(runtime, 'deadbeef'), '');
    expect((await launch([], { project, env: { AGENTS_RUNTIME_DIR: runtime } })).seen.map((s) => s.role)).toContain('client');
    writeFileSync(socketPath(runtime, workspaceId(project)), '');
    expect((await launch([], { project, env: { AGENTS_RUNTIME_DIR: runtime } })).seen.map((s) => s.role)).toEqual(['plain']);
    // The demo lives in a folder of its own: a server here is no reason not to start one.
    expect((await launch(['--demo'], { project, env: { AGENTS_RUNTIME_DIR: runtime } })).seen.map((s) => s.role)).toContain('client');
    expect((await launch([], { terminal: false })).seen.map((s) => s.role)).toEqual(['plain']);
    expect((await launch([], { env: { AGENTS_SERVER: '0' } })).seen.map((s) => s.role)).toEqual(['plain']);
  }, 30_000);

  it('with no runtime folder set, looks in /tmp/agents-<uid> and no other folder of that name', async () => {
    const project = tempDir();
    const sock = `${workspaceId(project)}.sock`;
    const env = { AGENTS_HOME: undefined, AGENTS_RUNTIME_DIR: undefined, XDG_RUNTIME_DIR: undefined };
    const ours = `/tmp/agents-${process.getuid!()}`;
    mkdirSync(ours, { recursive: true, mode: 0o700 });
    // Another folder of ours whose name starts the same way is not the runtime folder.
    const decoy = mkdtempSync('/tmp/agents-0decoy-');
    try {
      writeFileSync(join(decoy, sock), '');
      expect((await launch([], { project, env })).seen.map((s) => s.role)).toContain('client');
      writeFileSync(join(ours, sock), '');
      expect((await launch([], { project, env })).seen.map((s) => s.role)).toEqual(['plain']);
    } finally {
      rmSync(join(ours, sock), { force: true });
      rmSync(decoy, { recursive: true, force: true });
    }
  }, 30_000);
});
