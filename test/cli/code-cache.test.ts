// The workspace server starts from a V8 code cache (src/cli/code-cache.ts): a program run through it
// behaves as Node would run it, the cache is made once and then used, and a cache is code, so a
// damaged one or one in a folder others can write to is never what runs.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync as mkdtempFs, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
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

/** Every folder made here is gone once the file's tests are done. */
const made: string[] = [];
const mkdtempSync = (prefix: string): string => {
  const dir = mkdtempFs(prefix);
  made.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));

/**
 * The loader as a build without the native part runs it: tsc's modules copied where no
 * native/build/Release is next to them, so the cache is read and checked in JavaScript (zlib's CRC)
 * instead of mapped and checked by native/src/source.c.
 */
function loaderWithoutNative(): string {
  const root = mkdtempSync(join(tmpdir(), 'agents-no-native-'));
  writeFileSync(join(root, 'package.json'), '{"type":"module"}');
  for (const f of ['cli/code-cache.js', 'util/builtin.js', 'util/native-addon.js', 'util/start-trace.js']) {
    mkdirSync(join(root, 'dist', f, '..'), { recursive: true });
    copyFileSync(join(DIST, f), join(root, 'dist', f));
  }
  return join(root, 'dist/cli/code-cache.js');
}

const LOADERS = [
  ['with the native part', join(DIST, 'cli/code-cache.js'), true],
  ['without the native part', loaderWithoutNative(), false],
] as const;
let CODE_CACHE = LOADERS[0][1] as string;

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

