// execFile without a fork (src/terminal/native-exec.ts) must answer as child_process.execFile does
// for what git.ts and the context ask of it: each case runs both ways and compares.
import { afterEach, describe, expect, it } from 'vitest';
import { execFile, noForkSpawns, type ExecError, type ExecOptions } from '../../src/terminal/native-exec.js';

afterEach(() => {
  delete process.env.AGENTS_NATIVE_SPAWN;
});

interface Outcome {
  err: Pick<ExecError, 'code' | 'signal'> & { killed?: boolean; message?: string } | null;
  stdout: string;
  stderr: string;
}

/** Runs once through the addon and once through child_process, and checks which way each went. */
async function both(file: string, args: string[], o: Partial<ExecOptions> = {}): Promise<[Outcome, Outcome]> {
  const run = (native: boolean) =>
    new Promise<Outcome>((resolve) => {
      if (native) delete process.env.AGENTS_NATIVE_SPAWN;
      else process.env.AGENTS_NATIVE_SPAWN = '0';
      const before = noForkSpawns;
      execFile(file, args, { cwd: '/', maxBuffer: 1024 * 1024, ...o }, (err, stdout, stderr) => {
        expect(noForkSpawns > before).toBe(native);
        resolve({ err: err && { code: err.code, signal: err.signal ?? null, killed: err.killed, message: err.message }, stdout, stderr });
      });
    });
  return [await run(true), await run(false)];
}

describe('execFile without a fork', () => {
  it('gives stdout and stderr as text, and no error for exit 0', async () => {
    const [ours, node] = await both('/bin/sh', ['-c', 'printf "out é\\n"; printf "err\\n" >&2']);
    expect(ours).toEqual({ err: null, stdout: 'out é\n', stderr: 'err\n' });
    expect(node).toEqual(ours);
  });

  it('a non-zero exit: its status as code, stderr in the message', async () => {
    const [ours, node] = await both('/bin/sh', ['-c', 'echo partial; echo why >&2; exit 3']);
    expect(ours.err).toMatchObject({ code: 3, signal: null, killed: false });
    expect(ours.err?.message).toContain('why');
    expect(ours.stdout).toBe('partial\n');
    expect({ ...node, err: { ...node.err, message: undefined } }).toEqual({ ...ours, err: { ...ours.err, message: undefined } });
  });

  it('a program killed by a signal: code null and the signal', async () => {
    const [ours, node] = await both('/bin/sh', ['-c', 'kill -TERM $$']);
    expect(ours.err).toMatchObject({ code: null, signal: 'SIGTERM' });
    expect(node.err).toMatchObject({ code: null, signal: 'SIGTERM' });
  });

  it('over maxBuffer bytes: the output cut there, the program stopped, ERR_CHILD_PROCESS_STDIO_MAXBUFFER', async () => {
    const [ours, node] = await both('/bin/sh', ['-c', 'yes abcdefgh | head -c 100000; sleep 5'], { maxBuffer: 1000 });
    expect(ours.err?.code).toBe('ERR_CHILD_PROCESS_STDIO_MAXBUFFER');
    expect(ours.stdout.length).toBe(1000);
    expect(node.err?.code).toBe(ours.err?.code);
    expect(node.stdout).toBe(ours.stdout);
  });

  it('past the timeout: SIGTERM, killed', async () => {
    const [ours, node] = await both('/bin/sleep', ['5'], { timeout: 100 });
    expect(ours.err).toMatchObject({ killed: true, signal: 'SIGTERM', code: null });
    expect(node.err).toMatchObject({ killed: true, signal: 'SIGTERM', code: null });
  });

  it('a program that is not there: ENOENT, searched in the PATH it is given', async () => {
    const [ours, node] = await both('git', ['--version'], { env: { PATH: '/nonexistent' } });
    expect(ours.err?.code).toBe('ENOENT');
    expect(node.err?.code).toBe('ENOENT');
  });

  it('writes the input to its stdin and closes it; runs in the folder given with the environment given', async () => {
    const [ours, node] = await both('/bin/sh', ['-c', 'cat; echo "$(pwd) $ONLY_HERE"'], { input: 'typed\n', cwd: '/tmp', env: { PATH: '/usr/bin:/bin', ONLY_HERE: 'yes' } });
    expect(ours).toEqual({ err: null, stdout: 'typed\n/tmp yes\n', stderr: '' });
    expect(node).toEqual(ours);
  });

  it('the program holds its three pipes and nothing else of this process', async () => {
    const [ours] = await both('/bin/ls', ['-l', '/proc/self/fd']);
    const fds = [...ours.stdout.matchAll(/ (\d+) -> (.*)$/gm)].map(([, fd, target]) => [fd, target.replace(/\d+/g, 'N')]);
    // 0, 1, 2, and ls's own descriptor of the folder it lists.
    expect(fds).toEqual([
      ['0', 'pipe:[N]'],
      ['1', 'pipe:[N]'],
      ['2', 'pipe:[N]'],
      ['3', '/proc/N/fd'],
    ]);
  });
});

describe('what else the workspace starts without a fork', () => {
  it("a task's check: its own process group, its output, its exit status", async () => {
    const { CheckRunner } = await import('../../src/tasks/check.js');
    const before = noForkSpawns;
    const r = await new CheckRunner({ cwd: '/', timeoutMs: 10_000 }).run('echo "group $(ps -o pgid= -p $$) self $$" >&2; exit 3');
    expect(noForkSpawns).toBe(before + 1);
    expect(r).toMatchObject({ ok: false, code: 3 });
    // stderr reaches the output (the check merges it), and the shell leads its own group.
    const m = /group\s+(\d+) self (\d+)/.exec(r.output);
    expect(m?.[1]).toBe(m?.[2]);
  });
});
