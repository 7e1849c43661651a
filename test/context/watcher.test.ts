import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createWatcher, loadParcel, type FileEvent, type FileWatcher } from '../../src/context/watcher.js';

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

async function start(root: string, backend: 'parcel' | 'chokidar', ignore: string[] = []) {
  const w = createWatcher(root, { ignore, backend });
  cleanups.push(() => w.close());
  const rec = recorder(w);
  await w.ready;
  return { w, rec };
}

const backends = (['parcel', 'chokidar'] as const).filter((b) => b === 'chokidar' || loadParcel() !== null);

it('auto picks parcel when its native binary loads, chokidar otherwise', async () => {
  const w = createWatcher(tempDir(), { ignore: [] });
  cleanups.push(() => w.close());
  expect(w.backend).toBe(loadParcel() ? 'parcel' : 'chokidar');
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
    // parcel delivers the .gitignore change only once gen/ is under watch: the first write is seen.
    if (backend === 'parcel') expect(rec.has('gen/b0.js', 'added')).toBe(true);
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
    const child = spawn(process.execPath, [script, project, backend], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | string>((resolve) => {
      const t = setTimeout(() => {
        child.kill('SIGKILL');
        resolve('still running 10 s after close()');
      }, 10_000);
      child.on('exit', (c) => {
        clearTimeout(t);
        resolve(c ?? -1);
      });
    });
    expect({ code, out }).toEqual({ code: 0, out: 'saw x.txt\nclosed\n' });
  });
});

let compiled: string | undefined;
afterAll(() => {
  if (compiled) rmSync(compiled, { recursive: true, force: true });
});
/**
 * The two modules compiled to plain JS in a temp folder (with node_modules linked) plus a probe
 * script, so a child process can run them without a build and show that it exits on its own.
 */
function compiledWatcher(): string {
  if (compiled) return compiled;
  const dir = mkdtempSync(join(os.tmpdir(), 'agents-watch-js-'));
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  for (const name of ['watcher', 'ignore-rules']) {
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
  compiled = dir;
  return dir;
}
