// JSON lines off a stream: validated, bounded, and decoded right across chunk boundaries.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LineReader } from '../../src/ipc/lines.js';

const Schema = z.object({ t: z.string() });

function reader(maxLine = 100) {
  const got: string[] = [];
  const bad: string[] = [];
  let tooLong = 0;
  const r = new LineReader({ schema: Schema, maxLine, onMessage: (m) => got.push(m.t), onBad: (_l, why) => bad.push(why), onTooLong: () => tooLong++ });
  return { r, got, bad, tooLong: () => tooLong };
}

describe('LineReader', () => {
  it('parses lines split across chunks and several lines in one chunk', () => {
    const { r, got, bad } = reader();
    r.push('{"t":"a"}\n{"t"');
    r.push(':"b"}\n\n{"t":"c"}\n{"x":1}\nnot json\n');
    expect(got).toEqual(['a', 'b', 'c']);
    expect(bad).toEqual([expect.stringContaining('t:'), 'not JSON']);
  });

  it('decodes a character whose UTF-8 bytes arrive in two chunks', () => {
    const { r, got } = reader();
    const bytes = Buffer.from('{"t":"é→✓"}\n');
    // Cut inside the two-byte é and inside the three-byte arrow.
    r.push(bytes.subarray(0, 7));
    r.push(bytes.subarray(7, 10));
    r.push(bytes.subarray(10));
    expect(got).toEqual(['é→✓']);
  });

  it('drops a line longer than maxLine whole, holding no more than maxLine of it, and goes on', () => {
    const { r, got, tooLong } = reader(50);
    r.push('{"t":"');
    for (let i = 0; i < 100; i++) r.push('x'.repeat(1000));
    expect(tooLong()).toBe(1);
    r.push('"}\n{"t":"next"}\n');
    expect(got).toEqual(['next']);
  });

  it('parses nothing after stop()', () => {
    const { r, got } = reader();
    r.push('{"t":"a"}\n');
    r.stop();
    r.push('{"t":"b"}\n');
    expect(got).toEqual(['a']);
  });
});
