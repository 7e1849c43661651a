// Numbers and paths as the one-line status messages show them.
import { describe, expect, it } from 'vitest';
import { formatTokens, homePath } from '../../src/util/format.js';

describe('homePath', () => {
  it('shortens the home folder to ~, and only a whole folder of it', () => {
    expect(homePath('/home/ann/worktrees/p/lead', '/home/ann')).toBe('~/worktrees/p/lead');
    expect(homePath('/home/ann', '/home/ann')).toBe('~');
    expect(homePath('/home/anna/x', '/home/ann')).toBe('/home/anna/x');
    expect(homePath('/srv/x', '/home/ann')).toBe('/srv/x');
  });

  it('leaves every path alone when the home is the root or unknown', () => {
    expect(homePath('/x/y', '/')).toBe('/x/y');
    expect(homePath('/x/y', '')).toBe('/x/y');
  });
});

describe('formatTokens', () => {
  it('counts, thousands and millions', () => {
    expect([formatTokens(999), formatTokens(12_345), formatTokens(2_500_000)]).toEqual(['999', '12.3k', '2.50M']);
  });
});
