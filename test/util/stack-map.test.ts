// Crash reports of the bundled program name places in the source, not in dist/'s chunks: a real
// esbuild bundle with a linked source map (as scripts/bundle.js writes), a real error thrown in it.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCrashReport } from '../../src/util/log.js';
import { mapStack } from '../../src/util/stack-map.js';

const root = mkdtempSync(join(tmpdir(), 'agents-stackmap-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const SOURCE = `// a module of the program
export function parse(text: string): number {
  const n = Number(text);
  if (Number.isNaN(n)) throw new Error(\`not a number: \${text}\`);
  return n;
}

export function run(text: string): number {
  return parse(text) * 2;
}
`;

let thrown: Error;
let bundled: string;

beforeAll(async () => {
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'src', 'main.ts'), SOURCE);
  bundled = join(root, 'dist', 'chunks', 'main.js');
  // A banner shifts every generated line, as the bundle's createRequire banner does.
  await build({ entryPoints: [join(root, 'src', 'main.ts')], outfile: bundled, bundle: true, format: 'esm', platform: 'node', sourcemap: 'linked', sourcesContent: false, banner: { js: '// banner\n// banner' }, logLevel: 'silent' });
  // Thrown in a plain node process: the test runner maps stacks in its own.
  const script = `try { (await import(${JSON.stringify(pathToFileURL(bundled).href)})).run('x') } catch (e) { process.stdout.write(e.stack) }`;
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' });
  thrown = new Error('not a number: x');
  thrown.stack = out.stdout;
});

describe('mapStack', () => {
  it('maps frames in a bundled file to the source file, line and column', () => {
    expect(thrown.stack).toContain(`${bundled}:`);
    const mapped = mapStack(thrown.stack!);
    const src = join(root, 'src', 'main.ts');
    // parse() throws on line 4 (`new Error` at column 30); run() called it on line 9, column 10.
    expect(mapped).toContain(`at parse (${src}:4:30)`);
    expect(mapped).toContain(`at Module.run (${src}:9:10)`);
    expect(mapped).not.toContain(bundled);
    // The first line (the message) is kept as it was.
    expect(mapped.split('\n')[0]).toBe('Error: not a number: x');
  });

  it('leaves frames without a map, and a stack with a broken map, as they were', () => {
    const noMap = 'Error: x\n    at f (/nowhere/at/all.js:3:4)\n    at node:internal/main:1:2';
    expect(mapStack(noMap)).toBe(noMap);
    const broken = join(root, 'broken.js');
    writeFileSync(broken, 'throw 1');
    writeFileSync(`${broken}.map`, '{ not json');
    const stack = `Error: y\n    at g (${pathToFileURL(broken).href}:1:1)`;
    expect(mapStack(stack)).toBe(stack);
    writeFileSync(`${broken}.map`, JSON.stringify({ version: 3, sources: 7, mappings: 1 }));
    expect(mapStack(stack)).toBe(stack);
  });

  it('a crash report of an error from the bundle shows the source locations', () => {
    const file = writeCrashReport(thrown);
    expect(file).toBeDefined();
    const text = readFileSync(file!, 'utf8');
    expect(text).toContain(`${join(root, 'src', 'main.ts')}:4:`);
    expect(text).not.toContain(bundled);
  });
});
