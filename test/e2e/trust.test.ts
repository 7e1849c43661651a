// Opening a project whose config runs a command, as a person who just cloned it would: asked
// first, on the normal screen; "n" runs nothing; "y" runs it and is remembered; a changed config is
// asked about again; --trust skips the question; without a terminal it refuses.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, until } from '../helpers/term.js';
import { quit, start, tempDir } from './setup.js';

const MARKER = 'ran-marker';
const config = (extra: string[] = []) =>
  JSON.stringify({ agents: [{ name: 'probe', command: 'sh', args: ['-c', `touch ${MARKER}; echo probe-$((40+2)); sleep 600`, ...extra] }] });
// What the pane shows once the command ran (the question shows the command's text, not this).
const RAN = 'probe-42';

describe('trusting a project config', () => {
  it('asks before running; n runs nothing, y runs and is remembered, a changed config asks again', async () => {
    const dirs = { project: tempDir(), home: tempDir('agents-home-') };
    writeFileSync(join(dirs.project, 'agents.config.json'), config());
    const marker = join(dirs.project, MARKER);

    const no = start([], { dirs });
    await no.t.waitFor('[y/N]');
    expect(no.t.text()).toContain(`agent "probe" runs: sh -c "touch ${MARKER}; echo probe-$((40+2)); sleep 600"`);
    no.t.write('n\r');
    await no.t.waitFor('nothing was run');
    expect((await no.t.exited).exitCode).toBe(0);
    expect(existsSync(marker)).toBe(false);

    const yes = start([], { dirs });
    await yes.t.waitFor('[y/N]');
    yes.t.write('y\r');
    await yes.t.waitFor(RAN);
    expect(existsSync(marker)).toBe(true);
    expect(await quit(yes.t)).toBe(0);

    // Remembered: the workspace opens straight away (an unanswered question would block it).
    const again = start([], { dirs });
    await again.t.waitFor(RAN);
    expect(await quit(again.t)).toBe(0);

    // One argument more is a different config.
    writeFileSync(join(dirs.project, 'agents.config.json'), config(['extra']));
    const changed = start([], { dirs });
    await changed.t.waitFor('[y/N]');
    changed.t.write('\r');
    expect((await changed.t.exited).exitCode).toBe(0);
  });

  it('--trust runs without asking; agents that do not use the config command are not asked about', async () => {
    const trusted = start(['--trust'], { files: { 'agents.config.json': config() } });
    await trusted.t.waitFor(RAN);
    await until(() => existsSync(join(trusted.project, MARKER)), { message: 'the marker' });

    // `agents shell` opens none of the config's agents: nothing to trust.
    const shellOnly = start(['shell'], { files: { 'agents.config.json': config() } });
    await shellOnly.t.waitFor('NORMAL');
    expect(existsSync(join(shellOnly.project, MARKER))).toBe(false);
  });

  it('a workspace in its own terminal (AGENTS_SERVER=0) asks the same way', async () => {
    const run = start([], { files: { 'agents.config.json': config() }, env: { AGENTS_SERVER: '0' } });
    await run.t.waitFor('[y/N]');
    run.t.write('y\r');
    await run.t.waitFor(RAN);
    expect(existsSync(join(run.project, MARKER))).toBe(true);
    expect(await quit(run.t)).toBe(0);
  });

  it('without a terminal to ask on it refuses with exit 2, names --trust and runs nothing', () => {
    const project = tempDir();
    writeFileSync(join(project, 'agents.config.json'), config());
    const r = spawnSync(process.execPath, [BIN], { cwd: project, encoding: 'utf8', env: { ...process.env, AGENTS_HOME: tempDir('agents-home-') } });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--trust');
    expect(r.stderr).toContain('has not been trusted');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(project, MARKER))).toBe(false);
  });
});