describe.each(LOADERS)('the code cache, %s', (_, loader, native) => {
  beforeEach(() => {
    CODE_CACHE = loader;
  });

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

  it('a program written inside the module function (as the build writes main.cjs) runs from a mapping of its file (with the native part), with a cache or without', () => {
    // The program says whether its own file is mapped into the process: its text, not a copy of it.
    const body = `globalThis[Symbol.for('agents.test.code-cache')] = { s: 'ok', mapped: require('node:fs').readFileSync('/proc/self/maps', 'utf8').includes(__filename) };`;
    const wrapped = setUp(`${WRAP_HEAD_TEXT}${body}${WRAP_TAIL_TEXT}`);
    const first = run(wrapped.file, wrapped.env);
    const second = run(wrapped.file, wrapped.env);
    expect(second.used).toBe(true);
    for (const r of [first, second]) expect(r.program).toEqual({ s: 'ok', mapped: native });
    // Not wrapped by the build, or not ASCII (V8 would read the bytes as Latin-1): read as before.
    expect(run(setUp(body).file, wrapped.env).program).toEqual({ s: 'ok', mapped: false });
    const accented = setUp(`${WRAP_HEAD_TEXT}${body.replace("'ok'", "'\u00e9'")}${WRAP_TAIL_TEXT}`);
    expect(run(accented.file, accented.env).program).toEqual({ s: '\u00e9', mapped: false });
  });

  it("a role's cache is a file of its own, made at once when asked to (a client about to exec the native one)", () => {
    const { file, env } = setUp();
    const script = `
      import { runCached, codeCacheReady } from ${JSON.stringify(CODE_CACHE)};
      const r = runCached(process.argv[1], process.env, 600000, 'client');
      codeCacheReady();
      let saved;
      r.saved.then((s) => (saved = s));
      codeCacheReady(undefined, true);
      await null;
      process.stdout.write(JSON.stringify({ used: r.used, saved, cacheFile: r.cacheFile }));
      process.exit(0);
    `;
    const client = () => JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script, file], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' })) as Run;
    const first = client();
    expect(first).toMatchObject({ used: false, saved: true });
    expect(first.cacheFile).toMatch(/main_cjs_client-[0-9a-f]{8}\.v8cache$/);
    expect(client()).toMatchObject({ used: true, cacheFile: first.cacheFile });
    // The program's own cache (a server's) is another file.
    expect(run(file, env)).toMatchObject({ used: false, saved: true });
  });

  it('waits for a pause in the typing: a save that falls due while the person types is made once the keys stop', () => {
    const { file, env } = setUp();
    const script = `
      import { runCached, codeCacheReady } from ${JSON.stringify(CODE_CACHE)};
      const r = runCached(process.argv[1], process.env, 0);
      let typing = true;
      let asked = 0;
      let saved;
      r.saved.then((s) => (saved = s));
      codeCacheReady(undefined, false, () => (asked++, typing));
      const alive = setInterval(() => undefined, 1000);
      // Due at once, but the person types: nothing is made yet.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const whileTyping = { saved, asked };
      typing = false;
      await r.saved;
      clearInterval(alive);
      process.stdout.write(JSON.stringify({ whileTyping, saved, cacheFile: r.cacheFile }));
    `;
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script, file], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' })) as { whileTyping: { saved?: boolean; asked: number }; saved: boolean; cacheFile: string };
    expect(out.whileTyping.saved).toBeUndefined();
    expect(out.whileTyping.asked).toBeGreaterThan(0);
    expect(out.saved).toBe(true);
    expect(statSync(out.cacheFile).size).toBeGreaterThan(0);
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

describe('mapCache (native/src/source.c): a cache file mapped and checked before V8 sees it', async () => {
  const { addonFunction } = (await import('../../src/util/native-addon.js')) as typeof import('../../src/util/native-addon.js');
  const mapCache = addonFunction('mapCache')!;
  const dir = mkdtempSync(join(tmpdir(), 'agents-map-cache-'));
  let n = 0;
  /** A cache file as code-cache.ts writes one: magic, zlib's CRC-32 of the payload, its length, the payload. */
  const write = (payload: Buffer, o: { magic?: string; crc?: number; length?: number; mode?: number } = {}): string => {
    const header = Buffer.alloc(16);
    header.write(o.magic ?? 'agentsV8', 'latin1');
    header.writeUInt32LE(o.crc ?? crc32(payload), 8);
    header.writeUInt32LE(o.length ?? payload.length, 12);
    const file = join(dir, `c${n++}.v8cache`);
    writeFileSync(file, Buffer.concat([header, payload]), { mode: o.mode ?? 0o600 });
    chmodSync(file, o.mode ?? 0o600);
    return file;
  };

  it('gives back the payload, its CRC-32 checked as zlib computes it, whatever its length', () => {
    const random = randomBytes(1 << 20);
    for (const len of [...Array.from({ length: 40 }, (_, i) => i + 1), 255, 4096, 4099, random.length]) {
      const payload = random.subarray(0, len);
      const mapped = mapCache(write(payload), 'agentsV8');
      expect(Buffer.isBuffer(mapped) && (mapped as Buffer).equals(payload), `length ${len}`).toBe(true);
    }
  });

  it('refuses a damaged or foreign file: nothing reaches V8', () => {
    const payload = randomBytes(10_000);
    for (const at of [0, 1, 4095, 4096, 9999]) {
      const bad = Buffer.from(payload);
      bad[at] ^= 1;
      expect(mapCache(write(bad, { crc: crc32(payload) }), 'agentsV8'), `byte ${at}`).toBeUndefined();
    }
    expect(mapCache(write(payload, { length: payload.length - 1 }), 'agentsV8')).toBeUndefined();
    expect(mapCache(write(payload, { magic: 'agentsV7' }), 'agentsV8')).toBeUndefined();
    expect(mapCache(write(Buffer.alloc(0)), 'agentsV8')).toBeUndefined();
    expect(mapCache(join(dir, 'missing'), 'agentsV8')).toBeUndefined();
    expect(mapCache(dir, 'agentsV8')).toBeUndefined();
  });

  it('refuses a file others may write to, and a symbolic link', () => {
    const payload = randomBytes(100);
    expect(mapCache(write(payload, { mode: 0o620 }), 'agentsV8')).toBeUndefined();
    expect(mapCache(write(payload, { mode: 0o602 }), 'agentsV8')).toBeUndefined();
    const link = join(dir, 'link.v8cache');
    symlinkSync(write(payload), link);
    expect(mapCache(link, 'agentsV8')).toBeUndefined();
  });

  it('says what it wants when called wrongly', () => {
    expect(() => mapCache()).toThrow(TypeError);
    expect(() => mapCache('/x', 'short')).toThrow(/8 ASCII characters/);
  });
});
