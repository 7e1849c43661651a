/**
 * The chrome every frame shows (the panes' borders and titles, the status bar), painted straight
 * into cells from the view. It was Ink's: each change of a title or of the status bar was a whole
 * React render, a yoga layout and Ink's 244x85 output of cell objects, then that text parsed back
 * into cells; the first one, on a start's way to its first frame, ~30 ms of the server's CPU, and
 * loading Ink and React ~20 ms more (docs/profile.md). Ink now draws only what lies over the panes
 * (dialogs, help, the task board, the shared-context panel, "too small": src/ui/), loaded when first
 * needed; chrome.ts lays its cells over these.
 *
 * What is drawn is what Ink drew (test/ui/app.test.tsx reads both the same way): Ink's round and
 * bold box characters, its `truncate-end` (cut one column short and an unstyled `…` added; inside a
 * single styled text the `…` takes the style), colours from theme tokens as cellStyle gives them.
 */
import type { Theme, TokenName } from '../config/theme.js';
import { cellStyle } from '../render/cell-style.js';
import { ATTR, type Grid } from '../render/grid.js';
import { widthOf } from '../terminal/styled-text.js';
import { formatCost, formatTokens } from '../util/format.js';
import { printable } from '../util/safe-text.js';
import { isAgentError, type Activity } from '../workspace/activity.js';
import { paneLabel, type PaneStatus } from '../workspace/pane.js';
import type { Mode, PaneView, WorkspaceView } from '../workspace/types.js';

/** What the hints need besides the view: the prefix as printed and a command's first key. */
export interface ChromeLook {
  theme: Theme;
  prefix: string;
  key: (command: string) => string;
}

type Pen = { fg: number; bg: number; attrs: number };
/** A run of text in one style. */
type Seg = [text: string, pen: Pen];

const ELLIPSIS = 0x2026;
const BOX = {
  round: { tl: 0x256d, tr: 0x256e, bl: 0x2570, br: 0x256f, h: 0x2500, v: 0x2502 },
  bold: { tl: 0x250f, tr: 0x2513, bl: 0x2517, br: 0x251b, h: 0x2501, v: 0x2503 },
};
const MODE_LABEL: Record<Mode, string> = { normal: 'NORMAL', prefix: 'PREFIX', scroll: 'SCROLL', dialog: 'DIALOG', board: 'BOARD' };

/** Blanks `grid` and paints the panes' frames and the status bar of `view` on it. */
export function paintChrome(grid: Grid, view: WorkspaceView, look: ChromeLook): void {
  const pen = (token: TokenName): Pen => cellStyle(look.theme.tokens[token]);
  grid.fillBlank({ x: 0, y: 0, width: grid.width, height: grid.height });
  if (!view.tooSmall) for (const p of view.panes) paintFrame(grid, p, pen);
  if (view.rows > 1) paintText(grid, 0, view.rows - 1, view.cols, statusBar(view, look, pen), true);
}

function statusToken(s: PaneStatus, activity: Activity | undefined): TokenName {
  if (s.kind === 'running' && isAgentError(activity)) return 'status.failed';
  if (s.kind === 'running' && activity) return `status.${activity.state}`;
  switch (s.kind) {
    case 'running':
      return 'status.running';
    case 'exited':
      return s.code === 0 && !s.signal ? 'status.exited' : 'status.failed';
    case 'failed':
      return 'status.failed';
    case 'missing':
      return 'status.missing';
    default:
      return 'status.idle';
  }
}

/** A pane's border and title; its interior is left blank (the renderer paints it from the emulator). */
function paintFrame(grid: Grid, pane: PaneView, pen: (t: TokenName) => Pen): void {
  const waiting = pane.activity?.state === 'waiting';
  const token: TokenName = pane.focused ? 'border.focused' : waiting || pane.conflict || pane.branchConflict || pane.paused ? 'border.attention' : 'border.normal';
  const b = pen(token);
  // Ink colours a border with the token's colour and dimness only.
  paintBox(grid, pane.rect, pane.focused ? BOX.bold : BOX.round, { fg: b.fg, bg: 0, attrs: b.attrs & ATTR.dim });
  const { rect } = pane;
  const title = pen(pane.focused ? 'title.focused' : 'title.normal');
  const muted = pen('text.muted');
  // Marks: paused by a breaker or a budget, changes by others waiting for this agent's next turn, a
  // conflict on a shared file, a file changed on this branch and another, a failed interrupt or instruction.
  const marks = `${pane.paused ? ' ⏸ paused' : ''}${pane.pending ? ` ✉${pane.pending}` : ''}${pane.conflict ? ' ⚠ conflict' : ''}${pane.branchConflict ? ` ⚠ ${pane.branchConflict}` : ''}${pane.notice ? ` ⚠ ${pane.notice}` : ''}`;
  // The title never spills into the next pane, nor into the scroll position drawn at the border's right end.
  const room = Math.max(0, rect.width - 4 - pane.positionWidth);
  if (room <= 2) return;
  const label = paneLabel(pane.status, pane.activity);
  const cost = pane.cost !== undefined ? ` · ${formatCost(pane.cost)}` : '';
  const full = `${pane.number} ${pane.name} · ${label}${cost}${marks}`;
  const x = rect.x + 2;
  // Measured in columns as shown (Ink measured the string's length, and a wide character pushed the
  // end of the title off the border).
  const long = textWidth(printable(full)) + 2;
  if (long > room) {
    paintText(grid, x, rect.y, room, [[` ${full}`, title]], true);
    return;
  }
  const segs: Seg[] = [
    [' ', title],
    [String(pane.number), pen('title.number')],
    [` ${pane.name}`, title],
    [' · ', muted],
    [label, pen(statusToken(pane.status, pane.activity))],
    [cost, muted],
    [marks, pen('text.warning')],
    [' ', title],
  ];
  paintText(grid, x, rect.y, long, segs, false);
}

