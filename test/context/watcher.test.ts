import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createIgnoreRules } from '../../src/context/ignore-rules.js';
import { BaseWatcher } from '../../src/context/watcher-base.js';
import { createWatcher, loadInotify, loadParcel, type BackendName, type FileEvent, type FileWatcher } from '../../src/context/watcher.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(prefix = 'agents-watch-'): string {
  const root = mkdtempSync(join(os.tmpdir(), prefix));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

function write(root: string, rel: string, text = 'x\n'): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
}

/** Collects batches and waits for conditions on them with a deadline (no fixed sleeps). */
function recorder(w: FileWatcher) {
  const batches: FileEvent[][] = [];
  let wake: (() => void) | undefined;
  w.on('events', (b) => {
    batches.push(b);
    wake?.();
  });
  const events = () => batches.flat();
  return {
    batches,
    events,
    has: (path: string, kind?: FileEvent['kind']) => events().some((e) => e.path === path && (!kind || e.kind === kind)),
    async until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!cond()) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out waiting for ${what}; saw ${JSON.stringify(events()).slice(0, 2000)}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
    },
  };
}

async function start(root: string, backend: BackendName, ignore: string[] = []) {
  const w = createWatcher(root, { ignore, backend });
  cleanups.push(() => w.close());
  const rec = recorder(w);
  await w.ready;
  return { w, rec };
}

/** An inotify watcher started on `root`, and its first error. */
async function startWithError(root: string) {
  const w = createWatcher(root, { ignore: [], backend: 'inotify' });
  cleanups.push(() => w.close());
  const error = new Promise<Error>((resolve) => w.once('error', resolve));
  const rec = recorder(w);
  await w.ready;
  return { rec, error };
}

/** Runs node with `args`; its exit code and everything it printed (killed after 10 s). */
function runNode(args: string[]): Promise<{ code: number | string; out: string }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ code: 'still running after 10 s', out });
    }, 10_000);
    child.on('exit', (c) => {
      clearTimeout(t);
      resolve({ code: c ?? -1, out });
    });
  });
}

const available = { inotify: loadInotify() !== null, parcel: loadParcel() !== null, chokidar: true };
const backends = (['inotify', 'parcel', 'chokidar'] as const).filter((b) => available[b]);

it('auto picks inotify on Linux with the native part built, then parcel when its binary loads, then chokidar', async () => {
  const w = createWatcher(tempDir(), { ignore: [] });
  cleanups.push(() => w.close());
  expect(w.backend).toBe(backends[0]);
  if (process.platform === 'linux' && existsSync(join(REPO, 'native/build/Release/agents_native.node'))) expect(w.backend).toBe('inotify');
  await w.ready;
});

