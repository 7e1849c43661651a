// The log and crash reports quote outside text (paths, messages, program errors): what reaches them
// holds no key and no control character, so one entry stays one line and `tail -f` stays inert.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { log, logPath, writeCrashReport } from '../../src/util/log.js';
import { logDir } from '../../src/util/paths.js';

const KEY = 'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';
const ATTACK = `note from cc: ${KEY}\x1b]52;c;aGk=\x07\n2026-01-01T00:00:00.000Z forged entry \u009b2J`;

describe('log', () => {
  it('a line quoting outside text has no key, no control character and no second line', () => {
    const marker = `marker-${process.pid}-${Date.now()}`;
    log(`${marker} ${ATTACK}`);
    const line = readFileSync(logPath(), 'utf8').split('\n').find((l) => l.includes(marker));
    expect(line).toBeDefined();
    expect(line).not.toContain(KEY);
    expect(line).toContain('[redacted]\\x1b]52;c;aGk=\\x07\\n2026-01-01T00:00:00.000Z forged entry \\x9b2J');
    expect(readFileSync(logPath(), 'utf8')).not.toMatch(/^2026-01-01T00:00:00.000Z forged/m);
    expect(line).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
  });

  it('a crash report keeps its stack on separate lines, without the key or escape sequences', () => {
    const file = writeCrashReport(new Error(ATTACK));
    expect(file).toBeDefined();
    const text = readFileSync(file!, 'utf8');
    expect(text).not.toContain(KEY);
    expect(text).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
    expect(text).toMatch(/\n {4}at /); // the stack is still readable
  });
});

describe('the log file', () => {
  const home = process.env.AGENTS_HOME;
  const homes: string[] = [];
  /** A data folder of its own for one test (the log follows AGENTS_HOME). */
  const freshHome = () => {
    const dir = mkdtempSync(join(tmpdir(), 'agents-log-'));
    homes.push(dir);
    process.env.AGENTS_HOME = dir;
    return dir;
  };
  afterEach(() => {
    process.env.AGENTS_HOME = home;
    for (const dir of homes.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  /** This process's open descriptors on `path`, or on a file of that name since removed. */
  const descriptorsOn = (path: string) =>
    readdirSync('/proc/self/fd').filter((fd) => {
      try {
        const target = readlinkSync(`/proc/self/fd/${fd}`);
        return target === path || target === `${path} (deleted)`;
      } catch {
        return false;
      }
    }).length;
  const lines = () => readFileSync(logPath(), 'utf8').trimEnd().split('\n');

  it('is opened once and kept open; every line is in the file when log() returns', () => {
    freshHome();
    for (let i = 1; i <= 3; i++) {
      log(`line ${i}`);
      // Written through to the file at once: another reader (or a crash right now) sees it.
      expect(lines()).toHaveLength(i);
      expect(lines()[i - 1]).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z line ${i}$`));
    }
    expect(descriptorsOn(logPath())).toBe(1);
  });

  it('is created private: the file 0600 in a 0700 folder', () => {
    freshHome();
    log('hello');
    expect(statSync(logPath()).mode & 0o777).toBe(0o600);
    expect(statSync(logDir()).mode & 0o777).toBe(0o700);
  });

  it('a log someone left readable by others is made private', () => {
    freshHome();
    mkdirSync(logDir(), { recursive: true });
    writeFileSync(logPath(), 'old line\n');
    chmodSync(logPath(), 0o644);
    log('new line');
    expect(statSync(logPath()).mode & 0o777).toBe(0o600);
    expect(lines()).toEqual(['old line', expect.stringMatching(/ new line$/)]);
  });

  it('comes back when its folder is removed while open, and the old descriptor is let go', () => {
    freshHome();
    log('before');
    rmSync(dirname(logPath()), { recursive: true });
    log('after');
    expect(lines()).toEqual([expect.stringMatching(/ after$/)]);
    expect(statSync(logPath()).mode & 0o777).toBe(0o600);
    expect(statSync(logDir()).mode & 0o777).toBe(0o700);
    expect(descriptorsOn(logPath())).toBe(1);
  });

  it('follows a change of AGENTS_HOME', () => {
    freshHome();
    log('first home');
    const first = logPath();
    freshHome();
    log('second home');
    expect(lines()).toEqual([expect.stringMatching(/ second home$/)]);
    expect(logPath()).not.toBe(first);
  });
});
