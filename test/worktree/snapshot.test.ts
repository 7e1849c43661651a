import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { snapshot } from '../../src/worktree/snapshot.js';
import { repo, sh } from './rig.js';

describe('snapshot of uncommitted work', () => {
  it('sees a same-size edit made in the same clock tick as the index was written (racily clean)', async () => {
    // What an agent does right after its worktree is checked out: the file, its index entry and the
    // index itself all carry one timestamp, and the new content has the old size. (ctime cannot be
    // set from a test, so git is told not to trust it, as it is by default on some systems.)
    const { dir } = repo({ 'cart.js': 'total = 1\n' });
    sh(dir, 'config', 'core.trustctime', 'false');
    const tick = 1_700_000_000;
    utimesSync(join(dir, 'cart.js'), tick, tick);
    // The index entry records that timestamp (the content is what HEAD has).
    sh(dir, 'update-index', '--refresh');
    writeFileSync(join(dir, 'cart.js'), 'total = 3\n');
    utimesSync(join(dir, 'cart.js'), tick, tick);
    utimesSync(join(dir, '.git', 'index'), tick, tick);
    const s = await snapshot(dir);
    expect(s.dirty).toBe(true);
    expect(sh(dir, 'show', `${s.commit}:cart.js`)).toBe('total = 3\n');
  });
});