function paintBox(grid: Grid, r: { x: number; y: number; width: number; height: number }, box: (typeof BOX)['round'], p: Pen): void {
  if (r.width < 2 || r.height < 2) return;
  const x1 = r.x + r.width - 1;
  const y1 = r.y + r.height - 1;
  const put = (x: number, y: number, code: number) => {
    if (x >= 0 && x < grid.width && y >= 0 && y < grid.height) grid.put(y * grid.width + x, code, 1, p.fg, p.bg, p.attrs);
  };
  for (let x = r.x + 1; x < x1; x++) {
    put(x, r.y, box.h);
    put(x, y1, box.h);
  }
  for (let y = r.y + 1; y < y1; y++) {
    put(r.x, y, box.v);
    put(x1, y, box.v);
  }
  put(r.x, r.y, box.tl);
  put(x1, r.y, box.tr);
  put(r.x, y1, box.bl);
  put(x1, y1, box.br);
}

/**
 * Paints `shown` from (x, y) within `width` columns. Text wider than that is cut as Ink's
 * `truncate-end` cuts it: one column short, then `…` in the style of the text it cut (`cut` false:
 * clipped).
 */
function paintText(grid: Grid, x: number, y: number, width: number, shown: Seg[], cut: boolean): void {
  if (y < 0 || y >= grid.height || width <= 0) return;
  // Names, file names and messages come from outside: shown escaped, as everywhere on screen.
  const segs = shown.map(([text, p]): Seg => [printable(text), p]);
  const short = cut && segs.reduce((n, [text]) => n + textWidth(text), 0) > width;
  const end = Math.min(grid.width, x + (short ? width - 1 : width));
  let at = x;
  const row = y * grid.width;
  let last = segs[0]?.[1] ?? { fg: 0, bg: 0, attrs: 0 };
  for (const [text, p] of segs) {
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      const w = widthOf(cp);
      if (w === 0) {
        // A combining mark joins the character before it (controls and bidi characters were
        // escaped by `printable`: none reaches a cell).
        if (at > x) grid.append(row + at - (grid.widths[row + at - 1] === 0 ? 2 : 1), ch);
        continue;
      }
      if (at + w > end) {
        if (short) {
          // A wide character cut in half leaves a blank in its style; the `…` then takes the style
          // of the last column kept (Ink's slice keeps that one's style open).
          if (at < end) grid.put(row + at++, 0x20, 1, (last = p).fg, p.bg, p.attrs);
          if (at < grid.width) grid.put(row + at, ELLIPSIS, 1, last.fg, last.bg, last.attrs);
        }
        grid.touched[y] = 1;
        return;
      }
      grid.put(row + at, cp, w, p.fg, p.bg, p.attrs);
      if (w === 2) grid.put(row + at + 1, 0, 0, p.fg, p.bg, p.attrs);
      at += w;
      last = p;
    }
  }
  grid.touched[y] = 1;
}

/** Columns `text` takes (the terminal's widths: Unicode 11, as the panes' emulators count). */
function textWidth(text: string): number {
  let n = 0;
  for (const ch of text) n += widthOf(ch.codePointAt(0)!);
  return n;
}

/** The status bar: the mode, the focused pane, other terminals, who waits, the totals, then a message or a hint. */
function statusBar(view: WorkspaceView, look: ChromeLook, pen: (t: TokenName) => Pen): Seg[] {
  const { mode, focus, zoomed, count, clients, totals } = view;
  const { prefix, key } = look;
  const hintStyle = pen('statusbar.hint');
  const text = pen('statusbar.text');
  // Counted, then named: "⚑ 2 waiting for you: 1:claude 3:codex".
  const named = [...view.waiting.map((p) => `${p.number}:${p.name}`), ...view.alerts];
  const waiting = named.length ? `${named.length} waiting for you: ${named.join(' ')}` : '';
  const hint =
    mode === 'prefix'
      ? `1-9 focus · ${key('pane.zoom')} zoom · ${key('pane.new')} new · ${key('agent.interrupt')} interrupt · ${key('pane.scroll')} scroll · ${key('app.detach')} detach · ${key('app.quit')} quit · ${key('app.help')} help`
      : mode === 'scroll'
        ? `↑↓ line · PgUp/PgDn page · g/G top/bottom · q leave`
        : mode === 'dialog'
          ? 'esc closes'
          : mode === 'board'
            ? `↑↓ select · enter details · ${key('board.add')} add · ${key('board.edit')} edit · ${key('board.retry')} retry · ${key('board.answer')} answer · esc leave`
            : `${prefix} ${key('app.help')} help · ${prefix} ${key('app.quit')} quit`;
  const where = focus ? `${focus.number}:${focus.name}${zoomed ? ' (zoomed)' : ''}` : 'no panes';
  const segs: Seg[] = [
    [` ${MODE_LABEL[mode]} `, pen(`statusbar.mode.${mode}`)],
    [` ${where}`, text],
    [`${count > 1 ? ` of ${count}` : ''} │ `, hintStyle],
  ];
  if (clients > 1) segs.push([`${clients} terminals`, text], [' │ ', hintStyle]);
  if (waiting) segs.push([`⚑ ${waiting}`, pen('status.waiting')], [' │ ', hintStyle]);
  if (totals.agents > 0) {
    segs.push([`Σ ${formatTokens(totals.tokens)} tok · ${formatCost(totals.cost)}${totals.priced ? '' : '+?'}${totals.simulated ? ' (simulated)' : ''}`, text], [' │ ', hintStyle]);
  }
  segs.push(view.message ? [view.message, pen('text.warning')] : [hint, hintStyle]);
  return segs;
}
