/**
 * Routes key events by scope: dialog > prefix > scroll > pane. Keys no scope claims go to the
 * focused pane's pty, encoded for that program's terminal modes. Runs inside the Workspace's
 * dispatch: it changes state only through the Core and the command table.
 */
import { commandOf, formatBinding, type Keymap, type KeyPattern } from '../config/keymap.js';
import { encodeChar, encodeKey, encodeNamed, type PtyModes } from '../terminal/encode.js';
import type { KeyEvent, NamedKey } from '../terminal/input.js';
import { runCommand, type CommandHost } from './commands.js';
import { handleMouse, parseSgrMouse } from './mouse.js';
import { helpViewport } from './geometry.js';
import type { Dialog } from './types.js';

export interface KeyHost extends CommandHost {
  readonly keymap: Keymap;
  /** Bytes went to the focused pane (the renderer draws their echo at once). */
  typed(): void;
  /** The person's answer to a confirm dialog. */
  confirmed(d: Extract<Dialog, { kind: 'confirm' }>): void;
  /** The prompt bar was submitted. */
  submitted(d: Extract<Dialog, { kind: 'prompt' }>, text: string): void;
  /** Lines of the task dialog now open (its details, check output), to keep its scroll in range. */
  taskLines(id: string): number;
  /** A preset was chosen in the picker (`worktree`: with a git worktree of its own). */
  picked(preset: string, worktree: boolean): void;
  /** Lines the help dialog has, to keep its scroll in range. */
  helpLines(): number;
}

export function routeKey(h: KeyHost, ev: KeyEvent): void {
  const { core } = h;
  if (ev.kind === 'mouse') {
    // Reports of the terminal's mouse (which the workspace asked for); never typed anywhere as such.
    const m = parseSgrMouse(ev.raw);
    if (m && handleMouse(h, m)) h.typed();
    return;
  }
  if (core.message && core.mode !== 'prefix') core.say(undefined);
  switch (core.mode) {
    case 'dialog':
      return dialogKey(h, core.dialog!, ev);
    case 'prefix':
      return prefixKey(h, ev);
    case 'scroll': {
      if (h.keymap.isPrefix(ev)) return enterPrefix(h, 'scroll');
      const name = h.keymap.lookup('scroll', ev);
      if (name) runCommand(h, commandOf(name));
      return;
    }
    case 'board': {
      if (h.keymap.isPrefix(ev)) return enterPrefix(h, 'board');
      const name = h.keymap.lookup('board', ev);
      if (name) runCommand(h, commandOf(name));
      else core.say(`${describe(ev)} does nothing on the task board; esc leaves it, ${prefixLabel(h.keymap)} ${h.keymap.bindingsOf('app.help')[0] ?? '?'} lists its keys`);
      return;
    }
    default:
      if (h.keymap.isPrefix(ev)) return enterPrefix(h, 'normal');
      sendToPane(h, encodeKey(ev, modesOf(h)));
  }
}

function modesOf(h: KeyHost): PtyModes {
  return h.core.focused?.terminal.modes ?? { applicationCursorKeys: false, bracketedPaste: false };
}

function enterPrefix(h: KeyHost, from: 'normal' | 'scroll' | 'board'): void {
  h.core.prefixFrom = from;
  h.core.mode = 'prefix';
  h.core.say(undefined);
}

function prefixKey(h: KeyHost, ev: KeyEvent): void {
  const { core, keymap } = h;
  core.mode = core.prefixFrom;
  core.touch();
  const name = keymap.lookup('prefix', ev);
  if (!name) {
    const help = keymap.bindingsOf('app.help')[0];
    core.say(`${prefixLabel(keymap)} ${describe(ev)} is not bound.${help ? ` ${prefixLabel(keymap)} ${help} lists the keys.` : ''}`);
    return;
  }
  if (core.mode === 'scroll' && !name.startsWith('scroll.') && name !== 'pane.scroll') core.leaveScroll();
  // A command aimed at the panes takes the keyboard back from the board (the board stays open).
  if (core.mode === 'board' && name !== 'tasks.toggle' && !name.startsWith('app.')) core.mode = 'normal';
  runCommand(h, commandOf(name));
}

export function prefixLabel(keymap: Keymap): string {
  return formatBinding(keymap.prefix);
}

/** The bytes a key pattern stands for, as the focused program expects them (prefix twice: the prefix itself). */
export function patternBytes(p: KeyPattern, modes: PtyModes): string {
  const mods = { ctrl: p.ctrl, alt: p.alt, shift: p.shift };
  return [...p.key].length === 1 ? encodeChar(p.key, mods) : encodeNamed(p.key as NamedKey, mods, modes);
}

