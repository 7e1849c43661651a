/**
 * What each named command does: one handler per command, in a table the compiler checks against
 * the keymap's command list (a command without a handler does not build). The keymap, the dialogs
 * and any remote control all come here through the Workspace's dispatch.
 */
import type { CommandId, Keymap } from '../config/keymap.js';
import type { Core } from './core.js';
import type { Command } from './events.js';
import type { TaskDesk } from './tasks.js';
import type { Task } from '../tasks/task.js';
import { taskToLine } from '../tasks/task-line.js';

const SCROLL_PAGE = 0.8;
/** Feed entries per press of the context panel's scroll keys. */
const CONTEXT_PAGE = 5;

/** The Workspace's actions that take more than a change of state (processes, services, I/O). */
export interface CommandHost {
  readonly core: Core;
  readonly keymap: Keymap;
  interrupt(all: boolean): void;
  restartFocused(): void;
  requestClose(): void;
  requestQuit(): void;
  openPicker(): void;
  nextWaiting(): void;
  toggleContext(): void;
  /** Entries in the context panel's feed. */
  contextTotal(): number;
  /** The prefix key itself, to the focused pane. */
  sendPrefix(): void;
  /** The terminal the keys came from asks to leave (the agents go on). */
  detach(): void;
  readonly desk: TaskDesk;
  /** A paused agent (by name) may work again. */
  resumeAgent(name: string): void;
  /** The focused agent's worktree: review its change, merge it (worktrees.ts). */
  reviewWorktree(): void;
  mergeWorktree(): void;
}

/** The task selected on the board, or a word to say there is none. */
function selected(h: CommandHost): Task | undefined {
  const tasks = h.desk.board.list();
  const t = tasks[Math.min(h.core.boardSel, tasks.length - 1)];
  if (!t) h.core.say('the task board is empty: a adds a task');
  return t;
}

/** A board request from the person, answered in the status bar. */
function personAsks(h: CommandHost, answer: ReturnType<TaskDesk['request']>): void {
  if (answer instanceof Promise) return void answer.then((a) => h.core.say(a.text));
  h.core.say(answer.text);
}

const TASK_LINE_HINT = 'title --to NAME --after t1,t2 --check "npm test" --claim src/**';

type Handler = (h: CommandHost, arg: number | undefined) => void;

/** Lines per page in scroll mode: most of the focused pane's height. */
function page(core: Core): number {
  const inner = core.visible().find((v) => v.pane === core.focused)?.inner.height ?? 10;
  return Math.max(1, Math.floor(inner * SCROLL_PAGE));
}

