import { describe, expect, it } from 'vitest';
import { lazy } from '../../src/util/lazy.js';

describe('lazy', () => {
  it('builds nothing until asked, then builds once and gives the same value every time', () => {
    let builds = 0;
    const get = lazy(() => ({ n: ++builds }));
    expect(builds).toBe(0);
    const first = get();
    expect(get()).toBe(first);
    expect(builds).toBe(1);
  });

  it('keeps a falsy value instead of building again', () => {
    let builds = 0;
    const get = lazy(() => (builds++, undefined));
    get();
    get();
    expect(builds).toBe(1);
  });

  it('builds again after a build that threw, and reports the error to each caller', () => {
    let builds = 0;
    const get = lazy(() => {
      if (++builds === 1) throw new Error('first build fails');
      return 'built';
    });
    expect(() => get()).toThrow('first build fails');
    expect(get()).toBe('built');
    expect(builds).toBe(2);
  });
});
