// Claims: which paths a task's owner alone may write while the task is doing. Other writers are named
// in the refusal with the owner and the task; the owner itself, and tasks not being worked on, are
// never in the way.
import { describe, expect, it } from 'vitest';
import { TaskBoard } from '../../src/tasks/board.js';
import { activeClaims, ClaimMatcher, claimRefusal, type Claim } from '../../src/tasks/claims.js';

function board(): TaskBoard {
  const b = new TaskBoard();
  b.add({ title: 'cart', to: 'w1', claims: ['src/cart.js', 'src/cart/'] }, 'lead', 1);
  b.add({ title: 'tests', to: 'w2', claims: ['test/**/*.test.ts'] }, 'lead', 1);
  b.add({ title: 'later', to: 'w3', claims: ['docs/'] }, 'lead', 1);
  b.start('t1', 2);
  b.start('t2', 2);
  return b;
}

describe('activeClaims', () => {
  it('holds the claims of doing tasks only, each with its owner and task', () => {
    const b = board();
    expect(activeClaims(b.list())).toEqual([
      { glob: 'src/cart.js', owner: 'w1', task: 't1' },
      { glob: 'src/cart/', owner: 'w1', task: 't1' },
      { glob: 'test/**/*.test.ts', owner: 'w2', task: 't2' },
    ]);
    // Checking, done or blocked tasks hold nothing any more.
    b.complete('t1', 'x', 3);
    b.block('t2', 'stuck', 3);
    expect(activeClaims(b.list())).toEqual([]);
  });
});

describe('ClaimMatcher', () => {
  const m = new ClaimMatcher(activeClaims(board().list()));

  it('finds another task\'s claim on an exact path, a folder ending in /, and a glob', () => {
    expect(m.others('src/cart.js', 'w2')).toMatchObject({ owner: 'w1', task: 't1' });
    expect(m.others('./src/cart.js', 'w2')?.glob).toBe('src/cart.js');
    expect(m.others('src/cart/total.js', 'w3')).toMatchObject({ owner: 'w1', glob: 'src/cart/' });
    expect(m.others('src/cart/deep/er.js', 'w3')).toMatchObject({ owner: 'w1' });
    expect(m.others('test/a/b/c.test.ts', 'w1')).toMatchObject({ owner: 'w2', task: 't2' });
    expect(m.others('test/c.test.ts', 'w1')).toMatchObject({ owner: 'w2' });
  });

  it('leaves the owner\'s own claims, near misses and unclaimed paths alone', () => {
    expect(m.others('src/cart.js', 'w1')).toBeUndefined();
    expect(m.others('test/x.test.ts', 'w2')).toBeUndefined();
    expect(m.others('src/cart.jsx', 'w2')).toBeUndefined();
    expect(m.others('src/cartography.js', 'w2')).toBeUndefined();
    expect(m.others('test/x.test.js', 'w1')).toBeUndefined();
    expect(m.others('src/other.js', 'w2')).toBeUndefined();
    // A claim of a task not being worked on (t3's docs/) binds nobody.
    expect(m.others('docs/readme.md', 'w1')).toBeUndefined();
  });

  it('a claim on a folder\'s name covers what is inside it', () => {
    const f = new ClaimMatcher([{ glob: 'lib/pay', owner: 'a', task: 't4' }]);
    expect(f.others('lib/pay/card.ts', 'b')?.task).toBe('t4');
    expect(f.others('lib/pay', 'b')?.task).toBe('t4');
    expect(f.others('lib/payment.ts', 'b')).toBeUndefined();
  });

  it('matches a hostile glob on a long path in linear time', () => {
    const f = new ClaimMatcher([{ glob: '*a*a*a*a*a*a*a*a*a*a*a*a*b', owner: 'a', task: 't1' }]);
    const t0 = performance.now();
    expect(f.others('a'.repeat(5000), 'b')).toBeUndefined();
    expect(performance.now() - t0).toBeLessThan(500);
  });
});

describe('claimRefusal', () => {
  it('names the path, the owner, the task and the glob, and says what to do instead', () => {
    const c: Claim = { glob: 'src/cart/', owner: 'w1', task: 't1' };
    const text = claimRefusal('src/cart/total.js', c);
    expect(text).toBe(
      'Refused: src/cart/total.js is claimed by w1 for task t1 (src/cart/) while w1 works on it. Leave it to w1; if you need a change there, say so in a note or ask the task\'s creator.',
    );
  });
});
