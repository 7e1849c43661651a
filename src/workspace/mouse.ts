/**
 * The mouse, as terminal people expect from tmux with `mouse on` or zellij: a click focuses the pane
 * under it, the wheel scrolls that pane's history, and a program that asked for the mouse (opencode,
 * vim with `mouse=a`, htop) gets the events itself, at its own coordinates. A full-screen program that
 * did not ask gets the wheel as arrow keys, as terminals do in their "alternate scroll" mode.
 *
 * The workspace asks the terminal for SGR reports (DECSET 1000 + 1006); anything else is ignored.
 */
import { encodeKey } from '../terminal/encode.js';
import type { Rect } from '../render/grid.js';
import type { Pane } from './pane.js';
import type { CommandHost } from './commands.js';

/** Lines per wheel notch, as in most terminals. */
const WHEEL_LINES = 3;

export interface MouseEvent {
  /** The SGR button code: 0-2 buttons, +32 motion, +64 wheel; +4 shift, +8 alt, +16 ctrl. */
  code: number;
  /** 0-based cell. */
  x: number;
  y: number;
  press: boolean;
}

/** Whether a mouse report is a wheel notch (SGR button code +64). */
export function isWheel(raw: string): boolean {
  const m = parseSgrMouse(raw);
  return m !== undefined && (m.code & 64) !== 0;
}

export function parseSgrMouse(raw: string): MouseEvent | undefined {
  const m = /^\x1b\[<(\d+);(\d+);(\d+)([Mm])$/.exec(raw);
  if (!m) return undefined;
  return { code: Number(m[1]), x: Number(m[2]) - 1, y: Number(m[3]) - 1, press: m[4] === 'M' };
}

const inside = (r: Rect, x: number, y: number) => x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height;

/** The event as the program under it asked for it, at its coordinates (1-based); undefined when it did not ask. */
export function encodeForPane(pane: Pane, ev: MouseEvent, inner: Rect): string | undefined {
  const tracking = pane.terminal.mouseTracking;
  if (tracking === 'none') return undefined;
  const wheel = (ev.code & 64) !== 0;
  const motion = (ev.code & 32) !== 0;
  if (motion && tracking !== 'drag' && tracking !== 'any') return undefined;
  // X10 reports presses only; the others releases too.
  if (!ev.press && (tracking === 'x10' || wheel)) return undefined;
  const x = Math.min(Math.max(ev.x - inner.x, 0), inner.width - 1) + 1;
  const y = Math.min(Math.max(ev.y - inner.y, 0), inner.height - 1) + 1;
  if (pane.terminal.sgrMouse) return `\x1b[<${ev.code};${x};${y}${ev.press ? 'M' : 'm'}`;
  // The legacy encoding: a release is button 3, and coordinates past 223 cannot be said.
  if (x > 223 || y > 223) return undefined;
  const b = ev.press ? ev.code : (ev.code & ~3) | 3;
  return `\x1b[M${String.fromCharCode(32 + b, 32 + x, 32 + y)}`;
}

/** Handles one mouse report; true when it was used. Runs inside the Workspace's dispatch. */
export function handleMouse(h: CommandHost, ev: MouseEvent): boolean {
  const ws = h.core;
  if (ws.mode === 'dialog' || ws.mode === 'prefix') return false;
  // The wheel over the shared-context panel scrolls its feed.
  const panel = ws.contextRect;
  if (panel && inside(panel, ev.x, ev.y)) {
    if ((ev.code & 64) !== 0 && ev.press) ws.scrollContext((ev.code & 3) === 0 ? -WHEEL_LINES : WHEEL_LINES, h.contextTotal());
    return true;
  }
  const hit = ws.visible().find((v) => inside(v.rect, ev.x, ev.y));
  if (!hit) return false;
  const { pane, inner } = hit;
  const wheel = (ev.code & 64) !== 0;
  const focused = pane === ws.focused;
  const focus = () => ws.focusIndex(ws.panes.indexOf(pane));
  const type = (bytes: string) => pane.type(bytes);

  // A click on another pane focuses it (and is not passed on: the person aimed at the pane).
  if (!wheel && !focused) {
    if (ev.press && (ev.code & 3) === 0) focus();
    return true;
  }
  const forward = ws.mode !== 'scroll' && inside(inner, ev.x, ev.y) ? encodeForPane(pane, ev, inner) : undefined;
  if (forward !== undefined) {
    if (!focused) focus();
    type(forward);
    return true;
  }
  if (!wheel || !ev.press) return true;

  const up = (ev.code & 3) === 0;
  if (pane.running && pane.terminal.alternateScreen && ws.mode !== 'scroll') {
    if (!focused) focus();
    const key = encodeKey({ kind: 'named', name: up ? 'up' : 'down', mods: { ctrl: false, alt: false, shift: false }, raw: '' }, pane.terminal.modes);
    type(key.repeat(WHEEL_LINES));
    return true;
  }
  // The pane's own history: scroll mode on it, left again at the bottom.
  if (!focused) focus();
  if (ws.mode !== 'scroll') {
    if (!up || pane.scrollMax === 0) return true;
    ws.enterScroll();
  }
  ws.scroll(up ? WHEEL_LINES : -WHEEL_LINES);
  if (pane.scroll === 0) ws.leaveScroll();
  return true;
}
