/**
 * Where dialogs sit, pure. Shared by the Ink components that draw them and the compositor, which
 * must not paint pane contents over them.
 */
import type { Rect } from '../render/grid.js';
import type { DialogView } from './types.js';

export function dialogRect(d: DialogView, cols: number, rows: number): Rect {
  const area = { width: cols, height: Math.max(1, rows - 1) };
  let width: number;
  let height: number;
  if (d.kind === 'help' || d.kind === 'task' || d.kind === 'review') {
    // All of the pane area: a margin would show slivers of the panes behind at its edges.
    return { x: 0, y: 0, width: area.width, height: area.height };
  } else if (d.kind === 'confirm') {
    width = Math.max(44, d.text.length + 6);
    height = 6;
  } else if (d.kind === 'picker') {
    // Wide enough for the longest install command, so the person can copy it whole.
    width = Math.max(60, ...d.options.map((o) => o.label.length + o.note.length + 10));
    height = d.options.length + 5;
  } else {
    // The prompt bar sits at the bottom, just above the status bar, as wide as is comfortable.
    width = Math.min(area.width, 100);
    height = Math.min(area.height, d.text.split('\n').length + 4);
    return { x: Math.floor((area.width - width) / 2), y: area.height - height, width, height };
  }
  width = Math.max(1, Math.min(width, area.width));
  height = Math.max(1, Math.min(height, area.height));
  return { x: Math.floor((area.width - width) / 2), y: Math.floor((area.height - height) / 2), width, height };
}

/** The help dialog's text area at a terminal size: its width and how many lines show at once. */
export function helpViewport(cols: number, rows: number): { width: number; rows: number } {
  const r = dialogRect({ kind: 'help', scroll: 0 }, cols, rows);
  return { width: Math.max(1, r.width - 4), rows: Math.max(1, r.height - 4) };
}
