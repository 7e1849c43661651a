// The log and crash reports quote outside text (paths, messages, program errors): what reaches them
// holds no key and no control character, so one entry stays one line and `tail -f` stays inert.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { log, logPath, writeCrashReport } from '../../src/util/log.js';

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
