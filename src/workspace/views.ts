/**
 * Plain-data helpers over the workspace's state: the view the UI reads (rebuilt at each publish, a
 * pane's slice reused while equal), usage totals, and who probably made a change nobody announced.
 */
import type { Pane } from './pane.js';
import type { Rect } from '../render/grid.js';
import { taskDetails } from '../tasks/text.js';
import { sameData } from '../util/same-data.js';
import { printable } from '../util/safe-text.js';
import { boardAlerts, boardView } from './board-view.js';
import type { Core } from './core.js';
import type { TaskDesk } from './tasks.js';
import type { ContextView, DialogView, PaneView, UsageTotals, WorkspaceView } from './types.js';

/**
 * The whole view at this moment. `reuse` holds each pane's last view: an equal one is returned as it
 * was, so a UI slice reading one pane re-renders only when that pane changed. The status bar's
 * slices are kept from `previous` the same way: every re-render is a whole Ink render of the chrome.
 */
export function workspaceView(core: Core, desk: TaskDesk, o: { context: ContextView; simulated?: boolean; reuse: Map<number, PaneView>; previous?: WorkspaceView }): WorkspaceView {
  const focusedId = core.focused?.id;
  const ctx = o.context;
  const panes = core.visible().map(({ pane, rect }) => {
    const next = paneViewOf(pane, { number: core.panes.indexOf(pane) + 1, rect, focused: pane.id === focusedId, scrolling: core.mode === 'scroll', ctx });
    const prev = o.reuse.get(pane.id);
    if (prev && samePaneView(prev, next)) return prev;
    o.reuse.set(pane.id, next);
    return next;
  });
  const d = core.dialog;
  const task = d?.kind === 'task' ? desk.board.get(d.id) : undefined;
  const dialog: DialogView | undefined =
    d?.kind === 'prompt' ? { ...d, text: core.editor.text, cursor: core.editor.cursor } : d?.kind === 'task' ? { ...d, lines: task ? taskDetails(task).map((l) => printable(l)) : ['(this task is gone)'] } : d;
  const panel = core.contextRect;
  const was = o.previous;
  return {
    cols: core.cols,
    rows: core.rows,
    layout: core.layout,
    mode: core.mode,
    dialog,
    panes,
    count: core.panes.length,
    focusedId,
    focus: kept(was?.focus, core.focused && { number: core.focus + 1, name: core.focused.name }),
    zoomed: core.zoomed,
    tooSmall: core.tooSmall(),
    message: core.message?.text,
    totals: kept(was?.totals, { ...usageTotals(core.panes), simulated: o.simulated }),
    clients: core.clients,
    board: boardView(core, desk),
    alerts: kept(was?.alerts, boardAlerts(core, desk)),
    waiting: kept(
      was?.waiting,
      core.panes.flatMap((p, i) => (p.activity?.state === 'waiting' ? [{ number: i + 1, name: p.name }] : [])),
    ),
    context: panel ? { ...ctx, rect: panel, scroll: core.contextScroll } : undefined,
  };
}

/** `previous` when it equals `next`: the same object, so a UI slice reading it does not re-render. */
function kept<T>(previous: T | undefined, next: T): T {
  return previous !== undefined && sameData(previous, next) ? previous : next;
}

/** A pane's scroll position as its border shows it in scroll mode: lines up from the bottom, of how many. */
export function scrollPosition(scroll: number, max: number): string {
  return ` [${scroll}/${max}] `;
}

/** What the chrome needs to draw one pane's frame. */
export function paneViewOf(pane: Pane, at: { number: number; rect: Rect; focused: boolean; scrolling: boolean; ctx: ContextView }): PaneView {
  return {
    id: pane.id,
    number: at.number,
    name: pane.name,
    status: pane.status,
    focused: at.focused,
    rect: at.rect,
    positionWidth: at.scrolling && at.focused && pane.scrollMax > 0 ? scrollPosition(pane.scrollMax, pane.scrollMax).length + 1 : 0,
    activity: pane.activity && { ...pane.activity },
    notice: pane.notice,
    cost: pane.usage?.cost,
    pending: pane.isAgent ? at.ctx.pending[pane.name] || undefined : undefined,
    conflict: at.ctx.conflicts[pane.name],
    branchConflict: at.ctx.branches?.[pane.name],
    paused: pane.paused !== undefined || undefined,
  };
}

export function usageTotals(panes: readonly Pane[]): UsageTotals {
  const t: UsageTotals = { tokens: 0, cost: 0, priced: true, agents: 0 };
  for (const p of panes) {
    const u = p.usage;
    if (!u) continue;
    t.agents++;
    t.tokens += u.input + u.output + u.cacheRead + u.cacheWrite;
    t.cost += u.cost;
    if (!u.priced) t.priced = false;
  }
  return t;
}

/** A change nobody announced was probably made by the one program (not a built-in agent) at work now or a moment ago. */
const RECENTLY_BUSY_MS = 2000;

export function likelyWriter(ws: { panes: readonly Pane[] }, now = Date.now()): string | undefined {
  const working = ws.panes.filter((p) => {
    const a = p.activity;
    if (p.isAgent || !a || a.source === 'guess') return false;
    return a.state === 'busy' || (a.state === 'idle' && now - a.since < RECENTLY_BUSY_MS && a.previous === 'busy');
  });
  return working.length === 1 ? working[0].name : undefined;
}

/** The pane that has waited longest for the person (the first of those waiting to start waiting). */
export function longestWaiting(panes: readonly Pane[]): Pane | undefined {
  let best: Pane | undefined;
  for (const p of panes) if (p.activity?.state === 'waiting' && (!best || p.waitingSeq < best.waitingSeq)) best = p;
  return best;
}

export function samePaneView(a: PaneView, b: PaneView): boolean {
  return (
    a.number === b.number &&
    a.name === b.name &&
    a.status === b.status &&
    a.focused === b.focused &&
    a.positionWidth === b.positionWidth &&
    a.activity?.state === b.activity?.state &&
    a.activity?.source === b.activity?.source &&
    a.activity?.silentHooks === b.activity?.silentHooks &&
    (a.activity?.source !== 'reported' || a.activity.reason === b.activity?.reason) &&
    a.notice === b.notice &&
    a.cost === b.cost &&
    a.pending === b.pending &&
    a.conflict === b.conflict &&
    a.branchConflict === b.branchConflict &&
    a.paused === b.paused &&
    a.rect.x === b.rect.x &&
    a.rect.y === b.rect.y &&
    a.rect.width === b.rect.width &&
    a.rect.height === b.rect.height
  );
}
