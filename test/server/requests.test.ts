import { describe, expect, it } from 'vitest';
import { parseHello, requestSchemas } from '../../src/server/requests.js';

const body = (o: object) => Buffer.from(JSON.stringify(o), 'utf8');
const hello = { protocol: 1, version: '1.0.0', want: 'attach', cols: 120, rows: 40, pid: 4242 };
const add = { op: 'board', request: { op: 'create_task', title: '  Make hello  ', to: 'lead' } };

describe('parseHello', () => {
  // The request's schemas are built at the first hello that carries one (the first check below, in a
  // fresh module), so each check is made twice: the same answer before and after they exist.
  it('checks a request only when the hello carries one, with the same answers before and after it first did', () => {
    for (let round = 0; round < 2; round++) {
      expect(parseHello(body({ ...hello, want: 'request', request: add }))).toEqual({
        ...hello,
        want: 'request',
        // The request comes back as its schema gives it (the title trimmed), not as it was sent.
        request: { op: 'board', request: { op: 'create_task', title: 'Make hello', to: 'lead' } },
      });
      expect(parseHello(body(hello))).toEqual(hello);
      expect(parseHello(body(hello))).not.toHaveProperty('request');
    }
  });

  it('refuses a hello whose request is not one, whatever it wants', () => {
    for (const request of [null, 'tasks', { op: 'drop_tables' }, { op: 'board', request: { op: 'create_task', title: '   ' } }]) {
      expect(parseHello(body({ ...hello, want: 'request', request }))).toBeUndefined();
      expect(parseHello(body({ ...hello, request }))).toBeUndefined();
    }
  });

  it('refuses what is not a hello', () => {
    expect(parseHello(Buffer.from('{"protocol":1'))).toBeUndefined();
    expect(parseHello(body({ ...hello, cols: 0 }))).toBeUndefined();
    expect(parseHello(body({ ...hello, want: 'shell' }))).toBeUndefined();
  });

  it('builds the request schemas once, and they take a request, not a bare board request', () => {
    expect(requestSchemas()).toBe(requestSchemas());
    expect(requestSchemas().ServerRequestSchema.safeParse(add.request).success).toBe(false);
    expect(requestSchemas().ServerRequestSchema.safeParse(add).success).toBe(true);
  });
});
