// The workspace server starts from a V8 code cache (src/cli/code-cache.ts): a program run through it
// behaves as Node would run it, the cache is made once and then used, and a cache is code, so a
// damaged one or one in a folder others can write to is never what runs.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { codeCacheDir, WRAP_HEAD_TEXT, WRAP_TAIL_TEXT } from '../../src/cli/code-cache.js';

/** A CommonJS program with enough functions to cache, that reports what Node gave it. */
const PROGRAM = `
const path = require('node:path');
function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
module.exports = { fib };
globalThis[Symbol.for('agents.test.code-cache')] = {
  fib: fib(15),
  dir: __dirname,
  file: path.basename(__filename),
  exportsSame: this === exports,
  os: typeof require('node:os').cpus,
};
`;

const CODE_CACHE = fileURLToPath(new URL('../../dist/cli/code-cache.js', import.meta.url));

interface Run {
  used: boolean;
  saved: boolean;
  cacheFile?: string;
  program: { fib: number; dir: string; file: string; exportsSame: boolean; os: string };
}

/**
 * Runs `file` through the built loader in a Node of its own (V8 takes a cache only in a process that
 * has not compiled the same source already), says the first frame is out, and waits for the save.
 */
function run(file: string, env: Record<string, string>): Run {
  const script = `
    import { runCached, codeCacheReady } from ${JSON.stringify(CODE_CACHE)};
    const r = runCached(process.argv[1], process.env, 0);
    codeCacheReady();
    // The save's timer does not hold a process open (a server has its own reasons to live).
    const alive = setInterval(() => undefined, 1000);
    const saved = await r.saved;
    clearInterval(alive);
    const p = globalThis[Symbol.for('agents.test.code-cache')];
    process.stdout.write(JSON.stringify({ used: r.used, saved, cacheFile: r.cacheFile, program: p }));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, file], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
  return JSON.parse(out) as Run;
}

function setUp(program = PROGRAM) {
  const root = mkdtempSync(join(tmpdir(), 'agents-code-cache-'));
  const file = join(root, 'main.cjs');
  writeFileSync(file, program);
  const env = { AGENTS_HOME: join(root, 'home') };
  return { root, file, env, dir: codeCacheDir(env)! };
}

describe('the code cache', () => {
  it('runs a CommonJS program as Node would: require, exports as this, __dirname', () => {
    const { root, file, env } = setUp();
    const r = run(file, env);
    expect(r.program).toEqual({ fib: 610, dir: root, file: 'main.cjs', exportsSame: true, os: 'function' });
  });

  it('gives the program its text as Node would: non-ASCII intact, each line where the file has it, with a cache or without', () => {
    const program = [
      '',
      "const s = 'h\u00e9llo \u2713 \u{1f600}';",
      "globalThis[Symbol.for('agents.test.code-cache')] = { s, line: Number(/main\\.cjs:(\\d+)/.exec(new Error().stack)[1]) };",
      '',
    ].join('\n');
    const { file, env } = setUp(program);
    const first = run(file, env);
    const second = run(file, env);
    expect(second.used).toBe(true);
    for (const r of [first, second]) expect(r.program).toEqual({ s: 'h\u00e9llo \u2713 \u{1f600}', line: 3 });
  });

  it('is made once the first frame is out (user-only file in a user-only folder), and the next start uses it', () => {
    const { file, env, dir } = setUp();
    const first = run(file, env);
    expect(first.used).toBe(false);
    expect(first.saved).toBe(true);
    expect(statSync(first.cacheFile!).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);

    const second = run(file, env);
    expect(second.cacheFile).toBe(first.cacheFile);
    expect(second.used).toBe(true);
    expect(second.saved).toBe(false);
    expect(second.program.fib).toBe(610);
  });

  it('a damaged cache never reaches V8 (which would end the process): the program runs from its source, and a good cache replaces it', () => {
    const { file, env } = setUp();
    const { cacheFile } = run(file, env);
    const good = readFileSync(cacheFile!);
    // Past V8's own header, which is all V8 checks.
    const bad = Buffer.from(good);
    for (let i = 64; i < bad.length; i += 7) bad[i] ^= 0x5a;
    writeFileSync(cacheFile!, bad, { mode: 0o600 });
    const second = run(file, env);
    expect(second.used).toBe(false);
    expect(second.program.fib).toBe(610);
    expect(second.saved).toBe(true);
    expect(readFileSync(cacheFile!).equals(bad)).toBe(false);
    expect(run(file, env).used).toBe(true);
    // Cut short: the same.
    writeFileSync(cacheFile!, good.subarray(0, good.length >> 1), { mode: 0o600 });
    expect(run(file, env)).toMatchObject({ used: false, saved: true, program: { fib: 610 } });
  });

  it('a cache in a folder others can write to is neither read nor written, nor a cache file others could have written', () => {
    const { file, env, dir } = setUp();
    const { cacheFile } = run(file, env);
    chmodSync(dir, 0o777);
    expect(run(file, env)).toMatchObject({ used: false, saved: false, program: { fib: 610 } });
    chmodSync(dir, 0o700);
    chmodSync(cacheFile!, 0o666);
    expect(run(file, env).used).toBe(false);
  });

  it('another build of the program never meets the old cache', () => {
    const { file, env } = setUp();
    const first = run(file, env);
    writeFileSync(file, PROGRAM.replace('fib(15)', 'fib(16)'));
    const second = run(file, env);
    expect(second.cacheFile).not.toBe(first.cacheFile);
    expect(second.used).toBe(false);
    expect(second.program.fib).toBe(987);
  });

  it('a program written inside the module function (as the build writes main.cjs) runs from a mapping of its file, with a cache or without', () => {
    // The program says whether its own file is mapped into the process: its text, not a copy of it.
    const body = `globalThis[Symbol.for('agents.test.code-cache')] = { s: 'ok', mapped: require('node:fs').readFileSync('/proc/self/maps', 'utf8').includes(__filename) };`;
    const wrapped = setUp(`${WRAP_HEAD_TEXT}${body}${WRAP_TAIL_TEXT}`);
    const first = run(wrapped.file, wrapped.env);
    const second = run(wrapped.file, wrapped.env);
    expect(second.used).toBe(true);
    for (const r of [first, second]) expect(r.program).toEqual({ s: 'ok', mapped: true });
    // Not wrapped by the build, or not ASCII (V8 would read the bytes as Latin-1): read as before.
    expect(run(setUp(body).file, wrapped.env).program).toEqual({ s: 'ok', mapped: false });
    const accented = setUp(`${WRAP_HEAD_TEXT}${body.replace("'ok'", "'\u00e9'")}${WRAP_TAIL_TEXT}`);
    expect(run(accented.file, accented.env).program).toEqual({ s: '\u00e9', mapped: false });
  });

  it('AGENTS_CODE_CACHE=0: runs without a cache and writes none', () => {
    const { file, env, dir } = setUp();
    const r = run(file, { ...env, AGENTS_CODE_CACHE: '0' });
    expect(r).toMatchObject({ used: false, saved: false, program: { fib: 610 } });
    expect(r.cacheFile).toBeUndefined();
    expect(() => statSync(dir)).toThrow();
  });

  it('the folder: AGENTS_HOME/cache, else the XDG cache folder', () => {
    expect(codeCacheDir({ AGENTS_HOME: '/h' })).toBe('/h/cache');
    expect(codeCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/agents');
    expect(codeCacheDir({ XDG_CACHE_HOME: 'relative', HOME: '/home/u' })).toMatch(/\.cache\/agents$/);
  });
});

describe.each(['cli/main.cjs', 'agent/main.cjs'])("the CommonJS builds run from a code cache: dist/%s", (file) => {
  const text = readFileSync(fileURLToPath(new URL(`../../dist/${file}`, import.meta.url)), 'latin1');
  it('runs strict, as the modules it was built from were written, inside the module function a start maps it as', () => {
    expect(text.startsWith(`${WRAP_HEAD_TEXT}'use strict';\n`)).toBe(true);
    expect(text.endsWith(WRAP_TAIL_TEXT)).toBe(true);
  });
  it('is ASCII only (V8 holds it as one-byte text) and calls no import() (broken in a script from a code cache)', () => {
    expect(/[^\x00-\x7f]/.test(text)).toBe(false);
    expect(/(^|[^\w.$'"`])import\(/m.test(text)).toBe(false);
  });
});
