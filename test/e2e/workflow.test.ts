// Workflows and the task board from a shell: `agents run NAME "goal" --headless` runs a chain of
// roles without a screen (exit 0 when every task is done, 1 when one is blocked, nothing left
// running), and `agents tasks` / `agents task add` reach a running workspace's board.
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMessagesServer } from '../../src/demo/server.js';
import type { MessagesServer } from '../../src/demo/types.js';
import { say, scripted, tool, type Turn } from '../helpers/agents-script.js';
import { BIN } from '../helpers/term.js';
import { withEnv } from '../helpers/procs.js';
import { serverPid, start, tempDir, tempHome } from './setup.js';

const exec = promisify(execFile);
let server: MessagesServer;
beforeAll(async () => {
  server = await startMessagesServer();
});
afterAll(() => server.close());

async function agents(project: string, home: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string; pid?: number }> {
  const env = { ...process.env, AGENTS_HOME: home, HOME: home, ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: 'test-key', SHELL: '/bin/bash' };
  delete env.NO_COLOR;
  try {
    const { stdout, stderr } = await exec(process.execPath, [BIN, ...args], { cwd: project, env, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const WORKFLOW = {
  workflows: {
    mini: {
      steps: [
        { role: 'implementer', title: 'Make {goal}', check: 'test -f out.txt' },
        { role: 'tester', title: 'Check {goal}', check: 'test -s out.txt' },
      ],
    },
  },
};

function implementer(writes: boolean) {
  return (t: Turn) => {
    if (t.text.includes('Task t1:')) return writes ? [tool('write_file', { path: 'out.txt', content: 'made\n' })] : [tool('complete_task', { id: 't1', summary: 'skipped the file' })];
    if (t.results.some((r) => r.name === 'write_file')) return [tool('complete_task', { id: 't1', summary: 'wrote out.txt' })];
    return [say('done')];
  };
}
const tester = (t: Turn) => (t.text.includes('Task t2:') ? [tool('complete_task', { id: 't2', summary: 'out.txt is there and not empty' })] : [say('done')]);

describe('agents run --headless', () => {
  it('runs the chain to the end: exit 0, a report, the work done, nothing left running', async () => {
    const seen: Turn[] = [];
    server.setResponder(scripted({ implementer: implementer(true), tester }, seen));
    const project = tempDir();
    const home = tempHome();
    writeFileSync(join(project, 'agents.config.json'), JSON.stringify(WORKFLOW));
    const r = await agents(project, home, ['--trust', 'run', 'mini', 'hello world', '--headless']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('agents: running 2 tasks headless: t1, t2');
    expect(r.stdout).toMatch(/t1 todo -> doing \(implementer\)/);
    expect(r.stdout).toMatch(/t2 checking -> done/);
    expect(r.stdout).toContain('every task is done');
    expect(existsSync(join(project, 'out.txt'))).toBe(true);
    // The tester got its task only after the implementer's check passed, with its summary.
    const given = seen.find((x) => x.agent === 'tester' && x.text.includes('Task t2: Check hello world'))!;
    expect(given.text).toContain('t1 (Make hello world) is done: wrote out.txt');
    // Nothing it started outlives it.
    expect(withEnv('AGENTS_HOME', home)).toEqual([]);
  });

  it('exits 1 with --json when a task is blocked: its check failed every attempt; what waits for it never starts', async () => {
    const seen: Turn[] = [];
    server.setResponder(scripted({ implementer: implementer(false), tester }, seen));
    const project = tempDir();
    const home = tempHome();
    writeFileSync(join(project, 'agents.config.json'), JSON.stringify(WORKFLOW));
    const r = await agents(project, home, ['--trust', 'run', 'mini', 'x', '--headless', '--json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { ok: boolean; tasks: Array<{ id: string; state: string; attempts: number; check?: { ok: boolean } }> };
    expect(report.ok).toBe(false);
    expect(report.tasks.map((t) => [t.id, t.state])).toEqual([
      ['t1', 'blocked'],
      ['t2', 'todo'],
    ]);
    expect(report.tasks[0]).toMatchObject({ attempts: 3, check: { ok: false } });
    expect(seen.some((x) => x.agent === 'tester' && x.text.includes('Task t2:'))).toBe(false);
  });
});

describe('the board from a shell', () => {
  it('agents task add puts a task on the running workspace\'s board; agents tasks prints it', async () => {
    server.setResponder(scripted({}));
    const run = start(['--trust'], { files: { 'agents.config.json': JSON.stringify({ agents: [{ name: 'w1', preset: 'agent' }] }) }, env: { ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: 'test-key' } });
    await run.t.waitFor(/1 w1 · idle/, { timeout: 30_000 });
    await serverPid(run);
    const added = await agents(run.project, run.home, ['task', 'add', 'Write', 'the', 'notes', '--to', 'nobody', '--check', 'true']);
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('Created Task t1: Write the notes for nobody');
    const listed = await agents(run.project, run.home, ['tasks']);
    expect(listed.stdout).toMatch(/^t1 \[todo\] Write the notes · → nobody/m);
    run.t.keys('C-a', 't');
    await run.t.waitFor(/t1\s+todo\s+Write the notes/);
    // Without a running workspace, task add says how to start one.
    const elsewhere = tempDir();
    const none = await agents(elsewhere, run.home, ['task', 'add', 'x']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("no workspace is running in this project, and the task board lives in one");
  });
});
