// A workspace killed outright leaves its private folders behind; the next one to start removes them.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makePrivateDir, sweepStale } from '../../src/util/private-dir.js';

const root = mkdtempSync(join(tmpdir(), 'agents-sweep-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('private temporary folders', () => {
  it('sweeps folders of processes that are gone, keeps live ones and anything else', () => {
    // A pid that surely ended: a child that already exited.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    for (const name of [`agents-ipc-${dead}-abc123`, `agents-ipc-${process.pid}-def456`, 'agents-ipc-notapid-xyz789', `agents-mcp-${dead}-ghi012`]) mkdirSync(join(root, name));
    expect(sweepStale('agents-ipc', root)).toBe(1);
    expect(existsSync(join(root, `agents-ipc-${dead}-abc123`))).toBe(false);
    expect(existsSync(join(root, `agents-ipc-${process.pid}-def456`))).toBe(true);
    expect(existsSync(join(root, 'agents-ipc-notapid-xyz789'))).toBe(true);
    expect(existsSync(join(root, `agents-mcp-${dead}-ghi012`))).toBe(true); // another prefix
  });

  it('makes a folder readable by the user only, named with this process', () => {
    const dir = makePrivateDir('agents-test');
    try {
      expect(dir).toMatch(new RegExp(`agents-test-${process.pid}-[A-Za-z0-9]{6}$`));
      expect(statSync(dir).mode & 0o777).toBe(0o700);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
