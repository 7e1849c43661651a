/**
 * The prompt's line editor, pure: text with a cursor, editing keys, and a history recalled with
 * Up/Down (only when the cursor is on the first/last line, so multi-line input stays editable).
 */
import type { KeyEvent } from './input.js';

export type EditResult = { kind: 'edit' } | { kind: 'submit'; text: string } | { kind: 'none' };

export class Editor {
  text = '';
  cursor = 0;
  private history: string[] = [];
  private recall = -1;
  private draft = '';

  insert(s: string): void {
    this.text = this.text.slice(0, this.cursor) + s + this.text.slice(this.cursor);
    this.cursor += s.length;
  }

  clear(): void {
    this.text = '';
    this.cursor = 0;
    this.recall = -1;
  }

  key(ev: KeyEvent): EditResult {
    if (ev.kind === 'paste') {
      this.insert(ev.text.replace(/\r\n?/g, '\n'));
      return { kind: 'edit' };
    }
    if (ev.kind === 'char') {
      if (ev.mods.ctrl) return this.ctrl(ev.char);
      if (ev.mods.alt) return { kind: 'none' };
      this.insert(ev.char);
      return { kind: 'edit' };
    }
    if (ev.kind !== 'named') return { kind: 'none' };
    switch (ev.name) {
      case 'enter':
        // Alt+Enter (and Shift+Enter where the terminal reports it) adds a line; Enter sends.
        if (ev.mods.alt || ev.mods.shift) {
          this.insert('\n');
          return { kind: 'edit' };
        }
        return this.submit();
      case 'space':
        this.insert(' ');
        return { kind: 'edit' };
      case 'tab':
        this.insert('  ');
        return { kind: 'edit' };
      case 'backspace':
        if (this.cursor === 0) return { kind: 'none' };
        this.text = this.text.slice(0, this.cursor - 1) + this.text.slice(this.cursor);
        this.cursor--;
        return { kind: 'edit' };
      case 'delete':
        this.text = this.text.slice(0, this.cursor) + this.text.slice(this.cursor + 1);
        return { kind: 'edit' };
      case 'left':
        this.cursor = Math.max(0, this.cursor - 1);
        return { kind: 'edit' };
      case 'right':
        this.cursor = Math.min(this.text.length, this.cursor + 1);
        return { kind: 'edit' };
      case 'home':
        this.cursor = this.text.lastIndexOf('\n', this.cursor - 1) + 1;
        return { kind: 'edit' };
      case 'end': {
        const nl = this.text.indexOf('\n', this.cursor);
        this.cursor = nl < 0 ? this.text.length : nl;
        return { kind: 'edit' };
      }
      case 'up':
        if (this.text.lastIndexOf('\n', this.cursor - 1) >= 0) return this.moveLine(-1);
        return this.recallHistory(1);
      case 'down':
        if (this.text.indexOf('\n', this.cursor) >= 0) return this.moveLine(1);
        return this.recallHistory(-1);
      default:
        return { kind: 'none' };
    }
  }

  private ctrl(c: string): EditResult {
    switch (c) {
      case 'j': // Ctrl-J is a newline in most line editors.
        this.insert('\n');
        return { kind: 'edit' };
      case 'u':
        this.text = this.text.slice(this.cursor);
        this.cursor = 0;
        return { kind: 'edit' };
      case 'k':
        this.text = this.text.slice(0, this.cursor);
        return { kind: 'edit' };
      case 'w': {
        const before = this.text.slice(0, this.cursor).replace(/\S+\s*$/, '');
        this.text = before + this.text.slice(this.cursor);
        this.cursor = before.length;
        return { kind: 'edit' };
      }
      case 'e':
        return this.key({ kind: 'named', name: 'end', mods: { ctrl: false, alt: false, shift: false }, raw: '' });
      default:
        return { kind: 'none' };
    }
  }

  private moveLine(dir: 1 | -1): EditResult {
    const start = this.text.lastIndexOf('\n', this.cursor - 1) + 1;
    const col = this.cursor - start;
    if (dir < 0) {
      const prevStart = this.text.lastIndexOf('\n', start - 2) + 1;
      this.cursor = Math.min(prevStart + col, start - 1);
    } else {
      const nextStart = this.text.indexOf('\n', this.cursor) + 1;
      const nextEnd = this.text.indexOf('\n', nextStart);
      this.cursor = Math.min(nextStart + col, nextEnd < 0 ? this.text.length : nextEnd);
    }
    return { kind: 'edit' };
  }

  private recallHistory(dir: 1 | -1): EditResult {
    if (this.history.length === 0) return { kind: 'none' };
    if (this.recall === -1) this.draft = this.text;
    const next = Math.max(-1, Math.min(this.history.length - 1, this.recall + dir));
    if (next === this.recall) return { kind: 'none' };
    this.recall = next;
    this.text = next === -1 ? this.draft : this.history[this.history.length - 1 - next];
    this.cursor = this.text.length;
    return { kind: 'edit' };
  }

  private submit(): EditResult {
    const text = this.text;
    if (!text.trim()) return { kind: 'none' };
    if (this.history[this.history.length - 1] !== text) this.history.push(text);
    this.clear();
    return { kind: 'submit', text };
  }
}