describe.each(backends)('%s backend', (backend) => {
  it('reports added, modified and deleted files and folders with relative posix paths', async () => {
    const root = tempDir();
    write(root, 'src/old.ts');
    const { w, rec } = await start(root, backend);
    expect(w.backend).toBe(backend);

    write(root, 'src/new.ts');
    await rec.until(() => rec.has('src/new.ts', 'added'), 'add');
    write(root, 'src/new.ts', 'changed\n');
    await rec.until(() => rec.has('src/new.ts', 'modified'), 'modify');
    unlinkSync(join(root, 'src/old.ts'));
    await rec.until(() => rec.has('src/old.ts', 'deleted'), 'delete');
    mkdirSync(join(root, 'lib'));
    await rec.until(() => rec.has('lib', 'added'), 'folder add');
    rmSync(join(root, 'lib'), { recursive: true });
    await rec.until(() => rec.has('lib', 'deleted'), 'folder delete');

    const byPath = (p: string) => rec.events().filter((e) => e.path === p);
    expect(byPath('lib').every((e) => e.isDir)).toBe(true);
    expect(byPath('src/new.ts').every((e) => !e.isDir)).toBe(true);
    for (const e of rec.events()) {
      expect(e.path).not.toMatch(/^\/|\\|^\.\//);
      expect(typeof e.time).toBe('number');
    }
  });

  it('ignores .git, node_modules, root and nested .gitignore rules, editor temporary files and the config globs', async () => {
    const root = tempDir();
    write(root, '.gitignore', 'out/\n*.log\n');
    write(root, 'pkg/.gitignore', '*.out\n');
    write(root, 'pkg/node_modules/x/index.js');
    write(root, 'out/old.js');
    mkdirSync(join(root, '.git'));
    mkdirSync(join(root, 'node_modules'));
    const { rec } = await start(root, backend, ['dist/**', '*.gen.ts']);

    const ignored = [
      '.git/HEAD',
      'node_modules/a/index.js',
      'pkg/node_modules/x/new.js',
      'out/new.js',
      'a.log',
      'pkg/deep/b.log',
      'pkg/c.out',
      // Editor temporary files, ignored by default.
      'src/.index.js.swp',
      'index.js~',
      '4913',
      'dist/bundle.js',
      'src/x.gen.ts',
    ];
    for (const rel of ignored) write(root, rel);
    // Two sentinels, one after the other: whatever the ignored writes could cause has arrived by then.
    write(root, 'sentinel1.txt');
    await rec.until(() => rec.has('sentinel1.txt'), 'first sentinel');
    write(root, 'sentinel2.txt');
    await rec.until(() => rec.has('sentinel2.txt'), 'second sentinel');

    const seen = rec.events().map((e) => e.path);
    expect(seen.filter((p) => ignored.includes(p) || /(^|\/)(\.git|node_modules|out|dist)(\/|$)/.test(p))).toEqual([]);
    // The nested .gitignore applies to its folder only.
    write(root, 'c.out');
    await rec.until(() => rec.has('c.out', 'added'), 'a .out outside pkg/');
  });

  it('reports a folder tree moved in, and later changes deep inside it', async () => {
    const root = tempDir();
    const outside = tempDir();
    write(outside, 'tree/a/b/c.txt');
    write(outside, 'tree/top.txt');
    const { rec } = await start(root, backend);
    renameSync(join(outside, 'tree'), join(root, 'tree'));
    const moved = ['tree', 'tree/a', 'tree/a/b', 'tree/a/b/c.txt', 'tree/top.txt'];
    await rec.until(() => moved.every((p) => rec.has(p, 'added')), 'the moved tree');
    // parcel itself would never watch tree/a/b (it was not created under its eyes).
    write(root, 'tree/a/b/new.txt');
    await rec.until(() => rec.has('tree/a/b/new.txt', 'added'), 'a change deep in the moved tree');
    expect(rec.events().filter((e) => e.path === 'tree/a/b/c.txt')).toHaveLength(1);
  });

  it('delivers a burst of 500 files complete, in few batches', async () => {
    const root = tempDir();
    const { rec } = await start(root, backend);
    const paths = Array.from({ length: 500 }, (_, i) => `burst/d${i % 10}/f${i}.txt`);
    for (const p of paths) write(root, p);
    // Complete is the point: under load a file written right after its folder appeared can come as
    // "modified" (its creation folded into the folder's), which still delivers it.
    const added = () => new Set(rec.events().filter((e) => e.kind !== 'deleted').map((e) => e.path));
    await rec.until(() => paths.every((p) => added().has(p)), 'all 500 files');
    const extra = [...added()].filter((p) => !paths.includes(p) && !/^burst(\/d\d)?$/.test(p));
    expect(extra).toEqual([]);
    // parcel hands over the first change at once and the rest ~50 ms later: two batches typically.
    const withBurst = rec.batches.filter((b) => b.some((e) => e.path.startsWith('burst/')));
    expect(withBurst.length).toBeLessThanOrEqual(4);
  });

  it('applies a .gitignore edit from the next change on, both ways', async () => {
    const root = tempDir();
    write(root, '.gitignore', 'gen/\n');
    write(root, 'gen/old.js');
    write(root, 'cache/old.js');
    const { rec } = await start(root, backend);

    write(root, 'gen/a.js');
    write(root, 'sentinel1.txt');
    await rec.until(() => rec.has('sentinel1.txt'), 'sentinel');
    write(root, '.gitignore', 'cache/\n');
    await rec.until(() => rec.has('.gitignore', 'modified'), 'the .gitignore change');

    write(root, 'cache/b.js');
    write(root, 'sentinel2.txt');
    await rec.until(() => rec.has('sentinel2.txt'), 'second sentinel');
    // gen/ is watched now; chokidar adds it without telling when it is in, so write until seen.
    for (let i = 0; !rec.events().some((e) => e.path.startsWith('gen/b')); i++) {
      write(root, `gen/b${i}.js`);
      await rec.until(() => rec.has(`gen/b${i}.js`), `gen/b${i}.js`, 300).catch(() => undefined);
      expect(i).toBeLessThan(20);
    }
    // inotify and parcel deliver the .gitignore change only once gen/ is under watch: the first write is seen.
    if (backend !== 'chokidar') expect(rec.has('gen/b0.js', 'added')).toBe(true);
    const seen = rec.events().map((e) => e.path);
    expect(seen).not.toContain('gen/a.js');
    expect(seen).not.toContain('cache/b.js');
    expect(seen).not.toContain('gen/old.js');
  });

  it('stops on close(): no events after it', async () => {
    const root = tempDir();
    const { w, rec } = await start(root, backend);
    // A second watcher on the same folder is the witness that the writes did happen.
    const { rec: witness } = await start(root, backend);
    write(root, 'before.txt');
    await w.close();
    write(root, 'after.txt');
    await witness.until(() => witness.has('after.txt'), 'the witness to see after.txt');
    expect(rec.has('after.txt')).toBe(false);
    await w.close(); // twice is fine
  });

  it('leaves no handle that keeps the process alive after close()', async () => {
    const script = join(compiledWatcher(), 'probe.js');
    const project = tempDir();
    const { code, out } = await runNode([script, project, backend]);
    expect({ code, out }).toEqual({ code: 0, out: 'saw x.txt\nclosed\n' });
  });
});

describe.runIf(available.inotify)('inotify backend, what only it promises', () => {
  it('follows a folder renamed inside the project under its new name only, and forgets one moved out', async () => {
    const root = tempDir();
    const outside = tempDir();
    write(root, 'old/deep/a.txt');
    write(root, 'gone/b.txt');
    const { rec } = await start(root, 'inotify');
    renameSync(join(root, 'old'), join(root, 'new'));
    renameSync(join(root, 'gone'), join(outside, 'gone'));
    await rec.until(() => rec.has('old', 'deleted') && rec.has('new/deep/a.txt', 'added') && rec.has('gone', 'deleted'), 'the moves');
    // The kernel's watches follow the folders: written through the old watches, these would come
    // back as old/deep/c.txt and gone/c.txt.
    write(root, 'new/deep/c.txt');
    write(outside, 'gone/c.txt');
    write(root, 'sentinel.txt');
    await rec.until(() => rec.has('new/deep/c.txt', 'added') && rec.has('sentinel.txt'), 'the writes after the moves');
    expect(rec.events().filter((e) => /^(old|gone)\//.test(e.path))).toEqual([]);
  });

  it('names every change by where it is when its turn comes: a folder moved in the same read as writes into it', async () => {
    const root = tempDir();
    const outside = tempDir();
    write(root, 'old/deep/a.txt');
    write(root, 'gone/b.txt');
    const { rec } = await start(root, 'inotify');
    // All in one go: the watcher reads them as one buffer, written through the folders' old watches.
    renameSync(join(root, 'old'), join(root, 'new'));
    writeFileSync(join(root, 'new/deep/c.txt'), 'y');
    renameSync(join(root, 'gone'), join(outside, 'gone'));
    writeFileSync(join(outside, 'gone/c.txt'), 'y');
    write(root, 'sentinel.txt');
    await rec.until(() => rec.has('sentinel.txt') && rec.has('new/deep/c.txt', 'added'), 'the moves and writes');
    expect(rec.events().filter((e) => /^(old|gone)\//.test(e.path))).toEqual([]);
  });

  it('watches a folder renamed over an existing empty one under its new name', async () => {
    const root = tempDir();
    write(root, 'a/x.txt');
    mkdirSync(join(root, 'b'));
    const { rec } = await start(root, 'inotify');
    renameSync(join(root, 'a'), join(root, 'b'));
    await rec.until(() => rec.has('b/x.txt', 'added'), 'the rename');
    write(root, 'b/y.txt');
    await rec.until(() => rec.has('b/y.txt', 'added'), 'a write in the renamed folder');
  });

  it('reports a file deleted and replaced by a rename within a second of being listed as there', async () => {
    const root = tempDir();
    const outside = tempDir();
    write(outside, 'n/f.txt');
    write(outside, 'g.txt');
    const { rec } = await start(root, 'inotify');
    renameSync(join(outside, 'n'), join(root, 'n'));
    await rec.until(() => rec.has('n/f.txt', 'added'), 'the folder moved in');
    unlinkSync(join(root, 'n/f.txt'));
    renameSync(join(outside, 'g.txt'), join(root, 'n/f.txt'));
    write(root, 'sentinel.txt');
    await rec.until(() => rec.has('sentinel.txt'), 'the sentinel');
    expect(rec.events().filter((e) => e.path === 'n/f.txt').at(-1)?.kind).not.toBe('deleted');
  });

  /** A watcher on `root` whose next read finds the kernel's queue overflowed, after `meanwhile` ran. */
  async function overflowed(root: string, meanwhile: () => void) {
    const { rec, error } = await startWithError(root);
    // Written while this process reads nothing: a create and a modify each, past the kernel's queue;
    // what `meanwhile` does is lost with the rest.
    const queue = Number(readFileSync('/proc/sys/fs/inotify/max_queued_events', 'utf8'));
    for (let i = 0; i <= queue / 2; i++) writeFileSync(join(root, `f${i}`), 'x');
    meanwhile();
    expect((await error).message).toMatch(/overflow/);
    return rec;
  }

  it('says so when the kernel dropped events, and watches the folders made meanwhile', async () => {
    const root = tempDir();
    const rec = await overflowed(root, () => mkdirSync(join(root, 'during/deep'), { recursive: true }));
    write(root, 'during/deep/x.txt');
    write(root, 'later/deep/x.txt');
    await rec.until(() => rec.has('during/deep/x.txt', 'added') && rec.has('later/deep/x.txt', 'added'), 'writes after the overflow');
  });

  it('after an overflow, watches a folder made where one was deleted unseen', async () => {
    const root = tempDir();
    write(root, 'd/keep.txt');
    const rec = await overflowed(root, () => rmSync(join(root, 'd'), { recursive: true }));
    mkdirSync(join(root, 'd'));
    await rec.until(() => rec.has('d', 'added'), 'the new d');
    write(root, 'd/new.txt');
    await rec.until(() => rec.has('d/new.txt', 'added'), 'a write in the new d');
  });

  it('after an overflow, lets go of a folder moved out unseen', async () => {
    const root = tempDir();
    const outside = tempDir();
    write(root, 'x/keep.txt');
    const rec = await overflowed(root, () => renameSync(join(root, 'x'), join(outside, 'x')));
    write(outside, 'x/outside.txt');
    write(root, 'sentinel.txt');
    await rec.until(() => rec.has('sentinel.txt'), 'the sentinel');
    expect(rec.has('x/outside.txt')).toBe(false);
  });

  it("ends with a worker thread that has it open, without taking the process down", async () => {
    const addon = join(REPO, 'native/build/Release/agents_native.node');
    const script = `
const { Worker } = require('node:worker_threads');
const body = (end) => \`
  const a = require(\${JSON.stringify(${JSON.stringify(addon)})});
  const h = a.inotifyOpen(() => {});
  a.inotifyAdd(h, '/tmp', 0x100);
  require('node:worker_threads').parentPort.postMessage('open');
  \${end}\`;
const run = (end, terminate) => new Promise((resolve) => {
  const w = new Worker(body(end), { eval: true });
  w.on('message', () => { if (terminate) w.terminate(); });
  w.on('exit', resolve);
});
(async () => {
  await run('process.exit(0);', false);
  await run('', true);
  console.log('main goes on');
})();`;
    expect(await runNode(['-e', script])).toEqual({ code: 0, out: 'main goes on\n' });
  });

  it('refuses what is not one of its handles', () => {
    const api = loadInotify()!;
    expect(() => api.inotifyAdd({}, '/tmp', 0x100)).toThrow(/not an inotify handle/);
  });

  it('reports the project folder itself going away as an error', async () => {
    const root = tempDir();
    const { error } = await startWithError(root);
    rmSync(root, { recursive: true });
    expect((await error).message).toMatch(/project folder .* was deleted/);
  });

  it('rejects ready for a root it cannot watch', async () => {
    const w = createWatcher(join(tempDir(), 'missing'), { ignore: [], backend: 'inotify' });
    cleanups.push(() => w.close());
    await expect(w.ready).rejects.toThrow(/ENOENT/);
  });

  it('runs no thread of its own, and its watchers share one inotify instance', async () => {
    const script = join(compiledWatcher(), 'threads.js');
    const project = tempDir();
    write(project, 'a/b/c.txt');
    const { out } = await runNode([script, project]);
    const counts = JSON.parse(out) as { before: number; after: number; parcel?: number; instances: number };
    expect(counts.after).toBe(counts.before);
    expect(counts.instances).toBe(1);
    // The witness that counting works: parcel's backend does start one.
    if (counts.parcel !== undefined) expect(counts.parcel).toBeGreaterThan(counts.after);
  });
});

describe('batching (all backends)', () => {
  class Pushed extends BaseWatcher {
    readonly backend = 'inotify';
    protected async start(): Promise<void> {}
    protected async stop(): Promise<void> {}
    protected async rewatch(): Promise<void> {}
    add(path: string, kind: FileEvent['kind'], isDir = false): void {
      this.push({ path, kind, isDir, time: 0 });
    }
  }

  it('drops what was reported inside a folder added and gone within the batch, and only that', async () => {
    const w = new Pushed('/p', createIgnoreRules('/p'), { ignore: [], debounceMs: 10_000 });
    const rec = recorder(w);
    w.add('a', 'added', true);
    w.add('a/sub', 'added', true);
    w.add('a/sub/f.txt', 'added');
    w.add('ab.txt', 'added');
    w.add('b/x.txt', 'modified');
    w.add('a', 'deleted', true);
    w.add('b', 'deleted', true);
    await w.close();
    expect(rec.events().map((e) => `${e.kind} ${e.path}`)).toEqual(['added ab.txt', 'modified b/x.txt', 'deleted b']);
  });
});

let compiled: string | undefined;
afterAll(() => {
  if (compiled) rmSync(compiled, { recursive: true, force: true });
});
/**
 * The watcher's modules compiled to plain JS in a temp folder laid out as the repository is
 * (src/context, with node_modules and native linked) plus a probe script, so a child process can run
 * them without a build and show that it exits on its own.
 */
function compiledWatcher(): string {
  if (compiled) return join(compiled, 'src', 'context');
  const top = mkdtempSync(join(os.tmpdir(), 'agents-watch-js-'));
  const dir = join(top, 'src', 'context');
  mkdirSync(dir, { recursive: true });
  symlinkSync(join(REPO, 'node_modules'), join(top, 'node_modules'));
  symlinkSync(join(REPO, 'native'), join(top, 'native'));
  writeFileSync(join(top, 'package.json'), '{ "type": "module" }\n');
  for (const name of ['watcher', 'watcher-base', 'inotify', 'inotify-watcher', 'ignore-rules']) {
    const src = readFileSync(join(REPO, 'src', 'context', `${name}.ts`), 'utf8');
    const js = ts.transpileModule(src, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    writeFileSync(join(dir, `${name}.js`), js);
  }
  writeFileSync(
    join(dir, 'probe.js'),
    `import { writeFileSync } from 'node:fs';
import { createWatcher } from './watcher.js';
const [root, backend] = process.argv.slice(2);
const w = createWatcher(root, { ignore: [], backend });
await w.ready;
const seen = new Promise((resolve) => w.on('events', (b) => b.some((e) => e.path === 'x.txt') && resolve()));
writeFileSync(root + '/x.txt', 'x');
await seen;
console.log('saw x.txt');
await w.close();
console.log('closed');
`,
  );
  writeFileSync(
    join(dir, 'threads.js'),
    `import { readdirSync, readlinkSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { createWatcher } from './watcher.js';
const root = process.argv[2];
const threads = () => readdirSync('/proc/self/task').length;
// The libuv pool and V8's helpers exist before either watcher is made.
await readdir(root);
await new Promise((resolve) => setTimeout(resolve, 50));
const before = threads();
const w = createWatcher(root, { ignore: [], backend: 'inotify' });
await w.ready;
const after = threads();
// Two watchers (the project's and a worktree's, say) share one inotify instance.
const w2 = createWatcher(root + '/a', { ignore: [], backend: 'inotify' });
await w2.ready;
const instances = readdirSync('/proc/self/fd').filter((fd) => { try { return readlinkSync('/proc/self/fd/' + fd) === 'anon_inode:inotify'; } catch { return false; } }).length;
await w2.close();
let parcel;
try {
  const p = createWatcher(root, { ignore: [], backend: 'parcel' });
  await p.ready;
  parcel = threads();
  await p.close();
} catch {}
await w.close();
console.log(JSON.stringify({ before, after, parcel, instances }));
`,
  );
  compiled = top;
  return dir;
}
