/**
 * Starting the workspace from a V8 code cache: the bytecode of everything its last start compiled,
 * so the next start deserializes it instead of parsing and compiling ~2 MB of JavaScript again.
 *
 * Why: the server's way to its first frame is one Node process running ~2 MB of bundled code for
 * the first time, and compiling it in the interpreter was the largest item left (docs/profile.md).
 * Node 20 has no code cache for ES modules (`module.enableCompileCache` is Node 22), so the server
 * and the in-process workspace run a CommonJS build of the same program (dist/cli/main.cjs, written
 * by scripts/bundle.js) through `vm.Script`, which takes and makes a cache; so does each built-in
 * agent's pane (dist/agent/main.cjs, through src/agent/start.ts), and a terminal's client (the same
 * main.cjs, with a cache of its own: role `client`). Measured, interleaved against the ES module
 * builds: the workspace's first frame −184 ms (11 rounds), an agent to its prompt 193 → 101 ms (9
 * rounds), the client to its go −70 ms and the first frame −104 ms (13 rounds); without a cache the
 * CommonJS build starts as fast as the ES module build, except a client's (~40 ms slower to a bad
 * flag's message: V8 pre-parses all of main.cjs, where the ES module build loaded a few chunks).
 *
 * The cache is written once per program, role, build, Node and flags, ~1 s after the first frame
 * (what the start compiled by then is what the next start needs; a client's when its server welcomed
 * it, or at once before it execs the native client; a server's at a pause in the person's typing),
 * to the cache folder (AGENTS_HOME/cache, else $XDG_CACHE_HOME/agents): readable by the user only,
 * and read only from a folder that nobody else can write to, since it is code. V8 refuses a cache made by another V8, other flags or another source
 * length; the file's name carries the build's size, time and inode besides, so a rebuild never
 * meets an old cache. V8 checks none of the cache's bytes past its header (a damaged one is read
 * as it is, and a fatal error ends the process: tried), so each file carries a CRC-32 of its payload
 * and a file that does not match it is never handed to V8. AGENTS_CODE_CACHE=0 starts without one
 * (and writes none).
 *
 * Imports only Node's built-ins: it runs before the program is loaded.
 */
import { closeSync, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import vm from 'node:vm';
import { builtin } from '../util/builtin.js';
import { addonFunction } from '../util/native-addon.js';
import { startMark } from '../util/start-trace.js';

declare global {
  /**
   * Set by runCached for the program it runs, which calls it (codeCacheReady) once its first frame
   * is out: the loader and the program each have their own copy of this module, so they meet here.
   */
  var __agentsCodeCacheReady: ((then?: () => void, now?: boolean, typing?: () => boolean) => void) | undefined;
}
/** How long after the first frame the cache is made: the start's late steps have compiled by then. */
const SAVE_AFTER_MS = 1000;
/**
 * Making a cache stops the process for ~35-60 ms (measured: `createCachedData` ~25 ms, then its CRC
 * and the write); while the person types it waits, looking again this often, for at most this long.
 */
const TYPING_RETRY_MS = 250;
const TYPING_WAIT_MAX_MS = 10_000;
/** Cache files kept in the folder (other builds or Node versions sharing it). */
const KEEP = 3;
/** A cache file: this magic, the payload's CRC-32 and length (little-endian), then V8's cache data. */
const MAGIC_TEXT = 'agentsV8';
const MAGIC = Buffer.from(MAGIC_TEXT);
const HEADER = 16;
/**
 * node:zlib's CRC-32, loaded when a cache is written or checked without the native part: a start
 * that maps its cache (native/src/source.c checks it there) never loads zlib (~2 ms, and ~4 ms more
 * for its first CRC, measured).
 */
const crc32 = (data: Buffer): number => builtin<typeof import('node:zlib')>('node:zlib').crc32(data);

/** Where caches live, or undefined when they are off. */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.AGENTS_CODE_CACHE === '0') return undefined;
  if (env.AGENTS_HOME) return join(resolve(env.AGENTS_HOME), 'cache');
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'agents');
}

