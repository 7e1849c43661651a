// The shared context as a file for agents without MCP: a real ContextService (real watcher on a real
// folder) and the file it keeps in a data folder.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ContextFile } from '../../src/context/context-file.js';
import { ContextService } from '../../src/context/service.js';
import { until } from '../helpers/term.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

function dir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  cleanup.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

describe('context file', () => {
  it('follows changes and notes, is private to the user, and is never half-written', async () => {
    const project = dir('agents-ctx-project-');
    const data = dir('agents-ctx-data-');
    const context = new ContextService({ root: project, ignore: [], send: () => false });
    await context.start();
    cleanup.push(() => context.close());
    const path = join(data, 'context.md');
    const file = new ContextFile(path, context, project);
    cleanup.push(() => file.close());

    expect(readFileSync(path, 'utf8')).toContain('## Notes (none yet)');
    expect(statSync(path).mode & 0o777).toBe(0o600);

    writeFileSync(join(project, 'app.js'), 'console.log(1)\n');
    context.postNote('you', 'lead owns src/; tests owns test/');
    await until(() => /outside added app\.js/.test(readFileSync(path, 'utf8')), { message: 'the change in the file' });
    const text = readFileSync(path, 'utf8');
    expect(text).toMatch(/you: lead owns src\/; tests owns test\//);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});
