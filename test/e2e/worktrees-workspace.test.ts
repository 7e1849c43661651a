// Agents in worktrees of their own, end to end: bin/agents in a real pty on a real git repository,
// two built-in agents played by scripts on the local Messages API server. They change the same file
// on their branches (both panes show it, the feed names the branch), prefix+v shows the change, one
// merges cleanly with prefix+m, the other's merge is refused and leaves both trees as they were;
// .env is copied and the setup runs in view; a closed unmerged pane keeps its worktree; resume
// reopens both in their worktrees; prune removes only the merged, clean one; outside git nothing
// is half-made.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMessagesServer } from '../../src/demo/server.js';
import type { MessagesServer, RecordedRequest, Step } from '../../src/demo/types.js';
import { say, scripted, tool, type Turn } from '../helpers/agents-script.js';
import { BIN, Term, until } from '../helpers/term.js';
import { fingerprint } from '../worktree/rig.js';
import { quit, start, statusBar } from './setup.js';

let server: MessagesServer;
beforeAll(async () => {
  server = await startMessagesServer();
});
afterAll(() => server.close());

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const CONFIG = {
  agents: [
    { name: 'lead', preset: 'agent', permissions: 'auto', isolation: 'worktree' },
    { name: 'tests', preset: 'agent', permissions: 'auto', isolation: 'worktree' },
  ],
  worktree: { setup: ['echo "setup in $(basename "$PWD")"; cat .env'] },
};

/** A git repository with a committed cart, an ignored .env, and the config. */
function project({ project: dir }: { project: string }): void {
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src', 'cart.js'), 'total = 1\n');
  writeFileSync(join(dir, '.gitignore'), '.env*\n');
  writeFileSync(join(dir, '.env'), 'KEY=from-the-env-file\n');
  writeFileSync(join(dir, 'agents.config.json'), JSON.stringify(CONFIG));
  git(dir, 'init', '--quiet', '--initial-branch=main');
  git(dir, 'config', 'user.name', 'Test Person');
  git(dir, 'config', 'user.email', 'test@example.com');
  git(dir, 'config', 'commit.gpgsign', 'false');
  git(dir, 'add', '-A');
  git(dir, 'commit', '--quiet', '-m', 'first');
}

/** Where git has the worktree of branch agents/NAME. */
function worktreeOf(dir: string, name: string): string {
  const blocks = git(dir, 'worktree', 'list', '--porcelain').split('\n\n');
  const block = blocks.find((b) => b.includes(`branch refs/heads/agents/${name}`));
  if (!block) throw new Error(`no worktree for agents/${name}`);
  return block.split('\n')[0].slice('worktree '.length);
}

/** An agent that writes `content` to src/cart.js when asked, then says what it did. */
const writer = (content: string) => (t: Turn) => {
  if (t.text.includes('edit the cart')) return [tool('write_file', { path: 'src/cart.js', content })];
  if (t.results.some((r) => r.name === 'write_file')) return [say(`Set the cart total to ${content.trim().split(' = ')[1]}.`)];
  return [say('Here.')];
};

/** The folder each agent says it works in (its system prompt), by agent. */
function withRoots(inner: (r: RecordedRequest) => Step, roots: Map<string, string>) {
  return (r: RecordedRequest) => {
    const system = typeof r.body.system === 'string' ? r.body.system : (r.body.system ?? []).map((b) => String(b.text ?? '')).join('\n');
    const m = /You are "([^"]+)", a coding agent working in the project folder (.+?)\. You run inside/.exec(system);
    if (m) roots.set(m[1], m[2]);
    return inner(r);
  };
}

/** The left pane's text of a two-pane screen, its wrapped lines joined (a pane is half the width). */
function leftPane(t: Term): string {
  const half = Math.floor(t.lines()[0].length / 2);
  return t.lines().map((l) => l.slice(1, half - 1)).join('').replace(/\s+/g, ' ');
}

const env = () => ({ ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: 'test-key' });

