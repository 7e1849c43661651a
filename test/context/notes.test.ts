import { afterEach, describe, expect, it } from 'vitest';
import { PERSON, type Note } from '../../src/context/feed-types.js';
import { MAX_NOTE_CHARS, NoteBoard } from '../../src/context/notes.js';
import { rig, type Rig } from './rig.js';

let r: Rig;
afterEach(() => r?.dispose());

describe('notes board', () => {
  it('numbers notes in the feed’s id sequence and lists them since an id', async () => {
    r = rig();
    const seen: Note[] = [];
    r.feed.on('note', (n) => seen.push(n));
    const n1 = r.feed.postNote('a', 'I am refactoring src/context; please stay out.')!;
    r.write('x.txt', 'x\n');
    await r.push(r.ev('x.txt', 'added'));
    await r.wait(150);
    const n2 = r.feed.postNote(PERSON, '  Tests first, please.  ')!;
    expect([n1.id, r.entries[0].id, n2.id]).toEqual([1, 2, 3]);
    expect(n2.text).toBe('Tests first, please.');
    expect(r.feed.notes().map((n) => n.id)).toEqual([1, 3]);
    expect(r.feed.notes(1).map((n) => n.id)).toEqual([3]);
    expect(seen).toEqual([n1, n2]);
    expect(r.feed.postNote('a', '   ')).toBeUndefined();
  });

  it('delivers notes in the change block, to everyone but the author, once', async () => {
    r = rig();
    for (const a of ['a', 'b']) r.feed.addAgent(a);
    r.feed.postNote('a', 'Taking the parser.');
    r.feed.postNote(PERSON, 'Ship by five.');
    expect(r.feed.undeliveredCounts()).toEqual({ a: 1, b: 2 });

    const da = r.feed.formatDelivery('a')!;
    expect(da.text).not.toContain('Taking the parser');
    expect(da.text).toContain('Note #2 from person: Ship by five.');
    expect(da.text).not.toContain('Changed by others'); // notes only: no empty changes heading
    r.feed.markDelivered('a', da.upTo);

    const db = r.feed.formatDelivery('b')!;
    expect(db.text).toContain('Note #1 from a: Taking the parser.');
    expect(db.text).toContain('Note #2 from person: Ship by five.');
    r.feed.markDelivered('b', db.upTo);
    expect(r.feed.formatDelivery('a')).toBeUndefined();
    expect(r.feed.formatDelivery('b')).toBeUndefined();
    expect(r.feed.undeliveredCounts()).toEqual({ a: 0, b: 0 });
  });

  it('keeps the newest notes in the block and points to read_notes for the rest', async () => {
    r = rig();
    r.feed.addAgent('a');
    for (let i = 0; i < 30; i++) r.feed.postNote(PERSON, `note ${i}: ${'words '.repeat(40)}`);
    const d = r.feed.formatDelivery('a')!;
    expect(d.text.length).toBeLessThanOrEqual(1500);
    expect(d.text).toContain('note 29:');
    expect(d.text).not.toContain('note 0:');
    expect(d.text).toMatch(/\d+ more notes: use read_notes\./);
    expect(d.notes).toBe(30);
  });

  it('bounds the board and each note', () => {
    const board = new NoteBoard(3);
    for (let i = 1; i <= 5; i++) board.post(i, 0, 'a', `n${i}`);
    expect(board.since().map((n) => n.text)).toEqual(['n3', 'n4', 'n5']);
    expect(board.post(6, 0, 'a', 'x'.repeat(MAX_NOTE_CHARS + 10))!.text).toHaveLength(MAX_NOTE_CHARS);
  });
});
