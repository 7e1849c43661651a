// Attacks that hung a turn: a FIFO where a file was expected (reading it waits for a writer that
// never comes) and a pattern that backtracks exponentially. Each must give a result, and an
// interrupt must settle the call: the tests wait for the call to resolve with a deadline.
import { execFileSync } from 'node:child_process';
import { lstatSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTool, type ToolResult } from '../../../src/agent/tools/index.js';
import { sandbox, waitFor, type Sandbox } from './helpers.js';

let box: Sandbox;
let server: Server | undefined;
beforeEach(() => {
  box = sandbox();
});
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
  box.dispose();
});

function mkfifo(rel: string): string {
  const path = join(box.root, rel);
  execFileSync('mkfifo', [path]);
  return path;
}

/** Starts a tool call, aborts it once `started()` holds, and waits (with a deadline) for it to settle. */
async function interrupted(name: string, input: unknown, started: () => boolean = () => true): Promise<ToolResult> {
  const ac = new AbortController();
  let result: ToolResult | undefined;
  void runTool(name, input, box.ctx({ signal: ac.signal })).then((r) => (result = r));
  await waitFor(started, `${name} to start`);
  ac.abort();
  await waitFor(() => result !== undefined, `${name} to settle after the interrupt`);
  return result as ToolResult;
}

describe('only regular files are opened', () => {
  it('read_file on a FIFO is reported, not read (it used to wait for a writer forever)', async () => {
    mkfifo('pipe');
    const r = await interrupted('read_file', { path: 'pipe' });
    expect(r.isError).toBe(true);
    expect(r.content).toMatch(/^pipe is a named pipe \(FIFO\), not a regular file/);
    expect(r.summary).toBe('pipe: named pipe (FIFO), not a file');
  });

  it('read_file on a FIFO settles by itself too, and a link to one is refused the same way', async () => {
    mkfifo('pipe');
    execFileSync('ln', ['-s', 'pipe', join(box.root, 'to-pipe')]);
    let result: ToolResult | undefined;
    void runTool('read_file', { path: 'to-pipe' }, box.ctx()).then((r) => (result = r));
    await waitFor(() => result !== undefined, 'read_file to settle');
    expect(result?.content).toMatch(/^to-pipe is a named pipe \(FIFO\)/);
  });

  it('search given a FIFO as its path, or walking past one, never opens it', async () => {
    mkfifo('pipe');
    box.write('a.txt', 'needle\n');
    const single = await interrupted('search', { pattern: 'needle', path: 'pipe' });
    expect(single.isError).toBe(true);
    expect(single.content).toMatch(/named pipe/);
    let result: ToolResult | undefined;
    void runTool('search', { pattern: 'needle' }, box.ctx()).then((r) => (result = r));
    await waitFor(() => result !== undefined, 'search to settle');
    expect(result?.content).toBe('a.txt:1: needle');
  });

  it('a .gitignore that is a FIFO does not hang list_files or search', async () => {
    mkfifo('.gitignore');
    box.write('a.txt', 'needle\n');
    let listed: ToolResult | undefined;
    let searched: ToolResult | undefined;
    void runTool('list_files', { pattern: '**' }, box.ctx()).then((r) => (listed = r));
    void runTool('search', { pattern: 'needle' }, box.ctx()).then((r) => (searched = r));
    await waitFor(() => listed !== undefined && searched !== undefined, 'both to settle');
    expect(listed?.content).toBe('a.txt');
    expect(searched?.content).toBe('a.txt:1: needle');
  });

  it('edit_file and write_file refuse a FIFO and a socket instead of blocking or replacing them', async () => {
    mkfifo('pipe');
    const sock = join(box.root, 'sock');
    server = createServer();
    await new Promise<void>((r) => server?.listen(sock, r));
    for (const path of ['pipe', 'sock']) {
      const edit = await interrupted('edit_file', { path, old_text: 'a', new_text: 'b' });
      expect(edit.isError, path).toBe(true);
      expect(edit.content, path).toMatch(/not a regular file/);
      const write = await interrupted('write_file', { path, content: 'x' });
      expect(write.isError, path).toBe(true);
      expect(write.content, path).toMatch(/not a regular file/);
    }
    expect(lstatSync(join(box.root, 'pipe')).isFIFO()).toBe(true);
    expect(lstatSync(sock).isSocket()).toBe(true);
  });
});

describe('patterns cannot run away', () => {
  // 5,000 'a's and a '!' per line: with a backtracking engine `^(a+)+$` never ends on one such line.
  const evil = `${'a'.repeat(5000)}!\n`;

  it('the catastrophic pattern over a 2 MB file of such lines gives an answer', async () => {
    box.write('aaa.txt', evil.repeat(400));
    let result: ToolResult | undefined;
    void runTool('search', { pattern: '^(a+)+$' }, box.ctx()).then((r) => (result = r));
    await waitFor(() => result !== undefined, 'search to finish');
    expect(result?.isError).toBe(false);
    expect(result?.content).toBe('No matches for /^(a+)+$/ in the project.');
  });

  it('a glob that backtracks exponentially as a JavaScript RegExp lists normally', async () => {
    box.write(`${'a/'.repeat(30)}b.txt`, '');
    box.write(`${'a'.repeat(60)}.txt`, '');
    let deep: ToolResult | undefined;
    let stars: ToolResult | undefined;
    void runTool('list_files', { pattern: `${'**/'.repeat(18)}zz` }, box.ctx()).then((r) => (deep = r));
    void runTool('list_files', { pattern: `${'*a'.repeat(20)}*b` }, box.ctx()).then((r) => (stars = r));
    await waitFor(() => deep !== undefined && stars !== undefined, 'both listings');
    expect(deep?.content).toMatch(/^No files match/);
    expect(stars?.content).toMatch(/^No files match/);
    const bad = await runTool('list_files', { pattern: '[z-a].ts' }, box.ctx());
    expect(bad.content).toMatch(/^Invalid glob pattern \[z-a\]\.ts: invalid character class range/);
  });

  it('an interrupt settles a search in the middle of many such files', async () => {
    for (let i = 0; i < 200; i++) box.write(`many/f${i}.txt`, evil.repeat(20));
    const r = await interrupted('search', { pattern: '^(a+)+$|(x+x+)+y' });
    expect(r.isError).toBe(true);
    expect(r.content).toBe('Interrupted by the user.');
  });
});
