/**
 * Ink's stdout for the chat pane, minus the blank row Ink keeps below its last line.
 *
 * Ink 6.8 ends every frame of its live area with a newline (`output + '\n'`, unless the frame fills
 * the whole terminal), so the cursor rests on an empty row under the prompt. In a pane that is full,
 * that row pushes one more line of the conversation (first of all the task the pane was given) into
 * the scrollback, while a blank row stays at the bottom. Ink's next frame starts by erasing the
 * previous one from that empty row upwards: `ESC[2K ESC[1A` for the empty row, then the frame's rows.
 *
 * The filter holds back a write's final newline, and when the next write starts with the erase of
 * that very row, drops both (the cursor is already where the erase would leave it). Any other write
 * gets the newline first, so the bytes on screen are what Ink meant, one row lower. Writes that are
 * only mode switches (synchronized output, cursor hide/show) pass without releasing it.
 *
 * Invariant: at most one newline is held; it is released before any write that is not the erase
 * of its row, so Ink's idea of where its frame starts is never off by one.
 */
const ERASE_HELD_ROW = '\x1b[2K\x1b[1A';
/** DEC private mode set/reset, e.g. ESC[?2026h (synchronized output) and ESC[?25l (hide cursor). */
const MODES = /^(?:\x1b\[\?\d+[hl])*/;

export class TrailingNewline {
  private held = false;

  /** What to write instead of `chunk`. */
  pass(chunk: string): string {
    let out = chunk;
    if (this.held) {
      const modes = MODES.exec(out)?.[0] ?? '';
      const rest = out.slice(modes.length);
      if (rest === '') return out;
      this.held = false;
      out = rest.startsWith(ERASE_HELD_ROW) ? modes + rest.slice(ERASE_HELD_ROW.length) : `\n${out}`;
    }
    if (out.endsWith('\n')) {
      this.held = true;
      out = out.slice(0, -1);
    }
    return out;
  }
}

/** `stream` as Ink should see it: the same terminal (size, resize events), writes filtered. */
export function withoutTrailingNewline(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  const filter = new TrailingNewline();
  const write = (chunk: string | Uint8Array) => stream.write(filter.pass(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')));
  return new Proxy(stream, {
    get(target, prop) {
      if (prop === 'write') return write;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
