import { mkdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonlAppender, parseJsonl, readJsonl } from '../../src/store/jsonl.js';
import { ProjectStore } from '../../src/store/store.js';
import { later, setup, tempDir } from './helpers.js';

const message = (i: number) => ({ kind: 'message', t: 1_800_000_000_000, message: { role: 'user', content: `message number ${String(i).padStart(6, '0')}` } });

describe('append cost does not grow with history', () => {
  it('writes only the new line: same bytes at 10 and 1,000 records, the history untouched', async () => {
    const { project, home } = setup();
    const { store } = await ProjectStore.open(project, { home, env: {} });
    later(() => store!.close());
    const s = store!.create({ layout: 'grid', agents: [] });
    const file = join(store!.dir, 'sessions', s.id, 'agent-main.jsonl');

    const costOfOne = (i: number) => {
      s.flush();
      const before = s.stats();
      const head = readFileSync(file);
      const inode = statSync(file).ino;
      s.append('agent:main', message(i));
      s.flush();
      const after = s.stats();
      const now = readFileSync(file);
      // The file was appended to in place: same inode, the old bytes unchanged.
      expect(statSync(file).ino).toBe(inode);
      expect(now.subarray(0, head.length).equals(head)).toBe(true);
      return { bytes: after.bytesWritten - before.bytesWritten, writes: after.writes - before.writes, grew: now.length - head.length };
    };

    for (let i = 0; i < 10; i++) s.append('agent:main', message(i));
    const at10 = costOfOne(10);
    for (let i = 11; i < 1000; i++) s.append('agent:main', message(i));
    const at1000 = costOfOne(1000);
    const line = JSON.stringify({ v: 1, ...message(0) });
    expect(at10).toEqual({ bytes: Buffer.byteLength(line) + 1, writes: 1, grew: Buffer.byteLength(line) + 1 });
    expect(at1000).toEqual(at10);
    expect((await s.read('agent:main')).records).toHaveLength(1001);
  });

  it('batches: many appends within FLUSH_MS are one write', async () => {
    const { project, home } = setup();
    const { store } = await ProjectStore.open(project, { home, env: {} });
    later(() => store!.close());
    const s = store!.create({ layout: 'grid', agents: [] });
    s.flush();
    const before = s.stats().writes;
    for (let i = 0; i < 200; i++) s.append('agent:main', message(i));
    s.flush();
    expect(s.stats().writes - before).toBe(1);
  });
});

describe('reading damaged streams', () => {
  it('skips and counts corrupt lines and a truncated last line, never throws', async () => {
    const dir = tempDir();
    const file = join(dir, 'agent-main.jsonl');
    const good = (i: number) => JSON.stringify({ v: 1, ...message(i) });
    writeFileSync(file, [good(0), '{"v":1,"t":1,"kind":"mess', 'not json at all', '[1,2]', 'null', good(1), '{"v":1,"t":2,"kind":"message"}', '', good(2), good(3).slice(0, 25)].join('\n'));
    const { records, skipped } = await readJsonl(file, 'agent');
    expect(records.map((r) => (r.message as { content: string }).content)).toEqual([message(0), message(1), message(2)].map((m) => m.message.content));
    expect(skipped).toBe(6);
  });

  it('a missing stream reads as empty', async () => {
    expect(await readJsonl(join(tempDir(), 'nothing.jsonl'), 'events')).toEqual({ records: [], skipped: 0 });
  });

  it('after a cut last line, the next append starts on a line of its own', () => {
    const dir = tempDir();
    const file = join(dir, 'events.jsonl');
    writeFileSync(file, '{"v":1,"t":1,"type":"a"}\n{"v":1,"t":2,"type":"b"}\n');
    truncateSync(file, statSync(file).size - 6); // a kill -9 mid-write
    const out = new JsonlAppender(file);
    out.push('{"v":1,"t":3,"type":"c"}');
    out.close();
    const { records, skipped } = parseJsonl(readFileSync(file, 'utf8'), 'events');
    expect(records.map((r) => r.type)).toEqual(['a', 'c']);
    expect(skipped).toBe(1);
  });

  it('keeps unwritten lines queued when a write fails, and writes them first, in order, next time', () => {
    const dir = tempDir();
    const file = join(dir, 'x', 'events.jsonl'); // the folder does not exist yet: open fails
    const out = new JsonlAppender(file);
    out.push('{"v":1,"t":1,"type":"a"}');
    expect(() => out.flush()).toThrow(/ENOENT/);
    expect(out.queuedChars).toBeGreaterThan(0);
    mkdirSync(join(dir, 'x'));
    out.push('{"v":1,"t":2,"type":"b"}');
    out.close();
    expect(parseJsonl(readFileSync(file, 'utf8'), 'events').records.map((r) => r.type)).toEqual(['a', 'b']);
  });
});
