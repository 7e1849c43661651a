// The filter that keeps Ink's frames from leaving a blank row under the prompt, fed the byte
// sequences Ink 6.8 writes (log-update's erase-then-frame, static output, synchronized output) and
// read back through a real headless terminal.
import { describe, expect, it } from 'vitest';
import { TrailingNewline } from '../../../src/agent/ui/ink-stdout.js';
import { createEmulator, writeAsync } from '../../helpers/screen-grid.js';

const BSU = '\x1b[?2026h';
const ESU = '\x1b[?2026l';
/** ansi-escapes' eraseLines(n), as Ink's log-update uses it. */
const eraseLines = (n: number) => Array.from({ length: n }, (_, i) => `\x1b[2K${i < n - 1 ? '\x1b[1A' : ''}`).join('') + (n ? '\x1b[G' : '');

/** log-update's count of a frame's lines: the empty row after its trailing newline included. */
const count = (out: string) => out.split('\n').length;

async function screen(writes: string[], filter: boolean, rows = 6): Promise<string[]> {
  const term = createEmulator(30, rows, 100);
  const f = new TrailingNewline();
  for (const w of writes) await writeAsync(term, (filter ? f.pass(w) : w).replace(/\n/g, '\r\n'));
  const b = term.buffer.active;
  return Array.from({ length: rows }, (_, y) => b.getLine(b.viewportY + y)?.translateToString(true) ?? '');
}

/** What Ink writes for static lines printed one by one under a live area (`live[i]` after line i). */
function inkSession(staticLines: string[], live: string[][]): string[] {
  const first = `${live[0].join('\n')}\n`;
  const writes = [BSU, first, ESU];
  let previous = count(first);
  staticLines.forEach((s, i) => {
    // Static output: erase the live area, print the line, then the live area again.
    const next = `${live[Math.min(i + 1, live.length - 1)].join('\n')}\n`;
    writes.push(BSU, eraseLines(previous), `${s}\n`, next, ESU);
    previous = count(next);
  });
  return writes;
}

describe('Ink stdout without the trailing newline', () => {
  const live = [['idle', '›'], ['thinking', '›'], ['Allow run_command? y/n', 'needs approval', '›'], ['idle', '›']];
  const session = inkSession(['› the task', 'line 1', 'line 2', 'line 3'], live);

  it('Ink alone leaves a blank row under the prompt, which costs the first line', async () => {
    const rows = await screen(session, false);
    expect(rows.at(-1)).toBe('');
    expect(rows).not.toContain('› the task');
  });

  it('filtered, the prompt is on the last row and the task is still in view', async () => {
    const rows = await screen(session, true);
    expect(rows).toEqual(['› the task', 'line 1', 'line 2', 'line 3', 'idle', '›']);
  });

  it('a live area that shrinks and grows is redrawn in place', async () => {
    const writes: string[] = [];
    const w = (rows: string[], prev: number) => {
      const out = `${rows.join('\n')}\n`;
      writes.push(eraseLines(prev) + out);
      return count(out);
    };
    let prev = w(['a', 'b', 'c'], 0);
    prev = w(['x'], prev);
    prev = w(['p', 'q', 'r', 's'], prev);
    w(['done', '›'], prev);
    expect(await screen(writes, true, 4)).toEqual(['done', '›', '', '']);
  });

  it('a held newline is written before anything that is not the erase of its row', () => {
    const f = new TrailingNewline();
    expect(f.pass('frame\n')).toBe('frame');
    expect(f.pass(BSU)).toBe(BSU);
    expect(f.pass('console output\n')).toBe('\nconsole output');
    expect(f.pass(`${BSU}\x1b[2K\x1b[1A\x1b[2K\x1b[G`)).toBe(`${BSU}\x1b[2K\x1b[G`);
  });
});