// Each scenario runs two agents in real worktrees (the second test two workspaces in a row): room
// for a loaded 2-core machine; alone, each takes 6-9 s.
describe('agents in worktrees', () => {
  it('branches that change one file are flagged on both panes; review shows the change; one merges, the other is refused untouched', { timeout: 45_000 }, async () => {
    const seen: Turn[] = [];
    server.setResponder(scripted({ lead: writer('total = 2\n'), tests: writer('total = 3\n') }, seen));
    const run = start(['--trust'], { cols: 160, rows: 44, env: env(), prepare: project });
    const { t } = run;

    // Each pane opens its worktree, with .env copied and the setup's output in view, then its agent.
    await t.waitFor('setup in lead', { timeout: 30_000 });
    await t.waitFor('setup in tests', { timeout: 30_000 });
    await t.waitFor(/1 lead · idle/, { timeout: 30_000 });
    await t.waitFor(/2 tests · idle/, { timeout: 30_000 });
    const leadTree = worktreeOf(run.project, 'lead');
    const testsTree = worktreeOf(run.project, 'tests');
    expect(readFileSync(join(leadTree, '.env'), 'utf8')).toBe('KEY=from-the-env-file\n');
    expect(readFileSync(join(testsTree, '.env'), 'utf8')).toBe('KEY=from-the-env-file\n');
    expect(git(leadTree, 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe('agents/lead');

    // lead changes the cart on its branch; tests hears of it at its next turn, as not in its tree.
    t.write('edit the cart\r');
    await t.waitFor('Set the cart total to 2.', { timeout: 20_000 });
    expect(readFileSync(join(leadTree, 'src', 'cart.js'), 'utf8')).toBe('total = 2\n');
    expect(readFileSync(join(run.project, 'src', 'cart.js'), 'utf8')).toBe('total = 1\n');
    await t.waitFor(/2 tests · idle[^\n]*✉1/, { timeout: 20_000, message: 'tests has an unseen change' });
    t.keys('C-a', '2');
    await t.waitFor(/NORMAL\s+2:tests/);
    t.write('edit the cart\r');
    await t.waitFor('Set the cart total to 3.', { timeout: 20_000 });
    const told = seen.find((x) => x.agent === 'tests' && x.text.includes('edit the cart'))!;
    expect(told.text).toContain('agent lead, on agents/lead, not in your tree: src/cart.js +1 -1');

    // Both panes show the file both branches change, and which other branch.
    await t.waitFor(/1 lead · idle[^\n]* ⚠ src\/cart\.js also on agents\/tests/, { timeout: 20_000 });
    await t.waitFor(/2 tests · idle[^\n]* ⚠ src\/cart\.js also on agents\/lead/);

    // The feed says on which branch each change was made.
    t.keys('C-a', 'f');
    await t.waitFor(/lead on agents\/lead: modified sr/);
    await t.waitFor(/tests on agents\/tests: modified sr/);
    t.keys('C-a', 'f');
    await t.waitFor(() => !t.text().includes('Shared context'), { message: 'the panel closed' });

    // prefix+v: tests' change against main, in the workspace.
    t.keys('C-a', 'v');
    await t.waitFor('Review agents/tests → main');
    await t.waitFor(/agents\/tests against main: 1 file, \+1 -1 \(uncommitted work included\)/);
    await t.waitFor(/M src\/cart\.js\s+\+1 -1/);
    await t.waitFor(/^\s*│?\s*-total = 1\s/m);
    await t.waitFor(/^\s*│?\s*\+total = 3\s/m);
    t.keys('Escape');
    await t.waitFor(() => !t.text().includes('Review agents/tests'), { message: 'the review closed' });

    // lead merges cleanly: the message is its last words, and the project's tree gets its change.
    t.keys('C-a', '1');
    await t.waitFor(/NORMAL\s+1:lead/);
    t.keys('C-a', 'm');
    await t.waitFor('› Set the cart total to 2.');
    t.keys('Enter');
    await t.waitFor(() => /merged agents\/lead into main: 1 file/.test(statusBar(t)), { timeout: 20_000, message: 'lead merged' });
    expect(readFileSync(join(run.project, 'src', 'cart.js'), 'utf8')).toBe('total = 2\n');
    expect(git(run.project, 'log', '-2', '--format=%s')).toBe("Set the cart total to 2.\nSet the cart total to 2.\n");

    // tests' merge would conflict: refused with the file listed, and neither tree changed.
    const before = [fingerprint(run.project), fingerprint(testsTree)];
    t.keys('C-a', '2');
    await t.waitFor(/NORMAL\s+2:tests/);
    t.keys('C-a', 'm');
    await t.waitFor('› Set the cart total to 3.');
    t.keys('Enter');
    await t.waitFor('Merge of agents/tests refused', { timeout: 20_000 });
    await t.waitFor(/agents\/tests conflicts with main in 1 file: src\/cart\.js\. Nothing was changed/);
    expect([fingerprint(run.project), fingerprint(testsTree)]).toEqual(before);
    t.keys('Escape');
    await t.waitFor(/NORMAL\s+2:tests/);
  });

  it('closing an unmerged pane keeps its worktree and says where; resume reopens both in their worktrees; prune keeps unmerged work', { timeout: 45_000 }, async () => {
    const roots = new Map<string, string>();
    server.setResponder(withRoots(scripted({ lead: writer('total = 2\n'), tests: writer('total = 3\n') }), roots));
    const run = start(['--trust'], { cols: 160, rows: 44, env: env(), prepare: project });
    const { t } = run;
    await t.waitFor(/1 lead · idle[^\n]*2 tests · idle/, { timeout: 30_000 });
    const leadTree = worktreeOf(run.project, 'lead');
    const testsTree = worktreeOf(run.project, 'tests');
    t.keys('C-a', '2');
    await t.waitFor(/NORMAL\s+2:tests/);
    t.write('edit the cart\r');
    // Its turn over (idle comes after its conversation is reported to the workspace, which stores it).
    await t.waitFor((x) => x.includes('Set the cart total to 3.') && /2 tests · idle/.test(x), { timeout: 20_000, message: 'tests edited the cart' });

    // Closing the unmerged pane keeps its worktree, and says where it is.
    t.keys('C-a', 'x');
    await t.waitFor('Close pane 2 (tests)');
    t.keys('y');
    await t.waitFor(() => statusBar(t).includes(`the worktree tests stays at ~${testsTree.slice(run.home.length)}: uncommitted changes (1 file: src/cart.js)`), { timeout: 20_000, message: 'tests stays' });
    expect(readFileSync(join(testsTree, 'src', 'cart.js'), 'utf8')).toBe('total = 3\n');
    // Nothing to ask about: the remaining agent is idle.
    await t.waitFor(/1 lead · idle/);
    await quit(t);

    // Resume: both agents back in their own worktrees, as they were left.
    const again = start(['--continue', '--trust'], { cols: 160, rows: 44, env: env(), dirs: { project: run.project, home: run.home } });
    await again.t.waitFor(/1 lead · idle/, { timeout: 30_000 });
    await again.t.waitFor(/2 tests · idle/, { timeout: 30_000 });
    expect(again.t.text().match(/as it was left/g)).toHaveLength(2);
    roots.clear();
    again.t.write('where are you\r');
    again.t.keys('C-a', '2');
    await again.t.waitFor(/NORMAL\s+2:tests/);
    again.t.write('where are you\r');
    await until(() => roots.size === 2, { timeout: 20_000, message: 'both agents had a turn' });
    expect(Object.fromEntries(roots)).toEqual({ lead: leadTree, tests: testsTree });
    // Both answered (the request reaches the server before the pane shows the agent at work).
    await again.t.waitFor((s) => s.match(/Here\./g)?.length === 2 && /1 lead · idle[^\n]*2 tests · idle/.test(s), { message: 'both answered' });
    await quit(again.t);

    // Prune: lead's worktree is merged and clean and goes; tests' holds uncommitted work and stays.
    const pruned = spawnSync(process.execPath, [BIN, 'worktrees', 'prune'], { cwd: run.project, encoding: 'utf8', env: { ...process.env, AGENTS_HOME: run.home } });
    expect(pruned.status).toBe(0);
    expect(pruned.stdout).toContain('removed agents/lead (merged into main, clean)');
    expect(pruned.stdout).toContain('kept agents/tests: uncommitted changes (1 file: src/cart.js)');
    expect(existsSync(leadTree)).toBe(false);
    expect(readFileSync(join(testsTree, 'src', 'cart.js'), 'utf8')).toBe('total = 3\n');
  });

  it('outside a git repository the pane says why it has no worktree and nothing is half-made; nor with a staged change; then a retry opens it', async () => {
    server.setResponder(scripted({}));
    const { t, project: dir, home } = start(['--trust'], {
      cols: 160,
      rows: 40,
      env: env(),
      files: { 'agents.config.json': JSON.stringify({ agents: [{ name: 'iso', preset: 'agent', isolation: 'worktree' }, { name: 'sh', preset: 'shell' }] }) },
    });
    await t.waitFor('is not in a git repository: worktrees need one', { timeout: 30_000 });
    await t.waitFor('The agent was not started. Fix that, then press ctrl+a R to try again.');
    await t.waitFor(/1 iso · failed to start/);
    await t.waitFor(/2 sh · idle/);
    // Nothing half-made: no worktree folder, no repository, no branch.
    expect(existsSync(join(home, 'worktrees')) ? readdirSync(join(home, 'worktrees')) : []).toEqual([]);
    expect(existsSync(join(dir, '.git'))).toBe(false);
    // The shell pane beside it works.
    t.keys('C-a', '2');
    t.write('echo "still $((6 * 7))"\r');
    await t.waitFor('still 42');
    // A repository now, but with a staged change the worktree would not have: refused, nothing made.
    const commit = () => git(dir, '-c', 'user.name=T', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', 'commit', '--quiet', '--allow-empty', '-m', 'work');
    git(dir, 'init', '--quiet', '--initial-branch=main');
    commit();
    writeFileSync(join(dir, 'notes.txt'), 'half done\n');
    git(dir, 'add', 'notes.txt');
    t.keys('C-a', '1', 'C-a', 'R');
    const staged = 'the project has staged changes the new worktree would not include (1 file: notes.txt): commit them';
    await t.waitFor(() => leftPane(t).includes(staged), { timeout: 20_000, message: 'the staged change refused' });
    await t.waitFor(/1 iso · failed to start/);
    expect(git(dir, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
    expect(git(dir, 'branch', '--list', 'agents/*')).toBe('');
    // Committed, the person tries again, and the agent starts in its worktree.
    commit();
    t.keys('C-a', 'R');
    await t.waitFor(/1 iso · idle/, { timeout: 20_000 });
    expect(worktreeOf(dir, 'iso')).toBe(join(realpathSync(home), 'worktrees', readdirSync(join(home, 'worktrees'))[0], 'iso'));
  });
});
