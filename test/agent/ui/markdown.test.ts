// Light markdown, line by line: what each line becomes as styled spans.
import { describe, expect, it } from 'vitest';
import { renderLine, type Line, type MdState } from '../../../src/agent/ui/markdown.js';

const text = (l: Line) => l.map((s) => s.text).join('');

describe('markdown', () => {
  it('renders inline code in a heading as code, without its backticks', () => {
    const line = renderLine('## The `main` function', {});
    expect(text(line)).toBe('The main function');
    expect(line.find((s) => s.text === 'main')).toMatchObject({ token: 'md.code', bold: true });
    expect(line.filter((s) => s.text !== 'main').every((s) => s.token === 'md.heading')).toBe(true);
  });

  it('renders inline code and bold the same in headings, bullets and plain lines', () => {
    for (const [src, want] of [
      ['# Fixed: `cartTotal` **now**', 'Fixed: cartTotal now'],
      ['- use `npm test`', '• use npm test'],
      ['run `npm test` **first**', 'run npm test first'],
    ]) {
      const line = renderLine(src, {});
      expect(text(line)).toBe(want);
      expect(line.some((s) => s.text.includes('`'))).toBe(false);
    }
  });

  it('keeps heading markers inside a fence as code', () => {
    const md: MdState = {};
    renderLine('```sh', md);
    expect(text(renderLine('# a comment', md))).toBe('│ # a comment');
  });
});
