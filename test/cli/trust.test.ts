// The trust question as the command line asks it, with the terminal played by streams.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkTrust, type TrustCheck } from '../../src/cli/trust.js';
import { configSchemas } from '../../src/config/schema.js';
import { TrustStore } from '../../src/config/trust.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'agents-cli-trust-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function terminal(isTTY: boolean) {
  const input = Object.assign(new PassThrough(), { isTTY });
  const output = new PassThrough();
  let shown = '';
  output.on('data', (d: Buffer) => (shown += String(d)));
  return { input, output, shown: () => shown };
}

function check(raw: object, o: Partial<TrustCheck> & Pick<TrustCheck, 'input' | 'output'>) {
  const configFile = join(dir, 'agents.config.json');
  writeFileSync(configFile, JSON.stringify(raw));
  return checkTrust({
    configFile,
    config: configSchemas().ConfigSchema.parse(raw),
    configDir: dir,
    projectDir: dir,
    uses: () => true,
    trustFlag: false,
    store: new TrustStore(join(dir, 'home')),
    ...o,
  });
}

const risky = { agents: [{ name: 'tests', command: 'make', args: ['check'] }] };

describe('checkTrust', () => {
  it('asks, and "n" runs nothing, remembers nothing and exits 0', async () => {
    const t = terminal(true);
    const decision = check(risky, t);
    t.input.write('n\n');
    expect(await decision).toMatchObject({ run: false, code: 0 });
    expect(t.shown()).toContain('agent "tests" runs: make check');
    expect(t.shown()).toContain('[y/N]');
    // Asked again next time.
    const again = terminal(true);
    const second = check(risky, again);
    again.input.end();
    expect(await second).toMatchObject({ run: false, code: 0 });
    expect(again.shown()).toContain('[y/N]');
  });

  it('"y" runs and is remembered for this content; a changed config asks again', async () => {
    const t = terminal(true);
    const first = check(risky, t);
    t.input.write('y\n');
    expect(await first).toEqual({ run: true });
    const quiet = terminal(true);
    expect(await check(risky, quiet)).toEqual({ run: true });
    expect(quiet.shown()).toBe('');
    const changed = terminal(true);
    const decision = check({ agents: [{ name: 'tests', command: 'make', args: ['check', 'install'] }] }, changed);
    changed.input.write('\n'); // Enter alone is the default: no
    expect(await decision).toMatchObject({ run: false, code: 0 });
    expect(changed.shown()).toContain('make check install');
  });

  it('without a terminal it refuses with exit 2 in one paragraph naming --trust', async () => {
    const t = terminal(false);
    const decision = await check(risky, t);
    expect(decision).toMatchObject({ run: false, code: 2 });
    if (decision.run) return;
    expect(decision.message).toContain('--trust');
    expect(decision.message).toContain('make check');
    expect(decision.message).not.toContain('\n');
    expect(t.shown()).toBe('');
  });

  it('--trust runs without asking and without remembering; a config with nothing risky, or nothing this launch uses, is not asked about', async () => {
    const t = terminal(false);
    expect(await check(risky, { ...t, trustFlag: true })).toEqual({ run: true });
    expect(await check(risky, t)).toMatchObject({ run: false, code: 2 });
    expect(await check({ theme: 'light', agents: [{ name: 'lead', preset: 'agent' }] }, t)).toEqual({ run: true });
    expect(await check(risky, { ...t, uses: () => false })).toEqual({ run: true });
    expect(t.shown()).toBe('');
  });
});