/** 32-bit FNV-1a, as hex: enough to tell builds, Nodes and flags apart in a file name. */
function fnv(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** A folder or file only this user can change (owner, and no group or other write bit). */
function onlyMine(mode: number, uid: number): boolean {
  const me = typeof process.getuid === 'function' ? process.getuid() : uid;
  return uid === me && (mode & 0o022) === 0;
}

/** The cache's bytes, if there is one this user alone could have written. */
function readCache(dir: string, file: string): Buffer | undefined {
  try {
    const d = lstatSync(dir);
    if (!d.isDirectory() || !onlyMine(d.mode, d.uid)) return undefined;
    // Mapped and checked by the native part when there is one (the same checks as below).
    const mapCache = addonFunction('mapCache');
    if (mapCache) {
      const mapped = mapCache(file, MAGIC_TEXT);
      return Buffer.isBuffer(mapped) ? mapped : undefined;
    }
    const fd = openSync(file, 'r');
    try {
      const st = fstatSync(fd);
      if (!st.isFile() || !onlyMine(st.mode, st.uid)) return undefined;
      return unframe(readFileSync(fd));
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/** V8's data in a file's bytes, or undefined when they are not a whole, undamaged cache file. */
function unframe(bytes: Buffer): Buffer | undefined {
  if (bytes.length < HEADER || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const payload = bytes.subarray(HEADER);
  if (bytes.readUInt32LE(12) !== payload.length || bytes.readUInt32LE(8) !== crc32(payload)) return undefined;
  return payload;
}

function frame(data: Buffer): Buffer {
  const header = Buffer.alloc(HEADER);
  MAGIC.copy(header);
  header.writeUInt32LE(crc32(data), 8);
  header.writeUInt32LE(data.length, 12);
  return Buffer.concat([header, data]);
}

/** Writes the cache (whole or not at all); false when the folder is not the user's alone. */
function writeCache(dir: string, file: string, data: Buffer): boolean {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const d = lstatSync(dir);
  if (!d.isDirectory() || !onlyMine(d.mode, d.uid)) return false;
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, frame(data), { mode: 0o600, flag: 'wx' });
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  // Older builds' caches: the newest few stay (two installs may share the folder).
  const prefix = basename(file).slice(0, basename(file).lastIndexOf('-') + 1);
  const others = readdirSync(dir)
    .filter((n) => n.startsWith(prefix) && n.endsWith('.v8cache') && join(dir, n) !== file)
    .map((n) => ({ n, t: statSync(join(dir, n)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const o of others.slice(KEEP - 1)) unlinkSync(join(dir, o.n));
  return true;
}

export interface CachedRun {
  /** The cache file this build would use, or undefined when caching is off. */
  cacheFile: string | undefined;
  /** Whether a cache was read and V8 took it. */
  used: boolean;
  /** Resolves once a new cache is written (false: none was needed, or writing failed). */
  saved: Promise<boolean>;
}

/**
 * Runs the CommonJS program `file` as Node would (its own `require`, `module`, `__filename`), from
 * its code cache when there is a good one; makes the cache when there was none or V8 refused it.
 */
export function runCached(file: string, env: NodeJS.ProcessEnv = process.env, saveAfterMs = SAVE_AFTER_MS, role?: string): CachedRun {
  const st = statSync(file);
  const dir = codeCacheDir(env);
  const key = fnv([st.size, st.mtimeMs, st.ino, process.version, process.arch, process.execArgv.join(' ')].join('\0'));
  // Named by program (cli_main_cjs, agent_main_cjs) and role (a terminal's client runs other parts
  // of cli/main.cjs than its server: cli_main_cjs_client), so each keeps its own newest few.
  const name = `${basename(dirname(file))}_${basename(file)}${role ? `_${role}` : ''}`.replace(/\W/g, '_');
  const cacheFile = dir === undefined ? undefined : join(dir, `${name}-${key}.v8cache`);
  const cachedData = cacheFile === undefined ? undefined : readCache(dirname(cacheFile), cacheFile);
  // No dynamic import() in the program: Node 20 loses a script's import() callback when the script
  // comes from a cache (tried), so an import() would work on a first start and fail on every later
  // one. scripts/bundle.js fails the build if one is left in main.cjs.
  const script = new vm.Script(mappedSource(file) ?? wrappedSource(file), { filename: file, cachedData });
  const used = cachedData !== undefined && !script.cachedDataRejected;
  startMark(cachedData === undefined ? 'code cache: none' : used ? 'code cache: used' : 'code cache: refused');

  let saved: Promise<boolean> = Promise.resolve(false);
  if (cacheFile !== undefined && !used) {
    saved = new Promise((done) => {
      const thens: Array<() => void> = [];
      let timer: NodeJS.Timeout | undefined;
      const save = (): void => {
        clearTimeout(timer);
        globalThis.__agentsCodeCacheReady = undefined;
        try {
          const wrote = writeCache(dirname(cacheFile), cacheFile, script.createCachedData());
          if (wrote) startMark('code cache: saved');
          done(wrote);
        } catch {
          // A cache is only a faster start: a full disk or a folder we may not use costs the next start its speed.
          done(false);
        } finally {
          for (const then of thens) then();
        }
      };
      let typing: (() => boolean) | undefined;
      let waits = 0;
      const whenQuiet = (): void => {
        if (typing?.() && waits++ < TYPING_WAIT_MAX_MS / TYPING_RETRY_MS) timer = setTimeout(whenQuiet, TYPING_RETRY_MS).unref();
        else save();
      };
      globalThis.__agentsCodeCacheReady = (then, now, isTyping) => {
        if (then) thens.push(then);
        typing ??= isTyping;
        if (now) save();
        else timer ??= setTimeout(whenQuiet, saveAfterMs).unref();
      };
    });
  }

  // Module.wrap's function: (exports, require, module, __filename, __dirname).
  const run: unknown = script.runInThisContext();
  if (typeof run !== 'function') throw new Error(`code cache: ${file} did not compile to a module function`);
  const mod = new Module(file);
  mod.filename = file;
  Reflect.apply(run, mod.exports, [mod.exports, createRequire(file), mod, file, dirname(file)]);
  return { cacheFile, used, saved };
}

/** CommonJS's function around a module's text (Module.wrap's, which the program is called as below). */
export const WRAP_HEAD_TEXT = '(function (exports, require, module, __filename, __dirname) { ';
export const WRAP_TAIL_TEXT = '\n});';
const WRAP_HEAD = Buffer.from(WRAP_HEAD_TEXT);
const WRAP_TAIL = Buffer.from(WRAP_TAIL_TEXT);

/**
 * The program's text with no copy made, when the build wrote it inside the module function already
 * (scripts/bundle.js does for dist/cli/main.cjs and dist/agent/main.cjs): our addon maps the file and
 * V8 takes the mapping as its string (native/src/source.c). A start read the server's 2.4 MB into
 * fresh memory twice (a buffer, then a string): ~18 ms here, against ~1.5 ms mapped. Undefined
 * without the native build, or for a file that is not ASCII or not wrapped: it is read as before.
 */
function mappedSource(file: string): string | undefined {
  try {
    const text = addonFunction('mapSource')?.(file, WRAP_HEAD_TEXT, WRAP_TAIL_TEXT);
    return typeof text === 'string' ? text : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The file's text inside the module function (unless the build wrote it so already), read into one
 * buffer and decoded once: a flat string.
 * `Module.wrap(text)` made a concatenation, which V8 flattened into a third copy of the ~3 MB when the
 * script was compiled: ~1,200 more page faults (~10 µs each on this machine) and ~11 ms of the
 * server's start (measured). The build keeps main.cjs ASCII-only, so V8 holds it as one-byte text.
 */
function wrappedSource(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.allocUnsafeSlow(WRAP_HEAD.length + size + WRAP_TAIL.length);
    WRAP_HEAD.copy(buf, 0);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, buf, WRAP_HEAD.length + got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    if (got !== size) throw new Error(`code cache: ${file} changed while it was read`);
    // Written inside the module function already (by the build) but not mapped: as it is.
    const text = buf.subarray(WRAP_HEAD.length, WRAP_HEAD.length + size);
    if (size >= WRAP_HEAD.length + WRAP_TAIL.length && text.subarray(0, WRAP_HEAD.length).equals(WRAP_HEAD) && text.subarray(size - WRAP_TAIL.length).equals(WRAP_TAIL)) return text.toString('utf8');
    WRAP_TAIL.copy(buf, WRAP_HEAD.length + size);
    return buf.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * Called by the program once its first frame is out: a start without a cache makes one now. `then`
 * runs once no cache is left to make (at once, or after the save): V8 stamps a cache with a hash of
 * its flags and refuses one whose stamp differs, so a flag changed at run time (hotCodeSooner) must
 * wait for the save, or every later start would find its cache refused. `typing`: whether the
 * person is typing; a save that falls due meanwhile waits for a pause (at most 10 s).
 */
export function codeCacheReady(then?: () => void, now = false, typing?: () => boolean): void {
  const ready = globalThis.__agentsCodeCacheReady;
  if (ready) ready(then, now, typing);
  else then?.();
}

/**
 * A quarter of V8's interrupt budget (67,584 bytes of bytecode run on Node 20) before a function
 * is considered for its optimizing compiler, from now on. A workspace's hot paths (a pane's read,
 * parse and paint, the frame's diff) run 30-400 times a second, so with the default they spend
 * their first 5-20 seconds in the interpreter and the baseline tier: in a `perf` profile of bench
 * row 2b's server 5-10 s after its start, generic inline caches (LoadIC, KeyedLoadIC, StoreIC) were
 * ~6% of its samples. On the command line the same flag cost the start +41 ms (code compiled for a
 * start that never runs again), so it is set once the first frame is out (docs/profile.md).
 */
export function hotCodeSooner(): void {
  builtin<typeof import('node:v8')>('node:v8').setFlagsFromString('--interrupt-budget=16896');
}