/** Bytes for the focused pane, unless it is not running (then the person learns how to restart it). */
export function sendToPane(h: KeyHost, bytes: string): void {
  const pane = h.core.focused;
  if (!pane || bytes === '') return;
  if (!pane.running) {
    const restart = h.keymap.bindingsOf('pane.restart')[0];
    const hint = pane.spec.command && restart ? ` ${prefixLabel(h.keymap)} ${restart} restarts it.` : '';
    return h.core.say(`${pane.name} is not running.${hint}`);
  }
  pane.type(bytes);
  h.typed();
}

function promptKey(h: KeyHost, d: Extract<Dialog, { kind: 'prompt' }>, ev: KeyEvent): void {
  const { core } = h;
  if (ev.kind === 'named' && ev.name === 'escape') return core.closeDialog();
  const r = core.editor.key(ev);
  if (r.kind === 'submit') {
    core.closeDialog();
    h.submitted(d, r.text);
  } else if (r.kind === 'edit') core.touch();
}

function dialogKey(h: KeyHost, d: Dialog, ev: KeyEvent): void {
  const { core } = h;
  const name = ev.kind === 'named' ? ev.name : ev.kind === 'char' && !ev.mods.ctrl && !ev.mods.alt ? ev.char : undefined;
  if (d.kind === 'prompt') return promptKey(h, d, ev);
  if (d.kind === 'help') {
    const page = helpViewport(core.cols, core.rows).rows;
    const max = Math.max(0, h.helpLines() - page);
    const to = (scroll: number) => core.openDialog({ kind: 'help', scroll: Math.max(0, Math.min(max, scroll)) });
    if (name === 'escape' || name === 'q' || name === '?' || name === 'enter') return core.closeDialog();
    if (name === 'down' || name === 'j') return to(d.scroll + 1);
    if (name === 'up' || name === 'k') return to(d.scroll - 1);
    if (name === 'pagedown' || name === 'space' || name === ' ') return to(d.scroll + page);
    if (name === 'pageup') return to(d.scroll - page);
    if (name === 'home' || name === 'g') return to(0);
    if (name === 'end' || name === 'G') return to(max);
    return;
  }
  if (d.kind === 'task' || d.kind === 'review') {
    const page = Math.max(1, core.rows - 8);
    const max = Math.max(0, (d.kind === 'task' ? h.taskLines(d.id) : d.lines.length) - page);
    const to = (scroll: number) => core.openDialog({ ...d, scroll: Math.max(0, Math.min(max, scroll)) });
    if (name === 'escape' || name === 'q' || name === 'enter') return core.closeDialog();
    if (name === 'down' || name === 'j') return to(d.scroll + 1);
    if (name === 'up' || name === 'k') return to(d.scroll - 1);
    if (name === 'pagedown' || name === 'space' || name === ' ') return to(d.scroll + page);
    if (name === 'pageup') return to(d.scroll - page);
    if (d.kind === 'review' && (name === 'home' || name === 'g')) return to(0);
    if (d.kind === 'review' && (name === 'end' || name === 'G')) return to(max);
    return;
  }
  if (d.kind === 'confirm') {
    if (name === 'y' || name === 'Y') {
      core.closeDialog();
      h.confirmed(d);
    } else if (name === 'n' || name === 'N' || name === 'escape' || name === 'q') {
      core.closeDialog();
    }
    return;
  }
  // Preset picker.
  const n = d.options.length;
  if (name === 'escape' || name === 'q') return core.closeDialog();
  if (name === 'up' || name === 'k') return core.openDialog({ ...d, selected: (d.selected - 1 + n) % n });
  if (name === 'down' || name === 'j' || name === 'tab') return core.openDialog({ ...d, selected: (d.selected + 1) % n });
  if (name === 'w') return core.openDialog({ ...d, worktree: !d.worktree });
  let pick: number | undefined;
  if (name === 'enter') pick = d.selected;
  else if (name && /^[1-9]$/.test(name) && Number(name) <= n) pick = Number(name) - 1;
  if (pick !== undefined) {
    core.closeDialog();
    h.picked(d.options[pick].preset, d.worktree === true);
  }
}

function describe(ev: KeyEvent): string {
  if (ev.kind === 'char') return `${ev.mods.ctrl ? 'ctrl+' : ''}${ev.mods.alt ? 'alt+' : ''}${ev.char}`;
  if (ev.kind === 'named') return `${ev.mods.ctrl ? 'ctrl+' : ''}${ev.mods.alt ? 'alt+' : ''}${ev.mods.shift ? 'shift+' : ''}${ev.name}`;
  return 'that key';
}
