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
import { longestWaiting } from './views.js';

/** The Workspace's parts its handler modules may use. */
export interface Inside {
  readonly core: Core;
  readonly opts: WorkspaceOptions;
  readonly keymap: Keymap;
  readonly control: AgentControl;
  /** Emits a domain event that carries no data. */
  emit(event: { [K in keyof DomainEvents]: DomainEvents[K] extends [] ? K : never }[keyof DomainEvents]): void;
  quit(): void;
  newPane(preset: string): void;
  closePane(id: number): Promise<void>;
}

export function keyHostOf(w: Inside): KeyHost {
  const { core, keymap, opts, control } = w;
  const host: KeyHost = {
    core,
    keymap,
    typed: () => w.emit('typed'),
    interrupt: (all) => void control.interrupt(all),
    restartFocused: () => {
      const p = core.focused;
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
      const options = opts.presets ?? [];
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
      else if (d.paneId !== undefined) void w.closePane(d.paneId);
    },
    submitted: (target, text) => {
      if (target !== 'note') return void control.redirect(target, text);
      if (!opts.context) return core.say('the shared context is not available');
      opts.context.postNote('you', text);
      core.say('note posted');
    },
    picked: (preset) => w.newPane(preset),
    helpLines: () => helpLines(helpSections(keymap), helpViewport(core.cols, core.rows).width).length,
  };
  return host;
}
