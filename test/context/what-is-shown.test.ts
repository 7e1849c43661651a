// What the change feed shows, wherever it is shown: the context panel (ContextService.view), context.md,
// MCP read_changes, the block a built-in agent gets, and `agents search`. One wording for who made a
// change, and file names shown escaped (a name is outside text: it may hold ESC or a bidi override).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderContextFile } from '../../src/context/context-file.js';
import { ContextService } from '../../src/context/service.js';
import { workspaceMcpHost } from '../../src/mcp/host.js';
import { disposeRigs, workspaceRig } from '../helpers/workspace-rig.js';
import { memoryRecords, SessionRecorder } from '../../src/store/recorder.js';
import { buildMemoryIndex, formatHits } from '../../src/store/search.js';
import { ProjectStore } from '../../src/store/store.js';
import { until } from '../helpers/term.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
  await disposeRigs();
});

function dir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  cleanup.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** A real context service on a real folder; `lead` is a built-in agent that has joined. */
async function service(guess?: string) {
  const project = dir('agents-shown-');
  const context = new ContextService({ root: project, ignore: [], send: () => false });
  cleanup.push(() => context.close());
  const { ws } = workspaceRig([]);
  context.follow(ws, () => guess);
  context.feed.addAgent('lead');
  await context.start();
  return { project, context, mcp: workspaceMcpHost(ws, context) };
}

/** Anything a terminal would act on, or that reorders what it draws. */
const ACTIVE = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

describe('who made a change: one label everywhere', () => {
  it('a change probably made by the shell pane reads "outside (shell?)" in the panel, context.md, MCP, the agents’ block and search', async () => {
    const { project, context, mcp } = await service('shell');
    writeFileSync(join(project, 'cart.js'), 'export const total = 1;\n');
    await until(() => context.view().lines.length > 0, { message: 'the change in the feed' });

    expect(context.view().lines[0]).toMatchObject({ who: 'outside (shell?)', kind: 'added', path: 'cart.js' });
    expect(renderContextFile(context, project)).toMatch(/ outside \(shell\?\) added cart\.js \(\+1 -0\)$/m);
    expect(mcp.changes(0, 10).changes[0].who).toBe('outside (shell?)');
    expect(context.feed.formatDelivery('lead')?.text).toContain('\noutside (shell?): cart.js (new) +1\n');

    // Search reads the feed back from the session store, as `agents search` does.
    const home = dir('agents-shown-home-');
    const { store } = await ProjectStore.open(project, { home, env: {} });
    const session = store!.create({ layout: 'tiled', agents: [] });
    const recorder = new SessionRecorder(session);
    for (const e of context.feed.entries()) recorder.feed(e);
    session.end();
    await store!.close();
    const reader = (await ProjectStore.open(project, { home, env: {}, readOnly: true })).store!;
    cleanup.push(() => reader.close());
    const hits = (await buildMemoryIndex(memoryRecords(reader))).search('cart');
    expect(formatHits(hits, { color: false, width: 100, now: Date.now() })).toMatch(/^outside \(shell\?\) · change · /);
  });

  it('a change nobody can be guessed for is plain "outside"; the person’s note is by "you" in search too', async () => {
    const { project, context, mcp } = await service(undefined);
    writeFileSync(join(project, 'cart.js'), 'x\n');
    context.postNote('you', 'cart totals are mine today');
    await until(() => context.view().lines.length > 0, { message: 'the change in the feed' });
    expect(context.view().lines[0].who).toBe('outside');
    expect(mcp.changes(0, 10).changes[0].who).toBe('outside');
    expect(context.feed.formatDelivery('lead')?.text).toContain('\noutside: cart.js (new) +1\n');

    const home = dir('agents-shown-home-');
    const { store } = await ProjectStore.open(project, { home, env: {} });
    const session = store!.create({ layout: 'tiled', agents: [] });
    const recorder = new SessionRecorder(session);
    for (const n of context.feed.notes()) recorder.note(n);
    session.end();
    await store!.close();
    const reader = (await ProjectStore.open(project, { home, env: {}, readOnly: true })).store!;
    cleanup.push(() => reader.close());
    const hits = (await buildMemoryIndex(memoryRecords(reader))).search('cart totals');
    expect(formatHits(hits, { color: false, width: 100, now: Date.now() })).toMatch(/^you · note · /);
  });
});

describe('file names are shown escaped', () => {
  it('a file named with U+202E and an OSC 52 write appears escaped in the panel, MCP and the agents’ block', async () => {
    const { project, context, mcp } = await service(undefined);
    const name = 'invoice\u202efdp.exe\x1b]52;c;aGk=\x07';
    writeFileSync(join(project, name), 'x\n');
    await until(() => context.view().lines.length > 0, { message: 'the change in the feed' });

    const shown = 'invoice\\u202efdp.exe\\x1b]52;c;aGk=\\x07';
    const line = context.view().lines[0];
    expect(line.path).toBe(shown);
    expect(JSON.stringify(context.view())).not.toMatch(ACTIVE);
    const changes = mcp.changes(0, 10).changes;
    expect(changes[0].path).toBe(shown);
    const block = context.feed.formatDelivery('lead')!.text;
    expect(block).toContain(`outside: ${shown} (new) +1`);
    expect(block.replace(/\n/g, '')).not.toMatch(ACTIVE);
  });
});
