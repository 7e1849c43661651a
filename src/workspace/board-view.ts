/**
 * The task board as the chrome shows it: plain, preformatted, safe-to-print data built at publish.
 */
import { formatCost, formatTokens } from '../util/format.js';
import { printable } from '../util/safe-text.js';
import type { Task } from '../tasks/task.js';
import type { Core } from './core.js';
import type { TaskDesk } from './tasks.js';
import type { BoardView, TaskView } from './types.js';

function taskView(t: Task): TaskView {
  const spent = t.cost === 0 && t.tokens === 0 ? (t.priced ? '' : '$?') : `${formatCost(t.cost)}${t.priced ? '' : '+?'} ${formatTokens(t.tokens)}`;
  return {
    id: t.id,
    title: printable(t.title),
    state: t.state,
    owner: t.owner && printable(t.owner),
    deps: t.deps,
    attempts: t.attempts ? `${t.attempts}/${t.maxAttempts}` : '',
    cost: spent,
    check: t.lastCheck ? (t.lastCheck.ok ? '✓' : '✗') : t.state === 'checking' ? (t.checkApproved ? '…' : 'y?') : undefined,
    note: t.undelivered && t.state === 'todo' ? printable(`not delivered yet: ${t.undelivered}`) : t.note && printable(t.note),
  };
}

export function boardView(core: Core, desk: TaskDesk): BoardView | undefined {
  const rect = core.boardRect;
  if (!rect) return undefined;
  const tasks = desk.board.list();
  return {
    rect,
    tasks: tasks.map(taskView),
    selected: Math.min(core.boardSel, Math.max(0, tasks.length - 1)),
    focused: core.mode === 'board',
    questions: desk.questions.map((q) => ({ id: q.id, from: printable(q.from), question: printable(q.question), choices: q.choices?.map((c) => printable(c)) })),
    warnings: [...unheldBudgets(core, desk), ...desk.warnings.slice(-5)].map((w) => printable(w)),
    paused: core.panes.flatMap((p) => (p.paused ? [{ name: p.name, why: printable(p.paused) }] : [])),
  };
}

/**
 * Agents with a budget of their own whose cost nothing reports (CLIs other than Claude Code): the
 * budget cannot stop them, and the board says so rather than let it look held.
 */
export function unheldBudgets(core: Core, desk: TaskDesk): string[] {
  return core.panes.flatMap((p) =>
    desk.settings.agentBudgets[p.name] && p.spec.kind !== 'builtin' && p.spec.preset !== 'claude' && p.usage === undefined
      ? [`${p.name}'s budget cannot be held: ${p.spec.preset ?? 'its program'} does not report what it costs`]
      : [],
  );
}

/** What on the board waits for the person, in a few words each (the status bar counts them). */
export function boardAlerts(core: Core, desk: TaskDesk): string[] {
  const out: string[] = [];
  for (const q of desk.questions) out.push(`${q.from} asks`);
  for (const t of desk.board.list()) {
    if (t.state === 'blocked') out.push(`${t.id} blocked`);
    else if (t.state === 'checking' && t.check && !t.checkApproved) out.push(`${t.id} check?`);
  }
  for (const p of core.panes) if (p.paused) out.push(`${p.name} paused`);
  return out;
}
