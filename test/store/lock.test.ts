import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { procStartOf } from '../../src/store/lock.js';
import { ProjectStore } from '../../src/store/store.js';
import { child, later, script, setup } from './helpers.js';

/** Opens the store, prints the outcome as JSON, then holds it until stdin closes or says "close". */
const HOLD = `import { ProjectStore } from './store/store.js';
const [project, home] = process.argv.slice(2);
const { store, error } = await ProjectStore.open(project, { home, env: {} });
console.log(JSON.stringify({ pid: process.pid, ok: !!store, kind: error?.kind, message: error?.message }));
if (!store) process.exit(0);
const s = store.create({ layout: 'grid', agents: [] });
s.append('events', { type: 'hello', from: process.pid });
process.stdin.on('data', async (d) => {
  if (String(d).includes('close')) { await store.close(); console.log('closed'); process.exit(0); }
});
`;

const parse = (line: string) => JSON.parse(line) as { pid: number; ok: boolean; kind?: string; message?: string };

describe('one writer per project', () => {
  it('a second process gets a clear `locked` error naming the holder, and writes nothing', async () => {
    const { project, home } = setup();
    const { store } = await ProjectStore.open(project, { home, env: {} });
    later(() => store!.close());
    const s = store!.create({ layout: 'grid', agents: [] });
    s.flush();
    const c = child(script('hold.js', HOLD), [project, home]);
    const r = parse((await c.next(/^\{.*/))[0]);
    expect(r.ok).toBe(false);
    expect(r.kind).toBe('locked');
    expect(r.message).toContain(`pid ${process.pid}`);
    expect(r.message).toMatch(/Only one agents may write it at a time/);
    expect(await c.exited).toBe(0);
    expect(store!.sessions().map((x) => x.id)).toEqual([s.id]);
    expect(JSON.parse(readFileSync(join(store!.dir, 'lock'), 'utf8')).pid).toBe(process.pid);
  });

  it('while another process holds it we are refused; after it is killed -9 its stale lock is taken over', async () => {
    const { project, home } = setup();
    const c = child(script('hold.js', HOLD), [project, home]);
    const held = parse((await c.next(/^\{.*/))[0]);
    expect(held.ok).toBe(true);

    const refused = await ProjectStore.open(project, { home, env: {} });
    expect(refused.store).toBeUndefined();
    expect(refused.error?.kind).toBe('locked');
    expect(refused.error?.message).toContain(`pid ${held.pid}`);

    c.proc.kill('SIGKILL');
    await c.exited;
    const taken = await ProjectStore.open(project, { home, env: {} });
    expect(taken.error).toBeUndefined();
    later(() => taken.store!.close());
    expect(JSON.parse(readFileSync(join(taken.store!.dir, 'lock'), 'utf8')).pid).toBe(process.pid);
    // The killed holder's session is listed, even if it died before its index write.
    expect(taken.store!.sessions()).toHaveLength(1);
  });

  it('a holder that closes removes its lock', async () => {
    const { project, home } = setup();
    const c = child(script('hold.js', HOLD), [project, home]);
    expect(parse((await c.next(/^\{.*/))[0]).ok).toBe(true);
    c.proc.stdin!.write('close\n');
    await c.next(/^closed$/);
    await c.exited;
    const { store, error } = await ProjectStore.open(project, { home, env: {} });
    expect(error).toBeUndefined();
    later(() => store!.close());
    expect(store!.sessions()).toHaveLength(1);
  });

  it('the same process opening twice is refused too', async () => {
    const { project, home } = setup();
    const { store } = await ProjectStore.open(project, { home, env: {} });
    later(() => store!.close());
    const second = await ProjectStore.open(project, { home, env: {} });
    expect(second.error?.kind).toBe('locked');
    await store!.close();
    expect(existsSync(join(store!.dir, 'lock'))).toBe(false);
    const third = await ProjectStore.open(project, { home, env: {} });
    expect(third.error).toBeUndefined();
    await third.store!.close();
  });

  it('takes over a lock of a dead pid, of a reused pid, and an unreadable lock', async () => {
    const { project, home } = setup();
    const { store } = await ProjectStore.open(project, { home, env: {} });
    await store!.close();
    const lock = join(store!.dir, 'lock');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout);
    const start = procStartOf(process.pid);
    const stale = [
      JSON.stringify({ pid: deadPid, since: Date.now(), host: hostname() }),
      // Our own pid, but a process that started at another time: the pid was reused.
      ...(start === undefined ? [] : [JSON.stringify({ pid: process.pid, procStart: start + 1, since: Date.now(), host: hostname() })]),
      'garbage',
      '',
    ];
    for (const content of stale) {
      writeFileSync(lock, content);
      const r = await ProjectStore.open(project, { home, env: {} });
      expect({ content, error: r.error?.message }).toEqual({ content, error: undefined });
      await r.store!.close();
      expect(existsSync(lock)).toBe(false);
    }
  });
});
