import { describe, expect, it } from 'vitest';
import { closestWord, editDistance, plural } from '../../src/util/text.js';

describe('plural', () => {
  it('says 1 pane, 0 panes, 2 panes, and takes irregular plurals', () => {
    expect(plural(1, 'pane')).toBe('1 pane');
    expect(plural(0, 'pane')).toBe('0 panes');
    expect(plural(2, 'pane')).toBe('2 panes');
    expect(plural(1, 'match', 'matches')).toBe('1 match');
    expect(plural(3, 'match', 'matches')).toBe('3 matches');
  });
});

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and neighbour swaps as one edit each', () => {
    expect(editDistance('sessions', 'sessions')).toBe(0);
    expect(editDistance('sesions', 'sessions')).toBe(1);
    expect(editDistance('sessionz', 'sessions')).toBe(1);
    expect(editDistance('laed', 'lead')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});

describe('closestWord', () => {
  it('finds a typo of one of the options, ignoring case, and nothing for an unrelated word', () => {
    expect(closestWord('Sesions', ['search', 'sessions'])).toBe('sessions');
    expect(closestWord('serach', ['search', 'sessions'])).toBe('search');
    expect(closestWord('banana', ['search', 'sessions'])).toBeUndefined();
    // Short words allow one edit only: 'ab' is not a typo of 'agent'.
    expect(closestWord('ab', ['agent', 'aider'])).toBeUndefined();
  });
});
