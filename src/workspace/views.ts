/**
 * Plain-data helpers over the workspace's panes: the UI's view equality, usage totals, and who
 * probably made a change nobody announced.
 */
import type { Pane } from './pane.js';
import type { Rect } from '../render/grid.js';
import type { ContextView, PaneView, UsageTotals } from './types.js';

/** What the chrome needs to draw one pane's frame. */
export function paneViewOf(pane: Pane, at: { number: number; rect: Rect; focused: boolean; scrolling: boolean; ctx: ContextView }): PaneView {
  return {
    id: pane.id,
    number: at.number,
    name: pane.name,
    status: pane.status,
    focused: at.focused,
    rect: at.rect,
    scroll: pane.scroll,
    scrollMax: at.scrolling && at.focused ? pane.scrollMax : 0,
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
    a.scroll === b.scroll &&
    a.scrollMax === b.scrollMax &&
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