export const COMMAND_HANDLERS: Record<CommandId, Handler> = {
  'pane.focus': ({ core }, n) => core.focusIndex(n ?? 0),
  'pane.focusLeft': ({ core }) => core.focusDirection('left'),
  'pane.focusRight': ({ core }) => core.focusDirection('right'),
  'pane.focusUp': ({ core }) => core.focusDirection('up'),
  'pane.focusDown': ({ core }) => core.focusDirection('down'),
  'pane.focusNext': ({ core }) => core.focusNext(),
  'pane.new': (h) => h.openPicker(),
  'pane.close': (h) => h.requestClose(),
  'pane.restart': (h) => h.restartFocused(),
  'pane.zoom': ({ core }) => core.toggleZoom(),
  'pane.scroll': ({ core }) => core.enterScroll(),
  'agent.interrupt': (h) => h.interrupt(false),
  'agent.interruptAll': (h) => h.interrupt(true),
  'agent.nextWaiting': (h) => h.nextWaiting(),
  'agent.redirect': ({ core }) => core.openPrompt('focused'),
  'agent.broadcast': ({ core }) => core.openPrompt('all'),
  'context.toggle': (h) => h.toggleContext(),
  'context.note': ({ core }) => core.openPrompt('note'),
  'context.scrollUp': (h) => h.core.scrollContext(-CONTEXT_PAGE, h.contextTotal()),
  'context.scrollDown': (h) => h.core.scrollContext(CONTEXT_PAGE, h.contextTotal()),
  'scroll.up': ({ core }) => core.scroll(1),
  'scroll.down': ({ core }) => core.scroll(-1),
  'scroll.pageUp': ({ core }) => core.scroll(page(core)),
  'scroll.pageDown': ({ core }) => core.scroll(-page(core)),
  'scroll.top': ({ core }) => core.scroll('top'),
  'scroll.bottom': ({ core }) => core.scroll('bottom'),
  'scroll.exit': ({ core }) => core.leaveScroll(),
  'app.help': ({ core }) => core.openDialog({ kind: 'help', scroll: 0 }),
  'app.quit': (h) => h.requestQuit(),
  'app.detach': (h) => h.detach(),
  'prefix.send': (h) => h.sendPrefix(),
  'tasks.toggle': ({ core }) => core.toggleBoard(),
  'worktree.review': (h) => h.reviewWorktree(),
  'worktree.merge': (h) => h.mergeWorktree(),
  'board.up': ({ core }) => {
    core.boardSel = Math.max(0, core.boardSel - 1);
    core.touch();
  },
  'board.down': (h) => {
    h.core.boardSel = Math.max(0, Math.min(h.desk.board.list().length - 1, h.core.boardSel + 1));
    h.core.touch();
  },
  'board.details': (h) => {
    const t = selected(h);
    if (t) h.core.openDialog({ kind: 'task', id: t.id, scroll: 0 });
  },
  'board.add': ({ core }) => core.openPrompt('task-add', { hint: TASK_LINE_HINT }),
  'board.edit': (h) => {
    const t = selected(h);
    if (t) h.core.openPrompt('task-edit', { task: t.id, text: taskToLine(t), hint: TASK_LINE_HINT });
  },
  'board.done': (h) => {
    const t = selected(h);
    if (t) personAsks(h, h.desk.markDone(t.id));
  },
  'board.retry': (h) => {
    const t = selected(h);
    if (t) personAsks(h, h.desk.request('you', { op: 'retry', id: t.id }));
  },
  'board.cancel': (h) => {
    const t = selected(h);
    if (t) h.core.openDialog({ kind: 'confirm', action: 'cancel-task', task: t.id, text: `Cancel ${t.id} (${t.title})? Anything waiting for it will wait for ever.` });
  },
  'board.approve': (h) => {
    const t = selected(h);
    if (!t) return;
    if (!t.check) return h.core.say(`${t.id} has no check to approve`);
    h.desk.approveCheck(t.id);
    h.core.say(`${t.id}'s check (${t.check}) may run`);
  },
  'board.budget': (h) => {
    const t = selected(h);
    if (!t) return;
    const owner = t.owner ? h.core.panes.find((p) => p.name === t.owner) : undefined;
    if (t.state === 'blocked' && t.budget) {
      const b = h.desk.board.raiseBudget(t.id, { usd: t.budget.usd && t.budget.usd * 1.5, tokens: t.budget.tokens && Math.round(t.budget.tokens * 1.5) }, Date.now());
      personAsks(h, h.desk.request('you', { op: 'retry', id: b.id }));
    }
    if (owner?.paused) {
      const next = h.desk.raiseAgentBudget(owner.name);
      h.resumeAgent(owner.name);
      h.core.say(`${owner.name} goes on${next.usd || next.tokens ? ` with a budget of ${next.usd ? `$${next.usd.toFixed(2)}` : ''}${next.tokens ? ` ${next.tokens} tokens` : ''}` : ''}`);
    } else if (t.state !== 'blocked') h.core.say(`${t.id} is not stopped by a budget`);
  },
  'board.answer': (h) => {
    const q = h.desk.questions[0];
    if (!q) return h.core.say('no agent is waiting for an answer');
    h.core.openPrompt('answer', { question: q.id, hint: `${q.from} asks: ${q.question}${q.choices?.length ? ` (${q.choices.join(' / ')})` : ''}` });
  },
  'board.leave': ({ core }) => {
    core.mode = 'normal';
    core.touch();
  },
};

export function runCommand(h: CommandHost, c: Command): void {
  COMMAND_HANDLERS[c.id](h, c.arg);
}
