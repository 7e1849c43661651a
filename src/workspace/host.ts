/**
 * What keys and commands can do beyond changing state: the workspace's own steps (processes,
 * dialogs that lead to them, services). Built by the Workspace from its insides and used only
 * while it handles a dispatched input.
 */
import type { Keymap } from '../config/keymap.js';
import type { AgentControl } from './control.js';
import type { Core } from './core.js';
import type { DomainEvents } from './events.js';
import { helpViewport } from './geometry.js';
import { helpLines, helpSections } from './help.js';
import { patternBytes, sendToPane, type KeyHost } from './keys.js';
import type { WorkspaceOptions } from './types.js';
import type { TaskDesk } from './tasks.js';
import { parseTaskLine } from '../tasks/task-line.js';
import { taskDetails } from '../tasks/text.js';
import { longestWaiting } from './views.js';
import type { PaneWorktrees } from './worktrees.js';

/** The Workspace's parts its handler modules may use. */
export interface Inside {
  readonly core: Core;
  readonly opts: WorkspaceOptions;
  readonly keymap: Keymap;
  readonly control: AgentControl;
  readonly desk: TaskDesk;
  resumeAgent(name: string): void;
  readonly worktrees: PaneWorktrees;
  /** Emits a domain event that carries no data. */
  emit(event: { [K in keyof DomainEvents]: DomainEvents[K] extends [] ? K : never }[keyof DomainEvents]): void;
  quit(): void;
  newPane(preset: string, worktree?: boolean): void;
  closePane(id: number): Promise<void>;
}

export function keyHostOf(w: Inside): KeyHost {
  const { core, keymap, opts, control, desk } = w;
  /** A board request from the person, answered in the status bar. */
  const asks = (answer: ReturnType<TaskDesk['request']>) => {
    if (answer instanceof Promise) void answer.then((a) => core.say(a.text));
    else core.say(answer.text);
  };
  const host: KeyHost = {
    core,
    keymap,
    desk,
    resumeAgent: (name) => w.resumeAgent(name),
    typed: () => w.emit('typed'),
    interrupt: (all) => void control.interrupt(all),
    restartFocused: () => {
      const p = core.focused;
      if (p && w.worktrees.retry(p)) return;
      if (!p || (p.spec.kind !== 'builtin' && !p.spec.command)) return core.say('this pane has nothing to restart');
      void control.restart(p);
    },
    requestClose: () => {
      const p = core.focused;
      if (p) core.openDialog({ kind: 'confirm', action: 'close', paneId: p.id, text: `Close pane ${core.focus + 1} (${p.name})${p.running ? ' and stop it' : ''}?` });
    },
    requestQuit: () => {
      // Asks only when quitting would stop work we know of: an agent or a shell's job at work, or an
      // agent waiting for the person. A guess from output timing (a log tail, a dev server) is not
      // enough to stand between the person and quitting.
      const working = core.panes.filter((p) => p.running && p.activity?.source !== 'guess' && (p.activity?.state === 'busy' || p.activity?.state === 'waiting'));
      if (working.length === 0) return w.quit();
      const what = working.map((p) => `${p.name} ${p.activity?.state === 'waiting' ? 'needs you' : 'is busy'}`).join(', ');
      core.openDialog({ kind: 'confirm', action: 'quit', text: `Quit? ${what}; everything will be stopped (the session is saved).` });
    },
    openPicker: () => {
      const options = (typeof opts.presets === 'function' ? opts.presets() : opts.presets) ?? [];
      if (options.length === 0) return core.say('no presets to choose from');
      core.openDialog({ kind: 'picker', options, selected: 0 });
    },
    nextWaiting: () => {
      const p = longestWaiting(core.panes);
      if (!p) return core.say('no agent is waiting for you');
      const i = core.panes.indexOf(p);
      if (core.zoomed && core.focus !== i) core.zoomed = false;
      core.focusIndex(i);
    },
    toggleContext: () => {
      if (!opts.context) return core.say('the shared context is not available');
      core.contextScroll = 0;
      core.contextOpen = !core.contextOpen;
      core.relayout();
    },
    contextTotal: () => opts.context?.view().lines.length ?? 0,
    detach: () => w.emit('detach'),
    sendPrefix: () => sendToPane(host, patternBytes(keymap.prefix, core.focused?.terminal.modes ?? { applicationCursorKeys: false, bracketedPaste: false })),
    confirmed: (d) => {
      if (d.action === 'quit') w.quit();
      else if (d.action === 'cancel-task' && d.task) asks(desk.request('you', { op: 'update_task', id: d.task, state: 'cancelled' }));
      else if (d.paneId !== undefined) void w.closePane(d.paneId);
    },
    submitted: (d, text) => {
      switch (d.target) {
        case 'focused':
        case 'all':
          return void control.redirect(d.target, text);
        case 'note':
          if (!opts.context) return core.say('the shared context is not available');
          opts.context.postNote('you', text);
          return core.say('note posted');
        case 'answer':
          if (d.question !== undefined) desk.answer(d.question, text);
          return core.say('answered');
        case 'merge':
          return w.worktrees.merge(d.pane, text);
        case 'task-add':
        case 'task-edit': {
          const task = parseTaskLine(text);
          if ('error' in task) return core.say(`not a task: ${task.error}`);
          if (d.target === 'task-add') return asks(desk.request('you', { op: 'create_task', ...task }));
          const { title, details, to, after, check, claims } = task;
          return asks(desk.request('you', { op: 'update_task', id: d.task!, title, details, to, after: after ?? [], check: check ?? '', claims: claims ?? [] }));
        }
      }
    },
    taskLines: (id) => {
      const t = desk.board.get(id);
      return t ? taskDetails(t).length : 0;
    },
    picked: (preset, worktree) => w.newPane(preset, worktree),
    reviewWorktree: () => w.worktrees.review(),
    mergeWorktree: () => w.worktrees.mergePrompt(),
    helpLines: () => helpLines(helpSections(keymap), helpViewport(core.cols, core.rows).width).length,
  };
  return host;
}
