// re2js is loaded when the first glob or pattern is compiled, not when the modules that use it load:
// the workspace server imports the claim matcher on its way to its first frame. Checked on a real
// esbuild bundle of the claim matcher (ESM, as scripts/bundle.js builds the program) run in a plain
// node process: re2js is not in the bundle, not loaded by importing it or by a matcher with no
// claims, and a claim still matches once it has loaded.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Inside the project, so the bundle's require finds re2js in its node_modules as the program's does.
mkdirSync(join(ROOT, 'node_modules', '.cache'), { recursive: true });
const dir = mkdtempSync(join(ROOT, 'node_modules', '.cache', 'agents-re2-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let meta: Metafile;
let run: { loadedAtImport: boolean; loadedWithoutClaims: boolean; match: unknown; miss: unknown; loadedAfter: boolean };

beforeAll(async () => {
  const outfile = join(dir, 'claims.js');
  ({ metafile: meta } = await build({ absWorkingDir: ROOT, entryPoints: ['src/tasks/claims.ts'], outfile, bundle: true, format: 'esm', platform: 'node', metafile: true, logLevel: 'silent' }));
  const script = `
    import { createRequire } from 'node:module';
    const cache = createRequire(import.meta.url).cache;
    const loaded = () => Object.keys(cache).some((k) => k.includes('/node_modules/re2js/'));
    const { ClaimMatcher } = await import(${JSON.stringify(pathToFileURL(outfile).href)});
    const loadedAtImport = loaded();
    new ClaimMatcher([]).others('src/cart/total.js', 'w2');
    const loadedWithoutClaims = loaded();
    const m = new ClaimMatcher([{ glob: 'src/cart/', owner: 'w1', task: 't1' }, { glob: 'test/**/*.test.ts', owner: 'w3', task: 't2' }]);
    const match = [m.others('src/cart/total.js', 'w2'), m.others('test/a/b.test.ts', 'w1')];
    const miss = [m.others('src/cart/total.js', 'w1'), m.others('src/cartoon.js', 'w2'), m.others('test/a/b.ts', 'w1')];
    process.stdout.write(JSON.stringify({ loadedAtImport, loadedWithoutClaims, match, miss, loadedAfter: loaded() }));
  `;
  const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8' });
  expect(out.stderr).toBe('');
  run = JSON.parse(out.stdout);
});

describe('re2js on first use', () => {
  it('is left out of the bundle', () => {
    const inputs = Object.values(meta.outputs).flatMap((o) => Object.keys(o.inputs));
    expect(inputs.some((i) => i.includes('src/util/glob.ts'))).toBe(true);
    expect(inputs.filter((i) => i.includes('re2js'))).toEqual([]);
  });

  it('is not loaded by importing the claim matcher or by a matcher without claims', () => {
    expect(run.loadedAtImport).toBe(false);
    expect(run.loadedWithoutClaims).toBe(false);
  });

  it('loads when a claim is compiled, and the claims match as before', () => {
    expect(run.loadedAfter).toBe(true);
    expect(run.match).toEqual([
      { glob: 'src/cart/', owner: 'w1', task: 't1' },
      { glob: 'test/**/*.test.ts', owner: 'w3', task: 't2' },
    ]);
    expect(run.miss).toEqual([null, null, null]);
  });
});
