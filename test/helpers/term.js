// Drives a program in a real pty and reads its screen through a real headless terminal, the way a
// person sees it. Used by the end-to-end tests, `npm run bench` and the screenshot script.
// Plain JS so the bench and scripts can use it without a build step.
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath } from 'node:url';
import pty from 'node-pty';
import xterm from '@xterm/headless';
import unicode11 from '@xterm/addon-unicode11';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/agents', import.meta.url));

export class Term {
  /**
   * @param {string} command
   * @param {string[]} args
   * @param {{cols?: number, rows?: number, env?: Record<string,string|undefined>, cwd?: string}} [opts]
   */
  constructor(command, args, opts = {}) {
    const cols = opts.cols ?? 120;
    const rows = opts.rows ?? 30;
    this.term = new xterm.Terminal({ cols, rows, allowProposedApi: true, scrollback: 1000 });
    this.term.loadAddon(new unicode11.Unicode11Addon());
    this.term.unicode.activeVersion = '11';
    this.bytes = 0;
    /** @type {Array<() => void>} */
    this.listeners = [];
    const env = { ...process.env, TERM: 'xterm-256color', ...opts.env };
    for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
    this.pty = pty.spawn(command, args, { name: 'xterm-256color', cols, rows, cwd: opts.cwd ?? ROOT, env });
    this.pid = this.pty.pid;
    this.term.onData((d) => this.pty.write(d));
    this.term.onWriteParsed(() => this.listeners.slice().forEach((l) => l()));
    const output = (d) => {
      this.bytes += d.length;
      this.term.write(d);
    };
    this.pty.onData(output);
    keepTail(this.pty, output);
    /** @type {Promise<{exitCode: number, signal?: number}>} */
    // Resolved once the last output is parsed too: xterm parses writes later, in chunks.
    this.exited = new Promise((resolve) => this.pty.onExit((e) => this.term.write('', () => resolve(e))));
    this.exited.then(() => this.listeners.slice().forEach((l) => l()));
  }

  /**
   * Starts bin/agents with the given arguments, data kept in `env.AGENTS_HOME`: as `node bin/agents`,
   * or with `launcher` as `agents` on the PATH runs, the file itself (its shell launcher first).
   */
  static agents(args = [], opts = {}) {
    return opts.launcher ? new Term(BIN, args, opts) : new Term(process.execPath, [BIN, ...args], opts);
  }

  write(s) {
    this.pty.write(s);
  }

  /** Sends text, then presses keys like tmux send-keys: 'C-a', 'Enter', 'Escape', 'Up'. */
  keys(...keys) {
    const map = { Enter: '\r', Escape: '\x1b', Tab: '\t', Up: '\x1b[A', Down: '\x1b[B', Right: '\x1b[C', Left: '\x1b[D', BSpace: '\x7f' };
    for (const k of keys) {
      const m = /^C-([a-z])$/.exec(k);
      this.pty.write(m ? String.fromCharCode(m[1].charCodeAt(0) - 96) : (map[k] ?? k));
    }
  }

  resize(cols, rows) {
    this.pty.resize(cols, rows);
    this.term.resize(cols, rows);
  }

  /** @returns {string[]} the visible lines, right-trimmed */
  lines() {
    const b = this.term.buffer.active;
    const out = [];
    for (let y = 0; y < this.term.rows; y++) out.push((b.getLine(b.viewportY + y)?.translateToString(true) ?? ''));
    return out;
  }

  text() {
    return this.lines().join('\n');
  }

  /** The cell at (x, y) of the visible screen. */
  cell(x, y) {
    const b = this.term.buffer.active;
    return b.getLine(b.viewportY + y)?.getCell(x);
  }

  cursor() {
    const b = this.term.buffer.active;
    return { x: b.cursorX, y: b.cursorY };
  }

  /** Resolves once every byte received so far has been parsed. */
  settle() {
    return new Promise((r) => this.term.write('', r));
  }

  /**
   * Waits until the screen satisfies `want` (a string it contains, a RegExp, or a predicate over the
   * text), re-checking after every parsed write; fails after `timeout` ms with the screen in the error.
   * @param {string | RegExp | ((text: string, t: Term) => boolean)} want
   */
  waitFor(want, { timeout = 15000, message } = {}) {
    const test = typeof want === 'string' ? (t) => t.includes(want) : want instanceof RegExp ? (t) => want.test(t) : (t) => want(t, this);
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!test(this.text())) return false;
        done();
        resolve(this.text());
        return true;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${message ?? String(want)}; screen:\n${this.text()}`));
      }, timeout);
      const done = () => {
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== check);
      };
      if (!check()) this.listeners.push(check);
    });
  }

  kill(signal = 'SIGKILL') {
    try {
      process.kill(this.pid, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * Keeps a fast-exiting program's last output (a client's "Detached from…" as it quits). On Linux the
 * master's read can end with EIO once the last slave descriptor closes, before the kernel has passed
 * on everything written (node-pty upstream #72, #85; the product's own ptys do the same in
 * src/terminal/pty.ts). Holding a slave keeps the master readable; node-pty then destroys its
 * reader 200 ms after the exit, and whatever the reader had not taken by then is read here first.
 */
function keepTail(p, output) {
  let slave;
  try {
    slave = openSync(p.ptsName, constants.O_RDWR | constants.O_NOCTTY);
  } catch {
    return; // no name to open: node-pty's behaviour as it is
  }
  p.onExit(() => closeSync(slave));
  const sock = p._socket;
  const destroy = sock?.destroy;
  if (typeof destroy !== 'function' || typeof p._fd !== 'number') return;
  sock.destroy = (...args) => {
    sock.destroy = destroy;
    const decoder = sock._readableState?.decoder ?? new StringDecoder('utf8');
    const buf = Buffer.allocUnsafe(64 * 1024);
    for (let i = 0; i < 64; i++) {
      let n = 0;
      try {
        n = readSync(p._fd, buf, 0, buf.length, null);
      } catch {
        break; // EAGAIN: nothing left
      }
      if (n <= 0) break;
      const text = decoder.write(buf.subarray(0, n));
      if (text) output(text);
    }
    return destroy.apply(sock, args);
  };
}

/** Waits until `probe()` is true, checking every `every` ms, for at most `timeout` ms. */
export async function until(probe, { timeout = 10000, every = 20, message = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${message}`);
    await new Promise((r) => setTimeout(r, every));
  }
}
