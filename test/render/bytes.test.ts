import { describe, expect, it } from 'vitest';
import { FrameBytes, putCodePoint, putInt } from '../../src/render/bytes.js';

describe('frame bytes', () => {
  it('write integers in decimal', () => {
    const b = Buffer.alloc(16);
    for (const v of [0, 7, 9, 10, 11, 99, 100, 255, 1000, 65535, 2 ** 31 - 1]) {
      const end = putInt(b, 3, v);
      expect(b.toString('latin1', 3, end)).toBe(String(v));
    }
  });

  it('encode code points as Node does, a lone surrogate as U+FFFD', () => {
    const b = Buffer.alloc(8);
    for (const cp of [0x20, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xe000, 0xfffd, 0xffff, 0x10000, 0x1f600, 0x10ffff]) {
      const end = putCodePoint(b, 0, cp);
      expect(b.subarray(0, end).equals(Buffer.from(String.fromCodePoint(cp), 'utf8')), `U+${cp.toString(16)}`).toBe(true);
    }
  });

  it('grow past the first buffer, keeping what was written, and start again after a reset', () => {
    const out = new FrameBytes();
    let want = '';
    for (let i = 0; out.n < 200_000; i++) {
      out.ascii(`\x1b[${i}m`);
      out.move(i, i % 300);
      out.text('é中😀');
      want += `\x1b[${i}m\x1b[${i + 1};${(i % 300) + 1}Hé中😀`;
    }
    expect(out.bytes().toString('utf8')).toBe(want);
    out.reset();
    out.ascii('x');
    expect(out.bytes().toString('utf8')).toBe('x');
  });
});
