// Nothing a test does may write to the person's own data folder (logs, sessions): every test process
// inherits an AGENTS_HOME of its own, removed when the run ends.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const home = mkdtempSync(join(tmpdir(), 'agents-test-home-'));
  process.env.AGENTS_HOME = home;
  return () => rmSync(home, { recursive: true, force: true });
}
